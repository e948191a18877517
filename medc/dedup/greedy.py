"""The coordinator's part of near dedup: keep or remove each document, best-ranked first, from verified pairs.

    >>> found = resolve_greedily(signatures, order, pairs=[(a, b, equal_slots)], dense=(sizes, members),
    ...                          threshold=0.8, bands=16, rows=8)
    >>> found.removed, found.kept, found.similarity
    (array([5]), array([2]), array([0.86]))

A row is removed when a neighbour visited before it (in `order`) was kept and is similar enough: a verified pair,
or a row of a shared crowded bucket (`dense`) checked here. It names the most similar such neighbour, ties going
to the smallest row. Rows in no pair and no crowded bucket are kept without being visited one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class NearDuplicates:
    removed: np.ndarray  # row numbers of removed documents, in visiting order
    kept: np.ndarray  # the kept document each was found similar to
    similarity: np.ndarray  # estimated Jaccard similarity of the pair
    bands: int = 0
    rows_per_band: int = 0


def resolve_greedily(
    signatures: np.ndarray,
    order: np.ndarray,
    pairs: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    dense: tuple[np.ndarray, np.ndarray],
    threshold: float,
    bands: int,
    rows: int,
) -> NearDuplicates:
    """Visit `order` and split it into kept and removed, given the similar pairs and the crowded buckets."""
    position = np.full(len(signatures), -1, dtype=np.int64)
    position[order] = np.arange(len(order))
    neighbours = _Neighbours(pairs, position)
    crowds = _Crowds(*dense, position)
    visit = np.union1d(neighbours.rows, crowds.rows)
    visit = visit[np.argsort(position[visit], kind="stable")]
    alive = np.ones(len(signatures), dtype=bool)
    removed: list[int] = []
    kept: list[int] = []
    similarity: list[float] = []
    num_perm = signatures.shape[1]
    for row in visit.tolist():
        best = neighbours.best_kept(row, alive)
        for crowd in crowds.of(row):
            best = max(best, _best_in_crowd(signatures, row, crowds.kept[crowd], threshold))
        if best[0] >= 0:
            alive[row] = False
            removed.append(row)
            kept.append(-best[1])
            similarity.append(best[0] / num_perm)
        else:
            for crowd in crowds.of(row):
                crowds.kept[crowd].append(row)
    return NearDuplicates(
        np.array(removed, dtype=np.int64),
        np.array(kept, dtype=np.int64),
        np.array(similarity, dtype=np.float64),
        bands,
        rows,
    )


def _best_in_crowd(signatures: np.ndarray, row: int, kept: list[int], threshold: float) -> tuple[int, int]:
    """(equal slots, -row) of the most similar of `kept` at or above `threshold`, else (-1, 0)."""
    if not kept:
        return -1, 0
    candidates = np.array(kept, dtype=np.int64)
    equal = np.count_nonzero(signatures[candidates] == signatures[row], axis=1)
    if equal.max() / signatures.shape[1] < threshold:
        return -1, 0
    return int(equal.max()), -int(candidates[equal == equal.max()].min())


class _Neighbours:
    """Verified pairs as, for each later row, its earlier neighbours, most similar first (ties: smallest row)."""

    def __init__(self, pairs: list[tuple[np.ndarray, np.ndarray, np.ndarray]], position: np.ndarray) -> None:
        a, b, equal = (
            (np.concatenate(c).astype(np.int64) for c in zip(*pairs, strict=True))
            if pairs
            else [np.empty(0, np.int64)] * 3
        )
        a, b = np.minimum(a, b), np.maximum(a, b)
        unique = np.unique(np.stack([a, b, equal], axis=1), axis=0) if len(a) else np.empty((0, 3), np.int64)
        a, b, equal = unique[:, 0], unique[:, 1], unique[:, 2]
        later_is_b = position[b] > position[a]
        later, earlier = np.where(later_is_b, b, a), np.where(later_is_b, a, b)
        ranked = np.lexsort((earlier, -equal, later))
        self.later, self.earlier, self.equal = later[ranked], earlier[ranked], equal[ranked]
        self.rows, first = np.unique(self.later, return_index=True)
        self.start = dict(zip(self.rows.tolist(), first.tolist(), strict=True))

    def best_kept(self, row: int, alive: np.ndarray) -> tuple[int, int]:
        """(equal slots, -row) of the most similar earlier neighbour still kept, else (-1, 0)."""
        index = self.start.get(row)
        if index is None:
            return -1, 0
        while index < len(self.later) and self.later[index] == row:
            if alive[self.earlier[index]]:
                return int(self.equal[index]), -int(self.earlier[index])
            index += 1
        return -1, 0


class _Crowds:
    """Buckets too large for pairs: which crowds each row is in, and the rows of each kept so far."""

    def __init__(self, sizes: np.ndarray, members: np.ndarray, position: np.ndarray) -> None:
        crowd = np.repeat(np.arange(len(sizes)), sizes)
        members = members.astype(np.int64)
        ranked = np.lexsort((crowd, members))
        self.member, self.crowd = members[ranked], crowd[ranked]
        self.rows, first = np.unique(self.member, return_index=True)
        self.start = dict(zip(self.rows.tolist(), first.tolist(), strict=True))
        self.kept: list[list[int]] = [[] for _ in range(len(sizes))]

    def of(self, row: int) -> list[int]:
        index = self.start.get(row)
        if index is None:
            return []
        end = int(np.searchsorted(self.member, row, side="right"))
        return self.crowd[index:end].tolist()
