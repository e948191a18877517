"""`medc report` on a 10,000-document MedC-K build must render in under 10 s (issue 21). Timed as a whole process
(`medc report DIR`: interpreter, imports, reading the build, drawing, writing), twice; the build is made by the
real `medc build-k` from generated JATS articles (text from tests/benchmarks/synthetic_corpus.py: generated data,
not real articles) with planted rejections of each filter reason and planted near duplicates.

    .venv/bin/python -m pytest -q -s -m benchmark tests/benchmarks/test_report_bench.py
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from medc.cli import main
from tests.benchmarks.synthetic_corpus import CorpusGenerator
from tests.report.builds import jats

pytestmark = pytest.mark.benchmark

DOCUMENTS = 10_000
TARGET_SECONDS = 10.0


def generated_articles(root: Path, n: int = DOCUMENTS) -> None:
    """`n` articles of 300-1500 words; every 20th fails a filter (too short, numbers, repeated lines), every
    50th is a near duplicate of the article before it."""
    gen = CorpusGenerator(seed=21)
    root.mkdir(parents=True)
    previous: list[str] = []
    for i in range(n):
        words = gen.tokens(int(gen.rng.integers(300, 1500)))
        if i % 50 == 49 and previous:
            words = gen.variant(previous, target_jaccard=0.9)
        previous = words
        paragraphs = [gen.render(words[k : k + 120]) for k in range(0, len(words), 120)]
        if i % 20 == 7:
            paragraphs = [["Erratum: the dose should read 10 mg."], [" ".join(str(k) for k in range(400))],
                          ["Page header of the journal"] * 60][(i // 20) % 3]  # fmt: skip
        (root / f"PMC{1_000_000 + i}.xml").write_text(jats(1_000_000 + i, f"Article {i}", paragraphs))


def test_report_of_a_10000_document_build_renders_in_under_10_s(tmp_path):
    generated_articles(tmp_path / "pmc")
    out = tmp_path / "medc-k"
    start = time.perf_counter()
    # the generated words are no language py3langid knows: identification off, as for a corpus in any language
    args = ["-q", "build-k", "--pmc", str(tmp_path / "pmc"), "--out", str(out), "--set", "filters.languages=[]"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    print(f"\nbuild: {manifest['records']}, rejections {manifest['rejections']}, duplicates {manifest['duplicates']}"
          f" ({time.perf_counter() - start:.0f} s)")  # fmt: skip
    assert (
        sum(sum(s.values()) for s in manifest["records"].values())
        + sum(manifest["rejections"].values())
        + sum(manifest["duplicates"].values())
        == DOCUMENTS
    )
    times, cpu = [], []
    for _ in range(2):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "medc", "-q", "report", str(out)], capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        assert proc.returncode == 0, proc.stderr
    size = (out / "report.html").stat().st_size
    # CPU seconds beside wall time: on a shared machine the wall time also counts waiting for a core
    print(f"medc report, {DOCUMENTS:,} documents (generated text): wall {', '.join(f'{t:.2f} s' for t in times)}; "
          f"CPU {', '.join(f'{t:.2f} s' for t in cpu)}; page {size / 1e6:.1f} MB")  # fmt: skip
    assert min(times) < TARGET_SECONDS
