"""Write a split in parallel: the shard cuts are planned up front from the kept rows' sizes, then every shard is
one task that reads its range of staged parts, keeps its rows, and writes its file atomically.

    >>> write_split(output, executor, "papers", "train", schema, parts=[(part0, keep0), (part1, keep1)],
    ...             sizes=row_sizes_of_the_kept_rows)
    ['data/papers/train-00000-of-00002.parquet', 'data/papers/train-00001-of-00002.parquet']

The files are byte-identical to what `ShardWriter` writes when the same rows are streamed through it in order
(`medc.shards.plan_shards` cuts where it would), so the executor and its worker count never show in the output.
On a cluster the output directory must be on storage every node writes to (a shared filesystem).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from medc.executors import Executor
from medc.finalize.parts import read_part
from medc.shards import (
    ShardConfig,
    plan_shards,
    remove_other_shards,
    remove_stale_temporaries,
    row_bytes,
    shard_name,
    write_shard,
)

log = logging.getLogger(__name__)


def public_schema(schema: pa.Schema) -> pa.Schema:
    """The schema without internal (`_`-prefixed) columns."""
    return pa.schema([f for f in schema if not f.name.startswith("_")])


@dataclass(frozen=True)
class ShardTask:
    """One shard: the kept rows of a few staged parts (`rows`: local row numbers, ascending)."""

    path: Path
    schema: pa.Schema
    settings: ShardConfig
    selections: list[tuple[str | Path, np.ndarray]]
    sizes: np.ndarray  # row_bytes of the shard's rows: the plan's, so the cuts are the plan's


def run_shard_task(task: ShardTask) -> int:
    """Worker side: read each part, keep the selected rows, write the shard. Returns the rows written."""
    return write_shard(task.path, task.schema, _selected_rows(task), task.settings, task.sizes)


def _selected_rows(task: ShardTask) -> Iterator[pa.Table]:
    for path, rows in task.selections:
        yield read_part(path, columns=task.schema.names).take(pa.array(rows))


def write_split(
    output: Any,
    executor: Executor,
    config: str,
    split: str,
    schema: pa.Schema,
    parts: list[tuple[str | Path, np.ndarray]],
    sizes: np.ndarray,
) -> list[str]:
    """Write the rows of `parts` (each with a keep mask over its rows) as the shards of one split, and record
    them in `output`. `sizes` are `row_bytes` of the kept rows, in order."""
    directory = output.out_dir / "data" / config
    remove_stale_temporaries(directory, split)
    plan = plan_shards(sizes, output.shards)
    tasks = list(_shard_tasks(directory, split, schema, output.shards, parts, plan, sizes))
    rows = sum(executor.map(run_shard_task, tasks))
    paths = [t.path.relative_to(output.out_dir).as_posix() for t in tasks]
    remove_other_shards(directory, split, paths)
    output.record_split(config, split, paths, rows)
    log.info("%s/%s: %d rows in %d shards", config, split, rows, len(paths))
    return paths


def _shard_tasks(
    directory: Path,
    split: str,
    schema: pa.Schema,
    settings: ShardConfig,
    parts: list[tuple[str | Path, np.ndarray]],
    plan: list[tuple[int, int]],
    sizes: np.ndarray,
) -> Iterator[ShardTask]:
    """Map every planned shard's range of kept rows back to (part, local rows)."""
    kept = [np.flatnonzero(mask).astype(np.int32) for _, mask in parts]
    first = np.concatenate([[0], np.cumsum([len(k) for k in kept])]).astype(np.int64)
    for index, (start, end) in enumerate(plan):
        selections = []
        for part in range(int(np.searchsorted(first, start, side="right")) - 1, len(parts)):
            if first[part] >= end:
                break
            local = kept[part][max(start - first[part], 0) : end - first[part]]
            if len(local):
                selections.append((parts[part][0], local))
        path = directory / shard_name(split, index, len(plan))
        yield ShardTask(path, schema, settings, selections, sizes[start:end])


def part_row_bytes(job: tuple[str | Path, list[str]]) -> np.ndarray:
    """Worker side: `row_bytes` of one part's rows over `columns`."""
    path, columns = job
    return row_bytes(read_part(path, columns=columns))


def copy_to_train(staged: Any, output: Any, executor: Executor) -> None:
    """The simplest finalizer: every staged record of each config goes to its `train` split, in build order."""
    for config in staged.configs():
        schema = public_schema(staged.schema(config))
        paths = list(staged.parts(config))
        sizes = list(executor.map(part_row_bytes, [(p, schema.names) for p in paths]))
        parts = [(p, np.ones(len(s), dtype=bool)) for p, s in zip(paths, sizes, strict=True)]
        write_split(output, executor, config, "train", schema, parts, _concat(sizes))


def _concat(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.empty(0, dtype=np.int64)
