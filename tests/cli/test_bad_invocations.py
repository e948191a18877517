"""Every verb, driven with the mistakes users make: each bad invocation must end with a non-zero exit code, no
traceback, and a message that names the bad value or file (issue 22).

A row is (id, the command line after `medc`, exit code, strings the output must contain). Command lines may name
fixture files and shared fragments (`PLACES`), `{tmp}` (a fresh directory per row), `{ws}` (files made once: a
broken TOML file, an empty directory, a tiny build, ...), and `{model}`, `{medc_k}` (the trainer tests' tiny model
and MedC-K build, made only for rows that use them). Exit code 2 is a wrong setting, option or path (medc's own or
click's usage errors), 1 anything else. The rows run in process (CliRunner); a few tests below run real processes.
"""

# ruff: noqa: E501  (the table below reads best as one invocation per line)
from __future__ import annotations

import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from medc.cli import main
from tests.hub import fake_hub  # noqa: F401  (a fixture, used by name)

FIXTURES = Path(__file__).parents[1] / "fixtures"
# Placeholders of the command lines below: fixture files (each standing for the real file named), the workspace,
# and fragments that many rows share.
PLACES = {
    "article": str(FIXTURES / "pmc" / "research_article.nxml"),
    "bad_xml": str(FIXTURES / "pmc" / "malformed_fatal.xml"),
    "medqa": str(FIXTURES / "qa" / "medqa_US_test.jsonl"),  # MedQA's US/test.jsonl
    "medmcqa": str(FIXTURES / "qa" / "medmcqa_dev.json"),  # MedMCQA's dev.json
    "pubmedqa": str(FIXTURES / "qa" / "pubmedqa_ori_pqal.json"),  # PubMedQA's ori_pqal.json
    "dialogues": str(FIXTURES / "medc_i" / "dialogues" / "iCliniq.json"),  # ChatDoctor's iCliniq.json
    "medqa_train": str(FIXTURES / "medc_i" / "qa" / "medqa_train.jsonl"),
    "umls": str(FIXTURES / "medc_i" / "umls"),
    "K": "build-k --workers 0 --out {tmp}/out",
    "I": "build-i --workers 0 --out {tmp}/out",
    "built": "--data {ws}/build --out {tmp}/run",  # a build that passes the path checks
    "tiny": "--model {model} --data {medc_k} --out {tmp}/run",  # a real tiny model and MedC-K build
}


@dataclass(frozen=True)
class Row:
    id: str
    command: str  # after `medc`; {placeholders} as above
    code: int
    names: tuple[str, ...]  # what the output must contain: the bad value or file, and what was expected
    needs: str = ""  # "model": the tiny model and builds; "train": also DeepSpeed (the row starts a run)
    hub: str = ""  # "offline": the Hub client offline with an empty cache; "fake": the test Hub


def row(id: str, command: str, code: int, *names: str, needs: str = "", hub: str = "") -> Row:
    return Row(id, command, code, names, needs, hub)


