"""One document per id: of the documents that share an id (versions of an article), the newest stays.

    >>> ids = pa.array(["pmc:PMC1", "pmc:PMC2", "pmc:PMC1", "pmc:PMC1"])
    >>> versions = np.array([1, -1, 2, -1])        # -1: no version known
    >>> resolve_versions(ids, versions)
    (array([0, 3]), array([2, 2]))                  # rows 0 and 3 removed, row 2 (version 2) kept for both

The same article reaches a build more than once: a bulk baseline and a later incremental package, Cloud Service
folders `PMC123.1/` and `PMC123.2/` read without a file list, a publisher's XML and PMC's. Of each group of
equal ids the highest version stays; where versions tie or are unknown, the later input (build order: inputs as
given, files sorted within each). A known version beats an unknown one. This runs before exact dedup, whose
"longest wins" would otherwise keep an older, longer version; and it leaves every id once, so the shards never
hold two rows with one id.

`drop_old_versions` applies it in the finalizer: it reads the staged `meta.version` column, marks the rows to
drop, and writes each removal to duplicates.jsonl as kind "version", with both ids, versions and origins.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from medc.dedup.collect import StagedKeys

_NO_VERSION = -1


def resolve_versions(ids: pa.Array | pa.ChunkedArray, versions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(removed rows, the kept row of each): in every group of equal ids, all rows but the one with the highest
    (version, row) go; `versions[i]` is -1 where row i has none."""
    if len(versions) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    codes = _codes(ids)
    rows = np.arange(len(codes))
    order = np.lexsort((rows, versions, codes))  # by id, then version, then row: the kept row ends each group
    sorted_codes = codes[order]
    last_of_group = np.ones(len(order), dtype=bool)
    last_of_group[:-1] = sorted_codes[1:] != sorted_codes[:-1]
    group_end = np.flatnonzero(last_of_group)
    # For each sorted position, the end of its group: the first group end at or after it.
    owner = group_end[np.searchsorted(group_end, np.arange(len(order)))]
    removed_at = np.flatnonzero(~last_of_group)
    removed, kept = order[removed_at], order[owner[removed_at]]
    back = np.argsort(removed, kind="stable")  # in build order
    return removed[back], kept[back]


def drop_old_versions(staged: Any, keys: StagedKeys, keep: np.ndarray, output: Any) -> int:
    """Mark in `keep` the rows an article's newer version (or later copy) supersedes, report them to `output`
    under kind "version", and return how many; raise if an id would still be written twice."""
    versions = _staged_versions(staged, keys)
    removed, kept = resolve_versions(keys.ids, versions)
    keep[removed] = False
    if len(removed):
        origins = _origins(staged, keys, np.union1d(removed, kept))
        ids = keys.ids.take(pa.array(removed)).to_pylist()
        output.add_duplicates(
            "version",
            [
                {
                    "kept": doc_id,
                    "removed": doc_id,
                    "kept_version": _version(versions[k]),
                    "removed_version": _version(versions[r]),
                    "kept_origin": origins[int(k)],
                    "removed_origin": origins[int(r)],
                }
                for doc_id, r, k in zip(ids, removed, kept, strict=True)
            ],
        )
    left = _codes(keys.ids)[keep]
    if len(np.unique(left)) != len(left):
        raise RuntimeError("version resolution left an id twice; refusing to write duplicate ids")
    return len(removed)


def _codes(ids: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An integer per row, equal for equal ids."""
    flat = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
    return np.asarray(pc.dictionary_encode(flat).indices.to_numpy(zero_copy_only=False), dtype=np.int64)


def _staged_versions(staged: Any, keys: StagedKeys) -> np.ndarray:
    """`meta.version` of every staged row in build order (-1 where a config or a row has none)."""
    parts = []
    for name in keys.configs:
        schema = staged.schema(name)
        meta = schema.field("meta").type if "meta" in schema.names else None
        has_version = meta is not None and pa.types.is_struct(meta) and meta.get_field_index("version") >= 0
        for batch in staged.iter_batches(name, columns=["meta"] if has_version else ["id"]):
            if has_version:
                column = pc.struct_field(batch.column("meta"), "version")
                parts.append(pc.fill_null(column, _NO_VERSION).to_numpy(zero_copy_only=False).astype(np.int64))
            else:
                parts.append(np.full(batch.num_rows, _NO_VERSION, dtype=np.int64))
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def _origins(staged: Any, keys: StagedKeys, rows: np.ndarray) -> dict[int, str]:
    """The origins of `rows` (sorted row numbers in build order), read back from the staged parts."""
    found: dict[int, str] = {}
    row = 0
    for name in keys.configs:
        for batch in staged.iter_batches(name, columns=["origin"]):
            lo, hi = np.searchsorted(rows, [row, row + batch.num_rows])
            if hi > lo:
                wanted = rows[lo:hi]
                values = batch.column("origin").take(pa.array(wanted - row)).to_pylist()
                found.update(zip((int(r) for r in wanted), values, strict=True))
            row += batch.num_rows
    return found


def _version(value: np.integer) -> int | None:
    return None if value == _NO_VERSION else int(value)
