"""What the test Hub holds, and the helpers tests drive it with.

Repos have refs (`main`, branches, `refs/pr/N`) pointing at immutable commits, each commit a full map path → file;
LFS objects live by sha256 apart from any commit (uploaded before a commit names them, as on the real Hub).
Tokens belong to users with a role; `log` records every request (method, path) so tests count uploads and
commits; `fail` injects errors and `pause` holds a request so a test can kill the client mid-push.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from typing import Any

GITATTRIBUTES = b"*.parquet filter=lfs diff=lfs merge=lfs -text\n"
TOKEN = "hf_fake_token_never_printed"  # user `me`, write access to `me/*`
READ_TOKEN = "hf_fake_read_only_token"  # user `me`, read access only
OTHER_TOKEN = "hf_fake_token_of_someone_else"  # user `someone-else`, write access to `someone-else/*`


@dataclass(frozen=True)
class Blob:
    size: int
    git_oid: str
    sha256: str | None = None  # set for LFS files (content in FakeHub.lfs)
    content: bytes | None = None  # set for regular files

    def info(self, path: str) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "file", "oid": self.git_oid, "size": self.size, "path": path}
        if self.sha256:
            pointer = len(lfs_pointer(self.sha256, self.size))
            out["lfs"] = {"oid": self.sha256, "size": self.size, "pointerSize": pointer}
        return out


@dataclass
class Commit:
    oid: str
    files: dict[str, Blob]
    message: str
    parent: str | None


@dataclass
class PullRequest:
    num: int
    title: str
    author: str
    target: str  # the branch it merges into
    base: str  # the target's commit when the pull request was opened
    status: str = "open"  # open, merged, closed
    merge_commit: str | None = None


@dataclass
class Repo:
    type: str
    id: str
    private: bool
    gated: str | bool = False  # False, "auto" or "manual"
    refs: dict[str, str] = field(default_factory=dict)
    commits: dict[str, Commit] = field(default_factory=dict)
    pulls: dict[int, PullRequest] = field(default_factory=dict)

    @property
    def owner(self) -> str:
        return self.id.split("/")[0]


@dataclass
class Fault:
    method: str
    path: str  # substring of the request path
    status: int | None  # None: drop the connection without answering
    times: float  # how many matching requests fail (math.inf: until cleared)
    after: int = 0  # let this many matching requests through first
    retry_after: str | None = None


@dataclass
class Pause:
    """Holds the matching request (unanswered) until released: the moment to kill the client."""

    method: str
    path: str
    after: int = 0
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


def git_blob_oid(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def lfs_pointer(sha256: str, size: int) -> bytes:
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()


class FakeHub:
    def __init__(self) -> None:
        self.repos: dict[tuple[str, str], Repo] = {}
        self.lfs: dict[str, bytes] = {}
        self.log: list[tuple[str, str]] = []
        self.faults: list[Fault] = []
        self.pauses: list[Pause] = []
        self.lock = threading.RLock()
        self.url = ""
        self.tokens: dict[str, tuple[str, str]] = {
            TOKEN: ("me", "write"),
            READ_TOKEN: ("me", "read"),
            OTHER_TOKEN: ("someone-else", "write"),
        }
        self.tokens_seen: set[str] = set()
        self.downloads: list[tuple[str, str | None]] = []  # (path, Range header) of every GET of a file

    # --- test helpers ---------------------------------------------------------------------------------------
    def fail(
        self,
        method: str,
        path: str,
        status: int | None = 503,
        times: float = 1,
        after: int = 0,
        retry_after: str | None = None,
    ) -> None:
        self.faults.append(Fault(method, path, status, times, after, retry_after))

    def pause(self, method: str, path: str, after: int = 0) -> Pause:
        pause = Pause(method, path, after)
        self.pauses.append(pause)
        return pause

    def requests(self, method: str, path_part: str) -> list[str]:
        return [p for m, p in self.log if m == method and path_part in p]

    def repo(self, repo_id: str, repo_type: str = "dataset") -> Repo:
        return self.repos[(repo_type, repo_id)]

    def files(self, repo_id: str, revision: str = "main", repo_type: str = "dataset") -> dict[str, bytes]:
        repo = self.repo(repo_id, repo_type)
        commit = repo.commits[repo.refs[revision]]
        return {p: b.content if b.content is not None else self.lfs[b.sha256] for p, b in commit.files.items()}

    # --- state ----------------------------------------------------------------------------------------------
    def create_repo(self, repo_type: str, repo_id: str, private: bool) -> Repo:
        repo = Repo(repo_type, repo_id, private)
        self.repos[(repo_type, repo_id)] = repo
        self.commit(repo, "main", {".gitattributes": self.regular(GITATTRIBUTES)}, "initial commit", None)
        return repo

    def regular(self, content: bytes) -> Blob:
        return Blob(len(content), git_blob_oid(content), content=content)

    def lfs_blob(self, sha256: str, size: int) -> Blob:
        return Blob(size, git_blob_oid(lfs_pointer(sha256, size)), sha256=sha256)

    def commit(self, repo: Repo, ref: str, files: dict[str, Blob], message: str, parent: str | None) -> Commit:
        digest = hashlib.sha1(
            json.dumps([parent, message, sorted((p, b.git_oid) for p, b in files.items()), len(repo.commits)]).encode()
        ).hexdigest()
        commit = Commit(digest, files, message, parent)
        repo.commits[digest] = commit
        repo.refs[ref] = digest
        return commit

    def resolve(self, repo: Repo, revision: str) -> Commit | None:
        revision = revision.removeprefix("refs/heads/")
        oid = repo.refs.get(revision) or (revision if revision in repo.commits else None)
        return repo.commits.get(oid) if oid else None

    def open_pull_request(self, repo: Repo, target: str, title: str, author: str) -> PullRequest:
        num = len(repo.pulls) + 1
        pull = PullRequest(num, title, author, target, repo.refs[target])
        repo.pulls[num] = pull
        repo.refs[f"refs/pr/{num}"] = pull.base
        return pull

    def merge(self, repo: Repo, pull: PullRequest) -> str | None:
        """Merge the pull request into its target: its changes (from the commit it was opened on) applied to
        the target's files, in one commit. None on a conflict (a path both sides changed differently)."""
        base = repo.commits[pull.base].files
        head = repo.commits[repo.refs[f"refs/pr/{pull.num}"]].files
        target = repo.commits[repo.refs[pull.target]].files
        files = dict(target)
        for path in set(base) | set(head):
            if base.get(path) == head.get(path):
                continue  # unchanged by the pull request
            if target.get(path) not in (base.get(path), head.get(path)):
                return None
            if path in head:
                files[path] = head[path]
            else:
                files.pop(path, None)
        commit = self.commit(repo, pull.target, files, f"Merge pull request #{pull.num}", repo.refs[pull.target])
        pull.status, pull.merge_commit = "merged", commit.oid
        return commit.oid