ROWS = [
    # --- build-k: the rows, then its other options
    row("k-unknown-key", "{K} --pmc {article} --set dedup.treshold=0.8", 2, "'dedup.treshold'", "did you mean 'dedup.threshold'"),
    row("k-not-a-number", "{K} --pmc {article} --set dedup.threshold=abc", 2, "dedup.threshold wants a number, got 'abc'"),
    row("k-out-of-range", "{K} --pmc {article} --set dedup.threshold=1.5", 2, "dedup", "1.5"),
    row("k-broken-config", "{K} --pmc {article} --config {ws}/broken.toml", 2, "broken.toml", "not valid TOML"),
    row("k-config-not-utf8", "{K} --pmc {article} --config {ws}/latin1.toml", 2, "latin1.toml", "UTF-8"),
    row("k-config-missing", "{K} --pmc {article} --config {ws}/missing.toml", 2, "missing.toml"),
    row("k-config-unknown-table", "{K} --pmc {article} --config {ws}/unknown_table.toml", 2, "'dedupe'", "mean 'dedup'"),
    row("k-set-no-value", "{K} --pmc {article} --set dedup.threshold", 2, "dedup.threshold", "KEY=VALUE"),
    row("k-set-table-as-value", "{K} --pmc {article} --set dedup=0.8", 2, "dedup is a table of settings"),
    row("k-not-a-bool", "{K} --pmc {article} --set papers.keep_captions=maybe", 2, "papers.keep_captions wants true or false, got 'maybe'"),
    row("k-not-an-int", "{K} --pmc {article} --set shards.max_shard_bytes=big", 2, "shards.max_shard_bytes wants a whole number, got 'big'"),
    row("k-list-as-csv", "{K} --pmc {article} --set filters.languages=en,de", 2, "filters.languages wants a list", "'en,de'"),
    row("k-bad-choice", "{K} --pmc {article} --set clean.normalization=NFD", 2, "normalization", "'NFD'"),
    row("k-no-inputs", "build-k --out {tmp}/out", 2, "Nothing to build"),
    row("k-missing-input", "{K} --pmc {ws}/no-such-dir", 1, "no-such-dir", "no such file or directory"),
    row("k-missing-filelist", "{K} --pmc {article} --pmc-filelist {ws}/no-such.csv", 2, "no-such.csv"),
    row("k-negative-workers", "build-k --pmc {article} --workers -1 --out {tmp}/out", 2, "-1"),
    row("k-bad-timeout", "{K} --pmc {article} --unit-timeout soon", 2, "soon"),
    row("k-out-is-a-file", "build-k --pmc {article} --out {ws}/a_file", 2, "a_file"),
    row("k-only-bad-xml", "{K} --pmc {bad_xml}", 1, "malformed_fatal.xml", "xml_syntax", "--allow-empty"),
    row("k-article-as-book", "{K} --books {article}", 1, "research_article.nxml", "looks like a PMC JATS article; use --pmc"),
    row("k-books-as-pmc", "{K} --pmc {ws}/pdfs", 1, "pdfs", "no file in it", "use --books"),
    row("k-empty-dir", "{K} --books {ws}/empty", 1, "--books", "empty", "no file in it"),
    # --- build-i: the row, then its other options
    row("i-medqa-as-medmcqa", "{I} --medmcqa {medqa}", 1, "--medmcqa", "medqa_US_test.jsonl", "missing_field", "this looks like MedQA; use --medqa"),
    row("i-medqa-as-medmcqa-beside-good", "{I} --medqa {medqa_train} --medmcqa {medqa}", 1, "--medmcqa", "medqa_US_test.jsonl", "use --medqa"),
    row("i-medqa-as-dialogues", "{I} --dialogues {medqa}", 1, "--dialogues", "unknown_format", "use --medqa"),
    row("i-medmcqa-as-pubmedqa", "{I} --pubmedqa {medmcqa}", 1, "--pubmedqa", "medmcqa_dev.json", "use --medmcqa"),
    row("i-pubmedqa-as-medqa", "{I} --medqa {pubmedqa}", 1, "--medqa", "pubmedqa_ori_pqal.json", "use --pubmedqa"),
    row("i-dialogues-as-medqa", "{I} --medqa {dialogues}", 1, "--medqa", "iCliniq.json", "use --dialogues"),
    row("i-article-as-dialogues", "{I} --dialogues {ws}/article.json", 1, "article.json"),
    row("i-all-decontaminated", "{I} --medqa {medqa} --decontaminate {medqa}", 1, "rationale_qa", "contaminated"),
    row("i-cop-base-choice", "{I} --medqa {medqa_train} --set qa.cop_base=2", 2, "qa.cop_base wants one of 'auto', 0, 1, got 2"),
    row("i-bad-style", "{I} --medqa {medqa_train} --set \"qa.styles=['long']\"", 2, "long"),
    row("i-fraction-not-a-number", "{I} --medqa {medqa_train} --set assembly.validation_fraction=half", 2, "assembly.validation_fraction wants a number, got 'half'"),
    row("i-cap-not-a-number", "{I} --medqa {medqa_train} --set assembly.caps.medqa=many", 2, "assembly.caps.medqa wants a whole number, got 'many'"),
    row("i-unknown-key", "{I} --medqa {medqa_train} --set qa.style=answer", 2, "'qa.style'", "did you mean 'qa.styles'"),
    row("i-no-inputs", "build-i --out {tmp}/out", 2, "Nothing to build"),
    row("i-bad-columns", "{I} --dialogues {dialogues} --dialogue-columns q=a", 2, "q=a"),
    row("i-umls-missing", "{I} --umls {ws}/no-such-dir", 2, "no-such-dir"),
    row("i-umls-empty", "{I} --umls {ws}/empty", 1, "empty", "MRCONSO.RRF"),
    row("i-umls-srl-range", "{I} --umls {umls} --umls-max-srl 12", 2, "12"),
    row("i-rationales-wrong-file", "{I} --medqa {medqa_train} --rationales {medqa}", 1, "medqa_US_test.jsonl"),
    row("i-decontaminate-missing", "{I} --medqa {medqa_train} --decontaminate {ws}/no-such.jsonl", 1, "--decontaminate", "no-such.jsonl"),
    row("i-decontaminate-no-questions", "{I} --medqa {medqa_train} --decontaminate {dialogues}", 1, "--decontaminate", "iCliniq.json"),
    row("i-cop-base-flag", "{I} --medmcqa {medmcqa} --medmcqa-cop-base 2", 2, "'2'"),
    row("i-validation-fraction", "{I} --medqa {medqa_train} --validation-fraction 1.5", 2, "1.5"),
    row("i-seed", "{I} --medqa {medqa_train} --seed x", 2, "'x'"),
    # --- card, push, inspect
    row("card-missing-dir", "card {ws}/no-such-dir", 2, "no-such-dir"),
    row("card-not-a-build", "card {ws}/empty", 2, "empty", "not a medc build directory"),
    row("card-check-not-a-build", "card --check {ws}/empty", 2, "empty", "README.md"),
    row("push-missing-dir", "push {ws}/no-such-dir me/medc-k", 2, "no-such-dir"),
    row("push-not-a-build", "push {ws}/empty me/medc-k --dry-run", 2, "empty", "not a medc build directory"),
    row("push-bad-repo-id", "push {ws}/build 'not a repo' --dry-run", 2, "'not a repo'"),
    row("push-max-commit-files", "push {ws}/build me/medc-k --max-commit-files 0", 2, "0"),
    row("push-max-commit-gb", "push {ws}/build me/medc-k --max-commit-gb 0", 2, "0"),
    row("push-offline", "push {ws}/build me/medc-k", 1, "huggingface.co could not be reached", hub="offline"),
    row("explain-missing-dir", "explain {ws}/no-such-dir pmc:PMC1", 2, "no-such-dir"),
    row("explain-not-a-build", "explain {ws}/empty pmc:PMC1", 2, "empty", "not a medc build directory"),
    row("report-missing-dir", "report {ws}/no-such-dir", 2, "no-such-dir", "no such directory"),
    row("report-not-a-report", "report {ws}/empty", 2, "empty", "not a build"),
    row("inspect-missing", "inspect ./no-such-dir", 2, "./no-such-dir"),
    row("inspect-not-a-build", "inspect {ws}/empty", 2, "empty", "not a medc build directory"),
    row("inspect-rows", "inspect {ws}/build --rows -1", 2, "-1"),
    row("inspect-offline", "inspect me/medc-k", 1, "me/medc-k", "could not be reached", hub="offline"),
    # --- train: the issue's row, then the verbs' other options
    row("pretrain-no-such-model", "train pretrain --model ./no-such-dir {built}", 2, "--model ./no-such-dir: no such directory, and not a Hub model id"),
    row("pretrain-model-no-config", "train pretrain --model {ws}/empty {built}", 2, "--model", "empty", "config.json"),
    row("pretrain-model-is-a-file", "train pretrain --model {ws}/a_file {built}", 2, "--model", "a_file"),
    row("pretrain-model-offline", "train pretrain --model someone/no-such-model {built}", 2, "--model someone/no-such-model", "cannot be reached", hub="offline"),
    row("pretrain-model-not-on-hub", "train pretrain --model someone/no-such-model {built}", 2, "no such model on the Hub", hub="fake"),
    row("pretrain-model-from-config", "train pretrain --config {ws}/bad_model.toml {built}", 2, "model ./no-such-dir", "not a Hub model id"),
    row("pretrain-no-such-data", "train pretrain --model {model} --data ./no-such-data --out {tmp}/run", 2, "--data ./no-such-data", "not a Hub dataset id", needs="model"),
    row("pretrain-no-such-general", "train pretrain {tiny} --general ./no-such.jsonl", 2, "--general ./no-such.jsonl", needs="model"),
    row("pretrain-out-is-a-file", "train pretrain --model {model} --data {medc_k} --out {ws}/a_file", 2, "--out", "a_file", needs="model"),
    row("pretrain-lr-not-a-number", "train pretrain {tiny} --set optim.lr=abc", 2, "optim.lr wants a number, got 'abc'", needs="model"),
    row("pretrain-zero-stage-set", "train pretrain {tiny} --set engine.zero_stage=5", 2, "zero_stage", "5", needs="model"),
    row("pretrain-zero-stage-flag", "train pretrain --zero-stage 7", 2, "7"),
    row("pretrain-seq-len", "train pretrain --seq-len long", 2, "long"),
    row("pretrain-mix", "train pretrain --mix books=lots", 2, "books=lots"),
    row("pretrain-mix-weight", "train pretrain {tiny} --set data.mix.books=-1", 2, "mix weights", "-1", needs="model"),
    row("pretrain-broken-config", "train pretrain --config {ws}/broken.toml", 2, "broken.toml", "not valid TOML"),
    row("pretrain-no-model", "train pretrain {built}", 2, "model is empty", "--model"),
    row("pretrain-resume-missing", "train pretrain {tiny} --seq-len 32 --resume {ws}/no-such-ckpt", 1, "no-such-ckpt", needs="train"),
    row("sft-no-such-model", "train sft --model ./no-such-dir {built}", 2, "--model ./no-such-dir: no such directory, and not a Hub model id"),
    row("sft-template", "train sft --template vicuna", 2, "vicuna"),
    row("sft-medc-k-data", "train sft {tiny} --seq-len 32", 1, "no MedC-I training data", "medc-k", needs="train"),
    row("tokenize-no-such-model", "train tokenize --model ./no-such-dir --data {ws}/build", 2, "--model ./no-such-dir: no such directory"),
    row("tokenize-workers", "train tokenize --workers 0", 2, "0"),
    row("tokenize-stage", "train tokenize --stage rlhf", 2, "rlhf"),
    row("export-missing-run", "train export {ws}/no-such-run", 2, "no-such-run"),
    row("export-no-checkpoint", "train export {ws}/empty", 1, "empty", "no checkpoint"),
    row("export-dtype", "train export {ws}/empty --dtype int8", 2, "int8"),
    row("init-tiny-not-a-build", "train init-tiny --corpus {ws}/empty --out {tmp}/tiny", 1, "empty", "medc build directory", needs="model"),
    row("init-tiny-heads", "train init-tiny --corpus {ws}/build --out {tmp}/tiny --heads 3", 1, "heads (3)", needs="model"),
    # --- eval: the row, then its other options
    row("eval-no-such-model", "eval --model ./no-such-dir --task medqa --data {medqa}", 2, "--model ./no-such-dir: no such directory, and not a Hub model id"),
    row("eval-model-offline", "eval --model someone/no-such-model --task medqa --data {medqa}", 2, "--model someone/no-such-model", "cannot be reached", hub="offline"),
    row("eval-wrong-task-file", "eval --model m --task medmcqa --data {medqa}", 1, "medqa_US_test.jsonl", "this looks like MedQA: use --task medqa"),
    row("eval-device", "eval --model {model} --task medqa --data {medqa} --device gpu0", 2, "--device gpu0", needs="model"),
    row("eval-no-data", "eval --model m --task medqa", 2, "--data"),
    row("eval-missing-data", "eval --model m --task medqa --data {ws}/no-such.jsonl", 2, "no-such.jsonl"),
    row("eval-task", "eval --model m --task usmle --data {medqa}", 2, "usmle"),
    row("eval-all-missing", "eval --model m --all --medqa {medqa}", 2, "--medmcqa", "--pubmedqa"),
    row("eval-ground-truth", "eval --model m --task medqa --data {medqa} --ground-truth {medqa}", 2, "--ground-truth"),
    row("eval-cop-base", "eval --model m --task medqa --data {medqa} --cop-base 1", 2, "--cop-base"),
    row("eval-limit", "eval --model m --task medqa --data {medqa} --limit 0", 2, "0"),
    row("eval-dtype", "eval --model m --task medqa --data {medqa} --dtype int4", 2, "int4"),
    # --- the group itself
    row("unknown-verb", "biuld-k", 2, "biuld-k"),
    row("demo-out-is-a-file", "demo --out {ws}/a_file", 2, "a_file"),
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
    args = ["-q", "build-i", "--medqa", PLACES["medqa_train"], "--workers", "0", "--out", str(build)]
    result = CliRunner().invoke(main, args)
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
    result = CliRunner().invoke(main, command_line(row.command, values))
    assert not result.exception or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output, result.output
    assert result.exit_code == row.code, result.output
    assert "Error:" in result.output or "No such command" in result.output, result.output
    for name in row.names:
        assert name in result.output, (name, result.output)


def command_line(command: str, values: dict[str, str]) -> list[str]:
    """The arguments of `command` with its placeholders filled (fragments first, then paths)."""
    expanded = command.format_map(_Keep(PLACES)).format_map(_Keep(PLACES))
    return shlex.split(expanded.format_map(_Keep(values)))


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def test_the_table_drives_every_verb():
    from medc.cli import VERBS

    words = [r.command.format_map(_Keep(PLACES)).split() for r in ROWS]
    first = {w[0] if w[0] != "train" else f"train {w[1]}" for w in words}
    expected = {v for v in VERBS if v != "train"} | {f"train {s}" for s in ("pretrain", "sft", "tokenize", "export")}
    assert expected <= first, expected - first


def medc(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "medc", *args], capture_output=True, text=True, env=env, timeout=120)


