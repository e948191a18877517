"""Where staging lives: a local directory or any fsspec URL that every worker can write (a shared filesystem,
`s3://bucket/build-7/staging`). Every write is atomic: a temp file renamed into place locally, one put on an
object store (an object appears whole or not at all).

    >>> store = StagingStore("s3://bucket/medc-k/.staging")
    >>> store.write_table("parts/papers/part-00-000000000000.parquet", table)
    >>> store.list("journal")
    ['segment-00000000.jsonl', 'segment-00000001.jsonl']
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from medc.sources.refs import is_url


class StagingStore:
    def __init__(self, root: str | Path) -> None:
        self.root = str(root)
        self.remote = is_url(self.root)
        self._fs: Any = None

    @property
    def fs(self) -> Any:
        if self._fs is None:
            from medc.sources.objects import filesystem

            self._fs, _ = filesystem(self.root)
        return self._fs

    def url(self, rel: str) -> str:
        return f"{self.root.rstrip('/')}/{rel}"

    def write_bytes(self, rel: str, data: bytes) -> None:
        if self.remote:
            self.fs.pipe(self.url(rel), data)
            return
        path = Path(self.url(rel))
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.tmp")
        with open(temp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)

    def write_table(self, rel: str, table: pa.Table) -> None:
        if self.remote:
            buffer = io.BytesIO()
            pq.write_table(table, buffer, compression="zstd")
            self.write_bytes(rel, buffer.getvalue())
            return
        path = Path(self.url(rel))
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.tmp")
        pq.write_table(table, temp, compression="zstd")
        os.replace(temp, path)

    def read_bytes(self, rel: str) -> bytes:
        if self.remote:
            return self.fs.cat_file(self.url(rel))
        return Path(self.url(rel)).read_bytes()

    def exists(self, rel: str) -> bool:
        return self.fs.exists(self.url(rel)) if self.remote else Path(self.url(rel)).exists()

    def list(self, rel: str) -> list[str]:
        """Names of the files in directory `rel` (recursively, relative to it), sorted; [] when it is missing."""
        base = self.url(rel).rstrip("/")
        if self.remote:
            if not self.fs.exists(base):
                return []
            prefix = self.fs._strip_protocol(base).rstrip("/") + "/"
            return sorted(p[len(prefix) :] for p in self.fs.find(base))
        root = Path(base)
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []

    def remove(self, rel: str) -> None:
        if self.remote:
            self.fs.rm(self.url(rel))
        else:
            Path(self.url(rel)).unlink(missing_ok=True)

    def remove_tree(self, rel: str = "") -> None:
        target = self.url(rel) if rel else self.root
        if self.remote:
            if self.fs.exists(target):
                self.fs.rm(target, recursive=True)
        else:
            shutil.rmtree(target, ignore_errors=True)

    def make_root(self) -> None:
        if not self.remote:
            Path(self.root).mkdir(parents=True, exist_ok=True)


def iter_part_batches(url: str, columns: list[str] | None = None, batch_size: int = 1000) -> Iterator[pa.RecordBatch]:
    """The record batches of one staged part (a local path or a URL), for the coordinator or a finalize worker."""
    if is_url(url):
        from medc.sources.objects import filesystem

        fs, path = filesystem(url)
        with fs.open(path, "rb") as fh:
            yield from pq.ParquetFile(fh).iter_batches(batch_size=batch_size, columns=columns)
        return
    yield from pq.ParquetFile(url).iter_batches(batch_size=batch_size, columns=columns)
