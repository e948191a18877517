"""Deduplication of MedC-K: exact (text hash) and near (MinHash LSH) duplicates across papers and books.

`DocumentSteps` (medc.filters) computes each document's keys in the build's workers; `DedupFinalizer` decides
which documents stay and writes the shards, its stages mapped over the build's executor. See `finalize.py` for
the stages and `config.py` for the settings.
"""

from medc.dedup.config import DedupConfig
from medc.dedup.finalize import DedupFinalizer
from medc.dedup.keys import dedup_keys, text_hash
from medc.dedup.minhash import MinHasher, estimate_jaccard

__all__ = ["DedupConfig", "DedupFinalizer", "MinHasher", "dedup_keys", "estimate_jaccard", "text_hash"]
