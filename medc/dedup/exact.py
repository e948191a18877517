"""Exact duplicates: documents whose cleaned texts have the same xxh3-128 hash; the best-ranked one stays.

    >>> hashes = np.array([[1, 7], [2, 9], [1, 7]], dtype=np.uint64)   # rows 0 and 2: the same text
    >>> rank = np.array([2, 0, 1])                                       # row 2 is preferred over row 0
    >>> exact_duplicates(hashes, rank)
    (array([0]), array([2]))                                             # row 0 removed, row 2 kept

Vectorized: one sort of all hashes, no dict of millions of keys. `exact_duplicates_partitioned` runs it on
hash partitions through an executor: equal hashes always share a partition, so the result is the same.
"""

from __future__ import annotations

import itertools

import numpy as np

from medc.executors import Executor


def hashes_to_array(digests: list[bytes | None]) -> np.ndarray:
    """16-byte digests as an (n, 2) uint64 array; a missing digest becomes a row of zeros (callers fill it)."""
    rows = np.zeros((len(digests), 2), dtype=np.uint64)
    present = [i for i, d in enumerate(digests) if d is not None and len(d) == 16]
    if present:
        joined = b"".join(digests[i] for i in present)  # type: ignore[misc]
        rows[present] = np.frombuffer(joined, dtype="<u8").reshape(-1, 2)
    return rows


def exact_duplicates(hashes: np.ndarray, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(removed rows, kept row of each): in every group of equal hashes, all but the lowest `rank` go."""
    if len(hashes) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    order = np.lexsort((rank, hashes[:, 1], hashes[:, 0]))
    sorted_hashes = hashes[order]
    same_as_previous = np.zeros(len(order), dtype=bool)
    same_as_previous[1:] = np.all(sorted_hashes[1:] == sorted_hashes[:-1], axis=1)
    group_start = np.maximum.accumulate(np.where(same_as_previous, 0, np.arange(len(order))))
    removed = order[same_as_previous]
    kept = order[group_start[same_as_previous]]
    return removed, kept


def exact_partition(job: tuple[np.ndarray, np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Worker side: `exact_duplicates` of one partition (hashes, ranks, row numbers), in row numbers."""
    hashes, rank, rows = job
    removed, kept = exact_duplicates(hashes, rank)
    return rows[removed], rows[kept]


def exact_duplicates_partitioned(
    hashes: np.ndarray, rank: np.ndarray, alive: np.ndarray, executor: Executor, partitions: int
) -> tuple[np.ndarray, np.ndarray]:
    """`exact_duplicates` among the `alive` rows, one task per hash partition; (removed, kept) sorted by the
    removed row."""
    rows = np.flatnonzero(alive)
    partition = hashes[rows, 0] % np.uint64(max(partitions, 1))
    order = np.argsort(partition, kind="stable")
    bounds = np.searchsorted(partition[order], np.arange(max(partitions, 1) + 1))
    jobs = []
    for low, high in itertools.pairwise(bounds):
        if high - low > 1:
            chosen = rows[order[low:high]]
            jobs.append((hashes[chosen], rank[chosen], chosen))
    found = list(executor.map(exact_partition, jobs))
    removed = np.concatenate([r for r, _ in found]) if found else np.empty(0, dtype=np.int64)
    kept = np.concatenate([k for _, k in found]) if found else np.empty(0, dtype=np.int64)
    order = np.argsort(removed, kind="stable")
    return removed[order], kept[order]
