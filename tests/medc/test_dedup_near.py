import numpy as np
import pytest

from medc.dedup import DedupConfig, MinHasher, estimate_jaccard
from medc.dedup.exact import exact_duplicates, hashes_to_array
from medc.dedup.near import near_duplicates
from tests.benchmarks.synthetic_corpus import CorpusGenerator


def test_exact_keeps_the_best_ranked_of_each_group():
    hashes = np.array([[1, 7], [2, 9], [1, 7], [1, 7], [1, 8]], dtype=np.uint64)
    removed, kept = exact_duplicates(hashes, rank=np.array([3, 0, 1, 2, 4]))
    assert sorted(zip(removed.tolist(), kept.tolist(), strict=True)) == [(0, 2), (3, 2)]
    assert exact_duplicates(np.empty((0, 2), dtype=np.uint64), np.empty(0))[0].size == 0


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


def test_lsh_index_can_live_in_redis(planted, monkeypatch):
    fakeredis = pytest.importorskip("fakeredis")  # in the dev extra
    import functools

    server = fakeredis.FakeServer()
    monkeypatch.setattr("redis.Redis", functools.partial(fakeredis.FakeRedis, server=server))
    config = DedupConfig(lsh_storage="redis", redis_host="redis.example", redis_port=6380)
    in_memory = near_duplicates(planted, np.arange(len(planted)), DedupConfig())
    found = near_duplicates(planted, np.arange(len(planted)), config)
    assert found.removed.tolist() == in_memory.removed.tolist() and found.kept.tolist() == in_memory.kept.tolist()
    assert fakeredis.FakeRedis(server=server).keys() == []  # the run's keys are deleted afterwards
    monkeypatch.setattr("medc.dedup.near._delete_prefix", lambda *args: None)
    near_duplicates(planted, np.arange(len(planted)), config)
    left = fakeredis.FakeRedis(server=server).scan_iter(match=b"*")
    prefixes = {key.split(b"_")[0][: len(b"medc-dedup-")] for key in left}
    assert prefixes == {b"medc-dedup-"}  # the index was there, under the run's prefix


def test_compact_buckets_hold_one_key_bare_and_more_in_a_list():
    from medc.dedup.near import CompactBuckets

    buckets = CompactBuckets()
    buckets.insert(b"a", 1)
    buckets.insert(b"b", 2)
    buckets.insert(b"b", 3, 4)
    assert (buckets.get(b"a"), buckets.get(b"b"), buckets.get(b"c"), buckets.size()) == ([1], [2, 3, 4], [], 2)
