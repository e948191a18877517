"""Ray as an executor (`--executor ray`): each submitted task is a Ray task on the cluster.

    >>> with RayExecutor(address="auto") as ex:          # or RAY_ADDRESS=ray://head:10001, or none: a local cluster
    ...     ex.workers
    128                                                   # the CPUs of the cluster

Tasks run with `max_retries=0`: medc does its own retry by bisection, and a retried unit would be parsed twice.
A task past its timeout is cancelled with `force=True` (its worker process is killed). Ray's exceptions are
normalized to the protocol's: a dead worker or node → `TaskCrashed`, a cancelled task → `TaskTimedOut`, a task's
own exception → itself. Shared objects go to the object store once (`ray.put`).
"""

from __future__ import annotations

import collections
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

from medc.executors.base import ExecutorUnavailable, TaskCrashed, TaskTimedOut

log = logging.getLogger(__name__)
R = TypeVar("R")
T = TypeVar("T")


def _call(fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


class RayExecutor:
    """Join the cluster at `address` (else `RAY_ADDRESS`, else start a local one with `workers` CPUs)."""

    name = "ray"

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        try:
            import ray
        except ImportError:
            raise ExecutorUnavailable(
                "--executor ray needs Ray: pip install 'medc[ray]' (make venv installs it)"
            ) from None

        address = address or os.environ.get("RAY_ADDRESS") or None
        self._owns = not ray.is_initialized()
        if self._owns:
            options: dict[str, Any] = {"include_dashboard": False, "configure_logging": False}
            if address is None and workers:
                options["num_cpus"] = workers
            try:
                ray.init(address=address, **options)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise ExecutorUnavailable(f"cannot join the Ray cluster at {address}: {exc}") from None
            log.info("ray: %s, %s CPUs", address or "local cluster", ray.cluster_resources().get("CPU"))
        self.workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.nodes = sum(1 for node in ray.nodes() if node.get("Alive"))
        self._remote = ray.remote(num_cpus=1, max_retries=0)(_call)
        self._timers: set[threading.Timer] = set()

    def share(self, obj: T) -> SharedRef[T]:
        import ray

        return SharedRef(ray.put(obj))

    def submit(self, fn: Callable[..., R], *args: Any, timeout: float | None = None) -> Future[R]:
        ref = self._remote.remote(fn, *args)
        out: Future[R] = Future()
        state = {"timed_out": False}
        if timeout is not None:
            timer = threading.Timer(timeout, self._cancel, (ref, state))
            timer.daemon = True
            self._timers.add(timer)
            timer.start()
            out.add_done_callback(lambda _: (timer.cancel(), self._timers.discard(timer)))
        ref.future().add_done_callback(lambda done: _settle(out, done, state))
        return out

    def _cancel(self, ref: Any, state: dict[str, bool]) -> None:
        import ray

        state["timed_out"] = True
        ray.cancel(ref, force=True)

    def map(self, fn: Callable[[Any], R], items: Iterable[Any]) -> Iterator[R]:
        pending: collections.deque[Future[R]] = collections.deque()
        for item in items:
            pending.append(self.submit(fn, item))
            if len(pending) >= self.workers * 2:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def close(self) -> None:
        import ray

        for timer in list(self._timers):
            timer.cancel()
        if self._owns:
            ray.shutdown()

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _settle(out: Future, done: Future, state: dict[str, bool]) -> None:
    from ray import exceptions as rx

    try:
        out.set_result(done.result())
    except rx.TaskCancelledError:
        out.set_exception(
            TaskTimedOut("cancelled after its timeout") if state["timed_out"] else TaskCrashed("cancelled")
        )
    except rx.OutOfMemoryError as exc:
        out.set_exception(TaskCrashed(f"killed by Ray's memory monitor: {exc}", "memory_limit"))
    except (rx.WorkerCrashedError, rx.NodeDiedError, rx.ObjectLostError, rx.LocalRayletDiedError) as exc:
        if state["timed_out"]:
            out.set_exception(TaskTimedOut("killed after its timeout"))
        else:
            out.set_exception(TaskCrashed(f"worker died: {type(exc).__name__}"))
    except rx.RayTaskError as exc:
        cause = exc.cause if isinstance(getattr(exc, "cause", None), BaseException) else exc
        out.set_exception(cause)
    except BaseException as exc:
        out.set_exception(exc)


class SharedRef(Generic[T]):
    """An object in Ray's object store; each worker fetches it on first use and keeps it."""

    def __init__(self, ref: Any) -> None:
        self.ref = ref

    def get(self) -> T:
        import ray

        key = self.ref.hex()
        if key not in _fetched:
            if len(_fetched) >= 4:
                _fetched.pop(next(iter(_fetched)))
            _fetched[key] = ray.get(self.ref)
        return _fetched[key]


_fetched: dict[str, Any] = {}
