"""`medc demo`: the whole pipeline on the bundled samples, as the commands a user would type.

Each step runs the real CLI in a subprocess (`python -m medc ...`) and prints the command first, so what the demo
does can be copied and rerun by hand. The steps: build MedC-K, build MedC-I, inspect both cards, push with
`--dry-run` (or for real when HF_ENDPOINT points at a Hub), pretrain a tiny LLaMA on MedC-K, instruction-tune it on
MedC-I, evaluate it on the sample MedQA / MedMCQA / PubMedQA files, then summarise.
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

    def medc(self, title: str, *args: str | Path) -> str:
        """Run one `medc` command, echoing it; returns its standard output."""
        argv = [str(a) for a in args]
        self.echo(f"\n== {title}\n$ medc {shlex.join(argv)}")
        start = time.perf_counter()
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false"}
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
    args = ["push", demo.medc_k, "demo/medc-k", "--private"] + ([] if real else ["--dry-run"])
    demo.medc("Publish MedC-K" + ("" if real else " (dry run: set HF_ENDPOINT to push to a Hub)"), *args)


def train_and_evaluate(demo: Demo, inputs: DemoInputs) -> None:
    raise NotImplementedError


def summarise(demo: Demo) -> None:
    raise NotImplementedError


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
