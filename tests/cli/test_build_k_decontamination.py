"""`medc build-k --decontaminate`: planted evaluation items leave MedC-K, each named, before dedup; clean
documents stay (tests/fixtures/decontamination: PubMedQA test abstracts in PMC JATS articles, a MedQA test
vignette in a review book)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from medc.cli import main

FIXTURES = Path(__file__).parents[1] / "fixtures"
DECON = FIXTURES / "decontamination"


def build(out: Path, *args: str, workers: int = 0) -> dict:
    result = CliRunner().invoke(main, ["-q", "build-k", *args, "--workers", str(workers), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads((out / "manifest.json").read_text())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("medc-k")
    args = ["--pmc", str(DECON / "pmc"), "--books", str(DECON / "books")]
    evals = ["--decontaminate", str(DECON / "pubmedqa"), "--decontaminate", str(FIXTURES / "medc_i" / "eval")]
    manifest = build(out, *args, *evals, workers=2)  # the index travels to the worker processes
    return out, manifest


def ids(out: Path, config: str) -> list[str]:
    return [
        r for p in sorted((out / "data" / config).glob("*.parquet")) for r in pq.read_table(p).column("id").to_pylist()
    ]


def test_planted_items_are_removed_each_named_and_clean_documents_kept(built):
    out, _ = built
    assert ids(out, "papers") == ["pmc:PMC9300004", "pmc:PMC9300005", "pmc:PMC9300006"]
    assert len(ids(out, "books")) == 1
    rejected = [json.loads(line) for line in (out / "rejections.jsonl").read_text().splitlines()]
    named = [(r["origin"], r["record_id"], r["detail"].split(": ", 1)[0]) for r in rejected]
    book = rejected[3]["record_id"]
    assert named == [
        ("pmc/PMC9300001.nxml", "pmc:PMC9300001", "pubmedqa item pubmedqa:30000001, by pmid"),
        ("pmc/PMC9300002.nxml", "pmc:PMC9300002", "pubmedqa item pubmedqa:30000002, by ngram"),
        ("pmc/PMC9300003.nxml", "pmc:PMC9300003", "pubmedqa item pubmedqa:30000003, by ngram"),
        ("books/review_questions_cardiopulmonary.txt", book, "medqa item medqa:medqa_test:2, by ngram"),
    ]
    assert all(r["reason"] == "contaminated" for r in rejected)
    assert rejected[1]["detail"].endswith("1.00 of the item's 13-token windows are in the document")


def test_counts_per_benchmark_in_the_manifest_and_the_card(built):
    out, manifest = built
    decon = manifest["extra"]["decontamination"]
    assert decon["eval_items"] == {"medmcqa": 4, "medqa": 2, "pubmedqa": 3}
    assert decon["removed"] == {"medqa": 1, "pubmedqa": 3}
    assert decon["removed_by_method"] == {"ngram": 3, "pmid": 1}
    assert decon["removed_by_config"] == {"books": 1, "papers": 3}
    assert manifest["settings"]["parse"]["decontamination"]["eval_items"] == decon["eval_items"]
    card = (out / "README.md").read_text()
    assert "### Decontamination" in card and "| pubmedqa | 3 | 3 |" in card and "| medqa | 2 | 1 |" in card


def test_a_contaminated_document_never_keeps_a_cluster(tmp_path):
    # Two copies of the planted article: without decontamination dedup keeps one of them; with it, both go
    # (the check runs in the workers, before dedup chooses a keeper).
    pmc = tmp_path / "pmc"
    pmc.mkdir()
    for name in ("PMC9300002.nxml", "PMC9300005.nxml"):
        shutil.copy(DECON / "pmc" / name, pmc / name)
    text = (DECON / "pmc" / "PMC9300002.nxml").read_text().replace("9300002", "9300012")
    (pmc / "PMC9300012.nxml").write_text(text)
    plain = build(tmp_path / "plain", "--pmc", str(pmc))
    assert plain["duplicates"] == {"exact": 1} and plain["records"]["papers"]["train"] == 2
    clean = build(tmp_path / "clean", "--pmc", str(pmc), "--decontaminate", str(DECON / "pubmedqa"))
    assert ids(tmp_path / "clean", "papers") == ["pmc:PMC9300005"]
    assert clean["rejections"] == {"contaminated": 2} and clean["duplicates"].get("exact", 0) == 0


def test_other_evaluation_files_refuse_to_resume_without_fresh(tmp_path):
    out = tmp_path / "out"
    build(out, "--pmc", str(DECON / "pmc"), "--decontaminate", str(DECON / "pubmedqa"))
    args = ["-q", "build-k", "--pmc", str(DECON / "pmc"), "--workers", "0", "--out", str(out)]
    again = CliRunner().invoke(main, [*args, "--decontaminate", str(DECON / "pubmedqa" / "ori_pqal.json")])
    assert again.exit_code == 1 and "--fresh" in again.output
