"""Walk inputs into work units: one file, or one member of an archive, with its bytes and where it came from.

    >>> walker = InputWalker(["pmc/", "oa_comm_xml.incr.2024-06-18.tar.gz"], accept=lambda n: n.endswith(".xml"))
    >>> [u.origin for u in walker]
    ['pmc/a/PMC1.xml', 'pmc/b/PMC2.xml', 'oa_comm_xml.incr.2024-06-18.tar.gz::PMC001xxxxxx/PMC1234567.xml']

Inputs are directories (walked recursively, sorted, hidden entries skipped), glob patterns, single files, `.tar`,
`.tar.gz`/`.tgz`, `.zip` archives (streamed member by member, never extracted to disk), `.gz` files (decompressed
in memory; `a.xml.gz` is offered to `accept` as `a.xml`) and fsspec URLs such as `s3://bucket/prefix/`. The walker
also measures each top-level input (files, bytes, sha256) for the manifest, hashing bytes as they stream by, so
inputs are read exactly once.

The origin of an archive member is `<archive>::<member name>`, the convention fsspec uses for chained paths. Local
origins start with the input's name, not its path (`medc/origins.py`): `pmc/a/PMC1.xml` for the input
`/home/ana/pmc/`, so no path of the building machine reaches the published rows, rejections or card.
"""

from __future__ import annotations

import dataclasses
import glob
import gzip
import hashlib
import io
import logging
import os
import tarfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from medc.origins import local_base, public_origin, public_roots

log = logging.getLogger(__name__)

TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz")
ZIP_SUFFIXES = (".zip",)
# A member larger than this is refused rather than read into memory (a PDF textbook is ~10-200 MB).
DEFAULT_MAX_UNIT_BYTES = 1 << 30


@dataclass(frozen=True, slots=True)
class WorkUnit:
    """The bytes of one input file or archive member. `origin` is also the unit's key for resuming a build."""

    origin: str
    data: bytes
    # Set when the walker could not produce the bytes (corrupt archive, unreadable file, too large): the runner
    # records the unit as a rejection with this reason instead of parsing it.
    problem: str = ""
    detail: str = ""
    # Files that travel with the unit, by name: a PMC Cloud Service `PMC1.1/PMC1.1.json` beside `PMC1.1.xml`.
    # The walker attaches those the builder asks for (`sidecars(name)`) when they exist.
    sidecars: dict[str, bytes] = field(default_factory=dict)


@dataclass(slots=True)
class InputStats:
    """What the manifest records of one top-level input."""

    path: str
    kind: str  # file | directory | archive | glob | url
    files: int = 0  # work units offered to the builder
    ignored: int = 0  # files or members the builder does not read (images, supplements, ...)
    size: int = 0  # bytes read from storage
    sha256: str = ""  # of the file; for directories and globs, of the sorted (name, sha256) list
    errors: list[str] = field(default_factory=list)


class InputError(Exception):
    """An input the user named cannot be walked at all (missing path, unreadable archive)."""


