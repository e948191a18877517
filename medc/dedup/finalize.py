"""The MedC-K finalizer: remove exact and near duplicates across papers and books, then write the shards.

    >>> run_build(out, sources, kind="medc-k", ..., finalizer=DedupFinalizer(DedupConfig(threshold=0.8)))
    # out/duplicates.jsonl
    {"kind": "version", "kept": "pmc:PMC100", "removed": "pmc:PMC100", "kept_version": 2, "removed_version": 1,
     "kept_origin": "mirror/PMC100.2/PMC100.2.xml", "removed_origin": "mirror/PMC100.1/PMC100.1.xml"}
    {"kind": "exact", "kept": "pmc:PMC100", "removed": "pmc:PMC200", "similarity": 1.0}
    {"kind": "near", "kept": "pmc:PMC100", "removed": "book:3f2a...:4", "similarity": 0.867}
    {"kind": "paragraph", "kept": "book:3f2a...:1", "removed": "book:3f2a...:2", "paragraphs": 1, "chars": 52}

1. Collect (`collect.py`): id, length, text hash and signature of every staged document; texts stay on disk.
2. Rank every document by the keep policy of `DedupConfig` (longest, source priority, id, build order).
3. Versions: of the documents sharing an id, the newest stays (`versions.py`); then no id is written twice.
   Exact: of each group of equal text hashes the best-ranked stays (`exact.py`).
4. Near: the remaining documents, best-ranked first, against an LSH index of those kept (`near.py`).
5. Write: stream each config's staged batches, drop removed rows (and, in books, paragraphs an earlier chapter
   of the same book has, `paragraphs.py`), write the rest to `<config>/train` without internal columns.

Each removal is a line of `duplicates.jsonl`; counts and settings go to `manifest.json` under
`extra.dedup`. Every step depends on ranks, never on the order documents arrived in, so the same inputs give
the same kept documents whatever the worker count.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import pyarrow as pa

from medc.build import public_schema
from medc.dedup.collect import StagedKeys, collect_keys
from medc.dedup.config import DedupConfig
from medc.dedup.exact import exact_duplicates
from medc.dedup.near import near_duplicates
from medc.dedup.paragraphs import BookParagraphs
from medc.dedup.versions import drop_old_versions
from medc.records import BOOKS

log = logging.getLogger(__name__)
_REPORT_SLICE = 100_000


class DedupFinalizer:
    """`finalizer(staged, output)` for `medc.build.run_build`. Picklable; holds only its config."""

    def __init__(self, config: DedupConfig | None = None) -> None:
        self.config = config or DedupConfig()

    def __call__(self, staged: Any, output: Any) -> None:
        start = time.perf_counter()
        keys = collect_keys(staged, self.config)
        keep = np.ones(len(keys), dtype=bool)
        rank = keys.rank(self.config.source_priority)
        report: dict[str, Any] = {"documents": len(keys), "recomputed_keys": keys.recomputed}
        report["version_removed"] = drop_old_versions(staged, keys, keep, output)  # one row per id, newest
        if self.config.exact:
            report["exact_removed"] = self._exact(keys, rank, keep, output)
        if self.config.near:
            report.update(self._near(keys, rank, keep, output))
        report["kept"] = int(keep.sum())
        report.update(self._write(staged, output, keys, keep))
        report["seconds"] = round(time.perf_counter() - start, 3)
        output.extra["dedup"] = report
        log.info("dedup: kept %d of %d documents", report["kept"], len(keys))

    def _exact(self, keys: StagedKeys, rank: np.ndarray, keep: np.ndarray, output: Any) -> int:
        candidates = np.flatnonzero(keep)  # what versions left (an older version must not be the one kept)
        removed, kept = exact_duplicates(keys.hashes[candidates], rank[candidates])
        removed, kept = candidates[removed], candidates[kept]
        keep[removed] = False
        _report_pairs(output, "exact", keys, removed, kept, np.ones(len(removed)))
        return len(removed)

    def _near(self, keys: StagedKeys, rank: np.ndarray, keep: np.ndarray, output: Any) -> dict[str, Any]:
        candidates = np.flatnonzero(keep)
        order = candidates[np.argsort(rank[candidates], kind="stable")]
        found = near_duplicates(keys.signatures, order, self.config)
        keep[found.removed] = False
        _report_pairs(output, "near", keys, found.removed, found.kept, found.similarity)
        return {"near_removed": len(found.removed), "lsh_bands": found.bands, "lsh_rows_per_band": found.rows_per_band}

    def _write(self, staged: Any, output: Any, keys: StagedKeys, keep: np.ndarray) -> dict[str, Any]:
        by_config: dict[str, dict[str, int]] = {}
        paragraphs = {"paragraphs_removed": 0, "paragraph_chars_removed": 0}
        for name in keys.configs:
            schema = public_schema(staged.schema(name))
            row = keys.starts[name]
            dedup_paragraphs = self.config.paragraph_dedup_books and name == BOOKS
            book = BookParagraphs(self.config.paragraph_min_chars)
            with output.shard_writer(name, "train", schema) as writer:
                for batch in staged.iter_batches(name, columns=schema.names):
                    table = pa.Table.from_batches([batch]).filter(pa.array(keep[row : row + batch.num_rows]))
                    row += batch.num_rows
                    if dedup_paragraphs and table.num_rows:
                        table = _dedup_book_paragraphs(table, schema, book, output, paragraphs)
                    writer.write(table)
            total = int((keys.config_index == keys.configs.index(name)).sum())
            by_config[name] = {
                "documents": total,
                "kept": int(keep[keys.starts[name] : keys.starts[name] + total].sum()),
            }
        return {"by_config": by_config, **(paragraphs if self.config.paragraph_dedup_books else {})}


def _dedup_book_paragraphs(
    table: pa.Table, schema: pa.Schema, book: BookParagraphs, output: Any, counts: dict[str, int]
) -> pa.Table:
    rows = table.to_pylist()
    pairs = []
    for row in rows:
        text, removed = book.dedup(row["meta"]["sha1"] or row["meta"]["file_name"], row["id"], row["text"])
        if not removed:
            continue
        row["text"] = text
        row["quality"]["chars"], row["quality"]["words"] = len(text), len(text.split())
        for first, (count, chars) in sorted(removed.items()):
            pairs.append({"kept": first, "removed": row["id"], "paragraphs": count, "chars": chars})
            counts["paragraphs_removed"] += count
            counts["paragraph_chars_removed"] += chars
    if not pairs:
        return table
    output.add_duplicates("paragraph", pairs)
    return pa.Table.from_pylist(rows, schema=schema)


def _report_pairs(
    output: Any, kind: str, keys: StagedKeys, removed: np.ndarray, kept: np.ndarray, similarity: np.ndarray
) -> None:
    """One duplicates.jsonl line per removed document, in build order (in slices, to bound memory)."""
    order = np.argsort(removed, kind="stable")
    for start in range(0, len(order), _REPORT_SLICE):
        part = order[start : start + _REPORT_SLICE]
        removed_ids = keys.ids.take(pa.array(removed[part])).to_pylist()
        kept_ids = keys.ids.take(pa.array(kept[part])).to_pylist()
        rows = [
            {"kept": k, "removed": r, "similarity": round(float(s), 4)}
            for k, r, s in zip(kept_ids, removed_ids, similarity[part], strict=True)
        ]
        output.add_duplicates(kind, rows)
