"""Near-duplicate instructions: the same conversation reached MedC-I twice with small differences (ChatDoctor's
HealthCareMagic-100k and MedDialog-EN both scraped healthcaremagic.com; one collapses whitespace, the other
keeps the site's greeting).

    >>> finder = NearDuplicates(threshold=0.8)
    >>> finder.add(0, "Hi doctor, I have a dry cough since I started ramipril ... ACE inhibitors cause it ...")
    >>> finder.add(1, "hi doctor i have a dry cough since i started ramipril ... ACE inhibitors cause it ...")
    >>> finder.duplicates
    {1: (0, 0.97)}

Each record is the user turn plus the answer; its MinHash signature (word 5-grams, `num_perm` permutations,
`medc.dedup.minhash.MinHasher`) goes into LSH bands of `rows` values. Records are added in build order: a
record whose estimated Jaccard similarity with an earlier kept record reaches `threshold` is a duplicate of it;
otherwise it is kept and indexed. The first of a cluster is kept, as for exact duplicates. Memory: one signature
(4 bytes per permutation) per kept record of the config being finalized.
"""

from __future__ import annotations

import numpy as np

from medc.dedup.minhash import MinHasher

_MIX = np.uint64(0x9E3779B97F4A7C15)
MAX_BUCKET = 64  # kept records remembered per band value; more say the band is boilerplate, not evidence


class NearDuplicates:
    def __init__(self, threshold: float = 0.8, num_perm: int = 64, rows: int = 4, ngram: int = 5) -> None:
        if not 0.0 < threshold <= 1.0 or num_perm % rows:
            raise ValueError(f"threshold={threshold} must be in (0, 1] and num_perm={num_perm} a multiple of {rows}")
        self.threshold, self.rows = threshold, rows
        self.hasher = MinHasher(ngram=ngram, num_perm=num_perm, seed=7)
        self.buckets: dict[int, list[int]] = {}
        self.signatures: dict[int, np.ndarray] = {}
        self.duplicates: dict[int, tuple[int, float]] = {}  # removed row → (kept row, estimated similarity)

    def add(self, row: int, text: str) -> None:
        signature = self.hasher.signature(text)
        keys = self._band_keys(signature)
        best, best_value = -1, 0.0
        candidates = {kept for key in keys for kept in self.buckets.get(key, ())}
        for kept in sorted(candidates):
            value = float(np.count_nonzero(self.signatures[kept] == signature)) / len(signature)
            if value > best_value:
                best, best_value = kept, value
        if best >= 0 and best_value >= self.threshold:
            self.duplicates[row] = (best, round(best_value, 4))
            return
        self.signatures[row] = signature
        for key in keys:
            bucket = self.buckets.setdefault(key, [])
            if len(bucket) < MAX_BUCKET:
                bucket.append(row)

    def _band_keys(self, signature: np.ndarray) -> list[int]:
        bands = signature.astype(np.uint64).reshape(-1, self.rows)
        keys = np.arange(len(bands), dtype=np.uint64)
        for j in range(self.rows):
            keys = (keys * _MIX) ^ bands[:, j]
        return keys.tolist()
