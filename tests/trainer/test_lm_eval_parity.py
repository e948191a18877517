"""`medc eval --method loglik` against lm-evaluation-harness itself: its `hf` model and its own medqa_4options,
medmcqa and pubmedqa task definitions (included from the installed package, pointed at local data files), on a
tiny random Llama. Per item, the log-likelihood of every choice must agree, and so must acc and acc_norm.

BOS: the harness's HF backend adds no BOS unless `add_bos_token=True`; `medc eval --no-bos` (add_bos=False)
matches its default, `--bos` (medc's default) matches `add_bos_token=True`. Both pairs are checked.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from trainer.evaluate.benchmark import load_benchmark
from trainer.evaluate.model import LoadedModel
from trainer.evaluate.run import EvalSettings, evaluate

# lm_eval is imported inside the tests: importing it at collection would cost every test run ~20 s.
pytestmark = pytest.mark.skipif(importlib.util.find_spec("lm_eval") is None, reason="needs lm-eval (the dev extra)")
QA = Path(__file__).parents[1] / "fixtures" / "qa"

TASKS = {  # harness task -> (medc task, our file in the format the harness's dataset has)
    "medqa_4options": ("medqa", "medqa_4options_hf_test.jsonl"),
    "medmcqa": ("medmcqa", "medmcqa_hf_validation.jsonl"),
    "pubmedqa": ("pubmedqa", "pubmedqa_ori_pqal.json"),  # the harness reads it converted: `pubmedqa_rows`
}


def local_tasks(directory: Path, data: dict[str, Path]) -> Path:
    """One YAML per task: the harness's own config (`include`), reading a local JSON Lines file instead."""
    tasks_root = Path(importlib.util.find_spec("lm_eval").origin).parent / "tasks"
    sources = {
        "medqa_4options": "medqa/medqa.yaml",
        "medmcqa": "medmcqa/medmcqa.yaml",
        "pubmedqa": "pubmedqa/pubmedqa.yaml",
    }
    for task, yaml in sources.items():
        (directory / f"{task}_local.yaml").write_text(
            f"include: {tasks_root / yaml}\n"
            f"task: {task}_local\n"
            "dataset_path: json\n"
            "dataset_name: null\n"
            f"dataset_kwargs:\n  data_files:\n    test: {data[task]}\n"
            "training_split: null\nvalidation_split: null\ntest_split: test\n"
        )
    return directory


def pubmedqa_rows(path: Path) -> Path:
    """ori_pqal.json (keyed by PMID) as the rows of the harness's dataset (bigbio pubmed_qa source schema)."""
    items = json.loads((QA / "pubmedqa_ori_pqal.json").read_text())
    keep = ("QUESTION", "CONTEXTS", "final_decision")
    path.write_text("".join(json.dumps({k: v[k] for k in keep}) + "\n" for v in items.values()))
    return path


@pytest.fixture(scope="module")
def harness_setup(tmp_path_factory):
    from tests.trainer.test_evaluate import random_llama, tiny_tokenizer

    base = tmp_path_factory.mktemp("parity")
    tokenizer = tiny_tokenizer()
    model_dir = base / "tiny"
    random_llama(tokenizer, seed=3).save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)
    data = {t: QA / f for t, (_, f) in TASKS.items() if t != "pubmedqa"}
    data["pubmedqa"] = pubmedqa_rows(base / "pubmedqa_local.jsonl")
    return model_dir, tokenizer, local_tasks(base, data), data


def harness_scores(model_dir: Path, tasks_dir: Path, add_bos: bool, monkeypatch) -> dict:
    import lm_eval
    from lm_eval.tasks import TaskManager

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    out = lm_eval.simple_evaluate(
        model="hf",
        model_args={"pretrained": str(model_dir), "dtype": "float32", "add_bos_token": add_bos},
        tasks=[f"{t}_local" for t in TASKS],
        task_manager=TaskManager(include_path=str(tasks_dir), include_defaults=False),
        device="cpu",
        batch_size=4,
        log_samples=True,
    )
    return out


@pytest.mark.parametrize("add_bos", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_loglik_matches_lm_eval_harness_item_by_item(harness_setup, add_bos, monkeypatch):
    import lm_eval
    import torch
    from transformers import AutoModelForCausalLM

    model_dir, tokenizer, tasks_dir, _ = harness_setup
    out = harness_scores(model_dir, tasks_dir, add_bos, monkeypatch)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    loaded = LoadedModel(model, tokenizer, "tiny", "cpu", "float32")
    for task, (ours, _) in TASKS.items():
        bench = load_benchmark(ours, QA / TASKS[task][1])
        summary, results = evaluate(loaded, bench, EvalSettings(add_bos=add_bos, batch_size=4))
        samples = sorted(out["samples"][f"{task}_local"], key=lambda s: s["doc_id"])
        theirs = [[float(r[0][0]) for r in s["resps"]] for s in samples]
        assert len(theirs) == len(results) > 1
        for mine, harness in zip(results, theirs, strict=True):
            assert mine.logprobs == pytest.approx(harness, abs=1e-4), task
        metrics = out["results"][f"{task}_local"]
        worst = max(
            abs(a - b) for r, h in zip(results, theirs, strict=True) for a, b in zip(r.logprobs, h, strict=True)
        )
        norm = (
            f"; acc_norm {summary.metrics['acc_norm']:.4f} vs {metrics['acc_norm,none']:.4f}"
            if "acc_norm,none" in metrics
            else ""
        )
        print(
            f"\nlm-eval {lm_eval.__version__} {task} add_bos={add_bos}: {len(results)} items x {len(theirs[0])} "
            f"choices, max |logprob diff| {worst:.2e}; "
            f"acc {summary.metrics['acc']:.4f} vs {metrics['acc,none']:.4f}{norm}"
        )
        assert summary.metrics["acc"] == pytest.approx(metrics["acc,none"])
        if "acc_norm,none" in metrics:  # the harness's pubmedqa reports acc only
            assert summary.metrics["acc_norm"] == pytest.approx(metrics["acc_norm,none"])