def test_a_real_process_prints_one_line_and_no_traceback(tmp_path):
    # stands for the issue's `medc train pretrain --model ./no-such-dir ...` (four `[rank0]:` tracebacks before)
    done = medc("train", "pretrain", "--model", "./no-such-dir", "--data", str(tmp_path), "--out", str(tmp_path / "r"))
    assert done.returncode == 2
    expected = "Error: --model ./no-such-dir: no such directory, and not a Hub model id"
    assert done.stderr.strip().splitlines() == [expected]
    done = medc("build-k", "--pmc", PLACES["article"], "--out", str(tmp_path / "k"), "--set", "dedup.threshold=abc")
    assert (done.returncode, done.stderr.strip()) == (2, "Error: dedup.threshold wants a number, got 'abc'")


def test_tracebacks_only_with_vv(tmp_path):
    args = ["build-k", "--pmc", PLACES["article"], "--out", str(tmp_path / "k"), "--set", "dedup.threshold=abc"]
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
    args = ["build-i", "--medmcqa", PLACES["medqa"], "--workers", "0", "--out", str(tmp_path / "out")]
    refused = CliRunner().invoke(main, ["-q", *args])
    assert refused.exit_code == 1
    accepted = CliRunner().invoke(main, ["-q", *args, "--allow-empty"])
    assert accepted.exit_code == 0, accepted.output
