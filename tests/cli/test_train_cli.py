import json

import pytest
from click.testing import CliRunner

from medc.cli import main
from tests.trainer.trainer_fixtures import build_medc_i, build_medc_k

pytest.importorskip("deepspeed")

FAST = [
    "--seq-len",
    "64",
    "--max-steps",
    "2",
    "--set",
    "engine.micro_batch_size=2",
    "--set",
    "engine.grad_accum=1",
    "--set",
    "progress=false",
    "--set",
    "log_every=1",
]


def invoke(*args):
    result = CliRunner().invoke(main, ["-q", "train", *map(str, args)], catch_exceptions=False)
    return result


def test_init_tiny_pretrain_resume_and_export_from_the_command_line(tmp_path):
    medc_k, medc_i = build_medc_k(tmp_path / "medc-k", 20, 6), build_medc_i(tmp_path / "medc-i", 8, 2)
    cache = ["--set", f"data.cache_dir={tmp_path / 'cache'}"]
    result = invoke(
        "init-tiny", "--corpus", medc_k, "--corpus", medc_i, "--out", tmp_path / "tiny", "--vocab-size", 300
    )
    assert result.exit_code == 0, result.output
    assert "vocab 300" in result.output

    # tokenize ahead of the job: the same flags; the job then finds every part in the cache
    result = invoke(
        "tokenize", "--model", tmp_path / "tiny", "--data", medc_k, "--mix", "books=3,papers=1", *FAST, *cache
    )
    assert result.exit_code == 0, result.output
    assert "Tokenized for pretrain" in result.output and "papers" in result.output
    entries = sorted(p.name.split("-")[0] for p in (tmp_path / "cache").iterdir() if (p / "meta.json").exists())
    assert entries == ["books", "papers"]  # (capping a source at the plan's need: tests/trainer/test_tokenize.py)

    run = tmp_path / "run"
    result = invoke(
        "pretrain",
        "--model",
        tmp_path / "tiny",
        "--data",
        medc_k,
        "--out",
        run,
        "--mix",
        "books=3,papers=1",
        *FAST,
        *cache,
    )
    assert result.exit_code == 0, result.output
    assert "Trained 2 steps" in result.output and (run / "final" / "config.json").exists()
    assert "mix = { books = 3.0, papers = 1.0 }" in (run / "config.toml").read_text()

    # the written config reproduces the run; --resume picks up its last checkpoint (nothing left to do)
    result = invoke("pretrain", "--config", run / "config.toml", "--resume")
    assert result.exit_code == 0, result.output
    assert "Trained 2 steps" in result.output
    assert len([x for x in (run / "metrics.jsonl").read_text().splitlines() if '"loss"' in x]) == 2

    # flags win over the file: the same settings, another run directory, 3 steps
    result = invoke("pretrain", "--config", run / "config.toml", "--out", tmp_path / "again", "--max-steps", 3)
    assert result.exit_code == 0, result.output
    assert "Trained 3 steps" in result.output and (tmp_path / "again" / "final").exists()

    result = invoke("export", run, "--out", tmp_path / "exported", "--dtype", "float32")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "exported" / "config.json").read_text())["dtype"] == "float32"


def test_bad_settings_are_usage_errors(tmp_path):
    result = CliRunner().invoke(
        main, ["train", "pretrain", "--model", "m", "--data", "d", "--out", "o", "--set", "engine.zero=3"]
    )
    assert result.exit_code == 2
    assert "unknown option 'engine.zero'" in result.output
    result = CliRunner().invoke(main, ["train", "sft", "--data", "d", "--out", "o"])
    assert result.exit_code == 2 and "give --model" in result.output


def test_pretrain_help_lists_every_setting():
    result = CliRunner().invoke(main, ["train", "pretrain", "--help"])
    assert result.exit_code == 0
    for key in ("data.mix", "data.isolate_documents", "engine.zero_stage", "engine.offload", "optim.warmup_steps"):
        assert key in result.output
