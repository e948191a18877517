"""Read one staged part, wherever staging lives: a local path, or an fsspec URL (`s3://bucket/run/.staging/...`).

    >>> read_part("out/.staging/parts/papers/part-00-000000000064.parquet", columns=["id", "_minhash"])
    pyarrow.Table
    id: string
    _minhash: binary

Runs in the worker that needs the part: the coordinator passes paths, never rows.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def read_part(path: str | Path, columns: list[str] | None = None) -> pa.Table:
    """The rows of one staged part (only `columns`, when given)."""
    if isinstance(path, str) and "://" in path:
        import fsspec

        with fsspec.open(path, "rb") as fh:
            return pq.ParquetFile(fh).read(columns=columns)
    return pq.ParquetFile(path).read(columns=columns)
