import functools
import operator
import re

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from hypothesis import given
from hypothesis import strategies as st

from medc.dedup.minhash import MinHasher, affine32_permutations, as_lean_minhash, estimate_jaccard
from tests.benchmarks.synthetic_corpus import CorpusGenerator, jaccard, shingles

TEXT = "Aspirin irreversibly inhibits cyclooxygenase-1 in platelets; the naïve α-helix binds 5 mg of it. " * 3


@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (256, 42)])
def test_permutations_are_datasketchs(num_perm, seed):
    a, b = affine32_permutations(num_perm, seed)
    ds_a, ds_b = MinHash(num_perm=num_perm, seed=seed).permutations
    assert (a == ds_a).all() and (b == ds_b).all() and a.dtype == np.uint64


@pytest.mark.parametrize("text", [TEXT, "two words", "", "!!! ..."])
def test_signature_is_bit_identical_to_datasketch_update_batch(text):
    hasher = MinHasher(ngram=5, num_perm=128, seed=1)
    hashes = hasher.shingle_hashes(text)
    reference = MinHash(num_perm=128, seed=1, hashfunc=lambda h: h)
    reference.update_batch(hashes.tolist())
    assert (hasher.signature(text) == reference.hashvalues).all()


def test_arithmetic_matches_exact_integers():
    # The same computation with Python's unbounded integers: nothing overflowed on the way.
    hasher = MinHasher(ngram=3, num_perm=16, seed=7)
    hashes = [int(h) for h in hasher.shingle_hashes(TEXT)]

    def fmix32(h):
        h ^= h >> 16
        h = (h * 0x85EBCA6B) % 2**32
        h ^= h >> 13
        h = (h * 0xC2B2AE35) % 2**32
        return h ^ (h >> 16)

    pairs = zip(hasher.a.tolist(), hasher.b.tolist(), strict=True)
    expected = [min((a * fmix32(h) + b) % 2**32 for h in hashes) for a, b in pairs]
    assert hasher.signature(TEXT).tolist() == expected


def reference_shingle_hashes(hasher: MinHasher, text: str) -> list[int]:
    """The module docstring's definition, one word and one byte at a time."""
    table = hasher._table.reshape(32, 256).tolist()  # a random 64-bit value per (position mod 32, byte)
    words = re.findall(rb"[a-z0-9\x80-\xff]+", text.lower().encode("utf-8", "surrogatepass"))
    word_hashes = [functools.reduce(operator.xor, (table[k % 32][b] for k, b in enumerate(w)), 0) for w in words]
    n = min(hasher.ngram, len(words))
    shingles: list[int] = []
    if not words:
        return shingles
    for i in range(len(words) - n + 1):
        h = 0
        for j in range(n):
            bits = 11 * j % 64
            h ^= ((word_hashes[i + j] << bits) | (word_hashes[i + j] >> (64 - bits))) & (2**64 - 1)
        shingles.append((h ^ (h >> 32)) & (2**32 - 1))
    return shingles


@given(
    st.lists(st.sampled_from([*"aZ09 ,.-\n", "é", "α", "İ", "\ud800", "𝑐", "x" * 40])).map("".join), st.integers(1, 6)
)
def test_shingle_hashes_follow_the_definition(text, ngram):
    hasher = MinHasher(ngram=ngram, num_perm=16)
    assert hasher.shingle_hashes(text).tolist() == reference_shingle_hashes(hasher, text)
    lowered = text.lower().encode("utf-8", "surrogatepass")
    assert hasher.shingle_hashes(text, lowered).tolist() == reference_shingle_hashes(hasher, text)


def test_words_ignore_case_and_punctuation_but_not_order():
    hasher = MinHasher(ngram=2, num_perm=64)
    assert (hasher.signature("Alpha, BETA gamma!") == hasher.signature("alpha beta\n\ngamma")).all()
    assert not (hasher.signature("alpha beta gamma") == hasher.signature("gamma beta alpha")).all()
    assert len(hasher.shingle_hashes("naïve α-helix 5mg")) == 3  # naïve, α, helix, 5mg: 4 words, 3 bigrams


def test_shorter_than_ngram_is_one_shingle_and_empty_is_all_max():
    hasher = MinHasher(ngram=5)
    assert hasher.shingle_hashes("only three words").size == 1
    assert (hasher.signature(" ,. ") == 2**32 - 1).all()


def test_estimates_track_true_jaccard():
    gen = CorpusGenerator(seed=3)
    hasher = MinHasher(num_perm=256)
    for target in (0.3, 0.6, 0.85, 0.95):
        base = gen.tokens(600)
        copy = gen.variant(base, target)
        true = jaccard(shingles(base), shingles(copy))
        estimate = estimate_jaccard(hasher.signature(gen.render(base)), hasher.signature(gen.render(copy)))
        assert abs(estimate - true) < 0.1, (target, true, estimate)


def test_stored_signature_round_trips_and_knows_its_settings():
    hasher = MinHasher(ngram=5, num_perm=128, seed=1)
    signature = hasher.signature(TEXT)
    blob = hasher.to_bytes(signature)
    assert len(blob) == 8 + 512 and (hasher.from_bytes(blob) == signature).all()
    assert MinHasher(ngram=4, num_perm=128, seed=1).from_bytes(blob) is None
    assert MinHasher(ngram=5, num_perm=128, seed=2).from_bytes(blob) is None
    assert hasher.from_bytes(None) is None and hasher.from_bytes(blob[:-4]) is None


def test_signatures_feed_datasketch_lsh():
    hasher = MinHasher()
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    lsh.insert("a", as_lean_minhash(hasher.signature(TEXT), seed=1))
    assert lsh.query(as_lean_minhash(hasher.signature(TEXT + " one more"), seed=1)) == ["a"]
    assert lsh.query(as_lean_minhash(hasher.signature("something else entirely " * 5), seed=1)) == []


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="ngram >= 1"):
        MinHasher(ngram=0)
