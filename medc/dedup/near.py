"""Near duplicates: MinHash signatures in a datasketch `MinHashLSH` index, kept or dropped greedily by rank.

    >>> found = near_duplicates(signatures, order=np.argsort(rank), config=DedupConfig(threshold=0.8))
    >>> found.removed, found.kept, found.similarity
    (array([5]), array([2]), array([0.86]))

Documents are visited from the most to the least preferred (`order`, see `DedupConfig` for the keep policy).
Each is looked up among the documents kept so far; when the LSH returns a candidate whose estimated Jaccard
similarity (share of equal signature slots) reaches `threshold`, the document is removed as a duplicate of
the most similar one; otherwise it is kept and inserted. Candidates are always verified on signatures, so LSH
false positives cost time, never documents. Removed documents are never inserted, so every removed document is
similar to a kept one (no chains A~B~C that remove C for resembling a removed B), and the result does not
depend on the order the documents were built in.

The index holds only the kept documents' band hashes, 8 bytes each (xxh64 of the band), in buckets that hold a
lone document without a container: about 1.6 kB per kept document with the defaults (datasketch's own dict
storage takes about 4.5 kB). For corpora beyond one machine's memory set `lsh_storage = "redis"` (and
`redis_host`, `redis_port`, `redis_db`): datasketch then keeps the buckets in that Redis server (`pip install
redis`; e.g. `docker run -p 6379:6379 redis`) under a key prefix unique to the run, deleted at the end. Redis
answers each lookup over the network, so expect that to be several times slower than memory.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
import xxhash

from medc.dedup.config import DedupConfig
from medc.dedup.minhash import as_lean_minhash

log = logging.getLogger(__name__)
_LOG_EVERY = 100_000


@dataclass
class NearDuplicates:
    removed: np.ndarray  # row numbers of removed documents, in visiting order
    kept: np.ndarray  # the kept document each was found similar to
    similarity: np.ndarray  # estimated Jaccard similarity of the pair
    bands: int = 0
    rows_per_band: int = 0


def near_duplicates(signatures: np.ndarray, order: np.ndarray, config: DedupConfig) -> NearDuplicates:
    """Visit `order` (row numbers of `signatures`, most preferred first) and split it into kept and removed."""
    lsh, cleanup = _make_lsh(config)
    removed: list[int] = []
    kept: list[int] = []
    similarity: list[float] = []
    try:
        for done, row in enumerate(order.tolist(), start=1):
            if done % _LOG_EVERY == 0:
                log.info("near duplicates: %d of %d documents looked up, %d removed", done, len(order), len(removed))
            signature = signatures[row]
            minhash = as_lean_minhash(signature, config.seed)
            match = _best_match(signatures, signature, lsh.query(minhash), config.threshold)
            if match is None:
                lsh.insert(row, minhash, check_duplication=False)
            else:
                removed.append(row)
                kept.append(match[0])
                similarity.append(match[1])
    finally:
        cleanup()
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
    """The most similar candidate at or above `threshold` (ties: the smallest row, deterministic)."""
    if not candidates:
        return None
    rows = np.array(sorted(candidates), dtype=np.int64)
    similarity = np.count_nonzero(signatures[rows] == signature, axis=1) / signature.size
    best = int(np.argmax(similarity))
    if similarity[best] < threshold:
        return None
    return int(rows[best]), float(similarity[best])


def _make_lsh(config: DedupConfig):  # -> (datasketch.MinHashLSH, cleanup callable)
    from datasketch import MinHashLSH

    # 1 - w is exact for w in [0.5, 1), so the weights sum to exactly 1.0 as datasketch requires. Band keys are
    # hashed to 8 bytes (xxh64): a band collision by chance is one more candidate to verify, never a removal.
    options = {
        "threshold": config.threshold,
        "num_perm": config.num_perm,
        "weights": (1.0 - config.lsh_recall_weight, config.lsh_recall_weight),
        "hashfunc": xxhash.xxh64_digest,
    }
    if config.lsh_storage == "memory":
        lsh = MinHashLSH(**options)
        lsh.hashtables = [CompactBuckets() for _ in lsh.hashtables]
        lsh.keys = _NoKeys()
        return lsh, lambda: None
    basename = f"medc-dedup-{uuid.uuid4().hex[:12]}".encode()
    server = {"host": config.redis_host, "port": config.redis_port, "db": config.redis_db}
    lsh = MinHashLSH(**options, storage_config={"type": "redis", "basename": basename, "redis": server})
    log.info(
        "LSH index in Redis %s:%s/%s under %s*",
        config.redis_host,
        config.redis_port,
        config.redis_db,
        basename.decode(),
    )
    return lsh, lambda: _delete_prefix(server, basename)


class CompactBuckets:
    """An in-memory bucket table for `MinHashLSH.hashtables` that holds a lone key as itself and only a crowd as a
    list. Most buckets hold one document; datasketch's own dict storage gives each a `set`, about 200 bytes."""

    def __init__(self) -> None:
        self._buckets: dict[bytes, Any] = {}

    def insert(self, bucket: bytes, *keys: int, **_: Any) -> None:
        for key in keys:
            held = self._buckets.get(bucket, _EMPTY)
            if held is _EMPTY:
                self._buckets[bucket] = key
            elif type(held) is list:
                held.append(key)
            else:
                self._buckets[bucket] = [held, key]

    def get(self, bucket: bytes) -> list[int]:
        held = self._buckets.get(bucket, _EMPTY)
        return [] if held is _EMPTY else held if type(held) is list else [held]

    def size(self) -> int:
        return len(self._buckets)


class _NoKeys:
    """`MinHashLSH.keys` maps each key to its band hashes, for `remove` and `in`, which dedup never uses."""

    def insert(self, key: Any, *bands: bytes, **_: Any) -> None:
        pass

    def size(self) -> int:
        return 0


_EMPTY = object()


def _delete_prefix(server: dict, prefix: bytes) -> None:
    import redis

    client = redis.Redis(**server)
    keys = list(client.scan_iter(match=prefix + b"*", count=10_000))
    for start in range(0, len(keys), 10_000):
        client.delete(*keys[start : start + 10_000])
