"""Write one split of one config as Parquet shards the Hub and `datasets` read as they are.

    >>> with ShardWriter(out, "papers", "train", document_schema("papers")) as w:
    ...     w.write(table)            # any number of tables or record batches
    >>> w.paths
    ['data/papers/train-00000-of-00002.parquet', 'data/papers/train-00001-of-00002.parquet']

Shards are zstd-compressed and cut at `max_shard_bytes` of uncompressed Arrow data; row groups hold at most
`row_group_rows` rows or `row_group_bytes` bytes, small enough for the Hub's dataset viewer to page through. Shards
are written under hidden temporary names (`datasets` and the Hub skip dot-files) and renamed into place only when
the split is complete, because the final names carry the shard count (`-of-00002`). An interrupted write leaves
no file with a final name; stale temporaries are removed by the next writer of the same split.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
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
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0
        self._pending_bytes = 0
        self.dir.mkdir(parents=True, exist_ok=True)
        for stale in self.dir.glob(f".{split}-*.parquet.tmp"):
            stale.unlink()

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def write(self, data: pa.Table | pa.RecordBatch) -> None:
        """Append rows; columns not in the schema are dropped, missing ones are an error."""
        table = data if isinstance(data, pa.Table) else pa.Table.from_batches([data])
        table = table.select(self.schema.names).cast(self.schema)
        for batch in table.to_batches(max_chunksize=self.settings.row_group_rows):
            self._pending.append(batch)
            self._pending_rows += batch.num_rows
            self._pending_bytes += batch.nbytes
            if (
                self._pending_rows >= self.settings.row_group_rows
                or self._pending_bytes >= self.settings.row_group_bytes
            ):
                self._flush_row_group()

    def _flush_row_group(self) -> None:
        if not self._pending_rows:
            return
        table = pa.Table.from_batches(self._pending, schema=self.schema)
        self._pending, self._pending_rows, self._pending_bytes = [], 0, 0
        start = 0
        while start < table.num_rows:  # cut to row_group_rows and roll shards at row-group boundaries
            if self._writer is None or self._shard_bytes >= self.settings.max_shard_bytes:
                self._open_shard()
            chunk = table.slice(start, self.settings.row_group_rows)
            self._writer.write_table(chunk, row_group_size=chunk.num_rows)  # type: ignore[union-attr]
            self._shard_bytes += chunk.nbytes
            self.rows += chunk.num_rows
            start += chunk.num_rows

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
        self._flush_row_group()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        total = len(self._temps)
        for index, temp in enumerate(self._temps):
            final = self.dir / shard_name(self.split, index, total)
            os.replace(temp, final)
            self.paths.append(final.relative_to(self._out_dir).as_posix())
        kept = {Path(p).name for p in self.paths}
        for old in self.dir.glob(f"{self.split}-*-of-*.parquet"):
            if old.name not in kept:  # shards of an earlier build of this split, with another count
                old.unlink()
        self._temps = []
        return self.paths

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        for temp in self._temps:
            temp.unlink(missing_ok=True)
