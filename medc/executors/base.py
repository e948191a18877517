"""The executor protocol, its failure types, and the in-process executor.

    >>> with InProcess() as ex:
    ...     list(ex.map(len, ["ab", "c"]))
    [2, 1]

A future's exception is `TaskCrashed` (the process running the task died: a segfault, the memory limit, a lost
node), `TaskTimedOut` (it ran past `timeout` and was killed), or the task's own exception, whatever the executor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import Any, Generic, Protocol, TypeVar

R = TypeVar("R")
T = TypeVar("T")


class ExecutorUnavailable(Exception):
    """The executor cannot start: Ray is not installed, or the cluster cannot be reached."""


class TaskFailed(Exception):
    """A task did not return: its process died or it was killed."""


class TaskCrashed(TaskFailed):
    """The process (or node) running the task died. `reason` is `worker_crashed`, or `memory_limit` when medc's
    memory watchdog ended it."""

    def __init__(self, message: str, reason: str = "worker_crashed") -> None:
        super().__init__(message)
        self.reason = reason


class TaskTimedOut(TaskFailed):
    """The task ran past its timeout and was killed."""


class Executor(Protocol):
    name: str
    workers: int  # tasks that run at the same time

    def submit(self, fn: Callable[..., R], *args: Any, timeout: float | None = None) -> Future[R]: ...

    def share(self, obj: T) -> Shared[T]:
        """`obj` sent to the workers once (a task with a concept table, a licence map), not with every task."""
        ...

    def map(self, fn: Callable[[Any], R], items: Iterable[Any]) -> Iterator[R]:
        """`fn(item)` for every item, results in item order, a bounded number in flight; raises the first
        failure."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


class Shared(Protocol[T]):
    """A handle to an object the executor placed where its workers can reach it; `get()` in a task returns it."""

    def get(self) -> T: ...


class SharedValue(Generic[T]):
    """The object itself: for executors whose tasks run in this process."""

    def __init__(self, value: T) -> None:
        self.value = value

    def get(self) -> T:
        return self.value


class InProcess:
    """Runs each task when it is submitted, in this process: no isolation (a crash is the build's crash, a timeout
    is not enforced), but easy to debug and profile (`--workers 0`)."""

    name = "in-process"
    workers = 1

    def share(self, obj: T) -> Shared[T]:
        return SharedValue(obj)

    def submit(self, fn: Callable[..., R], *args: Any, timeout: float | None = None) -> Future[R]:
        future: Future[R] = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def map(self, fn: Callable[[Any], R], items: Iterable[Any]) -> Iterator[R]:
        for item in items:
            yield fn(item)

    def close(self) -> None:
        pass

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
