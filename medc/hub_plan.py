"""What a push has to do: which files of a build differ from what the Hub already holds, cut into commits.

    >>> plan = plan_uploads(local_files(Path("out"), build), remote={...from list_repo_tree...}, limits=limits)
    >>> [len(c.uploads) for c in plan.commits], len(plan.unchanged), plan.deletions
    ([4, 4, 3], 2, ['data/papers/train-00002-of-00003.parquet'])

A file is unchanged when the Hub has the same path with the same size and the same content hash: sha256 for LFS
files (what the Hub reports under `lfs.oid`), the git blob id for regular ones. So a rerun after an interrupted
push uploads only what is missing or changed, and a rerun after a complete push uploads nothing.

Shards go first, in bounded commits; the card, the manifest and the reports go in the last commit, with the
deletion of shards the build no longer has (an older build's `train-00002-of-00003.parquet` would otherwise still
match the card's `data_files` glob). Until that last commit lands, the Hub keeps serving the previous card.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medc.build_facts import CARD, MANIFEST, BuildFacts

log = logging.getLogger(__name__)

REPORTS = ("rejections.jsonl", "duplicates.jsonl")
HASH_CACHE = ".push-sha256.json"
CHUNK = 1 << 20


@dataclass
class LocalFile:
    path: str  # in the repo, with `/`
    source: Path
    size: int
    mtime_ns: int = 0
    _sha256: str | None = None

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            self._sha256 = _digest(self.source, hashlib.sha256())
        return self._sha256

    def git_oid(self) -> str:
        return _digest(self.source, hashlib.sha1(b"blob %d\0" % self.size))


@dataclass(frozen=True)
class RemoteFile:
    path: str
    size: int
    blob_id: str
    sha256: str | None  # set when the Hub stores the file in LFS


@dataclass(frozen=True)
class CommitLimits:
    max_files: int = 200
    max_bytes: int = 5 << 30

    def __post_init__(self) -> None:
        if self.max_files < 1 or self.max_bytes < 1:
            raise ValueError(f"commit limits must be positive, got {self.max_files} files / {self.max_bytes} bytes")


@dataclass
class PlannedCommit:
    uploads: list[LocalFile] = field(default_factory=list)
    deletions: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(f.size for f in self.uploads)


@dataclass
class UploadPlan:
    commits: list[PlannedCommit]
    unchanged: list[str]
    deletions: list[str]

    @property
    def uploads(self) -> list[LocalFile]:
        return [f for c in self.commits for f in c.uploads]

    @property
    def size(self) -> int:
        return sum(c.size for c in self.commits)


def local_files(root: Path, build: BuildFacts) -> list[LocalFile]:
    """The files a build publishes: its shards, then card, manifest and reports. `.staging/` and temporary files
    stay home; so does anything else a user keeps in the directory."""
    shards = [s.path for c in build.configs for split in c.splits for s in split.shards]
    names = [*shards, *[n for n in (CARD, MANIFEST, *REPORTS) if (root / n).is_file()]]
    cache = _read_hash_cache(root)
    files = []
    for name in names:
        stat = (root / name).stat()
        known = cache.get(name)
        sha = known[2] if known and known[:2] == [stat.st_size, stat.st_mtime_ns] else None
        files.append(LocalFile(name, root / name, stat.st_size, stat.st_mtime_ns, sha))
    return files


def save_hash_cache(root: Path, files: list[LocalFile]) -> None:
    """Remember the sha256 of files hashed this time (by size and mtime), so a rerun of a push over a 100 GB
    build does not hash it all again. A hidden file beside the build; never uploaded."""
    entries = {f.path: [f.size, f.mtime_ns, f._sha256] for f in files if f._sha256}
    if not entries:
        return
    try:
        temp = root / f"{HASH_CACHE}.tmp"
        temp.write_text(json.dumps({**_read_hash_cache(root), **entries}))
        temp.replace(root / HASH_CACHE)
    except OSError as err:  # a read-only build directory: hash again next time
        log.debug("cannot save %s: %s", HASH_CACHE, err)


def _read_hash_cache(root: Path) -> dict[str, list[Any]]:
    try:
        data = json.loads((root / HASH_CACHE).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remote_files(entries: list[Any]) -> dict[str, RemoteFile]:
    """`HfApi.list_repo_tree(recursive=True)` entries (files only) keyed by path."""
    out = {}
    for entry in entries:
        if not hasattr(entry, "blob_id"):
            continue  # a folder
        lfs = getattr(entry, "lfs", None)
        out[entry.path] = RemoteFile(entry.path, entry.size, entry.blob_id, lfs.sha256 if lfs else None)
    return out


def is_unchanged(local: LocalFile, remote: RemoteFile | None) -> bool:
    if remote is None or remote.size != local.size:
        return False
    if remote.sha256:
        return remote.sha256 == local.sha256
    return remote.blob_id == local.git_oid()


def plan_uploads(files: list[LocalFile], remote: Mapping[str, RemoteFile], limits: CommitLimits) -> UploadPlan:
    changed = [f for f in files if not is_unchanged(f, remote.get(f.path))]
    unchanged = [f.path for f in files if f not in changed]
    local_paths = {f.path for f in files}
    deletions = sorted(p for p in remote if p.startswith("data/") and p not in local_paths)
    data = [f for f in changed if f.path.startswith("data/")]
    last = PlannedCommit([f for f in changed if not f.path.startswith("data/")], deletions)
    commits, current = [], PlannedCommit()
    for f in data:  # a file larger than max_bytes gets a commit of its own
        if current.uploads and (len(current.uploads) >= limits.max_files or current.size + f.size > limits.max_bytes):
            commits.append(current)
            current = PlannedCommit()
        current.uploads.append(f)
    if current.uploads:
        commits.append(current)
    if last.uploads or last.deletions:
        commits.append(last)
    return UploadPlan(commits, unchanged, deletions)


def _digest(path: Path, h: Any) -> str:
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()
