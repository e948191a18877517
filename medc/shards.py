"""Write one split of one config as Parquet shards the Hub and `datasets` read as they are.

    >>> with ShardWriter(out, "papers", "train", document_schema("papers")) as w:
    ...     w.write(table)            # any number of tables or record batches
    >>> w.paths
    ['data/papers/train-00000-of-00002.parquet', 'data/papers/train-00001-of-00002.parquet']

Shards are zstd-compressed. Where rows are cut depends only on the rows, never on how they arrived: a row group
closes at `row_group_rows` rows or once its rows reach `row_group_bytes` (`row_bytes`: the Arrow bytes of each
row), and a new shard starts before a row group once the shard holds `max_shard_bytes`. So `plan_shards` can
compute the cuts up front from the rows' sizes and `write_shard` can write each shard in its own task (the
finalizers do, `medc.finalize.write`), giving files byte-identical to this sequential writer's.

Shards are written under hidden temporary names (`datasets` and the Hub skip dot-files) and renamed into place
only when complete, because the final names carry the shard count (`-of-00002`). An interrupted write leaves no
file with a final name; stale temporaries are removed by the next writer of the same split.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

DEFAULT_SHARD_BYTES = 256 << 20


@dataclass(frozen=True, slots=True)
class ShardConfig:
    """How shards are cut. Defaults follow what the Hub and its dataset viewer handle well."""

    max_shard_bytes: int = DEFAULT_SHARD_BYTES
    """Uncompressed Arrow bytes per shard before a new one starts."""
    row_group_rows: int = 1000
    """Rows per Parquet row group at most."""
    row_group_bytes: int = 64 << 20
    """Uncompressed bytes per row group at most (long documents make smaller row groups)."""
    compression: str = "zstd"

    def __post_init__(self) -> None:
        if self.max_shard_bytes < 1 << 10:
            raise ValueError(f"max_shard_bytes={self.max_shard_bytes} is too small; use at least 1024 (bytes)")
        if self.row_group_rows < 1 or self.row_group_bytes < 1:
            raise ValueError("row_group_rows and row_group_bytes must be positive")


def shard_name(split: str, index: int, total: int) -> str:
    return f"{split}-{index:05d}-of-{total:05d}.parquet"


def row_bytes(table: pa.Table | pa.RecordBatch) -> np.ndarray:
    """The Arrow bytes of each row (values plus offsets, nested columns summed): what shards are cut by."""
    sizes = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
        sizes += np.concatenate([_value_bytes(c) for c in chunks]) if chunks else 0
    return sizes


def _value_bytes(array: pa.Array) -> np.ndarray:
    kind = array.type
    if pa.types.is_struct(kind):
        return sum((_value_bytes(field) for field in array.flatten()), np.zeros(len(array), dtype=np.int64))
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        children = _value_bytes(array.flatten())
        parents = pc.list_parent_indices(array).to_numpy()
        return np.bincount(parents, weights=children, minlength=len(array)).astype(np.int64) + 4
    if kind in (pa.string(), pa.binary(), pa.large_string(), pa.large_binary()):
        lengths = pc.binary_length(array)
        lengths = pc.fill_null(lengths, 0) if lengths.null_count else lengths
        return lengths.to_numpy().astype(np.int64) + 4
    if pa.types.is_null(kind):
        return np.zeros(len(array), dtype=np.int64)
    return np.full(len(array), max(1, kind.bit_width // 8), dtype=np.int64)


def row_group_ends(sizes: np.ndarray, settings: ShardConfig) -> list[int]:
    """End offsets of the row groups of rows with `sizes`; the last group may be incomplete (see `_complete`)."""
    ends: list[int] = []
    total = np.cumsum(sizes)
    start, before = 0, 0
    while start < len(sizes):
        reach = int(np.searchsorted(total, before + settings.row_group_bytes, side="left")) + 1
        end = min(start + settings.row_group_rows, reach, len(sizes))
        ends.append(end)
        before, start = int(total[end - 1]), end
    return ends


def plan_shards(sizes: np.ndarray, settings: ShardConfig) -> list[tuple[int, int]]:
    """The (first row, end row) of every shard of a split whose rows have `sizes`, as `ShardWriter` cuts them."""
    shards: list[tuple[int, int]] = []
    start = held = 0
    total = np.concatenate([[0], np.cumsum(sizes)])
    for end in row_group_ends(sizes, settings):
        if shards and held < settings.max_shard_bytes:
            shards[-1] = (shards[-1][0], end)
        else:
            shards.append((start, end))
            held = 0
        held += int(total[end] - total[start])
        start = end
    return shards


class _RowGroups:
    """Rows in, row groups out: buffers rows until a group is complete by `row_group_ends`' rule."""

    def __init__(self, schema: pa.Schema, settings: ShardConfig) -> None:
        self.schema, self.settings = schema, settings
        self._tables: list[pa.Table] = []
        self._sizes: list[np.ndarray] = []
        self._rows = self._bytes = 0  # held in `_tables`

    def add(self, data: pa.Table | pa.RecordBatch, sizes: np.ndarray | None = None) -> Iterator[tuple[pa.Table, int]]:
        """Append rows (columns not in the schema are dropped, missing ones are an error) whose `row_bytes` are
        `sizes` (computed when not given); yield every row group now complete, as (table, bytes)."""
        table = data if isinstance(data, pa.Table) else pa.Table.from_batches([data])
        table = table.select(self.schema.names).cast(self.schema)
        if table.num_rows:
            self._tables.append(table)
            self._sizes.append(row_bytes(table) if sizes is None else sizes)
            self._rows += table.num_rows
            self._bytes += int(self._sizes[-1].sum())
        if self._rows >= self.settings.row_group_rows or self._bytes >= self.settings.row_group_bytes:
            yield from self._cut(final=False)

    def finish(self) -> Iterator[tuple[pa.Table, int]]:
        """The remaining rows, as a last (incomplete) row group."""
        yield from self._cut(final=True)

    def _cut(self, final: bool) -> Iterator[tuple[pa.Table, int]]:
        if not self._tables:
            return
        sizes = np.concatenate(self._sizes)
        pending = pa.concat_tables(self._tables)
        ends = row_group_ends(sizes, self.settings)
        if not final and not self._complete(sizes[(ends[-2] if len(ends) > 1 else 0) :]):
            ends.pop()  # only the last group can be incomplete: it waits for more rows
        start = 0
        for end in ends:
            # One contiguous chunk per column, so the encoded bytes never depend on how the rows arrived.
            yield pending.slice(start, end - start).combine_chunks(), int(sizes[start:end].sum())
            start = end
        self._tables = [pending.slice(start)] if start < len(sizes) else []
        self._sizes = [sizes[start:]] if start < len(sizes) else []
        self._rows, self._bytes = len(sizes) - start, int(sizes[start:].sum())

    def _complete(self, sizes: np.ndarray) -> bool:
        return len(sizes) >= self.settings.row_group_rows or int(sizes.sum()) >= self.settings.row_group_bytes


