"""`medc demo`: the whole pipeline on the bundled samples, as the commands a user would type.

Each step runs the real CLI in a subprocess (`python -m medc ...`) and prints the command first, so what the demo
does can be copied and rerun by hand. The steps: build MedC-K, build MedC-I, inspect both cards, push both with
`--dry-run` (or for real when HF_ENDPOINT points at a Hub; MedC-I to a gated repo), pretrain a tiny LLaMA on
MedC-K, instruction-tune it on MedC-I, evaluate it on the sample MedQA / MedMCQA / PubMedQA files, write the HTML
reports (both builds, both training runs, the evaluation), then summarise and print where the reports are.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from medc.demo.inputs import DemoInputs, lay_out_inputs


class DemoFailed(Exception):
    pass


@dataclass
class Demo:
    out: Path
    steps_run: list[tuple[str, float]] = field(default_factory=list)
    echo: Callable[[str], None] = print

    @property
    def medc_k(self) -> Path:
        return self.out / "medc-k"

    @property
    def medc_i(self) -> Path:
        return self.out / "medc-i"

    def cache_env(self) -> dict[str, str]:
        """Caches inside the demo's own directory (unless the user chose theirs), so the demo leaves no trace."""
        cache = self.out.resolve() / "cache"
        return {"MEDC_CACHE": str(cache / "medc"), "HF_DATASETS_CACHE": str(cache / "datasets")}

    def medc(self, title: str, *args: str | Path, env: dict[str, str] | None = None) -> str:
        """Run one `medc` command, echoing it; returns its standard output."""
        argv = [str(a) for a in args]
        shown = " ".join(f"{k}={v}" for k, v in (env or {}).items())
        self.echo(f"\n== {title}\n$ {shown + ' ' if shown else ''}medc {shlex.join(argv)}")
        start = time.perf_counter()
        env = {
            **self.cache_env(),
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "TOKENIZERS_PARALLELISM": "false",
            **(env or {}),
        }
        proc = subprocess.run(
            [sys.executable, "-m", "medc", *argv], env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        self.echo(proc.stdout.rstrip())
        self.steps_run.append((title, time.perf_counter() - start))
        if proc.returncode != 0:
            raise DemoFailed(f"step '{title}' failed with exit code {proc.returncode}")
        return proc.stdout


def run_demo(out: Path, echo: Callable[[str], None] = print) -> Demo:
    demo = Demo(Path(out), echo=echo)
    inputs = lay_out_inputs(demo.out / "inputs")
    build_k(demo, inputs)
    build_i(demo, inputs)
    demo.medc("Inspect the MedC-K card", "inspect", demo.medc_k, "--rows", "1")
    demo.medc("Inspect the MedC-I card", "inspect", demo.medc_i, "--rows", "1")
    push(demo)
    train_and_evaluate(demo, inputs)
    write_reports(demo)
    summarise(demo)
    return demo


def build_k(demo: Demo, inputs: DemoInputs) -> None:
    demo.medc(
        "Build MedC-K from PMC articles and a textbook",
        "build-k",
        "--pmc",
        inputs.pmc,
        "--books",
        inputs.books,
        "--out",
        demo.medc_k,
        "--fresh",
    )


def build_i(demo: Demo, inputs: DemoInputs) -> None:
    s = inputs.sample
    demo.medc(
        "Build MedC-I from dialogues, rationale QA and UMLS rows",
        "build-i",
        "--dialogues",
        s("dialogues/chatdoctor_sample.json"),
        "--dialogues",
        s("dialogues/meddialog_sample.txt"),
        "--medqa",
        s("qa/medqa_train.jsonl"),
        "--medmcqa",
        s("qa/medmcqa_train.jsonl"),
        "--pubmedqa",
        s("qa/pubmedqa_ori_pqal.json"),
        "--umls",
        s("umls"),
        "--decontaminate",
        s("qa/medqa_test.jsonl"),
        "--decontaminate",
        s("qa/medmcqa_dev.jsonl"),
        "--validation-fraction",
        "0.1",
        "--out",
        demo.medc_i,
        "--fresh",
    )


def push(demo: Demo) -> None:
    # A real push only when the user points HF_ENDPOINT somewhere (a local Hub, say); never to the public Hub.
    real = bool(os.environ.get("HF_ENDPOINT"))
    dry = [] if real else ["--dry-run"]
    env = {} if real else {"HF_HUB_OFFLINE": "1"}  # the dry run plans without asking any Hub
    how = "" if real else " (dry run: set HF_ENDPOINT to push to a Hub)"
    demo.medc("Publish MedC-K" + how, "push", demo.medc_k, "demo/medc-k", "--private", *dry, env=env)
    # MedC-I holds UMLS-derived prompts and ChatDoctor dialogues: a public repo must be gated (or private).
    demo.medc("Publish MedC-I to a gated repo" + how, "push", demo.medc_i, "demo/medc-i", "--gated", *dry, env=env)


# Small enough for 2 CPU cores in about a minute per stage; fp32 because bf16 matmuls are slow on most CPUs.
TINY_RUN = (
    "--seq-len",
    "128",
    "--set",
    "engine.precision=fp32",
    "--set",
    "engine.micro_batch_size=4",
    "--set",
    "engine.grad_accum=1",
    "--set",
    "optim.lr=3e-3",
    "--set",
    "optim.warmup_steps=3",
    "--set",
    "log_every=5",
    "--set",
    "eval_every=10",
    "--set",
    "save_every=10",
)


def train_and_evaluate(demo: Demo, inputs: DemoInputs) -> None:
    runs = demo.out / "runs"
    demo.medc(
        "Make a tiny LLaMA and train its BPE tokenizer on the built corpora",
        "train",
        "init-tiny",
        "--corpus",
        demo.medc_k,
        "--corpus",
        demo.medc_i,
        "--out",
        runs / "tiny",
    )
    demo.medc(
        "Continued pretraining on MedC-K (DeepSpeed, CPU)",
        "train",
        "pretrain",
        "--model",
        runs / "tiny",
        "--data",
        demo.medc_k,
        "--out",
        runs / "pretrain",
        "--max-steps",
        "30",
        *TINY_RUN,
    )
    demo.medc(
        "Instruction tuning on MedC-I (DeepSpeed, CPU)",
        "train",
        "sft",
        "--model",
        runs / "pretrain" / "final",
        "--data",
        demo.medc_i,
        "--out",
        runs / "sft",
        "--max-steps",
        "30",
        *TINY_RUN,
    )
    s = inputs.sample
    demo.medc(
        "Evaluate on MedQA, MedMCQA and PubMedQA",
        "eval",
        "--all",
        "--model",
        runs / "sft" / "final",
        "--medqa",
        s("qa/medqa_test.jsonl"),
        "--medmcqa",
        s("qa/medmcqa_dev.jsonl"),
        "--cop-base",
        "1",
        "--pubmedqa",
        s("qa/pubmedqa_ori_pqal.json"),
        "--ground-truth",
        s("qa/pubmedqa_test_ground_truth.json"),
        "--out",
        demo.out / "eval",
    )


def report_dirs(demo: Demo) -> list[Path]:
    """What the demo reports on: the two builds, the two training runs and the evaluation."""
    runs = demo.out / "runs"
    return [demo.medc_k, demo.medc_i, runs / "pretrain", runs / "sft", demo.out / "eval"]


def write_reports(demo: Demo) -> None:
    demo.medc("Write the HTML reports (builds, training runs, evaluation)", "report", *report_dirs(demo))


def summarise(demo: Demo) -> None:
    """What was built, kept, rejected and why, duplicates, training losses, the eval table, and where it all is."""
    lines = ["", "== Summary"]
    for name, path in (("MedC-K", demo.medc_k), ("MedC-I", demo.medc_i)):
        m = _json(path / "manifest.json")
        kept = ", ".join(f"{c} {sum(s.values())}" for c, s in m["records"].items())
        rejected = ", ".join(f"{r} {n}" for r, n in m["rejections"].items()) or "none"
        dups = ", ".join(f"{k} {n}" for k, n in m["duplicates"].items()) or "none"
        lines += [f"{name}: kept {kept}; rejected: {rejected}; duplicates removed: {dups}  ({path})"]
    for stage in ("pretrain", "sft"):
        losses = [r for r in _jsonl(demo.out / "runs" / stage / "metrics.jsonl") if "loss" in r]
        if losses:
            lines.append(
                f"{stage}: loss {losses[0]['loss']:.3f} at step {losses[0]['step']} → "
                f"{losses[-1]['loss']:.3f} at step {losses[-1]['step']}  ({demo.out / 'runs' / stage})"
            )
    lines += ["", (demo.out / "eval" / "summary.md").read_text(encoding="utf-8").strip(), ""]
    lines += [f"{title}: {seconds:.1f} s" for title, seconds in demo.steps_run]
    lines.append(f"Total: {sum(s for _, s in demo.steps_run):.1f} s. Everything is under {demo.out}/")
    lines += ["", "Reports (open in a browser; self-contained, offline):"]
    lines += [f"  {path / 'report.html'}" for path in report_dirs(demo)]
    demo.echo("\n".join(lines))


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
