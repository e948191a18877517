"""What a walk yields and what a worker builds from it: a `UnitRef` names an input, a `WorkUnit` holds its bytes.

    UnitRef(origin="pmc/PMC1.xml", index=0, path="pmc/PMC1.xml", size=48213, stamp="1718700000123456789")
    UnitRef(origin="s3://pmc-oa-opendata/oa_comm/xml/all/PMC1.1.xml", index=0, path="s3://...", size=48213,
            stamp='"9b2cf535f27731c974343645a3985328"')                     # the object's ETag
    UnitRef(origin="oa_comm_xml.incr.2024-06-18.tar.gz::PMC001xxxxxx/PMC1.xml", index=3, data=b"<article...")

The coordinator only lists and stats; a worker opens `path` (or takes the inline `data` of an archive member or a
synthetic unit), gunzips, hashes and hands the builder a `WorkUnit(origin, data)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz")
ZIP_SUFFIXES = (".zip",)
# A unit larger than this is refused rather than read into memory (a PDF textbook is ~10-200 MB).
DEFAULT_MAX_UNIT_BYTES = 1 << 30


@dataclass(frozen=True, slots=True)
class WorkUnit:
    """The bytes of one input file or archive member. `origin` is also the unit's key for resuming a build."""

    origin: str
    data: bytes
    # Set when the bytes could not be produced (corrupt archive, unreadable file, too large): the build records
    # the unit as a rejection with this reason instead of parsing it.
    problem: str = ""
    detail: str = ""
    # Files that travel with the unit, by name: a PMC Cloud Service `PMC1.1/PMC1.1.json` beside `PMC1.1.xml`.
    # The worker attaches those the builder asks for (`sidecars(name)`) when they exist.
    sidecars: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UnitRef:
    """One work unit as the coordinator knows it: a name, a place in the walk, and where a worker finds the bytes."""

    origin: str  # display and resume key: "dir/PMC1.xml", "x.tar.gz::PMC1.xml", "s3://b/k"
    index: int  # 0-based position in its source's walk; stable across resumes (the walk is sorted)
    path: str = ""  # local path or fsspec URL the worker opens; "" when `data` is inline
    size: int = -1  # bytes on storage, from stat or the listing
    stamp: str = ""  # mtime_ns (local) or ETag (object store): a resume trusts it instead of re-reading
    data: bytes | None = None  # inline bytes: archive members, synthetic units (UMLS chunks)
    problem: str = ""  # walker-side problem (corrupt archive, unreadable, too large): recorded as a rejection
    detail: str = ""
    input: int = 0  # which top-level input (index into `InputWalker.stats`) it belongs to


@dataclass(slots=True)
class InputStats:
    """What the manifest records of one top-level input."""

    path: str
    kind: str  # file | directory | archive | glob | url
    files: int = 0  # work units offered to the builder
    ignored: int = 0  # files or members the builder does not read (images, supplements, ...)
    size: int = 0  # bytes on storage of the files it reads
    sha256: str = ""  # of the file; for directories, globs and prefixes, see `InputDigest`
    errors: list[str] = field(default_factory=list)


class InputError(Exception):
    """An input the user named cannot be walked at all (missing path, unreadable archive)."""


def is_archive(name: str) -> bool:
    return name.lower().endswith(TAR_SUFFIXES + ZIP_SUFFIXES)


def is_url(spec: str) -> bool:
    """An fsspec URL other than `file://` (which is walked as a local path)."""
    return "://" in spec and not spec.startswith("file://")


def logical_name(name: str) -> str:
    """The name a builder judges a file by: `PMC1.xml.gz` → `PMC1.xml`."""
    return name[:-3] if name.lower().endswith(".gz") and not name.lower().endswith(TAR_SUFFIXES) else name
