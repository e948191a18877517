"""Evaluate one loaded model on one benchmark by one method, and gather what the report needs.

>>> loaded = load_model("out/pmc-llama-sft")
>>> bench = load_benchmark("medqa", "phrases_no_exclude_test.jsonl")
>>> summary, results = evaluate(loaded, bench, method="loglik", batch_size=8)
>>> summary.metrics
{'acc': 0.512, 'acc_stderr': 0.014, 'acc_norm': 0.512}
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass

import medc
from trainer.evaluate.answer_parser import parse_answer
from trainer.evaluate.benchmark import Benchmark
from trainer.evaluate.generate import generate_texts
from trainer.evaluate.loglik import score_choices
from trainer.evaluate.model import LoadedModel
from trainer.evaluate.prompts import (
    HARNESS_VERSION,
    chat_prompt,
    generate_prompt,
    loglik_choices,
    loglik_context,
    prompt_version,
)
from trainer.evaluate.report import EvalSummary, ItemResult, accuracy_metrics

log = logging.getLogger(__name__)

METHODS = ("loglik", "generate")


@dataclass(frozen=True)
class EvalSettings:
    """How to evaluate; every field lands in the summary."""

    method: str = "loglik"  # loglik: score each option; generate: greedy answer, then parse it
    batch_size: int = 8
    max_new_tokens: int = 64  # generate only
    add_bos: bool = True  # encode with the tokenizer's special tokens (lm-evaluation-harness: none)
    limit: int | None = None  # recorded only: the benchmark was already cut to it

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        if self.batch_size < 1 or self.max_new_tokens < 1:
            raise ValueError(
                f"batch_size and max_new_tokens must be at least 1, got {self.batch_size}, {self.max_new_tokens}"
            )


def evaluate(
    loaded: LoadedModel, bench: Benchmark, settings: EvalSettings | None = None
) -> tuple[EvalSummary, list[ItemResult]]:
    """Score `bench` with `loaded`; the summary records the model, data hash, prompt version and settings."""
    settings = settings or EvalSettings()
    started = time.perf_counter()
    if settings.method == "loglik":
        results = _loglik_results(loaded, bench, settings)
    else:
        results = _generate_results(loaded, bench, settings)
    seconds = time.perf_counter() - started
    summary = EvalSummary(
        task=bench.task,
        method=settings.method,
        model=loaded.name,
        prompt_version=prompt_version(bench.task, settings.method, loaded.template),
        data_file=bench.path,
        data_sha256=bench.sha256,
        items=len(results),
        metrics=accuracy_metrics(results, settings.method),
        rejections=bench.rejections,
        ground_truth_file=bench.ground_truth_path,
        ground_truth_sha256=bench.ground_truth_sha256,
        model_revision=loaded.revision,
        settings=asdict(settings),
        device=loaded.device,
        dtype=loaded.dtype,
        seconds=round(seconds, 3),
        versions=_versions(),
    )
    acc = summary.metrics["acc"]
    log.info("%s %s: acc %.4f on %d items (%.1f s)", bench.task, settings.method, acc, len(results), seconds)
    return summary, results


def _loglik_results(loaded: LoadedModel, bench: Benchmark, settings: EvalSettings) -> list[ItemResult]:
    requests = [(loglik_context(item), loglik_choices(item)) for item in bench.items]
    scored = score_choices(
        loaded.model, loaded.tokenizer, requests, batch_size=settings.batch_size, add_bos=settings.add_bos
    )
    return [
        ItemResult(
            id=item.id,
            answer=item.answer,
            prediction=s.pred,
            correct=s.pred == item.answer,
            prediction_norm=s.pred_norm,
            logprobs=[round(x, 6) for x in s.logprobs],
        )
        for item, s in zip(bench.items, scored, strict=True)
        if item.answer is not None
    ]


def _generate_results(loaded: LoadedModel, bench: Benchmark, settings: EvalSettings) -> list[ItemResult]:
    chat = loaded.template == "chat"  # ask as the model was tuned: its chat template, or PMC-LLaMA's prompt
    prompts = [chat_prompt(item, loaded.tokenizer) if chat else generate_prompt(item) for item in bench.items]
    texts = generate_texts(
        loaded.model,
        loaded.tokenizer,
        prompts,
        batch_size=settings.batch_size,
        max_new_tokens=settings.max_new_tokens,
        add_bos=settings.add_bos,
        stop_ids=loaded.stop_ids,
        rendered=chat,
    )
    results = []
    for item, text in zip(bench.items, texts, strict=True):
        if item.answer is None:
            continue
        pick = parse_answer(text, item.options)
        results.append(
            ItemResult(id=item.id, answer=item.answer, prediction=pick, correct=pick == item.answer, output=text)
        )
    return results


def _versions() -> dict[str, str]:
    import torch
    import transformers

    return {
        "medc": medc.__version__,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "loglik_parity": HARNESS_VERSION,
    }
