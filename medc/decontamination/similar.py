"""Near matches of short evaluation items: how much of an item's question plus options a record's input holds,
counted exactly over the word postings of the evaluation set.

    >>> words = ["drug", "choice", "anaphylaxis", "antihistamine", "hydrocortisone", "salbutamol", "adrenaline"]
    >>> index = SimilarityIndex([words], [{"anaphylaxis"}])
    >>> index.best([["drug", "choice", "anaphylaxis", "antihistamines", "hydrocortisone", "salbutamol", "adrenaline"]],
    ...            share=0.85)
    {0: (0, 0.8571)}

A record matches an item when it holds `share` of the item's distinct words and every one of its key words
(with four or more, all but a quarter of them), and is not much longer than the item (at most twice its words
plus 20: a record that long is a different text that happens to use the words). Key words are the content words
of the item's question that few evaluation questions share (`key_words`): "anaphylaxis" in "Drug of choice for
anaphylaxis is", not "drug" or "choice". So a reworded option or stem ("Drug of choice in anaphylaxis"), or a
question quoted with its options inside a few words of chat, still matches; the same stem about another disease
with the same options does not.

The count is exact: each word of a record adds one to every item that has it (numpy, over the postings of the
record's words), so a record is compared with every item at the cost of its own words. MinHash bands were tried
first and dropped: over word sets of 10-20 words two exam questions share their stem words often enough that a
MedMCQA record met 240-830 candidate items, all to be counted anyway. Words are the content words of
`medc.decontamination.text.similarity_words` (no function words or stems).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from medc.decontamination.text import content_words


def key_words(questions: Sequence[list[str]], common: float = 0.02) -> list[set[str]]:
    """Per question, its content words asked about in at most max(2, `common` of) the questions: what the item
    is about ("amyloidosis"), not how it asks ("investigation of choice")."""
    counts = Counter(w for words in questions for w in set(words))
    limit = max(2, int(common * len(questions)))
    return [{w for w in set(words) if counts[w] <= limit and content_words([w])} for words in questions]


class SimilarityIndex:
    """Every item's word set, as postings (a word → the items that have it) for exact counting in numpy."""

    def __init__(self, texts: Sequence[list[str]], keys: Sequence[set[str]]) -> None:
        self.keys = [frozenset(k) for k in keys]
        words = [sorted(set(w)) for w in texts]
        self.sizes = np.array([len(w) for w in words], dtype=np.float64)
        postings: dict[str, list[int]] = {}
        for item, item_words in enumerate(words):
            for word in item_words:
                postings.setdefault(word, []).append(item)
        self.postings = {w: np.asarray(items, dtype=np.int32) for w, items in postings.items()}
        self.max_words = int(self.sizes.max()) if len(words) else 0

    def best(self, texts: Sequence[list[str]], share: float) -> dict[int, tuple[int, float]]:
        """{row: (item, share of the item's words in the row)} for rows of `texts` that match an item (see the
        module docstring). Rows too long to match any item are skipped."""
        found: dict[int, tuple[int, float]] = {}
        for row, words in enumerate(texts):
            if not words or len(words) > 2 * self.max_words + 20:
                continue
            record = frozenset(words)
            lists = [self.postings[w] for w in record if w in self.postings]
            if not lists:
                continue
            shared = np.bincount(np.concatenate(lists), minlength=len(self.sizes))
            ratio = shared / np.maximum(self.sizes, 1)
            # Longest first among equals: the item that explains most of the record. Then the key-word rule.
            for item in np.flatnonzero(ratio >= share)[np.argsort(-ratio[ratio >= share], kind="stable")].tolist():
                if self._fits(item, record, len(words)):
                    found[row] = (item, round(float(ratio[item]), 4))
                    break
        return found

    def _fits(self, item: int, record: frozenset[str], length: int) -> bool:
        if length > 2 * self.sizes[item] + 20:
            return False
        keys = self.keys[item]
        missing = len(keys - record)
        return not missing or (len(keys) >= 4 and missing <= len(keys) // 4)
