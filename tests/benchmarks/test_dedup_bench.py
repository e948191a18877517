"""Dedup benchmarks (`make bench`): signature throughput vs datasketch, accuracy on planted near duplicates,
and finalizer time and memory at 1x and 10x corpus size. Figures are printed; the machine may be shared, so the
ratios within one run are what count.

    .venv/bin/python -m pytest -q -s -m benchmark tests/benchmarks/test_dedup_bench.py
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import time

import numpy as np
import pytest

from medc.dedup import DedupConfig, MinHasher
from medc.dedup.near import near_duplicates
from tests.benchmarks.synthetic_corpus import CorpusGenerator, jaccard, shingles
from tests.medc.dedup_reference import reference_near_duplicates

pytestmark = pytest.mark.benchmark

_WORD = re.compile(rb"[a-z0-9\x80-\xff]+")  # the words MinHasher sees


def datasketch_shingles(text: str, ngram: int = 5) -> list[bytes]:
    """The same word 5-grams as MinHasher, as the byte strings datasketch's update_batch takes."""
    words = _WORD.findall(text.lower().encode())
    if len(words) < ngram:
        return [b" ".join(words)] if words else []
    return [b" ".join(words[i : i + ngram]) for i in range(len(words) - ngram + 1)]


def test_signature_throughput_vs_datasketch():
    from datasketch import MinHash

    gen = CorpusGenerator(seed=1)
    docs = [gen.render(gen.tokens(int(n))) for n in gen.rng.integers(300, 3000, size=4000)]
    megabytes = sum(len(d.encode()) for d in docs) / 1e6
    assert megabytes >= 20
    hasher = MinHasher()
    ours = shingling = datasketch = 0.0
    for doc in docs:  # interleaved, so both see the same load on a shared machine
        start = time.perf_counter()
        signature = hasher.signature(doc)
        ours += time.perf_counter() - start
        start = time.perf_counter()
        grams = datasketch_shingles(doc)
        shingling += time.perf_counter() - start
        start = time.perf_counter()
        reference = MinHash(num_perm=128, seed=1)
        reference.update_batch(grams)
        datasketch += time.perf_counter() - start
        assert len(grams) == hasher.shingle_hashes(doc).size and signature.shape == reference.hashvalues.shape
    print(f"\n{megabytes:.1f} MB of text, {len(docs)} documents, 5-grams, 128 permutations, one core")
    print(f"{'':42s} {'MB/s':>8s} {'medc speed-up':>14s}")
    print(f"{'medc MinHasher.signature (text → sig)':42s} {megabytes / ours:8.2f} {'':>14s}")
    print(f"{'datasketch update_batch (shingles → sig)':42s} {megabytes / datasketch:8.2f} {datasketch / ours:13.2f}x")
    both = datasketch + shingling
    print(f"{'datasketch incl. building shingles':42s} {megabytes / both:8.2f} {both / ours:13.2f}x")
    assert datasketch / ours > 1


# Planted pairs per target Jaccard; 1.0 is the same words with other sentence breaks (a re-typeset copy).
TARGETS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0)


def test_accuracy_on_planted_near_duplicates():
    gen = CorpusGenerator(seed=7)
    token_lists, planted = [], {}
    for target in TARGETS:
        for _ in range(120):
            base = gen.tokens(int(gen.rng.integers(300, 1200)))
            copy = list(base) if target == 1.0 else gen.variant(base, target)
            planted[(len(token_lists), len(token_lists) + 1)] = jaccard(shingles(base), shingles(copy))
            token_lists += [base, copy]
    unrelated_from = len(token_lists)
    token_lists += [gen.with_boilerplate(int(n)) for n in gen.rng.integers(60, 400, size=1500)]
    texts = [gen.render(tokens) for tokens in token_lists]
    hasher = MinHasher()
    signatures = np.stack([hasher.signature(t) for t in texts])
    order = np.argsort(-np.array([len(t) for t in texts]), kind="stable")  # longest first, as the finalizer
    config = DedupConfig()
    found = near_duplicates(signatures, order, config)
    former = reference_near_duplicates(signatures, order, config)  # the former sequential LSH: the same pairs
    assert (found.removed.tolist(), found.kept.tolist()) == (former.removed.tolist(), former.kept.tolist())
    removed_kept = zip(found.removed.tolist(), found.kept.tolist(), strict=True)
    pairs = {tuple(sorted(p)): s for p, s in zip(removed_kept, found.similarity, strict=True)}
    true = {p: planted.get(p) or jaccard(shingles(token_lists[p[0]]), shingles(token_lists[p[1]])) for p in pairs}
    _print_accuracy(planted, pairs, true, unrelated_from, config.threshold)
    relevant = [p for p, j in planted.items() if j >= 0.85]
    recall = sum(p in pairs for p in relevant) / len(relevant)
    precision = sum(true[p] >= config.threshold - 0.05 for p in pairs) / len(pairs)
    assert recall >= 0.95 and precision >= 0.99


