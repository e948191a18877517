"""Walk inputs into work-unit references, in a deterministic order, without reading the bytes of plain files.

    >>> walker = InputWalker(["pmc/", "oa_comm_xml.incr.2024-06-18.tar.gz"], accept=lambda n: n.endswith(".xml"))
    >>> [(r.origin, r.path, r.data is not None) for r in walker]
    [('pmc/a/PMC1.xml', 'pmc/a/PMC1.xml', False), ('pmc/b/PMC2.xml', 'pmc/b/PMC2.xml', False),
     ('oa_comm_xml.incr.2024-06-18.tar.gz::PMC001xxxxxx/PMC1234567.xml', '', True)]

Inputs are directories (walked recursively, each directory's entries sorted, hidden entries skipped), glob
patterns, single files, `.tar`, `.tar.gz`/`.tgz`, `.zip` archives (streamed member by member in a background
thread, never extracted to disk), `.gz` files (`a.xml.gz` is offered to `accept` as `a.xml`; the worker gunzips)
and fsspec URLs such as `s3://bucket/prefix/` (listed page by page). The walker lists and stats; the worker opens,
reads, gunzips and hashes (`medc.sources.reading`). Only archives are read here, since their members cannot be
reached otherwise.

The origin of an archive member is `<archive>::<member name>`, the convention fsspec uses for chained paths. Local
origins start with the input's name, not its path (`medc.origins`): `pmc/a/PMC1.xml` for the input `/home/ana/pmc/`,
so no path of the building machine reaches the published rows, rejections or card; `UnitRef.path` is what the
worker opens.
"""

from __future__ import annotations

import glob
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from medc.origins import local_base, public_origin, public_roots
from medc.sources.archives import ArchiveReader
from medc.sources.objects import filesystem, iter_listing
from medc.sources.refs import (
    DEFAULT_MAX_UNIT_BYTES,
    InputError,
    InputStats,
    UnitRef,
    is_archive,
    is_url,
    logical_name,
)

log = logging.getLogger(__name__)

# `completed(path, size, stamp)` → what a resumed build journaled of an archive it finished (`{"files", "ignored",
# "sha256", "refs"}`), or None: a finished archive is skipped without being read.
Completed = Callable[[str, int, str], "dict[str, Any] | None"]


