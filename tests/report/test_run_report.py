"""The training-run report from the files the trainer writes: loss and validation loss by step and by tokens,
learning rate, throughput and MFU, the mix drawn against the configured weights; partial runs still render."""

import html
import json

from medc.report import write_report
from medc.report.page import render_page
from medc.report.readers import read_run
from medc.report.run_page import run_page
from tests.report.builds import write_run
from tests.report.page_checks import decoded_images, outside_references


def test_run_report_shows_losses_schedule_throughput_mfu_and_mix(run_dir):
    page = run_page(run_dir)
    titles = [s.title for s in page.sections]
    assert titles == ["Loss", "Learning rate and gradients", "Throughput", "Data mix", "Settings"]
    plots = [b.plot.name for s in page.sections for b in s.blocks if b.kind == "figure"]
    assert plots == ["loss_steps", "loss_tokens", "lr", "grad_norm", "tokens_per_s", "mfu", "mix_drawn"]
    facts = dict(page.facts)
    assert facts["stage"] == "pretrain" and facts["steps"] == "40 of 40" and facts["tokens seen"] == "327,680"
    assert facts["median MFU"].endswith("%")
    text = html.unescape(render_page(page))
    assert outside_references(text) == [] and len(decoded_images(text)) == 7


def test_mix_table_sets_drawn_shares_beside_configured_ones(run_dir):
    (mix,) = [s for s in run_page(run_dir).sections if s.title == "Data mix"]
    tables = [b for b in mix.blocks if b.kind == "table"]
    shares = next(t for t in tables if t.columns[0] == "source" and "configured share" in t.columns)
    assert shares.rows == [
        ["books", 15.0, "75.0%", 120, "75.0%"],
        ["general", 1.0, "5.0%", 8, "5.0%"],
        ["papers", 4.0, "20.0%", 32, "20.0%"],
    ]
    by_step = next(t for t in tables if t.columns[0] == "step")
    assert [row[0] for row in by_step.rows] == [10, 20, 30, 40]


def test_draws_logged_in_metrics_win_over_checkpoints(tmp_path):
    # should the trainer log the sampler's counts with each step, the report reads them from there
    run = write_run(tmp_path / "run", checkpoints=False)
    with open(run / "metrics.jsonl", "a") as fh:
        fh.write(json.dumps({"step": 45, "loss": 1.0, "lr": 1e-4, "taken": {"books": 150, "papers": 50}}) + "\n")
    assert [(d.step, d.taken) for d in read_run(run).drawn] == [(45, {"books": 150, "papers": 50})]


def test_a_run_without_data_json_checkpoints_or_mfu_still_renders(tmp_path):
    # stands for a CPU run that has logged a few steps and not yet saved a checkpoint
    run = write_run(tmp_path / "run", peak_tflops=None, checkpoints=False)
    (run / "data.json").unlink()
    (run / "config.toml").unlink()
    (run / "metrics.jsonl").write_text((run / "metrics.jsonl").read_text() + "{broken\n")
    text = html.unescape(write_report(run).read_text(encoding="utf-8"))
    assert "No MFU: the peak FLOP/s of the device is unknown" in text
    assert "Loss per target token" in text and "Data mix" not in text and "Settings" not in text


def test_an_empty_run_says_so(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "metrics.jsonl").write_text("")
    text = write_report(run).read_text(encoding="utf-8")
    assert "holds no loss yet" in text
