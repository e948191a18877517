"""Read the dedup keys of every staged document, one task per staged part, and bring them together in build order.

    >>> keys = collect_keys(staged, DedupConfig(), executor, partitions=8)
    >>> keys.configs, len(keys), keys.signatures.shape, keys.recomputed
    (['papers', 'books'], 1830, (1830, 128), 0)

Each task (`read_part_keys`, in a worker) reads one part and returns what the decisions need, never the texts:
id, origin, length, 16-byte text hash, signature, the row's size in a shard (`medc.shards.row_bytes`), and the
row's LSH band entries (xxh64 of each band, computed here in the worker); the coordinator splits the entries into
hash partitions a block of parts at a time. A key made with other shingling settings (or missing) is computed from
the text in the same task. Rows are numbered in build order across configs (all of `papers`, then `books`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from medc.dedup.bands import ENTRY, band_entries, band_keys, lsh_shape, split_by_partition
from medc.dedup.config import DedupConfig
from medc.dedup.exact import hashes_to_array
from medc.dedup.keys import dedup_keys, minhasher
from medc.executors import Executor
from medc.finalize.parts import read_part
from medc.shards import row_bytes

log = logging.getLogger(__name__)
_SHUFFLE_BLOCK = 1 << 20  # band entries split into partitions at once (14 MB)


@dataclass(frozen=True)
class KeyJob:
    path: str | Path
    public: list[str]  # the columns a shard gets, for the row's size
    config: DedupConfig
    bands: bool  # compute the LSH band entries (near dedup is on)


@dataclass
class PartKeys:
    ids: pa.Array
    origins: pa.Array
    chars: np.ndarray  # (n,) int64
    sizes: np.ndarray  # (n,) int64, row_bytes of the public columns
    hashes: np.ndarray  # (n, 2) uint64
    signatures: np.ndarray  # (n, num_perm) uint32
    entries: np.ndarray  # ENTRY, rows numbered within the part
    versions: np.ndarray  # (n,) int64, `meta.version` (PMC article versions), NO_VERSION where none
    recomputed: int = 0


def read_part_keys(job: KeyJob) -> PartKeys:
    """Worker side: the keys of one staged part."""
    table = read_part(job.path)
    n, names = table.num_rows, table.schema.names
    hasher = minhasher(job.config.ngram, job.config.num_perm, job.config.seed)
    chars = np.zeros(n, dtype=np.int64)
    if "quality" in names:
        chars = pc.fill_null(pc.struct_field(table.column("quality"), "chars"), 0).to_numpy().astype(np.int64)
    digests = table.column("_text_hash").to_pylist() if "_text_hash" in names else [None] * n
    blobs = table.column("_minhash").to_pylist() if "_minhash" in names else [None] * n
    signatures = np.zeros((n, job.config.num_perm), dtype=np.uint32)
    texts = None
    recomputed = 0
    for i, (digest, blob) in enumerate(zip(digests, blobs, strict=True)):
        signature = hasher.from_bytes(blob)
        if signature is None or digest is None or len(digest) != 16:
            texts = texts if texts is not None else table.column("text")
            text = texts[i].as_py() or ""
            digests[i], blob = dedup_keys(text, job.config)
            signature, chars[i], recomputed = hasher.from_bytes(blob), len(text), recomputed + 1
        signatures[i] = signature
    entries = band_entries(band_keys(signatures, *lsh_shape(job.config))) if job.bands else np.empty(0, ENTRY)
    origins = table.column("origin") if "origin" in names else pa.chunked_array([pa.nulls(n, pa.string())])
    return PartKeys(
        _one_chunk(table.column("id")),
        _one_chunk(origins),
        chars,
        row_bytes(table.select(job.public)),
        hashes_to_array(digests),
        signatures,
        entries,
        _versions(table),
        recomputed,
    )


NO_VERSION = -1


def _versions(table: pa.Table) -> np.ndarray:
    meta = table.schema.field("meta").type if "meta" in table.schema.names else None
    if meta is None or not pa.types.is_struct(meta) or meta.get_field_index("version") < 0:
        return np.full(table.num_rows, NO_VERSION, dtype=np.int64)
    column = pc.fill_null(pc.struct_field(table.column("meta"), "version"), NO_VERSION)
    return column.to_numpy().astype(np.int64)


@dataclass
class StagedKeys:
    configs: list[str]
    config_index: np.ndarray  # (n,) index into `configs`
    ids: pa.Array
    origins: pa.Array
    chars: np.ndarray  # (n,) int64
    sizes: np.ndarray  # (n,) int64
    hashes: np.ndarray  # (n, 2) uint64
    signatures: np.ndarray  # (n, num_perm) uint32
    versions: np.ndarray  # (n,) int64
    parts: list[tuple[str, str | Path, int, int]] = field(default_factory=list)  # config, path, first row, rows
    partitions: list[list[np.ndarray]] = field(default_factory=list)  # band entries (global rows) per partition
    recomputed: int = 0

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


def collect_keys(staged: Any, config: DedupConfig, executor: Executor, partitions: int = 0) -> StagedKeys:
    """The keys of all staged documents of every config, in build order; with `partitions`, also the LSH band
    entries of every row, split into that many partitions."""
    configs = list(staged.configs())
    jobs, owners = [], []
    for index, name in enumerate(configs):
        public = [f.name for f in staged.schema(name) if not f.name.startswith("_")]
        for path in staged.parts(name):
            jobs.append(KeyJob(path, public, config, partitions > 0))
            owners.append(index)
    keys = _Gather(configs, partitions)
    for job, owner, part in zip(jobs, owners, executor.map(read_part_keys, jobs), strict=True):
        keys.add(configs[owner], owner, job.path, part)
    result = keys.result(config.num_perm)
    if result.recomputed:
        log.warning(
            "computed dedup keys of %d staged documents from their text (staged without keys, or "
            "with other shingling settings: pass the dedup config to DocumentSteps to avoid this)",
            result.recomputed,
        )
    return result


class _Gather:
    """Concatenates part keys as they arrive (in build order), and shuffles band entries into partitions in
    blocks of about `_SHUFFLE_BLOCK` (one vectorized split per block, not one per part and partition)."""

    def __init__(self, configs: list[str], partitions: int) -> None:
        self.configs = configs
        self.columns: dict[str, list[Any]] = {k: [] for k in ("config", "ids", "origins", "chars", "sizes")}
        self.columns.update(hashes=[], signatures=[], versions=[])
        self.parts: list[tuple[str, str | Path, int, int]] = []
        self.partitions: list[list[np.ndarray]] = [[] for _ in range(partitions)]
        self.waiting: list[np.ndarray] = []
        self.rows = self.recomputed = self.waiting_entries = 0

    def add(self, config: str, owner: int, path: str | Path, part: PartKeys) -> None:
        n = len(part.chars)
        if self.rows + n >= 1 << 32:
            raise ValueError("dedup holds row numbers as uint32: more than 4,294,967,295 documents")
        if len(part.entries):
            entries = part.entries.copy()  # a task's result may be read-only (Ray hands out zero-copy arrays)
            entries["row"] += np.uint32(self.rows)
            self.waiting.append(entries)
            self.waiting_entries += len(part.entries)
            if self.waiting_entries >= _SHUFFLE_BLOCK:
                self.shuffle()
        values = (np.full(n, owner, dtype=np.int16), part.ids, part.origins, part.chars, part.sizes)
        for key, value in zip(("config", "ids", "origins", "chars", "sizes"), values, strict=True):
            self.columns[key].append(value)
        self.columns["hashes"].append(part.hashes)
        self.columns["signatures"].append(part.signatures)
        self.columns["versions"].append(part.versions)
        self.parts.append((config, path, self.rows, n))
        self.rows += n
        self.recomputed += part.recomputed

    def shuffle(self) -> None:
        if self.waiting:
            groups = split_by_partition(np.concatenate(self.waiting), len(self.partitions))
            for bucket, entries in zip(self.partitions, groups, strict=True):
                if len(entries):
                    bucket.append(entries)
        self.waiting, self.waiting_entries = [], 0

    def result(self, num_perm: int) -> StagedKeys:
        self.shuffle()
        c = self.columns
        return StagedKeys(
            self.configs,
            _concat(c["config"], np.int16),
            _one_array(c["ids"]),
            _one_array(c["origins"]),
            _concat(c["chars"], np.int64),
            _concat(c["sizes"], np.int64),
            _concat(c["hashes"], np.uint64, (0, 2)),
            _concat(c["signatures"], np.uint32, (0, num_perm)),
            _concat(c["versions"], np.int64),
            self.parts,
            self.partitions,
            self.recomputed,
        )


def _one_array(chunks: list[pa.Array]) -> pa.Array:
    return pa.concat_arrays(chunks) if chunks else pa.array([], pa.string())


def _one_chunk(column: pa.ChunkedArray) -> pa.Array:
    return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)


def _concat(chunks: list[np.ndarray], dtype: type, empty_shape: tuple[int, ...] = (0,)) -> np.ndarray:
    return np.concatenate(chunks).astype(dtype, copy=False) if chunks else np.empty(empty_shape, dtype=dtype)
