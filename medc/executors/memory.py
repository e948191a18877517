"""A per-worker memory limit (`--worker-memory`): a watchdog thread ends the worker when its resident set grows
past the limit, with an exit code the executor reports as `TaskCrashed(reason="memory_limit")`.

    >>> start_memory_watchdog(2 << 30)          # in the worker, before running a task
    # a unit that drives RSS over 2 GiB: the worker exits with MEMORY_EXIT_CODE, the batch is bisected, and the
    # culprit is rejected as `memory_limit`

Why a watchdog rather than RLIMIT_AS/RLIMIT_DATA: an address-space limit also counts what allocators and thread
pools reserve without touching (pyarrow's allocator, numpy's BLAS threads, glibc's per-thread arenas), so a limit
tight enough to matter refuses ordinary work, and C libraries (lxml, MuPDF) meet a failed malloc in ways that
range from a clean MemoryError to an abort. Measured: a worker that has imported the build stack (lxml, pymupdf,
pyarrow, numpy, datasketch) holds 237 MB resident but 1.8 GB of address space (VmSize) and 1.3 GB of VmData, so
RLIMIT_AS or RLIMIT_DATA at 1 GiB would refuse a worker that uses a quarter of it. Resident memory is what the
machine runs out of. Linux only (it reads
`/proc/self/statm`); elsewhere the limit is not enforced and a warning says so.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

log = logging.getLogger(__name__)

MEMORY_EXIT_CODE = 87
_started: list[int] = []


def resident_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def start_memory_watchdog(limit: int, interval: float = 0.05) -> None:
    """Start (once per process) a daemon thread that exits the process when RSS exceeds `limit` bytes."""
    if _started or limit <= 0:
        return
    if not os.path.exists("/proc/self/statm"):
        log.warning("--worker-memory is enforced on Linux only; running without a limit")
        _started.append(limit)
        return
    _started.append(limit)

    def watch() -> None:
        event = threading.Event()
        while not event.wait(interval):
            rss = resident_bytes()
            if rss > limit:
                sys.stderr.write(f"medc: worker {os.getpid()} over its memory limit ({rss} > {limit} bytes)\n")
                sys.stderr.flush()
                os._exit(MEMORY_EXIT_CODE)

    threading.Thread(target=watch, name="medc-memory-watchdog", daemon=True).start()
