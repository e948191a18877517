"""The worker's half of a walk: turn the `UnitRef`s of a batch into `WorkUnit`s, reading, gunzipping and hashing.

    >>> for ref, unit, sha256 in read_units(batch_refs, max_unit_bytes=1 << 30):
    ...     unit.origin, len(unit.data), unit.problem, sha256[:8]
    ('pmc/PMC1.xml', 48213, '', '3f1c9a0b')
    ('pmc/broken.xml.gz', 0, 'corrupt_gzip', '77aa01c2')

Local files are opened one by one; objects on fsspec URLs (`s3://...`) are fetched together, concurrently, so a
batch of 64 objects costs about one round trip. `sha256` is of the bytes as stored (before gunzip): it is what the
manifest records and what a resume trusts.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import os
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from medc.sources.objects import read_objects
from medc.sources.refs import UnitRef, WorkUnit, is_url, logical_name

Sidecars = Callable[[str], Sequence[str]]


def read_units(
    refs: Sequence[UnitRef], max_unit_bytes: int, sidecars: Sidecars | None = None
) -> Iterator[tuple[UnitRef, WorkUnit, str]]:
    """`(ref, unit, sha256)` for each ref, in order; a unit that cannot be read carries `problem` instead."""
    remote = _fetch_remote(refs, max_unit_bytes, sidecars)
    for ref in refs:
        if ref.problem:
            yield ref, WorkUnit(ref.origin, b"", ref.problem, ref.detail), ""
            continue
        if ref.data is not None:
            raw: bytes | Exception | None = ref.data
        elif is_url(ref.path):
            raw = remote.get(ref.path)
        else:
            raw, ref = _read_local(ref, max_unit_bytes)
        if isinstance(raw, Exception):
            reason = "too_large" if isinstance(raw, ValueError) else "unreadable"
            yield ref, WorkUnit(ref.origin, b"", reason, _describe(raw)), ""
            continue
        assert raw is not None
        sha256 = hashlib.sha256(raw).hexdigest()
        unit = _decoded(ref.origin, raw, max_unit_bytes)
        if sidecars is not None and ref.path and not unit.problem:
            found = _sidecars_of(ref, sidecars, remote, max_unit_bytes)
            if found:
                unit = WorkUnit(unit.origin, unit.data, sidecars=found)
        yield ref, unit, sha256


def with_stat(ref: UnitRef) -> UnitRef:
    """`ref` with the size and stamp of its local file, when the walker left them unknown (-1, "")."""
    if ref.size >= 0 or ref.data is not None or not ref.path or is_url(ref.path):
        return ref
    try:
        st = os.stat(ref.path)
    except OSError:
        return ref
    return dataclasses.replace(ref, size=st.st_size, stamp=str(st.st_mtime_ns))


def _read_local(ref: UnitRef, limit: int) -> tuple[bytes | Exception, UnitRef]:
    """The file's bytes, and the ref with the size and stamp (mtime) of what was read, for the journal. Plain
    os calls: a file object costs more than reading a small file does."""
    try:
        fd = os.open(ref.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        return exc, ref
    try:
        st = os.fstat(fd)
        ref = UnitRef(
            ref.origin, ref.index, ref.path, st.st_size, str(st.st_mtime_ns), ref.data, ref.problem, ref.detail,
            ref.input,
        )  # fmt: skip
        if st.st_size > limit and not ref.path.lower().endswith(".gz"):
            return ValueError(f"larger than the limit of {limit} bytes"), ref
        parts = []
        while chunk := os.read(fd, st.st_size + 1):  # to the end, also for a file that grew since fstat
            parts.append(chunk)
        return (parts[0] if len(parts) == 1 else b"".join(parts)), ref
    except OSError as exc:
        return exc, ref
    finally:
        os.close(fd)


def _decoded(origin: str, raw: bytes, limit: int) -> WorkUnit:
    data = raw
    if origin.lower().endswith(".gz"):
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as gz:
                data = gz.read(limit + 1)  # bounded: a gzip bomb stops at the limit
        except (OSError, EOFError, ValueError, zlib.error) as exc:
            return WorkUnit(origin, b"", "corrupt_gzip", _describe(exc))
    if len(data) > limit:
        return WorkUnit(origin, b"", "too_large", f"larger than the limit of {limit} bytes")
    return WorkUnit(origin, data)


def _sibling(path: str, name: str) -> str:
    return f"{path.rsplit('/', 1)[0]}/{name}" if is_url(path) else str(Path(path).with_name(name))


def _fetch_remote(refs: Sequence[UnitRef], limit: int, sidecars: Sidecars | None) -> dict[str, bytes | Exception]:
    urls = [r.path for r in refs if r.data is None and not r.problem and is_url(r.path)]
    if sidecars is not None:
        urls += [_sibling(u, s) for u in list(urls) for s in sidecars(logical_name(u.rsplit("/", 1)[-1]))]
    return read_objects(urls, limit) if urls else {}


def _sidecars_of(
    ref: UnitRef, sidecars: Sidecars, remote: dict[str, bytes | Exception], limit: int
) -> dict[str, bytes]:
    """The sibling files the builder asks for that exist (and are not over the limit)."""
    found = {}
    for name in sidecars(logical_name(ref.path.rsplit("/", 1)[-1])):
        path = _sibling(ref.path, name)
        data = remote.get(path) if is_url(path) else _read_local(UnitRef(path, 0, path), limit)[0]
        if isinstance(data, bytes) and len(data) <= limit:
            found[name] = data
    return found


def _describe(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return f"{type(exc).__name__}: {text}"[:2000]
