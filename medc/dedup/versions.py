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

`drop_old_versions` applies it in the finalizer to the collected keys (`meta.version` is read with the other
keys, one task per staged part), marks the rows to drop, and writes each removal to duplicates.jsonl as kind
"version", with both ids, versions and origins.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from medc.dedup.collect import NO_VERSION, StagedKeys


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


def drop_old_versions(keys: StagedKeys, keep: np.ndarray, output: Any) -> int:
    """Mark in `keep` the rows an article's newer version (or later copy) supersedes, report them to `output`
    under kind "version", and return how many; raise if an id would still be written twice."""
    versions = keys.versions
    removed, kept = resolve_versions(keys.ids, versions)
    keep[removed] = False
    if len(removed):
        ids = keys.ids.take(pa.array(removed)).to_pylist()
        removed_origins = keys.origins.take(pa.array(removed)).to_pylist()
        kept_origins = keys.origins.take(pa.array(kept)).to_pylist()
        output.add_duplicates(
            "version",
            [
                {
                    "kept": doc_id,
                    "removed": doc_id,
                    "kept_version": _version(versions[k]),
                    "removed_version": _version(versions[r]),
                    "kept_origin": kept_origin,
                    "removed_origin": removed_origin,
                }
                for doc_id, r, k, removed_origin, kept_origin in zip(
                    ids, removed, kept, removed_origins, kept_origins, strict=True
                )
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


def _version(value: np.integer) -> int | None:
    return None if value == NO_VERSION else int(value)
