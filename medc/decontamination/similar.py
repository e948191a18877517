"""Near matches of short evaluation items: how much of an item's question plus options a record's input holds,
with MinHash bands to find candidates and an exact count of words to decide.

    >>> words = ["drug", "of", "choice", "for", "anaphylaxis", "adrenaline", ...]
    >>> index = SimilarityIndex([words], [{"anaphylaxis"}], num_perm=64)
    >>> index.best([["drug", "of", "choice", "in", "anaphylaxis", "adrenaline", ...]], share=0.8)
    {0: (0, 0.9)}

A record matches an item when it holds `share` of the item's distinct words and every one of its key words
(with four or more, all but a quarter of them), and is not much longer than the item (at most twice its words
plus 20: a record that long is a different text that happens to use the words). Key words are the content words
of the item's question that few evaluation questions share (`key_words`): "anaphylaxis" in "Drug of choice for
anaphylaxis is", not "drug" or "choice". So a reworded option or stem ("Drug of choice in anaphylaxis"), or a
question quoted with its options inside a few words of chat, still matches; the same stem about another disease
with the same options does not.

Candidates come from MinHash bands of two signature values over word sets (64 permutations by default): a record
and an item with Jaccard similarity J meet in some band with probability 1 - (1 - J²)^32, 0.996 at J = 0.4 (a
record holding all of an item's words and as many again), so the exact count, not the banding, decides.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from medc.decontamination.text import content_words
from medc.dedup.minhash import MinHasher

_MIX = np.uint64(0x9E3779B97F4A7C15)


def key_words(questions: Sequence[list[str]], common: float = 0.02) -> list[set[str]]:
    """Per question, its content words asked about in at most max(2, `common` of) the questions: what the item
    is about ("amyloidosis"), not how it asks ("investigation of choice")."""
    counts = Counter(w for words in questions for w in set(words))
    limit = max(2, int(common * len(questions)))
    return [{w for w in set(words) if counts[w] <= limit and content_words([w])} for words in questions]


class SimilarityIndex:
    def __init__(self, texts: Sequence[list[str]], keys: Sequence[set[str]], num_perm: int = 64, seed: int = 1) -> None:
        self.hasher = MinHasher(ngram=1, num_perm=num_perm, seed=seed)
        self.words = [set(words) for words in texts]
        self.keys = list(keys)
        bands = [self._band_keys(" ".join(sorted(words))) for words in self.words]
        flat = np.concatenate(bands) if bands else np.zeros(0, np.uint64)
        owner = np.repeat(np.arange(len(bands), dtype=np.int64), [len(b) for b in bands])
        order = np.argsort(flat, kind="stable")
        self.bands, self.owners = flat[order], owner[order]
        self.max_words = max((len(words) for words in self.words), default=0)

    def _band_keys(self, text: str) -> np.ndarray:
        if not text:
            return np.zeros(0, np.uint64)
        sig = self.hasher.signature(text).astype(np.uint64).reshape(-1, 2)
        bands = np.arange(len(sig), dtype=np.uint64)
        return ((bands * _MIX + sig[:, 0]) * _MIX) ^ sig[:, 1]

    def best(self, texts: Sequence[list[str]], share: float) -> dict[int, tuple[int, float]]:
        """{row: (item, share of the item's words in the row)} for rows of `texts` that match an item (see the
        module docstring). Rows too long to match any item are skipped unhashed."""
        found: dict[int, tuple[int, float]] = {}
        if not len(self.bands):
            return found
        for row, words in enumerate(texts):
            if not words or len(words) > 2 * self.max_words + 20:
                continue
            record = set(words)
            keys = self._band_keys(" ".join(sorted(record)))
            lo, hi = np.searchsorted(self.bands, keys, "left"), np.searchsorted(self.bands, keys, "right")
            candidates = {int(i) for a, b in zip(lo.tolist(), hi.tolist(), strict=True) for i in self.owners[a:b]}
            scored = [(self._score(i, record, len(words)), -i) for i in candidates]
            if scored:
                value, item = max(scored)
                if value >= share:
                    found[row] = (-item, round(value, 4))
        return found

    def _score(self, item: int, record: set[str], length: int) -> float:
        words, keys = self.words[item], self.keys[item]
        if length > 2 * len(words) + 20:
            return 0.0
        missing = len(keys - record)
        if missing and (len(keys) < 4 or missing > len(keys) // 4):
            return 0.0
        return len(words & record) / len(words)
