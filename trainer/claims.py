"""Sharing work between processes through files, without a collective: claims, heartbeats, finished markers.

    >>> claim = Claim.take(Path("cache/papers-1a2b/claims/00012"))     # None when someone else holds it
    >>> claim.beat()                                                   # "still working" (the file's mtime)
    >>> claim.release()

Ranks of a training job, `medc train tokenize` workers and several machines on shared storage all tokenize
the same cache this way: a process claims a work unit by creating its claim file exclusively (`O_CREAT|O_EXCL`,
atomic on local disks and NFS v3+), works, renames its output into place, and releases. A claim whose holder
stopped beating for `stale_after` seconds (a killed job) is taken over. Nobody waits in a barrier, so no
collective timeout can fire while data is tokenized: waiting is polling the file system (`wait_until`).

Temporary files are named by host, pid and a uuid (`tmp_name`): pids repeat across containerised nodes that
share a disk; a uuid does not.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

STALE_AFTER_S = float(os.environ.get("MEDC_CLAIM_STALE_S", "300"))
POLL_S = 2.0


def worker_id() -> str:
    """This process, unique across machines: host, pid and a random suffix."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def tmp_name(path: Path) -> Path:
    """A temporary sibling of `path` no other process anywhere uses."""
    return path.with_name(f".{path.name}.{worker_id()}.tmp")


@dataclass
class Claim:
    path: Path
    owner: str

    @classmethod
    def take(cls, path: Path, stale_after: float | None = None) -> Claim | None:
        """Claim `path`, or None when a live claim exists. A stale claim (no beat for `stale_after` seconds) is
        removed and taken over."""
        stale_after = STALE_AFTER_S if stale_after is None else stale_after
        path.parent.mkdir(parents=True, exist_ok=True)
        owner = worker_id()
        for _ in range(2):
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if not _is_stale(path, stale_after):
                    return None
                log.warning("Taking over %s: its holder stopped %.0f s ago (%s)", path, stale_after, _read(path))
                path.unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w") as fh:
                json.dump({"owner": owner, "since": time.time()}, fh)
            return cls(path, owner)
        return None

    def beat(self) -> None:
        """Tell waiting processes this claim's holder is alive."""
        try:
            os.utime(self.path)
        except FileNotFoundError:  # taken over as stale: the work is done twice, identically
            log.warning("%s was taken over by another process", self.path)

    def release(self) -> None:
        self.path.unlink(missing_ok=True)


def is_claimed(path: Path, stale_after: float | None = None) -> bool:
    return path.exists() and not _is_stale(path, STALE_AFTER_S if stale_after is None else stale_after)


def _is_stale(path: Path, stale_after: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime > stale_after
    except FileNotFoundError:
        return True


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return "?"


def wait_until(done: Callable[[], bool], what: str, poll_s: float = POLL_S) -> None:
    """Poll until `done()`; say every minute what is awaited (another process's claimed work)."""
    started = last = time.monotonic()
    while not done():
        time.sleep(poll_s)
        if time.monotonic() - last > 60:
            last = time.monotonic()
            log.info("Waiting for %s (%.0f min so far)", what, (last - started) / 60)
