"""Stage one source: walk its inputs into refs, skip what the journal has, batch the rest, schedule the batches on
the executor, and journal each result in order.

    >>> stats = stage_source(spec, 0, staging, executor, StageOptions(batch_units=64), progress)
    >>> stats[0]
    {'config': 'papers', 'path': 'pmc/', 'kind': 'directory', 'files': 1830, 'ignored': 412, 'size': 91022301,
     'sha256': '6c0e…'}

The coordinator only lists, schedules and records: workers read, parse and write parts (`medc.stage.batch`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from medc.executors.base import Executor, InProcess, TaskCrashed, TaskFailed
from medc.records import Rejection
from medc.sources import DEFAULT_MAX_UNIT_BYTES, InputWalker, UnitRef, WorkUnit
from medc.sources.reading import with_stat
from medc.stage.batch import Batch, BatchResult, SourceJob, UnitDone, run_batch
from medc.stage.digest import InputDigests
from medc.stage.schedule import schedule
from medc.staging import Staging, StagingMismatch

log = logging.getLogger(__name__)

Progress = Callable[[str, BatchResult], None]


@dataclass(frozen=True)
class StageOptions:
    """How work units are batched, limited and checkpointed. None of it changes the output."""

    batch_units: int = 64  # at most this many refs per batch (one task, one staged part)
    # Aim for batches of about this many seconds of parsing, learned from the results (a batch of slow units is
    # small, so a few slow units still spread over the workers); None: always `batch_units`.
    batch_seconds: float | None = 1.0
    batch_bytes: int = 16 << 20  # stored bytes per batch; a larger unit is a batch of its own
    unit_timeout: float | None = None  # seconds per unit (soft); a batch is killed past units × this + slack
    timeout_slack: float = 30.0  # seconds added to a batch's hard timeout (reading, writing its part)
    worker_memory: int = 0  # bytes of resident memory per worker; 0 = no limit
    checkpoint_records: int = 2000  # journal a segment after this many records + units...
    checkpoint_seconds: float = 60.0  # ...or this many seconds
    window_per_worker: int = 2  # batches in flight per worker
    max_unit_bytes: int = DEFAULT_MAX_UNIT_BYTES

    def __post_init__(self) -> None:
        for name in ("batch_units", "batch_bytes", "checkpoint_records", "window_per_worker", "max_unit_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.batch_seconds is not None and self.batch_seconds <= 0:
            raise ValueError(f"batch_seconds must be positive, got {self.batch_seconds}")
        if self.unit_timeout is not None and self.unit_timeout <= 0:
            raise ValueError(f"unit_timeout must be positive, got {self.unit_timeout}")
        if self.worker_memory < 0:
            raise ValueError(f"worker_memory must be >= 0 bytes, got {self.worker_memory}")


def stage_source(
    spec: Any,
    source: int,
    staging: Staging,
    executor: Executor,
    options: StageOptions,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Stage every unit of `spec` (a `medc.build.SourceSpec`) not yet journaled; return its inputs' stats."""
    walker = None
    if spec.units is not None:
        refs: Iterable[UnitRef] = _inline_refs(spec.units)
    else:
        walker = InputWalker(
            spec.inputs, spec.accept, options.max_unit_bytes, spec.sidecars, completed=staging.completed_archive
        )
        refs = walker
    digests = InputDigests()
    shared = executor.share(_job(spec, source, staging, executor, options))

    def submit(batch: Batch) -> Any:
        hard = options.unit_timeout * len(batch.refs) + options.timeout_slack if options.unit_timeout else None
        return executor.submit(run_batch, shared, batch, timeout=hard)

    checkpoint, sizer = _Checkpoints(staging, options), BatchSizer(options)
    batches = make_batches(_not_done(refs, staging, digests), source, options, sizer)
    window = max(1, executor.workers * options.window_per_worker)
    for result in schedule(batches, submit, lambda batch, error: lost_batch(spec.config, batch, error), window):
        sizer.observe(result)
        staging.commit(result)
        digests.add(result.units)
        if progress:
            progress(spec.name, result)
        checkpoint.tick(result)
    for archive in walker.archives if walker else []:
        staging.complete_archive(archive)
    staging.flush()
    if walker is None:
        return []
    head = {"config": spec.config, "source": spec.name}
    return [{**head, **digests.stats_json(s, i, walker.archives)} for i, s in enumerate(walker.stats)]


