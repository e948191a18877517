"""LSH bands of MinHash signatures: how many bands of how many rows, each band's bucket key, and the partition
each (band, key) goes to.

    >>> lsh_shape(DedupConfig())                    # threshold 0.8, recall weight 0.95, 128 permutations
    (16, 8)
    >>> band_keys(signatures, bands=16, rows=8).shape
    (1000, 16)

`lsh_params` picks bands × rows exactly as datasketch's `MinHashLSH` does (minimise the weighted false positive
and false negative areas under the S-curve), but without scipy: both integrands are polynomials of degree
`bands * rows <= num_perm`, which Gauss-Legendre quadrature with `num_perm // 2 + 1` nodes integrates exactly.
Importing `datasketch.lsh` costs over a second of scipy import at every build's start; this costs nothing.

A band's key is xxh64 of its values as big-endian 32-bit integers, the bytes datasketch's index hashes (with
`hashfunc=xxhash.xxh64_digest`), so two rows share a bucket here exactly when they would share one there. The
entries (key, row, band) are hash-partitioned by key, so each bucket can be found within one partition.
"""

from __future__ import annotations

import functools

import numpy as np
import xxhash

from medc.dedup.config import DedupConfig

# One bucket entry: the band's key, the row, the band. Packed: 14 bytes, 16 per document with the defaults.
ENTRY = np.dtype([("key", "<u8"), ("row", "<u4"), ("band", "<u2")])


@functools.lru_cache(maxsize=16)
def lsh_params(threshold: float, num_perm: int, false_negative_weight: float) -> tuple[int, int]:
    """(bands, rows per band) minimising `fp * (1 - w) + fn * w` for `w = false_negative_weight`; of equal
    errors the first in datasketch's loop order (bands ascending, then rows) wins."""
    bands = np.concatenate([np.full(num_perm // b, b) for b in range(1, num_perm + 1)]).astype(np.float64)
    rows = np.concatenate([np.arange(1, num_perm // b + 1) for b in range(1, num_perm + 1)]).astype(np.float64)
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 1)

    def integral(low: float, high: float, miss: bool) -> np.ndarray:
        s = low + (high - low) * (nodes + 1) / 2
        none_equal = (1 - s[None, :] ** rows[:, None]) ** bands[:, None]  # no band equal: not a candidate
        found = none_equal if miss else 1 - none_equal
        return found @ weights * (high - low) / 2

    false_positive = integral(0.0, threshold, miss=False)
    false_negative = integral(threshold, 1.0, miss=True)
    error = false_positive * (1.0 - false_negative_weight) + false_negative * false_negative_weight
    best = int(np.argmin(error))
    return int(bands[best]), int(rows[best])


def lsh_shape(config: DedupConfig) -> tuple[int, int]:
    return lsh_params(config.threshold, config.num_perm, config.lsh_recall_weight)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, bands) uint64: xxh64 of each band's values as big-endian uint32, as datasketch hashes them."""
    n = len(signatures)
    raw = memoryview(np.ascontiguousarray(signatures[:, : bands * rows], dtype=">u4").tobytes())
    step = rows * 4
    digest = xxhash.xxh64_intdigest
    keys = (digest(raw[offset : offset + step]) for offset in range(0, n * step * bands, step))
    return np.fromiter(keys, dtype=np.uint64, count=n * bands).reshape(n, bands)


def band_entries(keys: np.ndarray) -> np.ndarray:
    """Every (key, row, band) of `keys` ((n, bands) from `band_keys`; rows numbered from 0), row after row."""
    n, bands = keys.shape
    entries = np.empty(n * bands, dtype=ENTRY)
    entries["key"] = keys.ravel()
    entries["row"] = np.repeat(np.arange(n, dtype=np.uint32), bands)
    entries["band"] = np.tile(np.arange(bands, dtype=np.uint16), n)
    return entries


def split_by_partition(entries: np.ndarray, partitions: int) -> list[np.ndarray]:
    """`entries` in `partitions` groups by `key % partitions` (a bucket's entries always share a group)."""
    partition = entries["key"] % np.uint64(partitions)
    order = np.argsort(partition, kind="stable")
    bounds = np.searchsorted(partition[order], np.arange(partitions + 1))
    grouped = entries[order]
    return [grouped[bounds[p] : bounds[p + 1]] for p in range(partitions)]
