"""PMC JATS builder throughput on one core, side by side in one run with pubmed_parser and a bare lxml parse.

    make bench            # or: .venv/bin/python -m pytest -q -s -m benchmark tests/benchmarks/test_pmc_bench.py

The corpus is generated (`pmc_corpus.py`, 2,000 varied articles by default, MEDC_BENCH_PMC_ARTICLES to change)
into a temporary directory; nothing is downloaded or committed. Each contender reads the same files:
- medc: `builders.pmc.parse` with default options on the bytes of each file (the work a build worker does);
- pubmed_parser: `parse_pubmed_xml(path)` + `parse_pubmed_paragraph(path, all_paragraph=True)`, the usual way to
  get an article's metadata and text with it;
- bare lxml: `lxml.etree.fromstring(bytes)` and nothing else, the floor no extractor can go below.
Times are CPU seconds of this process (`time.process_time`); the contenders take turns, 20 articles at a time,
and the best of MEDC_BENCH_ROUNDS rounds counts, so other load on a shared machine disturbs the ratios as little
as possible.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from builders.pmc import PmcOptions, parse
from medc.records import Document
from medc.sources import WorkUnit
from tests.benchmarks.pmc_corpus import generate_article

pytestmark = pytest.mark.benchmark

ARTICLES = int(os.environ.get("MEDC_BENCH_PMC_ARTICLES", 2000))
ROUNDS = int(os.environ.get("MEDC_BENCH_ROUNDS", 3))
BATCH = 20


def _corpus(root: Path) -> list[tuple[str, bytes]]:
    rng = random.Random(20260504)
    files = []
    for index in range(ARTICLES):
        path = root / f"PMC{1000000 + index}.nxml"  # .nxml: pubmed_parser strips the namespace of these
        data = generate_article(rng, index)
        path.write_bytes(data)
        files.append((str(path), data))
    return files


def _cpu_times(
    files: list[tuple[str, bytes]], contenders: dict[str, Callable[[str, bytes], object]]
) -> dict[str, float]:
    """CPU seconds each contender spends on the corpus, best of ROUNDS. Within a round the contenders take turns
    on each batch of BATCH articles (in rotating order): a busy spell of a shared machine slows them all alike,
    and each works with its own data in the caches, as it would alone."""
    best = dict.fromkeys(contenders, float("inf"))
    names = list(contenders)
    batches = [files[i : i + BATCH] for i in range(0, len(files), BATCH)]
    for _ in range(ROUNDS):
        spent = dict.fromkeys(contenders, 0.0)
        for index, batch in enumerate(batches):
            for name in names[index % len(names) :] + names[: index % len(names)]:
                run = contenders[name]
                start = time.process_time()
                for path, data in batch:
                    run(path, data)
                spent[name] += time.process_time() - start
        best = {name: min(best[name], spent[name]) for name in names}
    return best


def test_pmc_builder_throughput(tmp_path: Path) -> None:
    pubmed_parser = pytest.importorskip("pubmed_parser", reason="pip install -e '.[bench]'")
    files = _corpus(tmp_path)
    megabytes = sum(len(data) for _, data in files) / 1e6
    options = PmcOptions()
    documents = [0]

    def medc(path: str, data: bytes) -> None:
        documents[0] += sum(isinstance(r, Document) for r in parse(WorkUnit(path, data), options))

    def baseline(path: str, data: bytes) -> None:
        pubmed_parser.parse_pubmed_xml(path)
        pubmed_parser.parse_pubmed_paragraph(path, all_paragraph=True)

    def bare(path: str, data: bytes) -> None:
        etree.fromstring(data)

    best = _cpu_times(files, {"medc pmc.parse": medc, "pubmed_parser": baseline, "bare lxml.fromstring": bare})
    print(f"\n{ARTICLES} generated articles, {megabytes:.1f} MB, best of {ROUNDS} rounds, one core (CPU time)")
    print(f"{'contender':<24}{'seconds':>10}{'articles/s':>14}{'MB/s':>10}")
    for name, seconds in best.items():
        print(f"{name:<24}{seconds:>10.2f}{ARTICLES / seconds:>14.0f}{megabytes / seconds:>10.1f}")
    ours = best["medc pmc.parse"]
    speedup, of_bare = best["pubmed_parser"] / ours, best["bare lxml.fromstring"] / ours
    print(f"medc vs pubmed_parser: {speedup:.1f}x faster (target >= 3x)")
    print(f"medc vs bare parse: {of_bare:.0%} of the bare parse rate (target >= 40%)")
    assert documents[0] == ARTICLES * ROUNDS
    assert speedup >= 3
    assert of_bare >= 0.4
