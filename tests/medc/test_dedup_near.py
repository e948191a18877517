from unittest import mock

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from medc.dedup import DedupConfig, MinHasher, estimate_jaccard
from medc.dedup.bands import lsh_shape
from medc.dedup.exact import exact_duplicates, exact_duplicates_partitioned, hashes_to_array
from medc.dedup.near import group_buckets, near_duplicates
from medc.executors import InProcess
from tests.benchmarks.synthetic_corpus import CorpusGenerator
from tests.medc.dedup_reference import reference_near_duplicates


def test_exact_keeps_the_best_ranked_of_each_group():
    hashes = np.array([[1, 7], [2, 9], [1, 7], [1, 7], [1, 8]], dtype=np.uint64)
    removed, kept = exact_duplicates(hashes, rank=np.array([3, 0, 1, 2, 4]))
    assert sorted(zip(removed.tolist(), kept.tolist(), strict=True)) == [(0, 2), (3, 2)]
    assert exact_duplicates(np.empty((0, 2), dtype=np.uint64), np.empty(0))[0].size == 0


@given(st.lists(st.integers(0, 5), max_size=60), st.integers(1, 7), st.integers(0, 2**32 - 1))
def test_exact_by_hash_partition_is_exact_over_all_rows(groups, partitions, seed):
    rng = np.random.default_rng(seed)
    hashes = np.array([[g % 3, g] for g in groups], dtype=np.uint64).reshape(-1, 2)
    rank = rng.permutation(len(groups))
    alive = rng.random(len(groups)) < 0.8
    removed, kept = exact_duplicates_partitioned(hashes, rank, alive, InProcess(), partitions)
    rows = np.flatnonzero(alive)
    want_removed, want_kept = exact_duplicates(hashes[rows], rank[rows])
    want = sorted(zip(rows[want_removed].tolist(), rows[want_kept].tolist(), strict=True))
    assert list(zip(removed.tolist(), kept.tolist(), strict=True)) == want


def test_hashes_to_array_marks_missing_digests_as_zero():
    rows = hashes_to_array([bytes(range(16)), None])
    assert rows[1].tolist() == [0, 0] and rows[0, 0] == int.from_bytes(bytes(range(8)), "little")


@pytest.fixture(scope="module")
def planted():
    """Rows 0-3: a base and copies at J≈0.95, 0.9 and 0.5; rows 4-6 unrelated texts sharing boilerplate."""
    gen = CorpusGenerator(seed=11)
    base = gen.tokens(500)
    token_lists = [base, gen.variant(base, 0.95), gen.variant(base, 0.9), gen.variant(base, 0.5)]
    token_lists += [gen.with_boilerplate(120) for _ in range(3)]
    hasher = MinHasher()
    return np.stack([hasher.signature(gen.render(tokens)) for tokens in token_lists])


def test_near_duplicates_are_removed_against_the_best_ranked_kept(planted):
    found = near_duplicates(planted, order=np.arange(len(planted)), config=DedupConfig())
    assert dict(zip(found.removed.tolist(), found.kept.tolist(), strict=True)) == {1: 0, 2: 0}
    assert all(0.8 <= s <= 1.0 for s in found.similarity)
    assert (found.bands, found.rows_per_band) == (16, 8)


def test_who_is_kept_follows_rank_not_input_position(planted):
    found = near_duplicates(planted, order=np.array([2, 6, 5, 4, 3, 1, 0]), config=DedupConfig())
    assert set(found.removed.tolist()) == {0, 1} and set(found.kept.tolist()) == {2}


def test_removed_documents_do_not_chain():
    # b is similar to a and to c, a and c are not similar: a kept, b removed, c kept (not removed through b).
    gen = CorpusGenerator(seed=5)
    a = gen.tokens(400)
    b = a[:360] + gen.tokens(40)
    c = b[40:] + gen.tokens(40)
    hasher = MinHasher()
    signatures = np.stack([hasher.signature(" ".join(t)) for t in (a, b, c)])
    similar = [estimate_jaccard(signatures[i], signatures[j]) >= 0.7 for i, j in ((0, 1), (1, 2), (0, 2))]
    assert similar == [True, True, False]
    found = near_duplicates(signatures, np.arange(3), DedupConfig(threshold=0.7))
    assert found.removed.tolist() == [1]


@st.composite
def clustered_signatures(draw):
    """Signatures over a tiny alphabet, copied from a few bases with noise: buckets, crowds and ties abound."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n, num_perm = draw(st.integers(0, 120)), draw(st.sampled_from([16, 32]))
    bases = rng.integers(0, 4, size=(draw(st.integers(1, 6)), num_perm))
    signatures = bases[rng.integers(0, len(bases), size=n)]
    noisy = rng.random((n, num_perm)) < draw(st.floats(0.0, 0.6))
    signatures[noisy] = rng.integers(0, 4, size=int(noisy.sum()))
    order = rng.permutation(n)[: draw(st.integers(0, n))]
    config = DedupConfig(
        num_perm=num_perm,
        threshold=draw(st.sampled_from([0.5, 0.7, 0.8, 0.9, 1.0])),
        lsh_recall_weight=draw(st.sampled_from([0.5, 0.95])),
    )
    return signatures.astype(np.uint32), order, config


@given(clustered_signatures(), st.integers(1, 5), st.sampled_from([2, 3, 32]), st.sampled_from([2, 7, 8192]))
def test_distributed_near_dedup_is_the_sequential_lsh_row_for_row(case, partitions, pairs_up_to, verify_members):
    # The former implementation (datasketch's MinHashLSH of the kept rows, queried best rank first) is the
    # reference; `pairs_up_to` 2 and 3 send most buckets down the crowded-bucket path, and `verify_members`
    # 2 and 7 spread the pairs over many verification tasks.
    signatures, order, config = case
    assume(lsh_shape(config)[0] >= 2)  # datasketch refuses a single band; medc takes it
    want = reference_near_duplicates(signatures, order, config)
    with mock.patch("medc.dedup.near._VERIFY_MEMBERS", verify_members):
        got = near_duplicates(signatures, order, config, InProcess(), partitions, pairs_up_to)
    assert got.removed.tolist() == want.removed.tolist()
    assert got.kept.tolist() == want.kept.tolist()
    assert got.similarity.tolist() == want.similarity.tolist()
    assert (got.bands, got.rows_per_band) == (want.bands, want.rows_per_band)


def test_a_crowd_of_near_identical_documents_is_never_expanded_into_pairs():
    # stands for thousands of near-identical notices (errata, retractions) that share every band bucket
    rng = np.random.default_rng(3)
    base = rng.integers(0, 2**32, size=128, dtype=np.uint64).astype(np.uint32)
    signatures = np.tile(base, (3000, 1))
    signatures[np.arange(3000), rng.integers(0, 128, size=3000)] += 1  # one slot differs: J ≈ 0.99
    buckets = group_buckets(_entries(signatures))
    assert buckets.sizes.max() > 1000  # crowded buckets: 4.5M pairs each if expanded
    found = near_duplicates(signatures, np.arange(3000), DedupConfig())
    assert len(found.removed) == 2999 and set(found.kept.tolist()) == {0}


def _entries(signatures):
    from medc.dedup.bands import band_entries, band_keys

    return band_entries(band_keys(signatures, 16, 8))
