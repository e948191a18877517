"""What an evaluation leaves behind: per-item predictions (JSONL), a summary (JSON + Markdown), and the
paper-shaped table for `--all`.

    OUT/medqa-loglik.predictions.jsonl   {"id": "medqa:test:1", "answer": 3, "prediction": 3, "correct": true,
                                          "prediction_norm": 3, "logprobs": [-2.1, -3.0, -2.7, -0.4]}
    OUT/medqa-loglik.summary.json        model, data file + sha256, method, prompt version, metrics, ...
    OUT/summary.md                       one table for every task of the run

    | Model | Method | MedQA | MedMCQA | PubMedQA | Avg |
    |---|---|---|---|---|---|
    | out/pmc-llama-sft | loglik | 51.20 | 49.75 | 74.40 | 58.45 |
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PAPER_COLUMNS = (("medqa", "MedQA"), ("medmcqa", "MedMCQA"), ("pubmedqa", "PubMedQA"))


@dataclass(slots=True)
class ItemResult:
    """One item's outcome. `prediction` is None when a generated answer could not be read."""

    id: str
    answer: int
    prediction: int | None
    correct: bool
    prediction_norm: int | None = None  # loglik: the length-normalized pick
    logprobs: list[float] | None = None  # loglik: one per choice
    output: str | None = None  # generate: the generated text


@dataclass(slots=True)
class EvalSummary:
    task: str
    method: str
    model: str
    prompt_version: str
    data_file: str
    data_sha256: str
    items: int
    metrics: dict[str, float]
    rejections: dict[str, int] = field(default_factory=dict)
    ground_truth_file: str | None = None
    ground_truth_sha256: str | None = None
    model_revision: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)  # run.EvalSettings: method, batch size, BOS, limit
    device: str = ""
    dtype: str = ""
    seconds: float = 0.0
    versions: dict[str, str] = field(default_factory=dict)


def accuracy_metrics(results: list[ItemResult], method: str) -> dict[str, float]:
    """acc (with its standard error, as lm-evaluation-harness reports it), plus acc_norm for loglik and the
    share of unreadable answers for generate (those count as wrong in acc)."""
    n = len(results)
    acc = sum(r.correct for r in results) / n
    metrics = {"acc": acc, "acc_stderr": math.sqrt(acc * (1 - acc) / (n - 1)) if n > 1 else 0.0}
    if method == "loglik":
        metrics["acc_norm"] = sum(r.prediction_norm == r.answer for r in results) / n
    else:
        metrics["unparseable"] = sum(r.prediction is None for r in results) / n
    return metrics


def write_task(out_dir: Path, summary: EvalSummary, results: list[ItemResult]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{summary.task}-{summary.method}"
    with open(out_dir / f"{stem}.predictions.jsonl", "w", encoding="utf-8") as fh:
        for r in results:
            row = {k: v for k, v in asdict(r).items() if v is not None}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    (out_dir / f"{stem}.summary.json").write_text(json.dumps(asdict(summary), indent=2) + "\n", "utf-8")


def markdown(summaries: list[EvalSummary]) -> str:
    """The paper-shaped table (accuracy in %), then one detail row per task."""
    lines = ["| Model | Method | MedQA | MedMCQA | PubMedQA | Avg |", "|---|---|---|---|---|---|"]
    for (model, method), group in _by_model_method(summaries).items():
        cells = [f"{100 * group[t].metrics['acc']:.2f}" if t in group else "–" for t, _ in PAPER_COLUMNS]
        avg = f"{100 * sum(s.metrics['acc'] for s in group.values()) / len(group):.2f}"
        avg = avg if len(group) == len(PAPER_COLUMNS) else f"({avg})"  # a partial average is marked
        lines.append(f"| {model} | {method} | {' | '.join(cells)} | {avg} |")
    lines += [
        "",
        "| Task | Method | Items | Metrics | Skipped | Prompt | Data sha256 |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        metrics = ", ".join(f"{k} {v:.4f}" for k, v in s.metrics.items())
        skipped = ", ".join(f"{k} {v}" for k, v in s.rejections.items()) or "0"
        lines.append(
            f"| {s.task} | {s.method} | {s.items} | {metrics} | {skipped} | {s.prompt_version} "
            f"| `{s.data_sha256[:16]}` |"
        )
    return "\n".join(lines) + "\n"


def _by_model_method(summaries: list[EvalSummary]) -> dict[tuple[str, str], dict[str, EvalSummary]]:
    groups: dict[tuple[str, str], dict[str, EvalSummary]] = {}
    for s in summaries:
        groups.setdefault((s.model, s.method), {})[s.task] = s
    return groups


def write_run(out_dir: Path, summaries: list[EvalSummary]) -> Path:
    """summary.md (and summary.json) for everything this run evaluated."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "summary.json").write_text(json.dumps([asdict(s) for s in summaries], indent=2) + "\n", "utf-8")
    path = out_dir / "summary.md"
    path.write_text(markdown(summaries), "utf-8")
    return path
