"""The README's first command end to end: `medc demo` on the bundled samples, offline, on the CPU."""

import html
import json
import os
import subprocess
import sys

import datasets

from tests.report.page_checks import decoded_images, outside_references


def test_demo_runs_the_whole_pipeline(tmp_path):
    out = tmp_path / "demo"
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1"}
    env.pop("HF_ENDPOINT", None)
    proc = subprocess.run(
        [sys.executable, "-m", "medc", "demo", "--out", str(out)],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-5000:]

    k = json.loads((out / "medc-k/manifest.json").read_text())
    assert k["records"] == {"papers": {"train": 2}, "books": {"train": 3}}
    assert k["rejections"] == {"article_type_excluded": 1, "encrypted": 1, "too_short": 1}
    assert k["duplicates"] == {"near": 1}  # the republished trial
    papers = datasets.load_dataset(str(out / "medc-k"), "papers", split="train", cache_dir=str(tmp_path / "c"))
    assert sorted(papers["id"]) == ["pmc:PMC9000002", "pmc:PMC9000004"]
    text = papers[papers["id"].index("pmc:PMC9000002")]["text"]
    assert "Background\nAcute gastroenteritis" in text and "[1]" not in text and "Author A." not in text

    i = json.loads((out / "medc-i/manifest.json").read_text())
    assert set(i["records"]) == {"dialogue", "rationale_qa", "umls_kg"}

    for stage in ("pretrain", "sft"):
        losses = [
            r["loss"]
            for r in map(json.loads, (out / f"runs/{stage}/metrics.jsonl").read_text().splitlines())
            if "loss" in r
        ]
        assert losses[-1] < losses[0], (stage, losses)
        assert (out / f"runs/{stage}/final/model.safetensors").exists()

    summary = json.loads((out / "eval/summary.json").read_text())
    assert {s["task"] for s in summary} == {"medqa", "medmcqa", "pubmedqa"}
    assert "| MedQA | MedMCQA | PubMedQA | Avg |" in proc.stdout
    assert "== Summary" in proc.stdout and "dry run: would upload" in proc.stdout

    # the demo ends with the reports' paths; each page is self-contained, about real builds, runs and results
    reports = proc.stdout.split("Reports (open in a browser; self-contained, offline):")[1].split()
    assert reports == [str(out / d / "report.html") for d in ("medc-k", "medc-i", "runs/pretrain", "runs/sft", "eval")]
    pages = {d: html.unescape((out / d / "report.html").read_text()) for d in ("medc-k", "runs/sft", "eval")}
    assert all(outside_references(p) == [] and decoded_images(p) for p in pages.values())
    assert all(f"<code>{reason}</code>" in pages["medc-k"] for reason in k["rejections"])
    assert "Loss per target token" in pages["runs/sft"] and "PMC-LLaMA 13B (paper)" in pages["eval"]
