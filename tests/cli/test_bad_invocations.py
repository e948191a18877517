"""Every verb, driven with the mistakes users make: each bad invocation must end with a non-zero exit code, no
traceback, and a message that names the bad value or file (issue 22).

A row is (id, arguments, exit code, strings the output must contain). Arguments may name the workspace below:
`{tmp}` (a fresh directory per row), `{ws}` (files made once: a broken TOML file, an empty directory, ...),
`{model}`, `{medc_k}`, `{medc_i}` (the trainer tests' tiny model and builds, made only for rows that use them).
Exit code 2 is a wrong setting, option or path (medc's own or click's usage errors), 1 anything else.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from medc.cli import main
from tests.hub import fake_hub  # noqa: F401  (a fixture, used by name)

FIXTURES = Path(__file__).parents[1] / "fixtures"
ARTICLE = str(FIXTURES / "pmc" / "research_article.nxml")
MEDQA = str(FIXTURES / "qa" / "medqa_US_test.jsonl")  # stands for MedQA's US/test.jsonl
MEDMCQA = str(FIXTURES / "qa" / "medmcqa_dev.json")  # stands for MedMCQA's dev.json
PUBMEDQA = str(FIXTURES / "qa" / "pubmedqa_ori_pqal.json")  # stands for PubMedQA's ori_pqal.json
DIALOGUES = str(FIXTURES / "medc_i" / "dialogues" / "iCliniq.json")  # stands for ChatDoctor's iCliniq.json
MEDQA_TRAIN = str(FIXTURES / "medc_i" / "qa" / "medqa_train.jsonl")
UMLS = str(FIXTURES / "medc_i" / "umls")
K = ["build-k", "--workers", "0", "--out", "{tmp}/out"]
I = ["build-i", "--workers", "0", "--out", "{tmp}/out"]  # noqa: E741


@dataclass(frozen=True)
class Row:
    id: str
    args: list[str]
    code: int
    names: list[str]
    needs: str = ""  # "model": the tiny model and builds; "train": also DeepSpeed (the row starts a run)
    hub: str = ""  # "offline": the Hub client in offline mode with an empty cache; "fake": the test Hub
    env: dict[str, str] = field(default_factory=dict)


ROWS = [
    # --- build-k: the rows, then its other options
    Row("k-unknown-key", [*K, "--pmc", ARTICLE, "--set", "dedup.treshold=0.8"], 2, ["'dedup.treshold'", "did you mean 'dedup.threshold'"]),
    Row("k-not-a-number", [*K, "--pmc", ARTICLE, "--set", "dedup.threshold=abc"], 2, ["dedup.threshold wants a number, got 'abc'"]),
    Row("k-out-of-range", [*K, "--pmc", ARTICLE, "--set", "dedup.threshold=1.5"], 2, ["dedup", "1.5"]),
    Row("k-broken-config", [*K, "--pmc", ARTICLE, "--config", "{ws}/broken.toml"], 2, ["broken.toml", "not valid TOML"]),
    Row("k-config-not-utf8", [*K, "--pmc", ARTICLE, "--config", "{ws}/latin1.toml"], 2, ["latin1.toml", "UTF-8"]),
    Row("k-config-missing", [*K, "--pmc", ARTICLE, "--config", "{ws}/missing.toml"], 2, ["missing.toml"]),
    Row("k-config-unknown-table", [*K, "--pmc", ARTICLE, "--config", "{ws}/unknown_table.toml"], 2, ["'dedupe'", "did you mean 'dedup'"]),
    Row("k-set-no-value", [*K, "--pmc", ARTICLE, "--set", "dedup.threshold"], 2, ["dedup.threshold", "KEY=VALUE"]),
    Row("k-set-table-as-value", [*K, "--pmc", ARTICLE, "--set", "dedup=0.8"], 2, ["dedup is a table of settings"]),
    Row("k-not-a-bool", [*K, "--pmc", ARTICLE, "--set", "papers.keep_captions=maybe"], 2, ["papers.keep_captions wants true or false, got 'maybe'"]),
    Row("k-not-an-int", [*K, "--pmc", ARTICLE, "--set", "shards.max_shard_bytes=big"], 2, ["shards.max_shard_bytes wants a whole number, got 'big'"]),
    Row("k-list-as-csv", [*K, "--pmc", ARTICLE, "--set", "filters.languages=en,de"], 2, ["filters.languages wants a list", "'en,de'"]),
    Row("k-bad-choice", [*K, "--pmc", ARTICLE, "--set", "dedup.lsh_storage=mongo"], 2, ["mongo"]),
    Row("k-no-inputs", ["build-k", "--out", "{tmp}/out"], 2, ["Nothing to build"]),
    Row("k-missing-input", [*K, "--pmc", "{ws}/no-such-dir"], 1, ["no-such-dir", "no such file or directory"]),
    Row("k-missing-filelist", [*K, "--pmc", ARTICLE, "--pmc-filelist", "{ws}/no-such.csv"], 2, ["no-such.csv"]),
    Row("k-negative-workers", ["build-k", "--pmc", ARTICLE, "--workers", "-1", "--out", "{tmp}/out"], 2, ["-1"]),
    Row("k-bad-timeout", [*K, "--pmc", ARTICLE, "--unit-timeout", "soon"], 2, ["soon"]),
    Row("k-out-is-a-file", ["build-k", "--pmc", ARTICLE, "--out", "{ws}/a_file"], 2, ["a_file"]),
    Row("k-only-bad-xml", [*K, "--pmc", str(FIXTURES / "pmc" / "malformed_fatal.xml")], 1, ["malformed_fatal.xml", "xml_syntax", "--allow-empty"]),
    Row("k-article-as-book", [*K, "--books", ARTICLE], 1, ["research_article.nxml", "this looks like a PMC JATS article; use --pmc"]),
    Row("k-books-as-pmc", [*K, "--pmc", "{ws}/pdfs"], 1, ["pdfs", "no file in it", "use --books"]),
    Row("k-empty-dir", [*K, "--books", "{ws}/empty"], 1, ["--books", "empty", "no file in it"]),
    # --- build-i: the row, then its other options
    Row("i-medqa-as-medmcqa", [*I, "--medmcqa", MEDQA], 1, ["--medmcqa", "medqa_US_test.jsonl", "missing_field", "this looks like MedQA; use --medqa"]),
    Row("i-medqa-as-medmcqa-beside-good", [*I, "--medqa", MEDQA_TRAIN, "--medmcqa", MEDQA], 1, ["--medmcqa", "medqa_US_test.jsonl", "use --medqa"]),
    Row("i-medqa-as-dialogues", [*I, "--dialogues", MEDQA], 1, ["--dialogues", "unknown_format", "use --medqa"]),
    Row("i-medmcqa-as-pubmedqa", [*I, "--pubmedqa", MEDMCQA], 1, ["--pubmedqa", "medmcqa_dev.json", "use --medmcqa"]),
    Row("i-pubmedqa-as-medqa", [*I, "--medqa", PUBMEDQA], 1, ["--medqa", "pubmedqa_ori_pqal.json", "use --pubmedqa"]),
    Row("i-dialogues-as-medqa", [*I, "--medqa", DIALOGUES], 1, ["--medqa", "iCliniq.json", "use --dialogues"]),
    Row("i-article-as-dialogues", [*I, "--dialogues", "{ws}/article.json"], 1, ["article.json"]),
    Row("i-all-decontaminated", [*I, "--medqa", MEDQA, "--decontaminate", MEDQA], 1, ["rationale_qa", "contaminated"]),
    Row("i-cop-base-choice", [*I, "--medqa", MEDQA_TRAIN, "--set", "qa.cop_base=2"], 2, ["qa.cop_base wants one of 'auto', 0, 1, got 2"]),
    Row("i-bad-style", [*I, "--medqa", MEDQA_TRAIN, "--set", "qa.styles=['long']"], 2, ["long"]),
    Row("i-fraction-not-a-number", [*I, "--medqa", MEDQA_TRAIN, "--set", "assembly.validation_fraction=half"], 2, ["assembly.validation_fraction wants a number, got 'half'"]),
    Row("i-cap-not-a-number", [*I, "--medqa", MEDQA_TRAIN, "--set", "assembly.caps.medqa=many"], 2, ["assembly.caps.medqa wants a whole number, got 'many'"]),
    Row("i-unknown-key", [*I, "--medqa", MEDQA_TRAIN, "--set", "qa.style=answer"], 2, ["'qa.style'", "did you mean 'qa.styles'"]),
    Row("i-no-inputs", ["build-i", "--out", "{tmp}/out"], 2, ["Nothing to build"]),
    Row("i-bad-columns", [*I, "--dialogues", DIALOGUES, "--dialogue-columns", "q=a"], 2, ["q=a"]),
    Row("i-umls-missing", [*I, "--umls", "{ws}/no-such-dir"], 2, ["no-such-dir"]),
    Row("i-umls-empty", [*I, "--umls", "{ws}/empty"], 1, ["empty", "MRCONSO.RRF"]),
    Row("i-umls-srl-range", [*I, "--umls", UMLS, "--umls-max-srl", "12"], 2, ["12"]),
    Row("i-rationales-wrong-file", [*I, "--medqa", MEDQA_TRAIN, "--rationales", MEDQA], 1, ["medqa_US_test.jsonl"]),
    Row("i-decontaminate-missing", [*I, "--medqa", MEDQA_TRAIN, "--decontaminate", "{ws}/no-such.jsonl"], 1, ["--decontaminate", "no-such.jsonl"]),
    Row("i-decontaminate-no-questions", [*I, "--medqa", MEDQA_TRAIN, "--decontaminate", DIALOGUES], 1, ["--decontaminate", "iCliniq.json"]),
    Row("i-cop-base-flag", [*I, "--medmcqa", MEDMCQA, "--medmcqa-cop-base", "2"], 2, ["'2'"]),
    Row("i-validation-fraction", [*I, "--medqa", MEDQA_TRAIN, "--validation-fraction", "1.5"], 2, ["1.5"]),
    Row("i-seed", [*I, "--medqa", MEDQA_TRAIN, "--seed", "x"], 2, ["'x'"]),
    # --- card, push, inspect
    Row("card-missing-dir", ["card", "{ws}/no-such-dir"], 2, ["no-such-dir"]),
    Row("card-not-a-build", ["card", "{ws}/empty"], 2, ["empty", "not a medc build directory"]),
    Row("card-check-not-a-build", ["card", "--check", "{ws}/empty"], 2, ["empty", "README.md"]),
    Row("push-missing-dir", ["push", "{ws}/no-such-dir", "me/medc-k"], 2, ["no-such-dir"]),
    Row("push-not-a-build", ["push", "{ws}/empty", "me/medc-k", "--dry-run"], 2, ["empty", "not a medc build directory"]),
    Row("push-bad-repo-id", ["push", "{ws}/build", "not a repo", "--dry-run"], 2, ["'not a repo'"]),
    Row("push-max-commit-files", ["push", "{ws}/build", "me/medc-k", "--max-commit-files", "0"], 2, ["0"]),
    Row("push-max-commit-gb", ["push", "{ws}/build", "me/medc-k", "--max-commit-gb", "0"], 2, ["0"]),
    Row("push-offline", ["push", "{ws}/build", "me/medc-k"], 1, ["huggingface.co could not be reached"], hub="offline"),
    Row("inspect-missing", ["inspect", "./no-such-dir"], 2, ["./no-such-dir"]),
    Row("inspect-not-a-build", ["inspect", "{ws}/empty"], 2, ["empty", "not a medc build directory"]),
    Row("inspect-rows", ["inspect", "{ws}/build", "--rows", "-1"], 2, ["-1"]),
    Row("inspect-offline", ["inspect", "me/medc-k"], 1, ["me/medc-k", "could not be reached"], hub="offline"),
    # --- train: the issue's row, then the verbs' other options
    Row("pretrain-no-such-model", ["train", "pretrain", "--model", "./no-such-dir", "--data", "{ws}/build", "--out", "{tmp}/run"], 2, ["--model ./no-such-dir: no such directory, and not a Hub model id"]),
    Row("pretrain-model-no-config", ["train", "pretrain", "--model", "{ws}/empty", "--data", "{ws}/build", "--out", "{tmp}/run"], 2, ["--model", "empty", "config.json"]),
    Row("pretrain-model-is-a-file", ["train", "pretrain", "--model", "{ws}/a_file", "--data", "{ws}/build", "--out", "{tmp}/run"], 2, ["--model", "a_file"]),
    Row("pretrain-model-offline", ["train", "pretrain", "--model", "someone/no-such-model", "--data", "{ws}/build", "--out", "{tmp}/run"], 2, ["--model someone/no-such-model", "cannot be reached"], hub="offline"),
    Row("pretrain-model-not-on-hub", ["train", "pretrain", "--model", "someone/no-such-model", "--data", "{ws}/build", "--out", "{tmp}/run"], 2, ["--model someone/no-such-model", "no such model on the Hub"], hub="fake"),
    Row("pretrain-model-from-config", ["train", "pretrain", "--config", "{ws}/bad_model.toml", "--data", "{ws}/build", "--out", "{tmp}/run"], 2, ["model ./no-such-dir", "not a Hub model id"]),
    Row("pretrain-no-such-data", ["train", "pretrain", "--model", "{model}", "--data", "./no-such-data", "--out", "{tmp}/run"], 2, ["--data ./no-such-data", "not a Hub dataset id"], needs="model"),
    Row("pretrain-no-such-general", ["train", "pretrain", "--model", "{model}", "--data", "{medc_k}", "--general", "./no-such.jsonl", "--out", "{tmp}/run"], 2, ["--general ./no-such.jsonl"], needs="model"),
    Row("pretrain-out-is-a-file", ["train", "pretrain", "--model", "{model}", "--data", "{medc_k}", "--out", "{ws}/a_file"], 2, ["--out", "a_file"], needs="model"),
    Row("pretrain-lr-not-a-number", ["train", "pretrain", "--model", "{model}", "--data", "{medc_k}", "--out", "{tmp}/run", "--set", "optim.lr=abc"], 2, ["optim.lr wants a number, got 'abc'"], needs="model"),
    Row("pretrain-zero-stage-set", ["train", "pretrain", "--model", "{model}", "--data", "{medc_k}", "--out", "{tmp}/run", "--set", "engine.zero_stage=5"], 2, ["zero_stage", "5"], needs="model"),
    Row("pretrain-zero-stage-flag", ["train", "pretrain", "--zero-stage", "7"], 2, ["7"]),
    Row("pretrain-seq-len", ["train", "pretrain", "--seq-len", "long"], 2, ["long"]),
    Row("pretrain-mix", ["train", "pretrain", "--mix", "books=lots"], 2, ["books=lots"]),
    Row("pretrain-mix-weight", ["train", "pretrain", "--model", "{model}", "--data", "{medc_k}", "--out", "{tmp}/run", "--set", "data.mix.books=-1"], 2, ["mix weights", "-1"], needs="model"),
    Row("pretrain-broken-config", ["train", "pretrain", "--config", "{ws}/broken.toml"], 2, ["broken.toml", "not valid TOML"]),
    Row("pretrain-no-model", ["train", "pretrain", "--data", "{ws}/build", "--out", "{tmp}/run"], 2, ["model is empty", "--model"]),
    Row("pretrain-resume-missing", ["train", "pretrain", "--model", "{model}", "--data", "{medc_k}", "--out", "{tmp}/run", "--seq-len", "32", "--resume", "{ws}/no-such-checkpoint"], 1, ["no-such-checkpoint"], needs="train"),
    Row("sft-no-such-model", ["train", "sft", "--model", "./no-such-dir", "--data", "{ws}/build", "--out", "{tmp}/run"], 2, ["--model ./no-such-dir: no such directory, and not a Hub model id"]),
    Row("sft-template", ["train", "sft", "--template", "vicuna"], 2, ["vicuna"]),
    Row("sft-medc-k-data", ["train", "sft", "--model", "{model}", "--data", "{medc_k}", "--out", "{tmp}/run", "--seq-len", "32"], 1, ["no MedC-I training data", "medc-k"], needs="train"),
    Row("tokenize-no-such-model", ["train", "tokenize", "--model", "./no-such-dir", "--data", "{ws}/build"], 2, ["--model ./no-such-dir: no such directory"]),
    Row("tokenize-workers", ["train", "tokenize", "--workers", "0"], 2, ["0"]),
    Row("tokenize-stage", ["train", "tokenize", "--stage", "rlhf"], 2, ["rlhf"]),
    Row("export-missing-run", ["train", "export", "{ws}/no-such-run"], 2, ["no-such-run"]),
    Row("export-no-checkpoint", ["train", "export", "{ws}/empty"], 1, ["empty", "no checkpoint"]),
    Row("export-dtype", ["train", "export", "{ws}/empty", "--dtype", "int8"], 2, ["int8"]),
    Row("init-tiny-not-a-build", ["train", "init-tiny", "--corpus", "{ws}/empty", "--out", "{tmp}/tiny"], 1, ["empty", "medc build directory"], needs="model"),
    Row("init-tiny-heads", ["train", "init-tiny", "--corpus", "{ws}/build", "--out", "{tmp}/tiny", "--heads", "3"], 1, ["heads (3)"], needs="model"),
    # --- eval: the row, then its other options
    Row("eval-no-such-model", ["eval", "--model", "./no-such-dir", "--task", "medqa", "--data", MEDQA], 2, ["--model ./no-such-dir: no such directory, and not a Hub model id"]),
    Row("eval-model-offline", ["eval", "--model", "someone/no-such-model", "--task", "medqa", "--data", MEDQA], 2, ["--model someone/no-such-model", "cannot be reached"], hub="offline"),
    Row("eval-wrong-task-file", ["eval", "--model", "{model}", "--task", "medmcqa", "--data", MEDQA], 1, ["medqa_US_test.jsonl", "medmcqa"], needs="model"),
    Row("eval-device", ["eval", "--model", "{model}", "--task", "medqa", "--data", MEDQA, "--device", "gpu0"], 2, ["--device gpu0"], needs="model"),
    Row("eval-no-data", ["eval", "--model", "m", "--task", "medqa"], 2, ["--data"]),
    Row("eval-missing-data", ["eval", "--model", "m", "--task", "medqa", "--data", "{ws}/no-such.jsonl"], 2, ["no-such.jsonl"]),
    Row("eval-task", ["eval", "--model", "m", "--task", "usmle", "--data", MEDQA], 2, ["usmle"]),
    Row("eval-all-missing", ["eval", "--model", "m", "--all", "--medqa", MEDQA], 2, ["--medmcqa", "--pubmedqa"]),
    Row("eval-ground-truth", ["eval", "--model", "m", "--task", "medqa", "--data", MEDQA, "--ground-truth", MEDQA], 2, ["--ground-truth"]),
    Row("eval-cop-base", ["eval", "--model", "m", "--task", "medqa", "--data", MEDQA, "--cop-base", "1"], 2, ["--cop-base"]),
    Row("eval-limit", ["eval", "--model", "m", "--task", "medqa", "--data", MEDQA, "--limit", "0"], 2, ["0"]),
    Row("eval-dtype", ["eval", "--model", "m", "--task", "medqa", "--data", MEDQA, "--dtype", "int4"], 2, ["int4"]),
    # --- the group itself
    Row("unknown-verb", ["biuld-k"], 2, ["biuld-k"]),
    Row("demo-out-is-a-file", ["demo", "--out", "{ws}/a_file"], 2, ["a_file"]),
]  # fmt: skip


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    """Files the rows point at, made once."""
    root = tmp_path_factory.mktemp("bad-invocations")
    (root / "empty").mkdir()
    (root / "a_file").write_text("not a directory\n")
    (root / "broken.toml").write_text("[dedup\nthreshold = 0.8\n")
    (root / "latin1.toml").write_bytes("[books]\nlanguage = 'français'\n".encode("latin-1"))
    (root / "unknown_table.toml").write_text("[dedupe]\nthreshold = 0.8\n")
    (root / "bad_model.toml").write_text('model = "./no-such-dir"\n')
    (root / "pdfs").mkdir()
    (root / "pdfs" / "handbook.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")  # only the header is read
    (root / "article.json").write_text('{"article": "not a dialogue"}\n')
    build = root / "build"  # a real (tiny) build, for the verbs that take one
    result = CliRunner().invoke(main, ["-q", "build-i", "--medqa", MEDQA_TRAIN, "--workers", "0", "--out", str(build)])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module")
def assets(tmp_path_factory):
    pytest.importorskip("transformers")
    from tests.trainer.trainer_fixtures import tiny_assets

    return tiny_assets(tmp_path_factory.getbasetemp() / "trainer-assets")


@pytest.fixture
def hub_offline(tmp_path, monkeypatch):
    """The Hub client offline (as HF_HUB_OFFLINE=1 makes it) with an empty cache: nothing can be fetched."""
    import huggingface_hub.constants as hc

    monkeypatch.setattr(hc, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(hc, "HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_bad_invocation_is_one_clear_error(row, ws, tmp_path, request):
    values = {"tmp": str(tmp_path), "ws": str(ws)}
    if row.needs:
        if row.needs == "train":
            pytest.importorskip("deepspeed")
        assets = request.getfixturevalue("assets")
        values |= {"model": str(assets["model"]), "medc_k": str(assets["medc_k"]), "medc_i": str(assets["medc_i"])}
    if row.hub:
        request.getfixturevalue("hub_offline" if row.hub == "offline" else "fake_hub")
    args = [arg.format(**values) for arg in row.args]
    result = CliRunner().invoke(main, args)
    assert not result.exception or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output, result.output
    assert result.exit_code == row.code, result.output
    assert "Error:" in result.output or "No such command" in result.output, result.output
    for name in row.names:
        assert name.format(**values) in result.output, (name, result.output)


def test_the_table_drives_every_verb():
    from medc.cli import VERBS

    first = {r.args[0] if r.args[0] != "train" else f"train {r.args[1]}" for r in ROWS}
    expected = {v for v in VERBS if v != "train"} | {f"train {s}" for s in ("pretrain", "sft", "tokenize", "export")}
    assert expected <= first, expected - first


def medc(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "medc", *args], capture_output=True, text=True, env=env, timeout=120)


def test_a_real_process_prints_one_line_and_no_traceback(tmp_path):
    # stands for the issue's `medc train pretrain --model ./no-such-dir ...` (four `[rank0]:` tracebacks before)
    done = medc("train", "pretrain", "--model", "./no-such-dir", "--data", str(tmp_path), "--out", str(tmp_path / "r"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["Error: --model ./no-such-dir: no such directory, and not a Hub model id"]
    done = medc("build-k", "--pmc", ARTICLE, "--out", str(tmp_path / "k"), "--set", "dedup.threshold=abc")
    assert (done.returncode, done.stderr.strip()) == (2, "Error: dedup.threshold wants a number, got 'abc'")


def test_tracebacks_only_with_vv(tmp_path):
    args = ["build-k", "--pmc", ARTICLE, "--out", str(tmp_path / "k"), "--set", "dedup.threshold=abc"]
    done = medc("-vv", *args)
    assert done.returncode != 0
    assert "Traceback" in done.stderr and "dedup.threshold wants a number, got 'abc'" in done.stderr


def test_an_unforeseen_exception_is_one_line_naming_its_type(monkeypatch, tmp_path):
    import medc.cli.card as card

    def explode(*args, **kwargs):
        raise KeyError("no 'configs' in the manifest\nsecond line")

    monkeypatch.setattr("medc.publish.card.write_card", explode)
    (tmp_path / "manifest.json").write_text("{}")
    result = CliRunner().invoke(main, ["card", str(tmp_path)])
    assert card.command is not None and result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: KeyError:") and "-vv" in lines[0], result.output


def test_allow_empty_accepts_an_input_that_yields_nothing(tmp_path):
    args = ["build-i", "--medmcqa", MEDQA, "--workers", "0", "--out", str(tmp_path / "out")]
    refused = CliRunner().invoke(main, ["-q", *args])
    assert refused.exit_code == 1
    accepted = CliRunner().invoke(main, ["-q", *args, "--allow-empty"])
    assert accepted.exit_code == 0, accepted.output
