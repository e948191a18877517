"""Near duplicates, distributed: LSH buckets are found per partition, candidate pairs verified in tasks, and the
coordinator keeps or removes documents greedily by rank.

    >>> found = near_duplicates(signatures, order=np.argsort(rank), config=DedupConfig(threshold=0.8),
    ...                         executor=executor)
    >>> found.removed, found.kept, found.similarity
    (array([5]), array([2]), array([0.86]))

Stages (each a map over an executor, so they run in-process, in a pool or on Ray alike):
1. Band entries (`medc.dedup.bands`, computed per staged part while collecting keys) are hash-partitioned by key;
   `group_buckets` finds, per partition, the buckets (same band, same key) of at least two rows.
2. Buckets of at most `pairs_up_to` rows become candidate pairs, verified on signatures in `verify_pairs`
   (estimated Jaccard similarity, the share of equal slots, at least `threshold`).
3. `medc.dedup.greedy` visits the rows in `order` (most preferred first) and removes a row when a verified
   neighbour was kept before it, naming the most similar one (ties: the smallest row).

That is exactly what the former sequential index did (query the LSH of the documents kept so far, same bands,
same bucket keys), so the kept rows, the pairs and their similarities are the same: `tests/medc/
test_dedup_near.py` checks it against that implementation. Removed documents never remove others (no chains).

Memory stays bounded when many near-identical documents share a bucket: a bucket of more than `pairs_up_to`
rows is never expanded into its k² pairs; the coordinator checks each of its rows against the rows of the
bucket kept so far (one, for a crowd of mutual near duplicates). Per document the coordinator holds its
signature and at most `bands` entries; verified pairs are at most `bands × (pairs_up_to - 1)` per document.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from medc.dedup.bands import band_entries, band_keys, lsh_shape, split_by_partition
from medc.dedup.config import DedupConfig
from medc.dedup.greedy import NearDuplicates, resolve_greedily
from medc.executors import Executor, InProcess

log = logging.getLogger(__name__)
PAIRS_UP_TO = 32  # larger buckets are checked by the coordinator against their kept rows (see the docstring)
_VERIFY_MEMBERS = 1 << 13  # bucket rows per verification task: 4 MB of signatures in flight each
_BLOCK = 1 << 13  # pairs compared at once (8192 x 128 bytes of comparisons)


@dataclass
class Buckets:
    sizes: np.ndarray  # rows per bucket (>= 2)
    members: np.ndarray  # uint32 rows, bucket after bucket, ascending within each


def group_buckets(entries: np.ndarray) -> Buckets:
    """Worker side: the buckets of at least two rows among one partition's band entries."""
    order = np.lexsort((entries["row"], entries["key"], entries["band"]))
    band, key, rows = entries["band"][order], entries["key"][order], entries["row"][order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (band[1:] != band[:-1]) | (key[1:] != key[:-1])
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, len(order)))
    crowded = np.repeat(sizes >= 2, sizes)
    return Buckets(sizes[sizes >= 2].astype(np.uint32), rows[crowded])


@dataclass
class PairJob:
    sizes: np.ndarray  # rows per bucket
    members: np.ndarray  # index into `rows` / `signatures`, bucket after bucket
    rows: np.ndarray  # the distinct rows of these buckets
    signatures: np.ndarray  # their signatures
    threshold: float


