"""The worker side of staging: `run_batch(job, batch)` reads a batch's units, parses them, writes one Parquet part,
and returns a small `BatchResult` (no texts).

    >>> result = run_batch(shared_job, Batch(source=0, refs=(ref0, ref1, ref2)))
    >>> result.part, [(u.origin, u.records) for u in result.units], [r.reason for r in result.rejections]
    ('parts/papers/part-00-000000000000.parquet', [('pmc/PMC1.xml', 1), ('pmc/PMC2.xml', 1), ('pmc/bad.xml', 0)],
     ['unit_failed'])

A unit whose task raises becomes `Rejection(unit_failed)`; one that runs past `unit_timeout` (a SIGALRM in the
worker's main thread) becomes `Rejection(timeout)`; either way the batch goes on. What the soft timeout cannot
interrupt (a hang inside C code) or a dead worker is the scheduler's business (`medc.stage.schedule`).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from medc.executors.arrow_probe import skip_pandas_probe
from medc.executors.base import Shared
from medc.executors.freed_memory import keep_freed_memory
from medc.executors.memory import start_memory_watchdog
from medc.records import Notice, Rejection, to_table
from medc.sources import DEFAULT_MAX_UNIT_BYTES, UnitRef, WorkUnit, read_units

log = logging.getLogger(__name__)

# A task turns one unit into records, rejections and notices. It must be picklable (a module-level function, a
# functools.partial of one, or an instance of a module-level class): it is shared with the workers once.
Task = Callable[[WorkUnit], Iterable[Any]]


@dataclass(frozen=True)
class SourceJob:
    """What every batch of one source needs, shared with the workers once (`Executor.share`)."""

    config: str
    schema: pa.Schema
    task: Task
    staging: str  # staging root: a local path or an fsspec URL every worker can write
    source: int = 0  # position of the source in the build (first part of a part's name)
    sidecars: Callable[[str], Sequence[str]] | None = None
    max_unit_bytes: int = DEFAULT_MAX_UNIT_BYTES
    unit_timeout: float | None = None
    worker_memory: int = 0  # bytes; 0 = no limit (see medc.executors.memory)
    in_worker: bool = False  # the tasks run in worker processes of their own, not in the coordinator


@dataclass(frozen=True, slots=True)
class Batch:
    source: int
    refs: tuple[UnitRef, ...]

    @property
    def first(self) -> int:
        return self.refs[0].index

    def halves(self) -> tuple[Batch, Batch]:
        middle = len(self.refs) // 2
        return Batch(self.source, self.refs[:middle]), Batch(self.source, self.refs[middle:])


@dataclass(frozen=True, slots=True)
class UnitDone:
    """What the journal keeps of one unit: enough to skip it on resume and to describe it in the manifest."""

    origin: str
    index: int
    size: int
    stamp: str
    sha256: str
    records: int
    seconds: float
    input: int = 0
    inline: bool = False  # bytes came with the ref (archive member, synthetic unit), not from a file of its own

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        # as a tuple: a batch's results travel back from the worker, and the generic slots pickling is 3x slower
        return UnitDone, (
            self.origin, self.index, self.size, self.stamp, self.sha256, self.records, self.seconds, self.input,
            self.inline,
        )  # fmt: skip


@dataclass(slots=True)
class BatchResult:
    config: str
    source: int
    first: int
    part: str | None = None  # relative to the staging root
    units: list[UnitDone] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    @property
    def records(self) -> int:
        return sum(u.records for u in self.units)


def part_name(config: str, source: int, first: int) -> str:
    """Names sort into build order whatever order they were written in."""
    return f"parts/{config}/part-{source:02d}-{first:012d}.parquet"


def run_batch(shared: Shared[SourceJob], batch: Batch) -> BatchResult:
    """Read, parse and stage one batch. This is what each worker executes."""
    from medc.staging.store import StagingStore

    job = shared.get()
    if job.in_worker:
        skip_pandas_probe()
        keep_freed_memory()
        start_memory_watchdog(job.worker_memory)
    result = BatchResult(job.config, batch.source, batch.first)
    records: list[Any] = []
    for ref, unit, sha256 in read_units(batch.refs, job.max_unit_bytes, job.sidecars):
        start = time.perf_counter()
        found = _parse_unit(job, unit) if not unit.problem else [Rejection(unit.origin, unit.problem, unit.detail)]
        kept = 0
        for item in found:
            if isinstance(item, Rejection):
                result.rejections.append(item)
            elif isinstance(item, Notice):
                result.notices.append(item)
            else:
                records.append(item)
                kept += 1
        seconds = time.perf_counter() - start
        size = ref.size if ref.size >= 0 else len(ref.data or b"")
        result.units.append(
            UnitDone(ref.origin, ref.index, size, ref.stamp, sha256, kept, seconds, ref.input, ref.data is not None)
        )
    if records:
        result.part = part_name(job.config, batch.source, batch.first)
        StagingStore(job.staging).write_table(result.part, to_table(records, job.schema))
    return result


class UnitTimeout(Exception):
    pass


def _parse_unit(job: SourceJob, unit: WorkUnit) -> list[Any]:
    try:
        if not job.unit_timeout:
            return list(job.task(unit))
        with _soft_timeout(job.unit_timeout):
            return list(job.task(unit))
    except UnitTimeout:
        return [Rejection(unit.origin, "timeout", f"still running after {job.unit_timeout}s")]
    except MemoryError:
        return [Rejection(unit.origin, "memory_limit", "ran out of memory while parsing this unit")]
    except Exception as exc:
        log.debug("unit %s failed", unit.origin, exc_info=True)
        return [Rejection(unit.origin, "unit_failed", f"{type(exc).__name__}: {exc}"[:2000])]


@contextlib.contextmanager
def _soft_timeout(seconds: float | None) -> Iterator[None]:
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise UnitTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
