"""Archives are read in a background thread of the coordinator: their members cannot be reached without streaming
the archive, so one thread gunzips and hashes it while the coordinator schedules (zlib and hashlib release the GIL).

    >>> reader = ArchiveReader(open("oa_comm_xml.incr.2024-06-18.tar.gz", "rb"), "…tar.gz", accept)
    >>> for member, data in reader: ...        # ("PMC001xxxxxx/PMC1.xml", b"<article ...") in stored order
    >>> reader.size, reader.sha256, reader.ignored, reader.error
    (1840212, '5f1c…', 12, None)

This is the documented limit of archive inputs: one gunzip stream per archive. PMC's current distribution is one
object per article version; tarballs are the legacy path.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import queue
import tarfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from typing import BinaryIO

from medc.sources.refs import ZIP_SUFFIXES

_END = object()
# Members read ahead of the coordinator; bounds memory (a member is at most `max_unit_bytes`).
READ_AHEAD = 16


class ArchiveReader:
    """Iterate `(member name, bytes)` of the members `accept` wants, read in a background thread."""

    def __init__(self, fh: BinaryIO, name: str, accept: Callable[[str], bool], max_bytes: int) -> None:
        self.fh, self.name, self.accept, self.max_bytes = fh, name, accept, max_bytes
        self.size = 0
        self.sha256 = ""
        self.ignored = 0
        self.error: str | None = None
        self._queue: queue.Queue = queue.Queue(READ_AHEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name=f"archive:{name}", daemon=True)

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        self._thread.start()
        try:
            while (item := self._queue.get()) is not _END:
                yield item
        finally:
            self._stop.set()
            while self._thread.is_alive():  # unblock a reader waiting on a full queue
                with contextlib.suppress(queue.Empty):
                    self._queue.get(timeout=0.05)
            self._thread.join()

    def _read(self) -> None:
        hashing = HashingReader(self.fh)
        try:
            if self.name.lower().endswith(ZIP_SUFFIXES):
                hashing.drain()  # zipfile seeks, so hash the file first, then read the members
                self.fh.seek(0)
                members = iter_zip_members(self.fh)
            else:
                members = iter_tar_members(hashing)
            for member, read in members:
                if self._stop.is_set():
                    return
                if not self.accept(member):
                    self.ignored += 1
                    continue
                self._queue.put((member, read(self.max_bytes + 1)))
            hashing.drain()
        except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
            # A truncated or corrupt archive: what was read so far stands, the rest is recorded as one problem.
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.size, self.sha256 = hashing.size, hashing.hexdigest()
            self._queue.put(_END)


def iter_tar_members(fh: BinaryIO) -> Iterator[tuple[str, Callable[[int], bytes]]]:
    """Members of a (possibly compressed) tar stream, in stored order, read lazily one at a time."""
    with tarfile.open(fileobj=fh, mode="r|*") as tar:
        for info in tar:
            if info.isfile():
                yield info.name, lambda limit, info=info: tar.extractfile(info).read(limit)  # type: ignore[union-attr]


def iter_zip_members(fh: BinaryIO) -> Iterator[tuple[str, Callable[[int], bytes]]]:
    with zipfile.ZipFile(fh) as zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            if not info.is_dir():
                yield info.filename, lambda limit, info=info: zf.open(info).read(limit)


class HashingReader(io.RawIOBase):
    """A read-only stream that sha256-hashes and counts the bytes passing through it."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.hash = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        chunk = self.raw.read(len(buffer))
        n = len(chunk)
        buffer[:n] = chunk
        self.hash.update(chunk)
        self.size += n
        return n

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read() if size is None or size < 0 else self.raw.read(size)
        self.hash.update(chunk)
        self.size += len(chunk)
        return chunk

    def drain(self) -> None:
        while self.read(1 << 20):
            pass

    def hexdigest(self) -> str:
        return self.hash.hexdigest()
