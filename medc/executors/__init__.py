"""Where tasks run: in this process, in a local process pool, or on a Ray cluster, behind one small protocol.

    >>> with open_executor("local", workers=4) as ex:        # "inprocess" (--workers 0), "local", "ray"
    ...     list(ex.map(len, ["ab", "c"]))
    [2, 1]

The build's parse half (`medc.stage`) and its finalize half (`medc.dedup`, shard writing) submit picklable
module-level functions to an `Executor`; which executor runs them never changes the output.
"""

from __future__ import annotations

from medc.executors.base import (
    Executor,
    ExecutorUnavailable,
    InProcess,
    Shared,
    SharedValue,
    TaskCrashed,
    TaskFailed,
    TaskTimedOut,
)

__all__ = [
    "Executor",
    "ExecutorUnavailable",
    "InProcess",
    "Shared",
    "SharedValue",
    "TaskCrashed",
    "TaskFailed",
    "TaskTimedOut",
    "open_executor",
]

KINDS = ("local", "ray")


def open_executor(kind: str = "local", workers: int | None = None, ray_address: str | None = None) -> Executor:
    """The executor a build runs on. `workers=0` means in this process (no isolation; for debugging)."""
    if kind not in KINDS:
        raise ValueError(f"executor {kind!r}: expected one of {', '.join(KINDS)}")
    if kind == "ray":
        from medc.executors.ray_cluster import RayExecutor

        return RayExecutor(ray_address, workers or None)
    if workers == 0:
        return InProcess()
    from medc.executors.local import LocalPool

    return LocalPool(workers)
