"""What a push has to do: which files of a build differ from what the Hub already holds, and how they reach it.

    >>> plan = plan_uploads(local_files(Path("out"), build), remote={...from list_repo_tree...}, limits=limits)
    >>> [len(c.uploads) for c in plan.commits], plan.via_pr, len(plan.unchanged), plan.deletions
    ([4], False, 2, ['data/papers/train-00002-of-00003.parquet'])

A file is unchanged when the Hub has the same path with the same size and the same content hash: sha256 for LFS
files (what the Hub reports under `lfs.oid`), the git blob id for regular ones. So a rerun after an interrupted
push uploads only what is missing or changed, and a rerun after a complete push uploads nothing.

Every push uploads all its files first (`medc/publish/commit.py`), then moves the branch once, so a reader sees
one complete build or the next, never a mix. Up to `max_files` changes go in one commit; more (the Hub
recommends at most ~100 files per commit) go to a pull request in bounded commits, shards first, then the card,
manifest, reports and the deletion of shards the build no longer has (an older build's
`train-00002-of-00003.parquet` would otherwise still match the card's `data_files` glob), and the pull request
is merged: one step for the branch.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medc.publish.facts import CARD, MANIFEST, BuildFacts

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
    content: bytes | None = None  # what to upload instead of the file (the card with a gate added)

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            self._sha256 = _digest(self._stream(), hashlib.sha256())
        return self._sha256

    def git_oid(self) -> str:
        return _digest(self._stream(), hashlib.sha1(b"blob %d\0" % self.size))

    def upload_source(self) -> str | bytes:
        return str(self.source) if self.content is None else self.content

    def _stream(self) -> Any:
        return io.BytesIO(self.content) if self.content is not None else open(self.source, "rb")


@dataclass(frozen=True)
class RemoteFile:
    path: str
    size: int
    blob_id: str
    sha256: str | None  # set when the Hub stores the file in LFS


@dataclass(frozen=True)
class CommitLimits:
    max_files: int = 100  # the Hub's advice: ~50-100 files per commit (docs/hub/storage-limits)
    max_bytes: int = 5 << 30  # per commit to a pull request, and per upload batch

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
    commits: list[PlannedCommit]  # one commit, or the pull request's commits (card, manifest, deletions last)
    unchanged: list[str]
    deletions: list[str]
    via_pr: bool = False  # through a pull request (more changes than one commit should carry, or asked for)

    @property
    def uploads(self) -> list[LocalFile]:
        return [f for c in self.commits for f in c.uploads]

    @property
    def size(self) -> int:
        return sum(c.size for c in self.commits)


def local_files(root: Path, build: BuildFacts, card: bytes | None = None) -> list[LocalFile]:
    """The files a build publishes: its shards, then card, manifest, reports and the files the card links to
    (plots). `.staging/` and temporary files stay home; so does anything else a user keeps in the directory.
    `card`: the README.md to upload instead of the one on disk."""
    shards = [s.path for c in build.configs for split in c.splits for s in split.shards]
    names = [*shards, *[n for n in (CARD, MANIFEST, *REPORTS) if (root / n).is_file()]]
    names += [n for n in build.card_files if n not in names]
    cache = _read_hash_cache(root)
    files = []
    for name in names:
        stat = (root / name).stat()
        if name == CARD and card is not None:
            files.append(LocalFile(name, root / name, len(card), content=card))
            continue
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


def plan_uploads(
    files: list[LocalFile], remote: Mapping[str, RemoteFile], limits: CommitLimits, via_pr: bool = False
) -> UploadPlan:
    """What to upload and delete; in one commit when it fits `limits.max_files` (and no pull request is asked
    for or already under way), else in bounded commits to a pull request, shards first."""
    changed = [f for f in files if not is_unchanged(f, remote.get(f.path))]
    unchanged = [f.path for f in files if f not in changed]
    local_paths = {f.path for f in files}
    deletions = sorted(p for p in remote if p.startswith("data/") and p not in local_paths)
    data = [f for f in changed if f.path.startswith("data/")]
    rest = [f for f in changed if not f.path.startswith("data/")]
    if not changed and not deletions:
        return UploadPlan([], unchanged, deletions, via_pr)
    if not via_pr and len(changed) + len(deletions) <= limits.max_files:
        return UploadPlan([PlannedCommit(data + rest, deletions)], unchanged, deletions)
    commits = [PlannedCommit(chunk) for chunk in chunks(data, limits)]
    if rest or deletions:
        commits.append(PlannedCommit(rest, deletions))
    return UploadPlan(commits, unchanged, deletions, via_pr=True)


def chunks(files: list[LocalFile], limits: CommitLimits) -> list[list[LocalFile]]:
    """`files` cut in order into runs of at most `max_files` files and `max_bytes` bytes (a larger single file
    makes a run of its own)."""
    out: list[list[LocalFile]] = []
    current: list[LocalFile] = []
    for f in files:
        if current and (len(current) >= limits.max_files or sum(c.size for c in current) + f.size > limits.max_bytes):
            out.append(current)
            current = []
        current.append(f)
    return [*out, current] if current else out


def _digest(stream: Any, h: Any) -> str:
    with stream as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()
