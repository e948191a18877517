"""Where tasks run: in this process, in a local process pool, or on a Ray cluster, behind one small protocol.

The build's parse half (`medc.build`) and its finalize half (`medc.dedup`, shard writing) submit picklable
module-level functions to an `Executor`; which executor runs them never changes the output.
"""

from medc.executors.base import Executor, InProcess, TaskCrashed, TaskFailed, TaskTimedOut

__all__ = ["Executor", "InProcess", "TaskCrashed", "TaskFailed", "TaskTimedOut"]
