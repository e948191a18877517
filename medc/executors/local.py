"""The local process pool (the default executor): pebble's `ProcessPool`, which isolates tasks from each other.

    >>> with LocalPool(workers=4) as pool:
    ...     pool.submit(parse_batch, batch, timeout=60).result()
    TaskCrashed('worker process died (exit code -11)')      # a segfault fails only its own task

A worker that dies (segfault, `os._exit`, medc's memory watchdog) fails only the task it was running; a task past
its timeout is killed with its worker; pebble starts a replacement either way, and the other tasks run on.
"""

from __future__ import annotations

import collections
import logging
import os
import pickle
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError, Future
from typing import Any, Generic, TypeVar

from medc.executors.base import TaskCrashed, TaskTimedOut
from medc.executors.memory import MEMORY_EXIT_CODE

log = logging.getLogger(__name__)
R = TypeVar("R")
T = TypeVar("T")


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        return os.cpu_count() or 1


class LocalPool:
    """`workers` processes on this machine; `max_tasks` recycles a worker after that many tasks (0 = never)."""

    name = "local"

    def __init__(self, workers: int | None = None, max_tasks: int = 0) -> None:
        from pebble import ProcessPool

        self.workers = workers or default_workers()
        self._pool = ProcessPool(max_workers=self.workers, max_tasks=max_tasks)
        self._shared_dir = tempfile.mkdtemp(prefix="medc-shared-")

    def share(self, obj: T) -> SharedFile[T]:
        path = os.path.join(self._shared_dir, uuid.uuid4().hex)
        with open(path, "wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        return SharedFile(path)

    def submit(self, fn: Callable[..., R], *args: Any, timeout: float | None = None) -> Future[R]:
        return _normalized(self._pool.schedule(fn, args=args, timeout=timeout))

    def map(self, fn: Callable[[Any], R], items: Iterable[Any]) -> Iterator[R]:
        pending: collections.deque[Future[R]] = collections.deque()
        for item in items:
            pending.append(self.submit(fn, item))
            if len(pending) >= self.workers * 2:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def close(self) -> None:
        self._pool.stop()
        self._pool.join()
        shutil.rmtree(self._shared_dir, ignore_errors=True)

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _normalized(source: Future) -> Future:
    """A plain future whose exception is `TaskCrashed`, `TaskTimedOut` or the task's own."""
    from pebble import ProcessExpired

    out: Future = Future()

    def settle(done: Future) -> None:
        try:
            out.set_result(done.result())
        except CancelledError:
            out.cancel()
            out.set_running_or_notify_cancel()
        except ProcessExpired as exc:
            reason = "memory_limit" if exc.exitcode == MEMORY_EXIT_CODE else "worker_crashed"
            out.set_exception(TaskCrashed(f"worker process died (exit code {exc.exitcode})", reason))
        except TimeoutError as exc:
            out.set_exception(TaskTimedOut(f"killed after its timeout ({exc})"))
        except BaseException as exc:
            out.set_exception(exc)

    source.add_done_callback(settle)
    return out


_loaded: dict[str, Any] = {}


class SharedFile(Generic[T]):
    """An object pickled once to a file of the pool's; each worker process loads it on first use and keeps it."""

    def __init__(self, path: str) -> None:
        self.path = path

    def get(self) -> T:
        if self.path not in _loaded:
            if len(_loaded) >= 4:  # a build shares a few tasks; keep the newest
                _loaded.pop(next(iter(_loaded)))
            with open(self.path, "rb") as fh:
                _loaded[self.path] = pickle.load(fh)
        return _loaded[self.path]
