"""The former near-dedup implementation (a sequential datasketch `MinHashLSH` of the kept documents, queried best
rank first), kept only as the reference the distributed one must agree with, row for row.

    >>> found = reference_near_duplicates(signatures, order, DedupConfig())
    >>> found.removed, found.kept, found.similarity, (found.bands, found.rows_per_band)
    (array([5]), array([2]), array([0.86]), (16, 8))
"""

from __future__ import annotations

import numpy as np
import xxhash

from medc.dedup.config import DedupConfig
from medc.dedup.greedy import NearDuplicates
from medc.dedup.minhash import as_lean_minhash


def reference_near_duplicates(signatures: np.ndarray, order: np.ndarray, config: DedupConfig) -> NearDuplicates:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(
        threshold=config.threshold,
        num_perm=config.num_perm,
        weights=(1.0 - config.lsh_recall_weight, config.lsh_recall_weight),
        hashfunc=xxhash.xxh64_digest,
    )
    removed, kept, similarity = [], [], []
    for row in order.tolist():
        signature = signatures[row]
        minhash = as_lean_minhash(signature, config.seed)
        match = _best_match(signatures, signature, lsh.query(minhash), config.threshold)
        if match is None:
            lsh.insert(row, minhash, check_duplication=False)
        else:
            removed.append(row)
            kept.append(match[0])
            similarity.append(match[1])
    return NearDuplicates(
        np.array(removed, dtype=np.int64),
        np.array(kept, dtype=np.int64),
        np.array(similarity, dtype=np.float64),
        lsh.b,
        lsh.r,
    )


def _best_match(
    signatures: np.ndarray, signature: np.ndarray, candidates: list[int], threshold: float
) -> tuple[int, float] | None:
    """The most similar candidate at or above `threshold` (ties: the smallest row)."""
    if not candidates:
        return None
    rows = np.array(sorted(candidates), dtype=np.int64)
    similarity = np.count_nonzero(signatures[rows] == signature, axis=1) / signature.size
    best = int(np.argmax(similarity))
    if similarity[best] < threshold:
        return None
    return int(rows[best]), float(similarity[best])