class InputWalker:
    """Iterate the `UnitRef`s of several inputs, collecting `InputStats` on the way.

    `accept(name)` says whether a builder reads a file (by its logical name). Archives are opened whatever
    `accept` says, and their members are offered to `accept` in turn. Problems with one file or archive are
    yielded in order as refs with `problem` set, for the build to record as rejections. `sidecars(name)` names
    the sibling files a unit carries; the worker reads them.
    """

    def __init__(
        self,
        inputs: Iterable[str],
        accept: Callable[[str], bool],
        max_unit_bytes: int = DEFAULT_MAX_UNIT_BYTES,
        sidecars: Callable[[str], Sequence[str]] | None = None,
        completed: Completed | None = None,
    ) -> None:
        self.inputs = list(inputs)
        self.accept = accept
        self.max_unit_bytes = max_unit_bytes
        self.sidecars = sidecars
        self.completed = completed
        self.stats: list[InputStats] = []
        self.archives: list[dict[str, Any]] = []  # archives read to the end: what a resume may skip them by
        self.roots = public_roots(self.inputs)  # local inputs' public names: origins never carry local paths
        self._next = 0

    def __iter__(self) -> Iterator[UnitRef]:
        for spec in self.inputs:
            yield from self._walk_input(spec)

    def _walk_input(self, spec: str) -> Iterator[UnitRef]:
        if is_url(spec):
            yield from self._walk_url(spec)
            return
        path, root = Path(spec.removeprefix("file://")), self.roots[spec]
        if path.is_dir():
            # A directory's origins are made while walking it (`root/a/b.xml`): no path arithmetic per file.
            stats, named = InputStats(root, "directory"), _sorted_tree(str(path), f"{root}/")
        elif path.exists():
            stats = InputStats(root, "archive" if is_archive(path.name) else "file")
            named = iter([(str(path), root)])
        elif glob.has_magic(spec):
            stats, base = InputStats(root, "glob"), local_base(spec)
            files = sorted(p for p in glob.glob(spec, recursive=True) if os.path.isfile(p))
            named = ((file, public_origin(root, base, Path(file))) for file in files)
        else:
            raise InputError(f"{spec}: no such file or directory")
        self.stats.append(stats)
        for file, origin in named:
            yield from self._walk_file(file, origin, stats)

    def _walk_file(self, file: str, origin: str, stats: InputStats) -> Iterator[UnitRef]:
        name = os.path.basename(file)
        if not is_archive(name):
            if self.accept(logical_name(name)):
                # Not even a stat here: the worker stats the file it opens (one fstat, no extra round trip)
                yield self._ref(stats, origin, file, -1, "")
            else:
                stats.ignored += 1
            return
        try:
            st = os.stat(file)
        except OSError as exc:
            yield self._problem(stats, origin, "unreadable", f"{exc.strerror or exc}")
            return
        yield from self._walk_archive(origin, file, name, st.st_size, str(st.st_mtime_ns), stats, _local_open)

    def _walk_url(self, url: str) -> Iterator[UnitRef]:
        fs, root = filesystem(url)
        stats = InputStats(url, "url")
        self.stats.append(stats)
        protocol = url.split("://", 1)[0]
        for entry in iter_listing(fs, root):
            name, full = entry.path.rsplit("/", 1)[-1], f"{protocol}://{entry.path}"
            if is_archive(name):
                yield from self._walk_archive(full, entry.path, name, entry.size, entry.stamp, stats, fs.open)
            elif self.accept(logical_name(name)):
                yield self._ref(stats, full, full, entry.size, entry.stamp)
            else:
                stats.ignored += 1

    def _ref(self, stats: InputStats, origin: str, path: str, size: int, stamp: str) -> UnitRef:
        stats.files += 1  # (its size is added from what the worker reports: `medc.stage.digest`)
        if size > self.max_unit_bytes and not origin.lower().endswith(".gz"):
            return self._problem(stats, origin, "too_large", f"larger than the limit of {self.max_unit_bytes} bytes")
        return UnitRef(origin, self._take_index(), path, size, stamp, input=len(self.stats) - 1)

    def _walk_archive(
        self,
        origin: str,
        path: str,
        name: str,
        size: int,
        stamp: str,
        stats: InputStats,
        opener: Callable[[str], BinaryIO],
    ) -> Iterator[UnitRef]:
        done = self.completed(origin, size, stamp) if self.completed else None
        if done is not None:  # a resumed build finished this archive: skip it without reading it
            stats.files += done["files"]
            stats.ignored += done["ignored"]
            stats.size += size
            self._next += done["refs"]
            self.archives.append({**done, "path": origin, "size": size, "stamp": stamp, "input": len(self.stats) - 1})
            return
        first, files, ignored = self._next, stats.files, stats.ignored
        try:
            fh = opener(path)
        except OSError as exc:
            yield self._problem(stats, origin, "unreadable", f"{getattr(exc, 'strerror', None) or exc}")
            return
        with fh:
            reader = ArchiveReader(
                fh, name, lambda m: self.accept(logical_name(os.path.basename(m))), self.max_unit_bytes
            )
            for member, data in reader:
                stats.files += 1
                yield UnitRef(
                    f"{origin}::{member}", self._take_index(), "", len(data), "", data, input=len(self.stats) - 1
                )
        stats.size += reader.size
        stats.ignored += reader.ignored
        if reader.error:
            yield self._problem(stats, origin, "corrupt_archive", reader.error)
            return
        if stats.kind == "archive":
            stats.sha256 = reader.sha256
        self.archives.append(
            {"path": origin, "size": size, "stamp": stamp, "sha256": reader.sha256, "files": stats.files - files,
             "ignored": stats.ignored - ignored, "refs": self._next - first, "input": len(self.stats) - 1}
        )  # fmt: skip

    def _take_index(self) -> int:
        self._next += 1
        return self._next - 1

    def _problem(self, stats: InputStats, origin: str, reason: str, detail: str) -> UnitRef:
        log.warning("%s: %s (%s)", origin, reason, detail)
        stats.errors.append(f"{origin}: {reason}")
        return UnitRef(origin, self._take_index(), problem=reason, detail=detail, input=len(self.stats) - 1)


def _local_open(path: str) -> BinaryIO:
    return open(path, "rb")


def _sorted_tree(root: str, origin: str) -> Iterator[tuple[str, str]]:
    """(path, origin) of the files under `root`, depth first, each directory's entries in name order; hidden
    entries skipped; a file's origin is `origin` followed by its path under `root`, joined by `/`. Only one
    directory's listing is held at a time."""
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as exc:
        raise InputError(f"{root}: {exc.strerror or exc}") from None
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _sorted_tree(entry.path, f"{origin}{entry.name}/")
        elif entry.is_file():
            yield entry.path, f"{origin}{entry.name}"
