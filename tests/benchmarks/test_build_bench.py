"""Whole builds on real files, one core, side by side with the baseline each issue names (issue 16).

    make bench     # or: .venv/bin/python -m pytest -q -s -m benchmark tests/benchmarks/test_build_bench.py

- PMC: `medc build-k --pmc DIR --workers 1` against a pubmed_parser process (`parse_pubmed_xml` and
  `parse_pubmed_paragraph` per file) over the devcorpus JATS files pubmed_parser can read, copied to about
  MEDC_BENCH_PMC_FILES (1,000) files. Target: at least 2x pubmed_parser's rate (goal 5x).
- Books: `medc build-k --books DIR --workers 1` against a process running bare pymupdf `page.get_text()` over
  every page of the same PDFs (all devcorpus PDFs, MEDC_BENCH_BOOK_COPIES copies). Target: at least 40% of the
  bare rate (goal 70%).

Both sides are whole processes (start-up, imports, reading; medc also cleans, filters, deduplicates, writes
Parquet and a card), pinned to one core, best of MEDC_BENCH_ROUNDS alternating runs (`whole_process.py`). The
real files come from MEDC_DEVCORPUS or the project's shared devcorpus, and are copied to a temporary folder at
bench time; without them the benchmarks are skipped. The copies are exact duplicates, which medc's dedup
removes: that is part of a build's work.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import warnings
from pathlib import Path

import pytest

from tests.benchmarks.whole_process import alternate, devcorpus, medc_command, print_table

pytestmark = pytest.mark.benchmark

PMC_FILES = int(os.environ.get("MEDC_BENCH_PMC_FILES", 1000))
BOOK_COPIES = int(os.environ.get("MEDC_BENCH_BOOK_COPIES", 2))
ROUNDS = int(os.environ.get("MEDC_BENCH_ROUNDS", 3))


def readable_by_pubmed_parser(folder: Path) -> list[Path]:
    """The files pubmed_parser parses without an exception (it fails on articles without some dates)."""
    import pubmed_parser

    readable = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in sorted(folder.iterdir()):
            try:
                pubmed_parser.parse_pubmed_xml(str(path))
                pubmed_parser.parse_pubmed_paragraph(str(path), all_paragraph=True)
            except Exception:
                continue
            readable.append(path)
    return readable


def copy_files(files: list[Path], copies: int, target: Path, name) -> int:
    """`copies` copies of each file into `target`, named by `name(n, path)`; the number of bytes copied."""
    target.mkdir(parents=True)
    size = 0
    for n in range(copies * len(files)):
        source = files[n % len(files)]
        shutil.copyfile(source, target / name(n, source))
        size += source.stat().st_size
    return size


def kept_records(out: Path) -> int:
    manifest = json.loads((out / "manifest.json").read_text())
    return sum(count for splits in manifest["records"].values() for count in splits.values())


def test_pmc_whole_build_against_pubmed_parser(tmp_path: Path) -> None:
    pytest.importorskip("pubmed_parser", reason="pip install -e '.[bench]'")
    originals = readable_by_pubmed_parser(devcorpus("jats"))
    copies = math.ceil(PMC_FILES / len(originals))
    # A PMC-style name gives the articles without a PMCID in their XML one, as PMC's own files have.
    size = copy_files(originals, copies, tmp_path / "pmc", lambda n, p: f"PMC{9_000_000 + n}{p.suffix}")
    files = copies * len(originals)
    best = alternate(
        {
            "medc build-k --pmc DIR --workers 1": lambda i: medc_command(
                "build-k", "--pmc", str(tmp_path / "pmc"), "--workers", "1", "--out", str(tmp_path / f"out{i}")
            ),
            "pubmed_parser (xml + paragraphs per file)": lambda i: [
                sys.executable,
                "-m",
                "tests.benchmarks.baseline_runs",
                "pubmed_parser",
                str(tmp_path / "pmc"),
            ],
        },
        ROUNDS,
    )
    title = (
        f"PMC whole build, one core, real files: {len(originals)} devcorpus JATS articles x {copies} copies = "
        f"{files} files ({size / 1e6:.1f} MB), best of {ROUNDS} alternating runs"
    )
    print_table(title, "files", files, best)
    medc, baseline = best.values()
    ratio = baseline.cpu / medc.cpu
    print(f"medc rate / pubmed_parser rate: {ratio:.2f}x (target >= 2x, goal 5x)")
    assert f"files={files} " in baseline.stdout
    assert kept_records(tmp_path / "out0") >= len(originals) // 2  # copies are duplicates: about one per article
    assert ratio >= 2, f"medc build-k is {ratio:.2f}x pubmed_parser's rate; the target is 2x"


def test_books_whole_build_against_bare_get_text(tmp_path: Path) -> None:
    pymupdf = pytest.importorskip("pymupdf")
    originals = sorted(devcorpus("pdf").glob("*.pdf"))
    size = copy_files(originals, BOOK_COPIES, tmp_path / "pdf", lambda n, p: f"c{n // len(originals)}_{p.name}")
    pages = BOOK_COPIES * sum(pymupdf.open(p).page_count for p in originals)
    best = alternate(
        {
            "medc build-k --books DIR --workers 1": lambda i: medc_command(
                "build-k", "--books", str(tmp_path / "pdf"), "--workers", "1", "--out", str(tmp_path / f"out{i}")
            ),
            "bare pymupdf page.get_text()": lambda i: [
                sys.executable,
                "-m",
                "tests.benchmarks.baseline_runs",
                "get_text",
                str(tmp_path / "pdf"),
            ],
        },
        ROUNDS,
    )
    title = (
        f"Books whole build, one core, real files: {len(originals)} devcorpus PDFs x {BOOK_COPIES} copies = "
        f"{pages} pages ({size / 1e6:.1f} MB), best of {ROUNDS} alternating runs"
    )
    print_table(title, "pages", pages, best)
    medc, baseline = best.values()
    share = baseline.cpu / medc.cpu
    print(f"medc rate / bare get_text() rate: {share:.0%} (target >= 40%, goal 70%)")
    assert f"units={pages}" in baseline.stdout
    assert kept_records(tmp_path / "out0") >= 1
    assert share >= 0.4, f"medc build-k keeps {share:.0%} of bare get_text()'s rate; the target is 40%"
