"""Settings of MedC-K deduplication (`[dedup]` in a build's TOML, `--set dedup.threshold=0.85`)."""

from __future__ import annotations

from dataclasses import dataclass

from medc.records import BOOKS, PAPERS

_STORAGES = ("memory", "redis")


@dataclass(frozen=True)
class DedupConfig:
    """How duplicates are found and which copy is kept.

    Keep policy, the same whatever the input order or worker count: of two duplicates the one kept is the
    longer text (more characters: the fuller version), then the one whose source comes first in
    `source_priority`, then the smaller id, then the one built first."""

    exact: bool = True  # drop texts identical after cleaning (xxh3-128 of the text)
    near: bool = True  # drop texts whose word n-gram sets are similar (MinHash LSH)
    ngram: int = 5  # words per shingle
    num_perm: int = 128  # MinHash permutations (signature length)
    seed: int = 1  # of the permutations (datasketch's default)
    threshold: float = 0.8  # estimated Jaccard similarity from which two texts are near duplicates
    source_priority: tuple[str, ...] = (PAPERS, BOOKS)
    # Weight of a missed pair against a spurious candidate when datasketch picks bands x rows for `threshold`.
    # Candidates are verified on their signatures, so spurious ones only cost a comparison: 0.95 gives 16 bands
    # of 8 rows at 0.8, which finds 99% of pairs at Jaccard 0.85 (its balanced 0.5 gives 9 x 13 and 69%).
    lsh_recall_weight: float = 0.95
    lsh_storage: str = "memory"  # or "redis": the LSH index lives in a Redis server (pip install redis)
    redis_host: str = "localhost"
    redis_port: int = 6379
    redis_db: int = 0

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold is a Jaccard similarity in (0, 1], got {self.threshold}")
        if self.ngram < 1 or self.num_perm < 16:
            raise ValueError(f"need ngram >= 1 and num_perm >= 16, got ngram={self.ngram}, num_perm={self.num_perm}")
        if not 0.5 <= self.lsh_recall_weight < 1.0:
            raise ValueError(f"lsh_recall_weight must be in [0.5, 1), got {self.lsh_recall_weight}")
        if self.lsh_storage not in _STORAGES:
            raise ValueError(f"lsh_storage must be one of {list(_STORAGES)}, got {self.lsh_storage!r}")
