"""A real process pool behind medc's executor protocol (`medc.executors`), for tests and benchmarks of the
finalize half: tasks are pickled to spawned worker processes, as on medc's local pool or on Ray.

    >>> with ProcessPool(workers=2) as pool:
    ...     list(pool.map(len, ["ab", "c"]))
    [2, 1]
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from medc.executors import TaskCrashed


class ProcessPool:
    name = "process-pool"

    def __init__(self, workers: int = 2) -> None:
        self.workers = workers
        # spawn: workers share nothing with the parent, so a task that is not picklable fails here as on Ray.
        self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))

    def submit(self, fn: Callable[..., Any], *args: Any, timeout: float | None = None) -> Future:
        return self._pool.submit(fn, *args)

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        window: deque[Future] = deque()
        for item in items:
            window.append(self._pool.submit(fn, item))
            if len(window) >= 2 * self.workers:
                yield _result(window.popleft())
        while window:
            yield _result(window.popleft())

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)

    def __enter__(self) -> ProcessPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _result(future: Future) -> Any:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise TaskCrashed(str(exc)) from exc
