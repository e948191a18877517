"""The finalize half of a build: staged parts in, published shards and reports out.

    >>> output = BuildOutput(Path("out"), ShardConfig())
    >>> with LocalPool(workers=8) as executor:                 # or InProcess(), RayExecutor(...)
    ...     DedupFinalizer(DedupConfig())(staging, output, executor)
    >>> output.files, output.duplicates
    ({'papers': {'train': ['data/papers/train-00000-of-00002.parquet', ...]}, 'books': ...}, Counter({'near': 41, ...}))

A finalizer reads what the parse half staged (`Staged`: configs, their schemas, their parts in build order),
makes the global decisions (dedup, splits, decontamination) and writes through `BuildOutput`. Every stage that
touches rows runs as picklable module-level functions through `executor.map` (`medc.executors`), so the same
finalizer runs in-process, in a local pool or on a Ray cluster and gives the same bytes: the coordinator only
decides, on small per-row keys, in an order that never depends on which task finished first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pyarrow as pa

from medc.executors import Executor
from medc.finalize.output import BuildOutput
from medc.finalize.parts import read_part
from medc.finalize.write import copy_to_train, public_schema, write_split


class Staged(Protocol):
    """What a finalizer needs of staging (`medc.staging.Staging`)."""

    def configs(self) -> list[str]: ...

    def schema(self, config: str) -> pa.Schema: ...

    def parts(self, config: str) -> list[Path] | list[str]:
        """The staged part files of `config` in build order (local paths or fsspec URLs)."""
        ...


class Finalizer(Protocol):
    def __call__(self, staged: Staged, output: BuildOutput, executor: Executor) -> None: ...


__all__ = ["BuildOutput", "Finalizer", "Staged", "copy_to_train", "public_schema", "read_part", "write_split"]
