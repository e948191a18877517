"""Read the dedup keys of every staged document (never the texts, unless a key must be recomputed).

    >>> keys = collect_keys(staged, DedupConfig())
    >>> keys.configs, len(keys), keys.signatures.shape, keys.recomputed
    (['papers', 'books'], 1830, (1830, 128), 0)

Rows are numbered in build order across configs (all of `papers`, then all of `books`). What stays in memory
per document: its id, length, config, 16-byte text hash and `num_perm` × 4-byte signature.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from medc.dedup.config import DedupConfig
from medc.dedup.exact import hashes_to_array
from medc.dedup.keys import dedup_keys, minhasher

log = logging.getLogger(__name__)


@dataclass
class StagedKeys:
    configs: list[str]
    config_index: np.ndarray  # (n,) index into `configs`
    ids: pa.ChunkedArray
    chars: np.ndarray  # (n,) int64
    hashes: np.ndarray  # (n, 2) uint64
    signatures: np.ndarray  # (n, num_perm) uint32
    recomputed: int = 0
    starts: dict[str, int] = field(default_factory=dict)  # first row of each config

    def __len__(self) -> int:
        return len(self.chars)

    def rank(self, source_priority: tuple[str, ...]) -> np.ndarray:
        """Each row's place in the keep policy (0 = kept first): longest, then source priority, then id,
        then build order."""
        priority = np.array(
            [source_priority.index(c) if c in source_priority else len(source_priority) for c in self.configs],
            dtype=np.int64,
        )
        table = pa.table(
            {"chars": self.chars, "priority": priority[self.config_index], "id": self.ids, "row": np.arange(len(self))}
        )
        order = pc.sort_indices(
            table,
            sort_keys=[("chars", "descending"), ("priority", "ascending"), ("id", "ascending"), ("row", "ascending")],
        )
        rank = np.empty(len(self), dtype=np.int64)
        rank[order.to_numpy()] = np.arange(len(self))
        return rank


def collect_keys(staged: Any, config: DedupConfig) -> StagedKeys:
    """The keys of all staged documents of every config, in build order."""
    hasher = minhasher(config.ngram, config.num_perm, config.seed)
    configs = list(staged.configs())
    parts: dict[str, list[Any]] = {"config": [], "ids": [], "chars": [], "hashes": [], "signatures": []}
    recomputed, starts, row = 0, {}, 0
    for index, name in enumerate(configs):
        starts[name] = row
        missing: list[int] = []  # rows of this config whose keys must be computed from the text
        for batch in staged.iter_batches(name, columns=_key_columns(staged.schema(name))):
            ids, chars, hashes, signatures, todo = _read_batch(batch, hasher)
            missing += [row + i for i in todo]
            for key, value in (
                ("config", np.full(len(ids), index, dtype=np.int16)),
                ("ids", ids),
                ("chars", chars),
                ("hashes", hashes),
                ("signatures", signatures),
            ):
                parts[key].append(value)
            row += len(ids)
        if missing:
            recomputed += len(missing)
            _recompute(staged, name, starts[name], set(missing), parts, config)
    keys = StagedKeys(
        configs,
        _concat(parts["config"], np.int16),
        pa.chunked_array(parts["ids"], pa.string()),
        _concat(parts["chars"], np.int64),
        _concat(parts["hashes"], np.uint64, (0, 2)),
        _concat(parts["signatures"], np.uint32, (0, config.num_perm)),
        recomputed,
        starts,
    )
    if recomputed:
        log.warning(
            "computed dedup keys of %d staged documents from their text (staged without keys, or "
            "with other shingling settings: pass the dedup config to DocumentSteps to avoid this)",
            recomputed,
        )
    return keys


def _key_columns(schema: pa.Schema) -> list[str]:
    return [name for name in ("id", "quality", "_text_hash", "_minhash") if name in schema.names]


def _read_batch(batch: pa.RecordBatch, hasher: Any) -> tuple[pa.Array, np.ndarray, np.ndarray, np.ndarray, list[int]]:
    n = batch.num_rows
    names = batch.schema.names
    chars = np.zeros(n, dtype=np.int64)
    if "quality" in names:
        chars = pc.fill_null(pc.struct_field(batch.column("quality"), "chars"), 0).to_numpy().astype(np.int64)
    digests = batch.column("_text_hash").to_pylist() if "_text_hash" in names else [None] * n
    blobs = batch.column("_minhash").to_pylist() if "_minhash" in names else [None] * n
    signatures = np.zeros((n, hasher.num_perm), dtype=np.uint32)
    todo = []
    for i, (digest, blob) in enumerate(zip(digests, blobs, strict=True)):
        signature = hasher.from_bytes(blob)
        if signature is None or digest is None or len(digest) != 16:
            todo.append(i)
        else:
            signatures[i] = signature
    return batch.column("id"), chars, hashes_to_array(digests), signatures, todo


def _recompute(
    staged: Any, name: str, start: int, missing: set[int], parts: dict[str, list[Any]], config: DedupConfig
) -> None:
    """Fill in the keys of rows `missing` from a second read of the config's texts."""
    hasher = minhasher(config.ngram, config.num_perm, config.seed)
    where = _locator(parts)
    row = start
    for batch in staged.iter_batches(name, columns=["text"]):
        for offset, text in enumerate(batch.column("text").to_pylist()):
            if row + offset in missing:
                digest, blob = dedup_keys(text or "", config)
                chunk, i = where(row + offset)
                parts["chars"][chunk][i] = len(text or "")
                parts["hashes"][chunk][i] = hashes_to_array([digest])[0]
                parts["signatures"][chunk][i] = hasher.from_bytes(blob)
        row += batch.num_rows


def _locator(parts: dict[str, list[Any]]):
    """Maps a row number to (chunk index, row in chunk) of the collected parts."""
    bounds = np.cumsum([0] + [len(c) for c in parts["chars"]])

    def where(row: int) -> tuple[int, int]:
        chunk = int(np.searchsorted(bounds, row, side="right")) - 1
        return chunk, row - int(bounds[chunk])

    return where


def _concat(chunks: list[np.ndarray], dtype: type, empty_shape: tuple[int, ...] = (0,)) -> np.ndarray:
    return np.concatenate(chunks).astype(dtype, copy=False) if chunks else np.empty(empty_shape, dtype=dtype)
