"""Run a pure parse function over work units in a process pool, in input order, one failure at a time.

    >>> for result in run_units(InputWalker(["pmc/"], accept), parse_article, workers=2):
    ...     result.origin, len(result.records), [r.reason for r in result.rejections]
    ('pmc/PMC1.xml', 1, [])
    ('pmc/broken.xml', 0, ['unit_failed'])

What the runner promises:
- Results come back in the order the units were walked, whatever the worker count (so builds are deterministic).
- A unit whose task raises becomes a `Rejection(reason="unit_failed")`; a unit that kills its worker process
  (a segfault in a C library, out of memory) becomes `worker_crashed`; one that runs past `unit_timeout` seconds
  becomes `timeout`. The pool is rebuilt and the other units carry on.
- At most `workers * window_per_worker` units are in flight, so memory stays bounded on any input size.
- Units whose origin is in `skip` (already done by an earlier run) are not parsed again.

`workers=0` runs everything in this process: no isolation, but easy to debug and profile.
"""

from __future__ import annotations

import collections
import logging
import os
import time
from collections.abc import Callable, Container, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from medc.records import Notice, Rejection
from medc.sources import WorkUnit

log = logging.getLogger(__name__)

# A task turns one unit into records and rejections. It must be picklable (a module-level function, a
# functools.partial of one, or an instance of a module-level class) because it is sent to each worker once.
Task = Callable[[WorkUnit], Iterable[Any]]


@dataclass(slots=True)
class UnitResult:
    origin: str
    records: list[Any] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    seconds: float = 0.0


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        return os.cpu_count() or 1


def run_units(
    units: Iterable[WorkUnit],
    task: Task,
    *,
    workers: int | None = None,
    skip: Container[str] = frozenset(),
    unit_timeout: float | None = None,
    window_per_worker: int = 4,
) -> Iterator[UnitResult]:
    """Yield one `UnitResult` per unit not in `skip`, in input order. See the module docstring."""
    workers = default_workers() if workers is None else workers
    todo = (u for u in units if u.origin not in skip)
    if workers <= 0:
        for unit in todo:
            yield _rejected(unit) if unit.problem else run_task(task, unit)
        return
    with _Pool(task, workers, unit_timeout) as pool:
        yield from pool.run(todo, workers * window_per_worker)


def run_task(task: Task, unit: WorkUnit) -> UnitResult:
    """Run `task` on one unit, turning an exception into a rejection. This is what each worker executes."""
    start = time.perf_counter()
    result = UnitResult(unit.origin)
    try:
        for item in task(unit):
            if isinstance(item, Rejection):
                result.rejections.append(item)
            elif isinstance(item, Notice):
                result.notices.append(item)
            else:
                result.records.append(item)
    except Exception as exc:
        log.debug("unit %s failed", unit.origin, exc_info=True)
        result = UnitResult(unit.origin, rejections=[Rejection(unit.origin, "unit_failed", _describe(exc))])
    result.seconds = time.perf_counter() - start
    return result


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _rejected(unit: WorkUnit) -> UnitResult:
    return UnitResult(unit.origin, rejections=[Rejection(unit.origin, unit.problem, unit.detail)])


_worker_task: Task | None = None


def _init_worker(task: Task) -> None:
    global _worker_task
    _worker_task = task


def _call_worker(unit: WorkUnit) -> UnitResult:
    assert _worker_task is not None, "worker not initialised"
    return run_task(_worker_task, unit)


class _Pool:
    """A process pool that keeps results in order and survives crashed or hung workers."""

    def __init__(self, task: Task, workers: int, unit_timeout: float | None) -> None:
        self.task, self.workers, self.unit_timeout = task, workers, unit_timeout
        self.executor = self._new_executor(workers)

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def _new_executor(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(self.task,))

    def run(self, units: Iterator[WorkUnit], window: int) -> Iterator[UnitResult]:
        pending: collections.deque[tuple[WorkUnit, Future | None]] = collections.deque()
        exhausted = False
        while pending or not exhausted:
            while not exhausted and len(pending) < window:
                unit = next(units, None)
                if unit is None:
                    exhausted = True
                else:
                    pending.append((unit, None if unit.problem else self.executor.submit(_call_worker, unit)))
            if not pending:
                break
            unit, future = pending.popleft()
            if future is None:
                yield _rejected(unit)
                continue
            try:
                yield future.result(timeout=self.unit_timeout)
                continue
            except FutureTimeout:
                # The units behind it die with the pool; they are re-run below.
                log.warning("%s: still running after %ss, restarting the pool", unit.origin, self.unit_timeout)
                yield self._timed_out(unit)
                in_flight = [u for u, _ in pending]
            except BrokenProcessPool:
                # We cannot tell which in-flight unit killed the pool: re-run them all, one at a time.
                in_flight = [unit, *(u for u, _ in pending)]
            pending.clear()
            yield from self._recover(in_flight)

    def _timed_out(self, unit: WorkUnit) -> UnitResult:
        self._restart()
        return UnitResult(
            unit.origin,
            rejections=[Rejection(unit.origin, "timeout", f"still running after {self.unit_timeout}s")],
        )

    def _recover(self, units: list[WorkUnit]) -> Iterator[UnitResult]:
        """Re-run the units that were in flight when the pool broke, one at a time, so the one that breaks it
        again is identified and rejected while the others complete."""
        self._restart()
        for unit in units:
            if unit.problem:
                yield _rejected(unit)
                continue
            future = self.executor.submit(_call_worker, unit)
            try:
                yield future.result(timeout=self.unit_timeout)
            except FutureTimeout:
                yield self._timed_out(unit)
            except BrokenProcessPool:
                self._restart()
                yield UnitResult(
                    unit.origin,
                    rejections=[
                        Rejection(unit.origin, "worker_crashed", "the worker process died while parsing this unit")
                    ],
                )

    def _restart(self) -> None:
        # A hung worker cannot be cancelled through the executor API; killing its processes is the only way.
        for proc in list(getattr(self.executor, "_processes", {}).values()):
            proc.kill()
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.executor = self._new_executor(self.workers)