class ShardWriter:
    """Stream tables into the shards of `data/<config>/<split>-*.parquet` under `out_dir`."""

    def __init__(
        self,
        out_dir: str | Path,
        config: str,
        split: str,
        schema: pa.Schema,
        shards: ShardConfig | None = None,
    ) -> None:
        self.dir = Path(out_dir) / "data" / config
        self.config, self.split, self.schema = config, split, schema
        self.settings = shards or ShardConfig()
        self.rows = 0
        self.paths: list[str] = []  # final paths relative to out_dir, set by close()
        self._out_dir = Path(out_dir)
        self._temps: list[Path] = []
        self._writer: pq.ParquetWriter | None = None
        self._shard_bytes = 0
        self._groups = _RowGroups(schema, self.settings)
        remove_stale_temporaries(self.dir, split)

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def write(self, data: pa.Table | pa.RecordBatch) -> None:
        """Append rows; columns not in the schema are dropped, missing ones are an error."""
        for group, size in self._groups.add(data):
            self._write_group(group, size)

    def _write_group(self, group: pa.Table, size: int) -> None:
        if self._writer is None or self._shard_bytes >= self.settings.max_shard_bytes:
            self._open_shard()
        self._writer.write_table(group, row_group_size=group.num_rows)  # type: ignore[union-attr]
        self._shard_bytes += size
        self.rows += group.num_rows

    def _open_shard(self) -> None:
        if self._writer is not None:
            self._writer.close()
        temp = self.dir / f".{self.split}-{len(self._temps):05d}.parquet.tmp"
        self._temps.append(temp)
        self._writer = pq.ParquetWriter(temp, self.schema, compression=self.settings.compression)
        self._shard_bytes = 0

    def close(self) -> list[str]:
        """Finish the split: rename temporaries to their final names. An empty split writes no shard at all:
        `datasets` cannot load a split without rows, so the card lists only splits that have some."""
        for group, size in self._groups.finish():
            self._write_group(group, size)
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        total = len(self._temps)
        for index, temp in enumerate(self._temps):
            final = self.dir / shard_name(self.split, index, total)
            os.replace(temp, final)
            self.paths.append(final.relative_to(self._out_dir).as_posix())
        remove_other_shards(self.dir, self.split, self.paths)
        self._temps = []
        return self.paths

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        for temp in self._temps:
            temp.unlink(missing_ok=True)


def write_shard(
    path: Path, schema: pa.Schema, tables: Iterable[pa.Table], settings: ShardConfig, sizes: np.ndarray
) -> int:
    """Write one whole shard of a planned split (`plan_shards`) from its rows, whose `row_bytes` are `sizes`,
    atomically (temp, then rename); its row groups are cut as `ShardWriter` cuts them. Returns the rows written."""
    temp = path.with_name(f".{path.name}.tmp")
    groups, rows = _RowGroups(schema, settings), 0
    try:
        with pq.ParquetWriter(temp, schema, compression=settings.compression) as writer:
            for table in tables:
                if rows + table.num_rows > len(sizes):
                    raise RuntimeError(f"{path}: got more rows than the shard plan has ({len(sizes)})")
                for group, _ in groups.add(table, sizes[rows : rows + table.num_rows]):
                    writer.write_table(group, row_group_size=group.num_rows)
                rows += table.num_rows
            for group, _ in groups.finish():
                writer.write_table(group, row_group_size=group.num_rows)
        if rows != len(sizes):
            raise RuntimeError(f"{path}: got fewer rows than the shard plan has ({len(sizes)})")
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return rows


def remove_stale_temporaries(directory: Path, split: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob(f".{split}-*.parquet.tmp"):
        stale.unlink()


def remove_other_shards(directory: Path, split: str, paths: list[str]) -> None:
    """Delete shards of an earlier build of this split that have another count than `paths`."""
    kept = {Path(p).name for p in paths}
    for old in directory.glob(f"{split}-*-of-*.parquet"):
        if old.name not in kept:
            old.unlink()