def _print_accuracy(planted, pairs, true, unrelated_from, threshold):
    print(
        f"\nplanted pairs: {len(planted)}; 1500 unrelated documents ending in the same ~100 words of "
        f"boilerplate; threshold {threshold}"
    )
    print(f"{'true Jaccard':>14s} {'pairs':>6s} {'removed':>8s} {'share':>7s}")
    edges = [0.0, 0.55, 0.65, 0.725, 0.775, 0.825, 0.85, 0.875, 0.925, 0.975, 1.01]
    values = np.array(list(planted.values()))
    for low, high in itertools.pairwise(edges):
        in_bin = [p for p, j in planted.items() if low <= j < high]
        if in_bin:
            hit = sum(p in pairs for p in in_bin)
            print(f"{low:6.3f}-{min(high, 1.0):5.3f} {len(in_bin):6d} {hit:8d} {hit / len(in_bin):7.1%}")
    relevant = [p for p, j in planted.items() if j >= 0.85]
    recall = sum(p in pairs for p in relevant) / len(relevant)
    loose = sum(true[p] >= threshold - 0.05 for p in pairs) / len(pairs)
    strict = sum(true[p] >= threshold for p in pairs) / len(pairs)
    unrelated = sum(1 for p in pairs if p[0] >= unrelated_from)
    print(
        f"recall at J >= 0.85: {recall:.3f}   precision (true J >= {threshold - 0.05:.2f}): {loose:.3f}   "
        f"strict precision (true J >= {threshold}): {strict:.3f}   removed pairs: {len(pairs)}, of which "
        f"between unrelated boilerplate documents: {unrelated}   mean true J of planted: {values.mean():.2f}"
    )


SCALE_DOCS = 4000
FINALIZERS = (("old", 0), ("new", 0), ("new", 2))  # (finalizer, workers); 0 workers: in-process


def test_finalizer_time_and_memory_scale_old_lsh_vs_distributed(tmp_path):
    """Whole processes on a generated corpus (not real text), the finalizers run in turn on the same staged
    corpus, twice (the faster run counts), at 1x and 10x; old: the former sequential datasketch LSH; new:
    DedupFinalizer in-process and on a pool of 2 processes."""
    rows: dict[tuple[str, int], list[dict]] = {f: [] for f in FINALIZERS}
    for factor in (1, 10):
        n = SCALE_DOCS * factor
        staged = _child(["stage", str(tmp_path / f"x{factor}"), str(n)])
        runs: dict[tuple[str, int], list[dict]] = {f: [] for f in FINALIZERS}
        for _ in range(2):
            for which, workers in FINALIZERS:
                runs[(which, workers)].append(_child(["finalize", str(tmp_path / f"x{factor}"), which, str(workers)]))
        for key, results in runs.items():
            rows[key].append({"n": n, "mb": staged["mb"], **min(results, key=lambda r: r["seconds"])})
    _print_scale(rows)
    kept = {f: [r["kept"] for r in runs] for f, runs in rows.items()}
    assert len(set(map(tuple, kept.values()))) == 1  # every finalizer keeps the same documents
    new = rows[("new", 0)]
    assert new[1]["seconds"] / new[0]["seconds"] <= 10.5


def _print_scale(rows: dict[tuple[str, int], list[dict]]) -> None:
    print(
        f"\n{'finalizer':>14s} {'docs':>7s} {'kept':>7s} {'text MB':>8s} {'seconds':>8s} {'ms/doc':>7s} "
        f"{'RSS before MB':>14s} {'peak RSS MB':>12s} {'worker peak MB':>15s}"
    )
    for (which, workers), runs in rows.items():
        name = f"{which} in-process" if workers == 0 else f"{which} {workers} procs"
        for r in runs:
            print(
                f"{name:>14s} {r['n']:7d} {r['kept']:7d} {r['mb']:8.1f} {r['seconds']:8.2f} "
                f"{1000 * r['seconds'] / r['n']:7.3f} {r['start_rss'] / 2**20:14.1f} {r['peak_rss'] / 2**20:12.1f} "
                f"{r['worker_rss'] / 2**20:15.1f}"
            )
    for (which, workers), (small, large) in rows.items():
        per_doc = (large["peak_rss"] - small["peak_rss"]) / (large["n"] - small["n"])
        print(
            f"{which} ({workers} workers): 10x the documents in {large['seconds'] / small['seconds']:.1f}x the "
            f"time; coordinator memory per added document {per_doc:.0f} bytes"
        )


def _child(args: list[str]) -> dict:
    """Run stage or finalize in a fresh interpreter, so peak memory is the finalizer's own."""
    code = "import sys; from tests.benchmarks.dedup_scale import main; main(sys.argv[1:])"
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])
