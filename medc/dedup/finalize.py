"""The MedC-K finalizer: remove exact and near duplicates across papers and books, then write the shards.

    >>> run_build(out, sources, kind="medc-k", ..., finalizer=DedupFinalizer(DedupConfig(threshold=0.8)))
    # out/duplicates.jsonl
    {"kind": "version", "kept": "pmc:PMC100", "removed": "pmc:PMC100", "kept_version": 2, "removed_version": 1,
     "kept_origin": "mirror/PMC100.2/PMC100.2.xml", "removed_origin": "mirror/PMC100.1/PMC100.1.xml"}
    {"kind": "exact", "kept": "pmc:PMC100", "kept_origin": "oa/PMC100.xml", "removed": "pmc:PMC200",
     "removed_origin": "oa/PMC200.xml", "similarity": 1.0}
    {"kind": "near", "kept": "pmc:PMC100", ..., "removed": "book:3f2a...:4", ..., "similarity": 0.867}

Stages; every one that touches rows is a map over the executor (in-process, local pool or Ray):
1. Collect (`collect.py`): per staged part, id, origin, length, text hash, signature, size and LSH band entries.
2. Rank every document by the keep policy of `DedupConfig` (longest, source priority, id, build order).
3. Versions: of the documents sharing an id, the newest stays (`versions.py`); then no id is written twice.
4. Exact: of each group of equal text hashes the best-ranked stays (`exact.py`, hash-partitioned).
5. Near: buckets per partition, pairs verified in tasks, kept or removed greedily by rank (`near.py`).
6. Write: shard cuts planned from the kept rows' sizes, one task per shard (`medc.finalize.write`).
   (Paragraphs a book repeats across its chapters are dropped by the books builder itself.)

Each removal is a line of `duplicates.jsonl` naming both records and their inputs; counts go to `manifest.json`
under `extra.dedup`. Every decision depends on ranks, never on the order tasks finished, so the same inputs give
the same bytes whatever the executor and its worker count.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import pyarrow as pa

from medc.dedup.collect import StagedKeys, collect_keys
from medc.dedup.config import DedupConfig
from medc.dedup.exact import exact_duplicates_partitioned
from medc.dedup.near import near_duplicates_of_entries
from medc.dedup.versions import drop_old_versions
from medc.executors import Executor
from medc.finalize.write import public_schema, write_split

log = logging.getLogger(__name__)
_REPORT_SLICE = 100_000


class DedupFinalizer:
    """`finalizer(staged, output, executor)` for `medc.build.run_build`. Picklable; holds only its settings.

    `partitions` (of the hash shuffles) defaults to four per worker; it changes how work is split, never the
    result."""

    def __init__(self, config: DedupConfig | None = None, partitions: int | None = None) -> None:
        self.config = config or DedupConfig()
        self.partitions = partitions

    def __call__(self, staged: Any, output: Any, executor: Executor) -> None:
        start = time.perf_counter()
        partitions = self.partitions or max(4, 4 * executor.workers)
        keys = collect_keys(staged, self.config, executor, partitions if self.config.near else 0)
        alive = np.ones(len(keys), dtype=bool)
        rank = keys.rank(self.config.source_priority)
        report: dict[str, Any] = {"documents": len(keys), "recomputed_keys": keys.recomputed}
        report["version_removed"] = drop_old_versions(keys, alive, output)  # one row per id, the newest
        if self.config.exact:
            removed, kept = exact_duplicates_partitioned(keys.hashes, rank, alive, executor, partitions)
            alive[removed] = False
            _report_pairs(output, "exact", keys, removed, kept, np.ones(len(removed)))
            report["exact_removed"] = len(removed)
        if self.config.near:
            report.update(self._near(keys, rank, alive, output, executor))
        keys.signatures = np.empty((0, self.config.num_perm), dtype=np.uint32)  # not needed any more
        report["kept"] = int(alive.sum())
        report["by_config"] = _write(staged, output, executor, keys, alive)
        report["seconds"] = round(time.perf_counter() - start, 3)
        output.extra["dedup"] = report
        log.info("dedup: kept %d of %d documents", report["kept"], len(keys))

    def _near(
        self, keys: StagedKeys, rank: np.ndarray, alive: np.ndarray, output: Any, executor: Executor
    ) -> dict[str, Any]:
        candidates = np.flatnonzero(alive)
        order = candidates[np.argsort(rank[candidates], kind="stable")]
        found = near_duplicates_of_entries(keys.signatures, order, keys.partitions, self.config, executor)
        keys.partitions = []
        alive[found.removed] = False
        _report_pairs(output, "near", keys, found.removed, found.kept, found.similarity)
        return {"near_removed": len(found.removed), "lsh_bands": found.bands, "lsh_rows_per_band": found.rows_per_band}


def _write(staged: Any, output: Any, executor: Executor, keys: StagedKeys, alive: np.ndarray) -> dict[str, Any]:
    """Each config's kept rows to its `train` split, shards written in parallel."""
    by_config: dict[str, dict[str, int]] = {}
    for name in keys.configs:
        schema = public_schema(staged.schema(name))
        spans = [(path, first, rows) for config, path, first, rows in keys.parts if config == name]
        parts = [(path, alive[first : first + rows]) for path, first, rows in spans]
        chosen = np.concatenate([np.arange(f, f + n) for _, f, n in spans]) if spans else np.empty(0, np.int64)
        chosen = chosen[alive[chosen]]
        write_split(output, executor, name, "train", schema, parts, keys.sizes[chosen])
        documents = sum(rows for _, _, rows in spans)
        by_config[name] = {"documents": documents, "kept": len(chosen)}
    return by_config


def _report_pairs(
    output: Any, kind: str, keys: StagedKeys, removed: np.ndarray, kept: np.ndarray, similarity: np.ndarray
) -> None:
    """One duplicates.jsonl line per removed document, in build order (in slices, to bound memory)."""
    order = np.argsort(removed, kind="stable")
    for start in range(0, len(order), _REPORT_SLICE):
        part = order[start : start + _REPORT_SLICE]
        columns = [
            column.take(pa.array(rows[part])).to_pylist()
            for rows in (kept, removed)
            for column in (keys.ids, keys.origins)
        ]
        names = ("kept", "kept_origin", "removed", "removed_origin")
        rows = [
            {**dict(zip(names, values, strict=True)), "similarity": round(float(s), 4)}
            for *values, s in zip(*columns, similarity[part], strict=True)
        ]
        output.add_duplicates(kind, rows)
