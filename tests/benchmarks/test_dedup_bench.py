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


def test_finalizer_time_and_memory_scale(tmp_path):
    rows = []
    for factor in (1, 10):
        n = SCALE_DOCS * factor
        staged = _child(["stage", str(tmp_path / f"x{factor}"), str(n)])
        result = _child(["finalize", str(tmp_path / f"x{factor}")])
        rows.append(
            (
                factor,
                n,
                result["dedup"]["kept"],
                staged["mb"],
                result["seconds"],
                result["start_rss"],
                result["peak_rss"],
            )
        )
    print(
        f"\n{'scale':>6s} {'docs':>7s} {'kept':>7s} {'text MB':>8s} {'finalize s':>11s} {'ms/doc':>7s} "
        f"{'RSS before MB':>14s} {'peak RSS MB':>12s}"
    )
    for factor, n, kept, mb, seconds, start_rss, peak_rss in rows:
        print(
            f"{factor:>5d}x {n:7d} {kept:7d} {mb:8.1f} {seconds:11.2f} {1000 * seconds / n:7.3f} "
            f"{start_rss / 2**20:14.1f} {peak_rss / 2**20:12.1f}"
        )
    (_, n1, _, _, t1, _, peak1), (_, n10, _, _, t10, _, peak10) = rows
    print(
        f"10x the documents: {t10 / t1:.1f}x the time; memory per added document "
        f"{(peak10 - peak1) / (n10 - n1):.0f} bytes (signature, hashes, id, LSH buckets of the kept)"
    )


def _child(args: list[str]) -> dict:
    """Run stage or finalize in a fresh interpreter, so peak memory is the finalizer's own."""
    code = "import sys; from tests.benchmarks.dedup_scale import main; main(sys.argv[1:])"
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])