def is_archive(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(TAR_SUFFIXES + ZIP_SUFFIXES)


def logical_name(name: str) -> str:
    """The name a builder judges a file by: `PMC1.xml.gz` → `PMC1.xml`."""
    return name[:-3] if name.lower().endswith(".gz") and not name.lower().endswith(TAR_SUFFIXES) else name


class InputWalker:
    """Iterate the work units of several inputs in a deterministic order, collecting `InputStats` on the way.

    `accept(name)` says whether a builder reads a file (by its logical name). Archives are opened whatever
    `accept` says, and their members are offered to `accept` in turn. Problems with one file or archive member
    are yielded in order as units with `problem` set, for the runner to record as rejections.
    """

    def __init__(
        self,
        inputs: Iterable[str],
        accept: Callable[[str], bool],
        max_unit_bytes: int = DEFAULT_MAX_UNIT_BYTES,
        sidecars: Callable[[str], Sequence[str]] | None = None,
    ) -> None:
        self.inputs = list(inputs)
        self.accept = accept
        self.max_unit_bytes = max_unit_bytes
        self.sidecars = sidecars
        self.stats: list[InputStats] = []
        self.roots = public_roots(self.inputs)  # origins name inputs by these, never by local paths

    def __iter__(self) -> Iterator[WorkUnit]:
        for spec in self.inputs:
            yield from self._walk_input(spec)

    def _walk_input(self, spec: str) -> Iterator[WorkUnit]:
        if "://" in spec and not spec.startswith("file://"):
            yield from self._walk_url(spec)
            return
        path, root = Path(spec.removeprefix("file://")), self.roots[spec]
        base: Path | None = path
        if path.is_dir():
            stats = InputStats(root, "directory")
            files = sorted(p for p in _walk_dir(path))
        elif path.exists():
            stats = InputStats(root, "archive" if is_archive(path.name) else "file")
            files, base = [path], None
        elif glob.has_magic(spec):
            stats, base = InputStats(root, "glob"), local_base(spec)
            files = sorted(Path(p) for p in glob.glob(spec, recursive=True) if Path(p).is_file())
        else:
            raise InputError(f"{spec}: no such file or directory")
        self.stats.append(stats)
        digests: list[tuple[str, str]] = []
        for file in files:
            yield from self._walk_file(file, public_origin(root, base, file), stats, digests)
        stats.sha256 = digests[0][1] if stats.kind in ("file", "archive") and digests else _digest_of(digests)

    def _walk_file(
        self, file: Path, origin: str, stats: InputStats, digests: list[tuple[str, str]]
    ) -> Iterator[WorkUnit]:
        try:
            with open(file, "rb") as fh:
                yield from self._walk_stream(origin, file.name, fh, stats, digests, local=file)
        except OSError as exc:
            yield self._problem(stats, origin, "unreadable", f"{exc.strerror or exc}")

    def _walk_stream(
        self,
        origin: str,
        name: str,
        fh: BinaryIO,
        stats: InputStats,
        digests: list[tuple[str, str]],
        local: Path | None = None,
    ) -> Iterator[WorkUnit]:
        hashing = HashingReader(fh)
        if name.lower().endswith(ZIP_SUFFIXES):
            hashing.drain()  # zipfile seeks, so hash the file first, then read the members
            fh.seek(0)
            yield from self._walk_archive(origin, name, fh, stats)
        elif is_archive(name):
            yield from self._walk_archive(origin, name, hashing, stats)
            hashing.drain()
        elif self.accept(logical_name(name)):
            data = hashing.read(self.max_unit_bytes + 1)
            hashing.drain()
            unit = self._unit(origin, name, data, stats)
            yield self._with_sidecars(unit, local, name)
        else:
            stats.ignored += 1
            hashing.drain()
        stats.size += hashing.size
        digests.append((origin, hashing.hexdigest()))

    def _walk_archive(self, origin: str, name: str, fh: BinaryIO, stats: InputStats) -> Iterator[WorkUnit]:
        members = iter_zip_members(fh) if name.lower().endswith(ZIP_SUFFIXES) else iter_tar_members(fh)
        try:
            for member, read in members:
                if not self.accept(logical_name(os.path.basename(member))):
                    stats.ignored += 1
                    continue
                yield self._unit(f"{origin}::{member}", member, read(), stats)
        except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
            # A truncated or corrupt archive: what was read so far stands, the rest is recorded as one problem.
            yield self._problem(stats, origin, "corrupt_archive", f"{type(exc).__name__}: {exc}")

    def _unit(self, origin: str, name: str, data: bytes, stats: InputStats) -> WorkUnit:
        stats.files += 1
        if name.lower().endswith(".gz"):
            try:
                data = _gunzip(data, self.max_unit_bytes)
            except (OSError, EOFError, ValueError) as exc:
                return self._problem(stats, origin, "corrupt_gzip", f"{type(exc).__name__}: {exc}")
        if len(data) > self.max_unit_bytes:
            return self._problem(stats, origin, "too_large", f"larger than the limit of {self.max_unit_bytes} bytes")
        return WorkUnit(origin, data)

    def _with_sidecars(self, unit: WorkUnit, local: Path | None, name: str) -> WorkUnit:
        """Attach the sibling files the builder asks for (local files only, for now)."""
        if self.sidecars is None or unit.problem or local is None:
            return unit
        found = {}
        for sibling in self.sidecars(logical_name(name)):
            path = local.with_name(sibling)
            if path.is_file() and path.stat().st_size <= self.max_unit_bytes:
                found[sibling] = path.read_bytes()
        return dataclasses.replace(unit, sidecars=found) if found else unit

    def _walk_url(self, url: str) -> Iterator[WorkUnit]:
        import fsspec  # a local build never needs it

        fs, root = fsspec.core.url_to_fs(url, **_anonymous_options(url))
        stats = InputStats(url, "url")
        self.stats.append(stats)
        protocol = url.split("://", 1)[0]
        paths = sorted(fs.find(root)) if fs.isdir(root) else [root]
        digests: list[tuple[str, str]] = []
        for path in paths:
            name = path.rsplit("/", 1)[-1]
            if not is_archive(name) and not self.accept(logical_name(name)):
                stats.ignored += 1
                continue
            try:
                with fs.open(path, "rb") as fh:
                    yield from self._walk_stream(f"{protocol}://{path}", name, fh, stats, digests)
            except OSError as exc:
                yield self._problem(stats, f"{protocol}://{path}", "unreadable", str(exc))
        stats.sha256 = _digest_of(digests)

    def _problem(self, stats: InputStats, origin: str, reason: str, detail: str) -> WorkUnit:
        log.warning("%s: %s (%s)", origin, reason, detail)
        stats.errors.append(f"{origin}: {reason}")
        return WorkUnit(origin, b"", problem=reason, detail=detail)


def iter_tar_members(fh: BinaryIO) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """Members of a (possibly compressed) tar stream, in stored order, read lazily one at a time."""
    with tarfile.open(fileobj=fh, mode="r|*") as tar:
        for info in tar:
            if info.isfile():
                yield info.name, lambda info=info: tar.extractfile(info).read()  # type: ignore[union-attr]


def iter_zip_members(fh: BinaryIO) -> Iterator[tuple[str, Callable[[], bytes]]]:
    with zipfile.ZipFile(fh) as zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            if not info.is_dir():
                yield info.filename, lambda info=info: zf.read(info)


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


def _walk_dir(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if not name.startswith("."):
                yield Path(dirpath) / name


def _gunzip(data: bytes, limit: int) -> bytes:
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
        out = gz.read(limit + 1)  # bounded: a gzip bomb stops at the limit
    return out


def _digest_of(entries: list[tuple[str, str]]) -> str:
    h = hashlib.sha256()
    for name, digest in sorted(entries):
        h.update(f"{name}\t{digest}\n".encode())
    return h.hexdigest()


def _anonymous_options(url: str) -> dict[str, object]:
    # PMC's bucket is world-readable; without credentials s3fs must be told not to sign requests.
    if url.startswith("s3://") and not (os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE")):
        return {"anon": True}
    return {}
