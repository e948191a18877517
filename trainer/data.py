"""Where training text comes from: a medc build directory, any local text dataset, or a Hub dataset id.

    >>> src = Source("papers", "medc-k/", config="papers")
    >>> parquet_files(src)
    [PosixPath('medc-k/data/papers/train-00000-of-00002.parquet'), PosixPath('medc-k/data/papers/train-00001-...')]
    >>> next(iter_columns(src, ["text"], batch_size=2))
    {'text': ['Aspirin and ...', 'Sepsis is ...']}
    >>> fingerprint(src)            # changes when a shard changes; a copy or `touch` keeps it
    'a3f1...'

A build directory is read with pyarrow directly (no `datasets` cache copy of a corpus that may be 100 GB); any
other location goes through `datasets.load_dataset`, which also covers Hub ids (`org/name`) and local
Parquet/JSONL/TXT files or folders. A source marked `stream` (Hub datasets by default: `data.stream`) is read as
an `IterableDataset`: nothing is downloaded beyond the rows actually tokenized, and its position can be saved.

Tokenizing splits a source into work units (`units`): one Parquet row group, or `UNIT_ROWS` rows of a `datasets`
table. A stream has no random access; its units are consecutive runs of `UNIT_ROWS` rows (`iter_stream`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FILE_BUILDERS = {".parquet": "parquet", ".jsonl": "json", ".json": "json", ".txt": "text", ".csv": "csv"}
TAIL_BYTES = 1 << 16  # a Parquet footer (schema, row groups, statistics) sits in the last bytes of the file
UNIT_ROWS = 4096  # rows per work unit of a `datasets`-read source or a stream


@dataclass(frozen=True)
class Source:
    """One named stream of rows: `name` is what mixing weights refer to (`papers`, `books`, `general`, ...)."""

    name: str
    location: str
    config: str | None = None
    split: str = "train"
    stream: bool = False

    def describe(self) -> str:
        return f"{self.location}" + (f" [{self.config}/{self.split}]" if self.config else f" [{self.split}]")

    @cached_property
    def _hub(self) -> Any:
        return load_with_datasets(self)

    @property
    def is_local(self) -> bool:
        return Path(self.location).exists()


@dataclass(frozen=True)
class Unit:
    """A work unit of tokenizing: a Parquet row group, or a range of rows of a `datasets` table."""

    file: str | None = None
    row_group: int = 0
    start: int = 0
    stop: int = 0


def units(source: Source) -> list[Unit] | None:
    """The work units of `source` in stored order, or None for a stream (its units come one after another)."""
    if source.stream:
        return None
    files = parquet_files(source)
    if files:
        import pyarrow.parquet as pq

        return [Unit(str(f), rg) for f in files for rg in range(pq.ParquetFile(f).num_row_groups)]
    n = len(source._hub)
    return [Unit(None, 0, a, min(a + UNIT_ROWS, n)) for a in range(0, n, UNIT_ROWS)]


def iter_unit(source: Source, unit: Unit, columns: list[str], batch_size: int = 1000) -> Iterator[dict[str, list]]:
    """Batches of the rows of one unit."""
    if unit.file is not None:
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(unit.file)
        _check_columns(source, columns, parquet.schema_arrow.names)
        for batch in parquet.iter_batches(batch_size=batch_size, row_groups=[unit.row_group], columns=columns):
            yield batch.to_pydict()
        return
    dataset = source._hub
    _check_columns(source, columns, dataset.column_names)
    yield from dataset.select_columns(columns).select(range(unit.start, unit.stop)).iter(batch_size=batch_size)


def open_stream(source: Source, state: dict[str, Any] | None = None) -> Any:
    """The source as an `IterableDataset` (streamed, nothing downloaded up front), positioned at `state`."""
    import datasets

    path = Path(source.location)
    if path.is_file():
        builder = FILE_BUILDERS.get(path.suffix)
        if builder is None:
            raise ValueError(f"{path}: unknown file type; use one of {sorted(FILE_BUILDERS)}")
        stream = datasets.load_dataset(
            builder, data_files={source.split: str(path)}, split=source.split, streaming=True
        )
    else:
        stream = datasets.load_dataset(source.location, source.config, split=source.split, streaming=True)
    if state is not None:
        stream.load_state_dict(state)
    return stream


def iter_stream(stream: Any, source: Source, column: str, rows: int = UNIT_ROWS) -> Iterator[tuple[list, Any]]:
    """Consecutive units of `rows` texts from an IterableDataset, each with the stream's state after it (what
    `open_stream(source, state)` resumes from)."""
    texts: list[Any] = []
    for row in stream:
        if column not in row:
            _check_columns(source, [column], list(row))
        texts.append(row[column])
        if len(texts) == rows:
            yield texts, stream.state_dict()
            texts = []
    if texts:
        yield texts, stream.state_dict()


def parquet_files(source: Source) -> list[Path] | None:
    """The shards of `source` when it is a local medc build directory (or a Parquet file/folder), else None."""
    root = Path(source.location)
    if root.is_file() and root.suffix == ".parquet":
        return [root]
    if not root.is_dir():
        return None
    if source.config is not None:
        shards = sorted((root / "data" / source.config).glob(f"{source.split}-*.parquet"))
        return shards or None
    return sorted(root.glob("*.parquet")) or None


def has_split(source: Source) -> bool:
    """Whether the source exists (a build directory lacking this config/split answers False)."""
    if parquet_files(source):
        return True
    root = Path(source.location)
    if root.is_dir() and (root / "data").is_dir():
        return False  # a medc build directory without this config or split
    if source.stream:  # asked without downloading: a streamed source is read only as far as the plan needs
        return root.is_file() or _hub_has_split(source)
    try:
        source._hub  # noqa: B018 - loads (and caches) the dataset
    except (ValueError, FileNotFoundError) as exc:
        log.debug("%s: %s", source.describe(), exc)
        return False
    return True


def _hub_has_split(source: Source) -> bool:
    import datasets

    try:
        return source.split in datasets.get_dataset_split_names(source.location, source.config)
    except (ValueError, FileNotFoundError) as exc:
        log.debug("%s: %s", source.describe(), exc)
        return False


def iter_columns(source: Source, columns: list[str], batch_size: int = 1000) -> Iterator[dict[str, list[Any]]]:
    """Batches of rows as {column: values}, in stored order."""
    files = parquet_files(source)
    if files:
        import pyarrow.parquet as pq

        for path in files:
            parquet = pq.ParquetFile(path)
            _check_columns(source, columns, parquet.schema_arrow.names)
            for batch in parquet.iter_batches(batch_size=batch_size, columns=columns):
                yield batch.to_pydict()
        return
    dataset = source._hub
    _check_columns(source, columns, dataset.column_names)
    yield from dataset.select_columns(columns).iter(batch_size=batch_size)


def count_rows(source: Source) -> int:
    files = parquet_files(source)
    if files:
        import pyarrow.parquet as pq

        return sum(pq.ParquetFile(p).metadata.num_rows for p in files)
    return len(source._hub)


def fingerprint(source: Source) -> str:
    """Identifies the data: for local files, their names, sizes and last 64 KiB (for Parquet, the footer:
    content-sensitive and cheap); for a Hub dataset, its current commit."""
    digest = hashlib.sha256(f"{source.name}\x00{source.config}\x00{source.split}".encode())
    root = Path(source.location)
    files = parquet_files(source) or (sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else None)
    if root.is_file():
        files = [root]
    if files:
        for path in files:
            size = path.stat().st_size
            with open(path, "rb") as fh:
                fh.seek(max(0, size - TAIL_BYTES))
                digest.update(f"{path.name}\x00{size}\x00".encode() + fh.read())
    else:
        digest.update(hub_revision(source).encode())
    return digest.hexdigest()[:32]


def hub_revision(source: Source) -> str:
    """The commit a Hub dataset id resolves to now (its data changes only with a new commit)."""
    from huggingface_hub import HfApi

    return HfApi().dataset_info(source.location).sha or ""


def load_with_datasets(source: Source) -> Any:
    """A `datasets.Dataset` for a Hub id, a local data file, or a local dataset folder."""
    import datasets

    path = Path(source.location)
    if path.is_file():
        builder = FILE_BUILDERS.get(path.suffix)
        if builder is None:
            raise ValueError(f"{path}: unknown file type; use one of {sorted(FILE_BUILDERS)}")
        return datasets.load_dataset(builder, data_files={source.split: str(path)}, split=source.split)
    return datasets.load_dataset(source.location, source.config, split=source.split)


def _check_columns(source: Source, wanted: list[str], have: list[str]) -> None:
    missing = [c for c in wanted if c not in have]
    if missing:
        raise ValueError(
            f"{source.describe()} has no column {missing[0]!r} (columns: {', '.join(have)}); "
            f"set data.text_column to the one holding the text"
        )
