"""Hashed token windows: the vocabulary of the evaluation items, rolling hashes over whole batches of texts, and
the index that says which evaluation items own a window.

    >>> vocab = Vocabulary([["aspirin", "inhibits", "cox"], ["cox", "two"]])
    >>> ids = vocab.ids(["aspirin", "inhibits", "cox", "and", "cox", "two"])     # "and" is not in any item: 0
    >>> [(n, (h != 0).tolist()) for n, h in hash_levels(ids, 2, {2})]
    [(2, [True, True, False, False, True, False])]

A word no evaluation item has gets id 0, and a window holding a 0 can match nothing, so texts are hashed only
where they could match. Everything here is numpy arrays and one dict, small enough to ship to every worker.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

_PRIME = np.uint64(0x100000001B3)


class Vocabulary:
    """Word → id (from 1) for every word of the evaluation items."""

    def __init__(self, texts: Iterable[Sequence[str]]) -> None:
        self.index: dict[str, int] = {}
        for words in texts:
            for w in words:
                self.index.setdefault(w, len(self.index) + 1)

    def ids(self, words: Iterable[str]) -> np.ndarray:
        get = self.index.get
        return np.array([get(w, 0) for w in words], dtype=np.uint64)

    def __len__(self) -> int:
        return len(self.index)

    def joined_ids(self, parts: Sequence[Sequence[str]]) -> np.ndarray:
        """The ids of several texts with a 0 between them: no window spans two (a PubMedQA abstract's sections
        are apart in an article, with headings between)."""
        pieces = [np.append(self.ids(words), np.uint64(0)) for words in parts]
        return np.concatenate(pieces)[:-1] if pieces else np.zeros(0, np.uint64)


def sequence_hash(ids: np.ndarray) -> int:
    """The hash `hash_levels` gives a window of exactly these ids (0 when one of them is 0)."""
    if not len(ids) or not ids.all():
        return 0
    acc = np.zeros(1, dtype=np.uint64)
    for value in ids.tolist():
        acc = acc * _PRIME + np.uint64(value)
    return int(acc[0]) or 1


def hash_levels(ids: np.ndarray, n: int, wanted: Iterable[int]) -> Iterator[tuple[int, np.ndarray]]:
    """For each wanted window length j <= n (in increasing order): the hash of the j ids starting at every
    position of `ids` (0 where the window runs past the end or holds a 0 id). One pass of n multiply-adds."""
    wanted = set(wanted)
    count = len(ids)
    if not count or not wanted:
        return
    padded = np.concatenate((ids, np.zeros(n, dtype=np.uint64)))
    zeros = np.concatenate(([0], np.cumsum(padded == 0)))
    acc = np.zeros(count, dtype=np.uint64)
    for j in range(1, n + 1):
        acc = acc * _PRIME + padded[j - 1 : j - 1 + count]
        if j in wanted:
            valid = (zeros[j : j + count] - zeros[:count]) == 0
            level = np.where(acc == 0, np.uint64(1), acc)  # keep 0 free to mean "no window here"
            yield j, np.where(valid, level, np.uint64(0))


def window_hashes(ids: np.ndarray, n: int) -> np.ndarray:
    """The distinct hashes of every valid `n`-id window of `ids`."""
    for _, level in hash_levels(ids, n, {n}):
        return np.unique(level[level != 0])
    return np.zeros(0, dtype=np.uint64)


@dataclass
class WindowIndex:
    """Which targets (texts of evaluation items) own each window hash, and how many windows each target has.
    Owners are stored CSR-style: the targets of `hashes[k]` are `owners[starts[k]:starts[k + 1]]`."""

    hashes: np.ndarray  # uint64, sorted, distinct
    starts: np.ndarray  # int64, len(hashes) + 1
    owners: np.ndarray  # int32 target numbers
    totals: np.ndarray  # int64 windows per target (boilerplate windows not counted)

    @classmethod
    def build(cls, targets: Sequence[np.ndarray], n: int, common_items: int, groups: Sequence[int]) -> WindowIndex:
        """Index the windows of `targets` (id arrays). `groups[t]` is the evaluation item of target t: a window in
        more than `common_items` items is boilerplate, dropped from every target that has it."""
        per_target = [window_hashes(ids, n) for ids in targets]
        flat = np.concatenate(per_target) if per_target else np.zeros(0, np.uint64)
        target_of = np.repeat(np.arange(len(per_target), dtype=np.int32), [len(h) for h in per_target])
        item_of = np.asarray(groups, dtype=np.int64)[target_of] if len(flat) else np.zeros(0, np.int64)
        pairs = np.unique(np.stack([flat, item_of.astype(np.uint64)]), axis=1) if len(flat) else np.zeros((2, 0))
        distinct, items_per_hash = np.unique(pairs[0], return_counts=True)
        common = distinct[items_per_hash > common_items]
        keep = ~np.isin(flat, common)
        flat, target_of = flat[keep], target_of[keep]
        order = np.lexsort((target_of, flat))
        flat, target_of = flat[order], target_of[order]
        hashes, first = np.unique(flat, return_index=True)
        starts = np.append(first, len(flat)).astype(np.int64)
        totals = np.bincount(target_of, minlength=len(per_target)).astype(np.int64)
        return cls(hashes.astype(np.uint64), starts, target_of.astype(np.int32), totals)

    def best_targets(self, hashes: np.ndarray, rows: np.ndarray) -> dict[int, tuple[int, float]]:
        """{row: (target, share of the target's windows present)} for the target each row shares the largest share
        of windows with. `hashes` and `rows` are parallel: the window hashes of every row (0s are skipped)."""
        if not len(self.hashes) or not len(hashes):
            return {}
        where = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        hit = (self.hashes[where] == hashes) & (hashes != 0)
        pairs = np.unique(np.stack([rows[hit].astype(np.int64), where[hit].astype(np.int64)]), axis=1)
        if not pairs.shape[1]:
            return {}
        first, counts = self.starts[pairs[1]], self.starts[pairs[1] + 1] - self.starts[pairs[1]]
        hit_rows = np.repeat(pairs[0], counts)
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        targets = self.owners[np.repeat(first, counts) + within].astype(np.int64)
        width = len(self.totals) + 1
        keys, shared = np.unique(hit_rows * width + targets, return_counts=True)
        key_rows, key_targets = keys // width, keys % width
        share = shared / np.maximum(self.totals[key_targets], 1)
        order = np.lexsort((key_targets, -share, key_rows))  # per row: largest share, then lowest target
        lead = order[np.r_[True, key_rows[order][1:] != key_rows[order][:-1]]]
        return {
            int(r): (int(t), float(v))
            for r, t, v in zip(key_rows[lead].tolist(), key_targets[lead].tolist(), share[lead].tolist(), strict=True)
        }