def verify_pairs(job: PairJob) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Worker side: the pairs (row, row, equal slots) within each bucket whose estimated Jaccard similarity is
    at least the threshold."""
    starts = np.concatenate([[0], np.cumsum(job.sizes)[:-1]]).astype(np.int64)
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for size in np.unique(job.sizes).tolist():
        chosen = starts[job.sizes == size]
        grid = job.members[chosen[:, None] + np.arange(size)]  # (buckets, size)
        first, second = np.triu_indices(size, 1)
        a, b = grid[:, first].ravel(), grid[:, second].ravel()
        for low in range(0, len(a), _BLOCK):
            sa, sb = a[low : low + _BLOCK], b[low : low + _BLOCK]
            equal = np.count_nonzero(job.signatures[sa] == job.signatures[sb], axis=1)
            similar = equal / job.signatures.shape[1] >= job.threshold  # as the former index compared
            found.append((job.rows[sa[similar]], job.rows[sb[similar]], equal[similar]))
    if not found:
        return np.empty(0, np.uint32), np.empty(0, np.uint32), np.empty(0, np.int64)
    return tuple(np.concatenate(column) for column in zip(*found, strict=True))  # type: ignore[return-value]


def near_duplicates(
    signatures: np.ndarray,
    order: np.ndarray,
    config: DedupConfig,
    executor: Executor | None = None,
    partitions: int = 4,
    pairs_up_to: int = PAIRS_UP_TO,
) -> NearDuplicates:
    """Visit `order` (row numbers of `signatures`, most preferred first) and split it into kept and removed."""
    entries = band_entries(band_keys(signatures, *lsh_shape(config)))
    parted = [[chunk] for chunk in split_by_partition(entries, partitions)]
    return near_duplicates_of_entries(signatures, order, parted, config, executor or InProcess(), pairs_up_to)


def near_duplicates_of_entries(
    signatures: np.ndarray,
    order: np.ndarray,
    partitions: list[list[np.ndarray]],
    config: DedupConfig,
    executor: Executor,
    pairs_up_to: int = PAIRS_UP_TO,
) -> NearDuplicates:
    """`near_duplicates` from band entries already split into partitions (`medc.dedup.collect`); the lists in
    `partitions` are emptied as their jobs are made."""
    visiting = np.zeros(len(signatures), dtype=bool)
    visiting[order] = True
    found = list(executor.map(group_buckets, _partition_jobs(partitions, visiting)))
    sizes = np.concatenate([b.sizes for b in found]) if found else np.empty(0, np.uint32)
    members = np.concatenate([b.members for b in found]) if found else np.empty(0, np.uint32)
    small = sizes <= pairs_up_to
    in_small = np.repeat(small, sizes)
    jobs = _pair_jobs(sizes[small], members[in_small], signatures, config.threshold)
    pairs = list(executor.map(verify_pairs, jobs))
    dense_sizes, dense_members = sizes[~small], members[~in_small]
    log.info(
        "near duplicates: %d buckets of 2 to %d rows gave %d similar pairs; %d larger buckets (%d rows)",
        int(small.sum()),
        pairs_up_to,
        sum(len(p[0]) for p in pairs),
        len(dense_sizes),
        len(dense_members),
    )
    bands, rows = lsh_shape(config)
    return resolve_greedily(signatures, order, pairs, (dense_sizes, dense_members), config.threshold, bands, rows)


def _partition_jobs(partitions: list[list[np.ndarray]], visiting: np.ndarray) -> Iterator[np.ndarray]:
    """Each partition's entries of the rows to visit; a partition's chunks are let go once its job is made."""
    for index, chunks in enumerate(partitions):
        if chunks:
            entries = np.concatenate(chunks)
            partitions[index] = []
            yield entries[visiting[entries["row"]]]


def _pair_jobs(sizes: np.ndarray, members: np.ndarray, signatures: np.ndarray, threshold: float) -> Iterator[PairJob]:
    """Buckets in groups of about `_VERIFY_MEMBERS` rows, each with the signatures of its rows."""
    ends = np.cumsum(sizes, dtype=np.int64)
    first_bucket = start = 0
    while first_bucket < len(sizes):
        last = int(np.searchsorted(ends, start + _VERIFY_MEMBERS, side="left")) + 1
        last = min(max(last, first_bucket + 1), len(sizes))
        end = int(ends[last - 1])
        rows, local = np.unique(members[start:end], return_inverse=True)
        yield PairJob(sizes[first_bucket:last], local, rows, signatures[rows], threshold)
        first_bucket, start = last, end