def _job(spec: Any, source: int, staging: Staging, executor: Executor, options: StageOptions) -> SourceJob:
    in_process = isinstance(executor, InProcess)  # the memory watchdog would end the coordinator itself
    return SourceJob(
        spec.config,
        spec.schema,
        spec.task,
        staging.root,
        source,
        spec.sidecars,
        options.max_unit_bytes,
        options.unit_timeout,
        0 if in_process else options.worker_memory,
        in_worker=not in_process,
    )


class BatchSizer:
    """How many refs the next batch gets: one until the first results tell how long a unit takes, then about
    `batch_seconds` worth (a running mean), never more than `batch_units`. Batching never changes the output."""

    def __init__(self, options: StageOptions) -> None:
        self.options = options
        self.units, self.seconds = 0, 0.0

    def observe(self, result: BatchResult) -> None:
        self.units += len(result.units)
        self.seconds += sum(u.seconds for u in result.units)

    def __call__(self) -> int:
        if self.options.batch_seconds is None:
            return self.options.batch_units
        if not self.units:
            return 1
        per_unit = max(self.seconds / self.units, 1e-6)
        return max(1, min(self.options.batch_units, round(self.options.batch_seconds / per_unit)))


def make_batches(
    refs: Iterable[UnitRef], source: int, options: StageOptions, units: Callable[[], int] | None = None
) -> Iterator[Batch]:
    """Consecutive refs, at most `units()` (default `batch_units`) of them and at most `batch_bytes` of stored
    size."""
    batch: list[UnitRef] = []
    size = 0
    limit = units() if units else options.batch_units
    for ref in refs:
        ref_size = max(ref.size, 0)
        if batch and (len(batch) >= limit or size + ref_size > options.batch_bytes):
            yield Batch(source, tuple(batch))
            batch, size = [], 0
            limit = units() if units else options.batch_units
        batch.append(ref)
        size += ref_size
    if batch:
        yield Batch(source, tuple(batch))


def lost_batch(config: str, batch: Batch, error: TaskFailed) -> BatchResult:
    """The result of a one-unit batch whose worker died or was killed: the unit is rejected, named by reason."""
    ref = with_stat(batch.refs[0])  # what the dead worker could not report
    reason = error.reason if isinstance(error, TaskCrashed) else "timeout"
    detail = {
        "worker_crashed": "the worker process died while parsing this unit",
        "memory_limit": "the worker went over its memory limit (--worker-memory) while parsing this unit",
    }.get(reason, f"killed after its timeout: {error}")
    size = ref.size if ref.size >= 0 else len(ref.data or b"")
    done = UnitDone(ref.origin, ref.index, size, ref.stamp, "", 0, 0.0, ref.input, ref.data is not None)
    return BatchResult(config, batch.source, batch.first, None, [done], [Rejection(ref.origin, reason, detail)])


def _inline_refs(units: Iterable[WorkUnit]) -> Iterator[UnitRef]:
    """Units a source makes itself (UMLS line chunks) as refs that carry their bytes."""
    for index, unit in enumerate(units):
        yield UnitRef(unit.origin, index, "", len(unit.data), "", unit.data, unit.problem, unit.detail)


def _not_done(refs: Iterable[UnitRef], staging: Staging, digests: InputDigests) -> Iterator[UnitRef]:
    """Refs the journal does not have. A journaled unit is trusted by size and stamp; one whose input changed
    since (or moved in the walk) is refused rather than silently mixed with stale records."""
    for ref in refs:
        done = staging.done(ref.origin)
        if done is None:
            yield ref
            continue
        ref = with_stat(ref)  # only journaled units are stat()ed here; new ones by the worker that reads them
        size = ref.size if ref.size >= 0 else len(ref.data or b"")
        if (done.index, done.size, done.stamp) != (ref.index, size, ref.stamp):
            raise StagingMismatch(
                f"{ref.origin} changed since it was staged (was unit {done.index}, {done.size} bytes, stamp "
                f"{done.stamp or '-'}; now unit {ref.index}, {size} bytes, stamp {ref.stamp or '-'}). "
                "Inputs must not change under a resumed build: pass --fresh to start over."
            )
        digests.add([done])


class _Checkpoints:
    def __init__(self, staging: Staging, options: StageOptions) -> None:
        self.staging, self.options = staging, options
        self.count, self.last = 0, time.monotonic()

    def tick(self, result: BatchResult) -> None:
        self.count += result.records + len(result.units)
        now = time.monotonic()
        if self.count >= self.options.checkpoint_records or now - self.last >= self.options.checkpoint_seconds:
            self.staging.flush()
            self.count, self.last = 0, now
