"""An in-process fake of the Hugging Face Hub: the subset of its HTTP API that the real `huggingface_hub` client
(2.x) and `datasets` use to create a repo, upload (preupload, LFS batch + basic transfer, NDJSON commit), list
(repo info, tree, paths-info, refs) and download (resolve, with HTTP ranges). No Xet: the Xet token route answers
404, as a Hub without Xet storage would.

    def test_push(fake_hub):              # the fixture: a started server, clients pointed at it, temp caches
        HfApi().create_repo("me/x", repo_type="dataset")
        fake_hub.hub.fail("POST", "/commit/", status=429, times=1)   # the next commit is rate limited once

State lives in memory: repos with refs (`main`, branches, `refs/pr/N`) pointing at immutable commits, each commit
a full map path → file; LFS objects by sha256. `hub.log` records every request (method, path) so tests can count
uploads and commits.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest
import yaml

LFS_PATTERNS = re.compile(r"\.(parquet|arrow|bin|safetensors|gz|zip|tar|zst|npy|pt|h5)$")
LFS_SIZE = 10 << 20  # the Hub puts files above 10 MiB in LFS whatever their name
GITATTRIBUTES = b"*.parquet filter=lfs diff=lfs merge=lfs -text\n"
PAGE_SIZE = 3  # tiny, so every listing in the tests is paginated


@dataclass(frozen=True)
class Blob:
    size: int
    git_oid: str
    sha256: str | None = None  # set for LFS files (content in FakeHub.lfs)
    content: bytes | None = None  # set for regular files

    def info(self, path: str) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "file", "oid": self.git_oid, "size": self.size, "path": path}
        if self.sha256:
            out["lfs"] = {
                "oid": self.sha256,
                "size": self.size,
                "pointerSize": len(lfs_pointer(self.sha256, self.size)),
            }
        return out


@dataclass
class Commit:
    oid: str
    files: dict[str, Blob]
    message: str
    parent: str | None


@dataclass
class Repo:
    type: str
    id: str
    private: bool
    refs: dict[str, str] = field(default_factory=dict)
    commits: dict[str, Commit] = field(default_factory=dict)
    prs: int = 0


@dataclass
class Fault:
    method: str
    path: str  # substring of the request path
    status: int | None  # None: drop the connection without answering
    times: float  # how many matching requests fail (math.inf: until cleared)
    after: int = 0  # let this many matching requests through first
    retry_after: str | None = None


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
        self.lock = threading.RLock()
        self.url = ""
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

    def requests(self, method: str, path_part: str) -> list[str]:
        return [p for m, p in self.log if m == method and path_part in p]

    def files(self, repo_id: str, revision: str = "main", repo_type: str = "dataset") -> dict[str, bytes]:
        repo = self.repos[(repo_type, repo_id)]
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
        oid = repo.refs.get(revision) or (revision if revision in repo.commits else None)
        return repo.commits.get(oid) if oid else None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes; no 40 ms delayed-ACK stalls
    hub: FakeHub

    def log_message(self, *args: Any) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    # --- plumbing -------------------------------------------------------------------------------------------
    def _dispatch(self, method: str) -> None:
        hub = self.hub
        url = urlsplit(self.path)
        self.query = parse_qs(url.query)
        self.segments = [unquote(s) for s in url.path.split("/")[1:]]
        body = self._read_body() if method in ("POST", "PUT") else b""
        auth = self.headers.get("Authorization", "")
        with hub.lock:
            hub.log.append((method, url.path))
            if auth.startswith("Bearer "):
                hub.tokens_seen.add(auth[7:])
            if self._inject_fault(method, url.path):
                return
        try:
            with hub.lock:
                found = self._route(method, url.path, body)
            if not found:
                self._error(404, f"no route for {method} {url.path}")
        except BrokenPipeError:
            pass

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _inject_fault(self, method: str, path: str) -> bool:
        for fault in self.hub.faults:
            if fault.method != method or fault.path not in path or fault.times <= 0:
                continue
            if fault.after > 0:
                fault.after -= 1
                return False
            fault.times -= 1
            if fault.status is None:
                self.close_connection = True
                self.connection.close()
                return True
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            self._json(fault.status, {"error": f"injected {fault.status}"}, headers)
            return True
        return False

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None, head: bool = False) -> bool:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)
        return True

    def _json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> bool:
        return self._send(status, json.dumps(data).encode(), {"Content-Type": "application/json", **(headers or {})})

    def _error(self, status: int, message: str, code: str | None = None, head: bool = False) -> bool:
        headers = {"Content-Type": "application/json", "X-Error-Message": message}
        if code:
            headers["X-Error-Code"] = code
        return self._send(status, json.dumps({"error": message}).encode(), headers, head=head)

    # --- routing --------------------------------------------------------------------------------------------
    def _route(self, method: str, path: str, body: bytes) -> bool:
        s = self.segments
        if method == "POST" and path == "/api/repos/create":
            return self._create_repo(json.loads(body))
        if method == "POST" and path == "/api/validate-yaml":
            return self._validate_yaml(json.loads(body))
        if method == "PUT" and s[0] == "lfs-upload":
            return self._lfs_put(s[1], body)
        if method == "POST" and s[0] == "lfs-verify":
            return self._json(200, {"message": "ok"})
        if s[0] == "api" and len(s) >= 4 and s[1] in ("models", "datasets", "spaces"):
            return self._api(method, s[1][:-1], f"{s[2]}/{s[3]}", s[4:], body)
        repo_type, rest = ("dataset", s[1:]) if s[0] == "datasets" else ("model", s)
        if (
            method == "POST"
            and len(rest) >= 2
            and rest[1].endswith(".git")
            and rest[2:] == ["info", "lfs", "objects", "batch"]
        ):
            return self._lfs_batch(repo_type, f"{rest[0]}/{rest[1][:-4]}", json.loads(body))
        if method in ("GET", "HEAD") and len(rest) >= 5 and rest[2] == "resolve":
            return self._resolve(method, repo_type, f"{rest[0]}/{rest[1]}", rest[3], "/".join(rest[4:]))
        return False

    def _api(self, method: str, repo_type: str, repo_id: str, rest: list[str], body: bytes) -> bool:
        repo = self.hub.repos.get((repo_type, repo_id))
        if repo is None:
            return self._error(404, f"Repository {repo_id} not found", "RepoNotFound")
        if method == "GET" and (not rest or rest[0] == "revision"):
            return self._repo_info(repo, rest[1] if rest else "main")
        verb, args = rest[0], rest[1:]
        if method == "POST" and verb == "preupload":
            return self._preupload(repo, args[0], json.loads(body))
        if method == "POST" and verb == "commit":
            return self._commit(repo, args[0], body)
        if method == "GET" and verb == "tree":
            return self._tree(repo, args[0], "/".join(args[1:]))
        if method == "POST" and verb == "paths-info":
            return self._paths_info(repo, args[0], parse_qs(body.decode()))
        if method == "POST" and verb == "branch":
            return self._create_branch(repo, "/".join(args), json.loads(body or b"{}"))
        if method == "GET" and verb == "refs":
            branches = [
                {"name": n, "ref": f"refs/heads/{n}", "targetCommit": o}
                for n, o in repo.refs.items()
                if not n.startswith("refs/")
            ]
            return self._json(200, {"branches": branches, "tags": [], "converts": []})
        if verb.startswith("xet-"):
            return self._error(404, "Xet storage is not enabled on this server")
        return False

    # --- endpoints ------------------------------------------------------------------------------------------
    def _create_repo(self, payload: dict[str, Any]) -> bool:
        repo_type = payload.get("type") or "model"
        repo_id = f"{payload.get('organization') or 'tester'}/{payload['name']}"
        if (repo_type, repo_id) in self.hub.repos:
            return self._error(409, "You already created this repo")
        self.hub.create_repo(repo_type, repo_id, payload.get("visibility") == "private")
        prefix = "" if repo_type == "model" else f"{repo_type}s/"
        return self._json(200, {"url": f"{self.hub.url}/{prefix}{repo_id}", "name": repo_id})

    def _validate_yaml(self, payload: dict[str, Any]) -> bool:
        match = re.match(r"^\s*---\r?\n([\S\s]*?)\r?\n---", payload.get("content", ""))
        try:
            data = yaml.safe_load(match.group(1)) if match else {}
        except yaml.YAMLError as err:
            return self._json(400, {"errors": [{"message": f"Invalid YAML: {err}"}]})
        if not isinstance(data, (dict, type(None))):
            return self._json(400, {"errors": [{"message": "metadata must be a mapping"}]})
        return self._json(200, {"errors": [], "warnings": []})

    def _repo_info(self, repo: Repo, revision: str) -> bool:
        commit = self.hub.resolve(repo, revision)
        if commit is None:
            return self._error(404, f"Revision {revision} not found", "RevisionNotFound")
        blobs = "blobs" in self.query
        siblings = []
        for path, blob in sorted(commit.files.items()):
            sibling: dict[str, Any] = {"rfilename": path}
            if blobs:
                sibling.update(size=blob.size, blobId=blob.git_oid)
                if blob.sha256:
                    sibling["lfs"] = {
                        "sha256": blob.sha256,
                        "size": blob.size,
                        "pointerSize": len(lfs_pointer(blob.sha256, blob.size)),
                    }
            siblings.append(sibling)
        card = commit.files.get("README.md")
        card_data = None
        if card is not None and card.content:
            match = re.match(r"^\s*---\r?\n([\S\s]*?)\r?\n---", card.content.decode())
            card_data = yaml.safe_load(match.group(1)) if match else None
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        return self._json(
            200,
            {
                "_id": repo.id,
                "id": repo.id,
                "author": repo.id.split("/")[0],
                "sha": commit.oid,
                "private": repo.private,
                "gated": False,
                "disabled": False,
                "downloads": 0,
                "likes": 0,
                "tags": [],
                "siblings": siblings,
                "cardData": card_data,
                "createdAt": now,
                "lastModified": now,
            },
        )

    def _preupload(self, repo: Repo, revision: str, payload: dict[str, Any]) -> bool:
        commit = self.hub.resolve(repo, revision)
        if commit is None:
            return self._error(404, f"Revision {revision} not found", "RevisionNotFound")
        out = []
        for f in payload["files"]:
            sample = base64.b64decode(f["sample"])
            lfs = f["size"] > LFS_SIZE or bool(LFS_PATTERNS.search(f["path"])) or b"\0" in sample
            remote = commit.files.get(f["path"])
            oid = (remote.sha256 or remote.git_oid) if remote else None
            out.append(
                {"path": f["path"], "uploadMode": "lfs" if lfs else "regular", "shouldIgnore": False, "oid": oid}
            )
        return self._json(200, {"files": out, "commitOid": commit.oid})

    def _lfs_batch(self, repo_type: str, repo_id: str, payload: dict[str, Any]) -> bool:
        if (repo_type, repo_id) not in self.hub.repos:
            return self._error(404, f"Repository {repo_id} not found", "RepoNotFound")
        objects = []
        for obj in payload["objects"]:
            entry = {"oid": obj["oid"], "size": obj["size"], "authenticated": True}
            if obj["oid"] not in self.hub.lfs:
                entry["actions"] = {
                    "upload": {"href": f"{self.hub.url}/lfs-upload/{obj['oid']}"},
                    "verify": {"href": f"{self.hub.url}/lfs-verify/{obj['oid']}"},
                }
            objects.append(entry)
        body = json.dumps({"transfer": "basic", "objects": objects}).encode()
        return self._send(200, body, {"Content-Type": "application/vnd.git-lfs+json"})

    def _lfs_put(self, oid: str, body: bytes) -> bool:
        if hashlib.sha256(body).hexdigest() != oid:
            return self._error(400, "content does not match its sha256")
        self.hub.lfs[oid] = body
        return self._send(200, b"")

    def _commit(self, repo: Repo, revision: str, body: bytes) -> bool:
        lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        header = lines[0]["value"]
        base = self.hub.resolve(repo, revision)
        if base is None:
            return self._error(404, f"Revision {revision} not found", "RevisionNotFound")
        if header.get("parentCommit") and header["parentCommit"] != base.oid:
            return self._error(412, "A commit has happened since. Please refresh and try again.")
        files = dict(base.files)
        for line in lines[1:]:
            key, value = line["key"], line["value"]
            if key == "file":
                files[value["path"]] = self.hub.regular(base64.b64decode(value["content"]))
            elif key == "lfsFile":
                if value["oid"] not in self.hub.lfs:
                    return self._error(422, f"LFS object {value['oid']} was never uploaded")
                files[value["path"]] = self.hub.lfs_blob(value["oid"], len(self.hub.lfs[value["oid"]]))
            elif key == "deletedFile":
                files.pop(value["path"], None)
            elif key == "deletedFolder":
                files = {p: b for p, b in files.items() if not p.startswith(value["path"].rstrip("/") + "/")}
        ref, pr_url = revision, None
        if "create_pr" in self.query:
            repo.prs += 1
            ref = f"refs/pr/{repo.prs}"
            pr_url = f"{self.hub.url}/{repo.type}s/{repo.id}/discussions/{repo.prs}"
        commit = self.hub.commit(repo, ref, files, header["summary"], base.oid)
        return self._json(
            200,
            {
                "commitUrl": f"{self.hub.url}/{repo.type}s/{repo.id}/commit/{commit.oid}",
                "commitOid": commit.oid,
                "pullRequestUrl": pr_url,
            },
        )

    def _create_branch(self, repo: Repo, branch: str, payload: dict[str, Any]) -> bool:
        if branch in repo.refs:
            return self._error(409, f"Branch {branch} already exists")
        start = self.hub.resolve(repo, payload.get("startingPoint") or "main")
        repo.refs[branch] = start.oid
        return self._json(200, {})

    def _entries(self, commit: Commit, prefix: str, recursive: bool) -> list[dict[str, Any]]:
        base = f"{prefix}/" if prefix else ""
        files, folders = {}, set()
        for path, blob in commit.files.items():
            if not path.startswith(base):
                continue
            parts = path[len(base) :].split("/")
            for depth in range(1, len(parts)):
                if recursive or depth == 1:
                    folders.add(base + "/".join(parts[:depth]))
            if recursive or len(parts) == 1:
                files[path] = blob.info(path)
        out = list(files.values()) + [
            {"type": "directory", "oid": hashlib.sha1(f.encode()).hexdigest(), "size": 0, "path": f} for f in folders
        ]
        return sorted(out, key=lambda e: e["path"])

    def _tree(self, repo: Repo, revision: str, prefix: str) -> bool:
        commit = self.hub.resolve(repo, revision)
        if commit is None:
            return self._error(404, f"Revision {revision} not found", "RevisionNotFound")
        recursive = self.query.get("recursive", ["False"])[0].lower() == "true"
        entries = self._entries(commit, prefix, recursive)
        if prefix and not entries:
            return self._error(404, f"{prefix} does not exist", "EntryNotFound")
        cursor = int(self.query.get("cursor", ["0"])[0])
        page, headers = entries[cursor : cursor + PAGE_SIZE], {}
        if cursor + PAGE_SIZE < len(entries):
            query = "&".join(f"{k}={quote(v[0])}" for k, v in self.query.items() if k != "cursor")
            headers["Link"] = (
                f'<{self.hub.url}{urlsplit(self.path).path}?{query}&cursor={cursor + PAGE_SIZE}>; rel="next"'
            )
        return self._json(200, page, headers)

    def _paths_info(self, repo: Repo, revision: str, form: dict[str, list[str]]) -> bool:
        commit = self.hub.resolve(repo, revision)
        if commit is None:
            return self._error(404, f"Revision {revision} not found", "RevisionNotFound")
        out = []
        for path in form.get("paths", []):
            if path in commit.files:
                out.append(commit.files[path].info(path))
            elif any(p.startswith(path.rstrip("/") + "/") for p in commit.files):
                out.append(
                    {"type": "directory", "oid": hashlib.sha1(path.encode()).hexdigest(), "size": 0, "path": path}
                )
        return self._json(200, out)

    def _resolve(self, method: str, repo_type: str, repo_id: str, revision: str, path: str) -> bool:
        head = method == "HEAD"
        repo = self.hub.repos.get((repo_type, repo_id))
        if repo is None:
            return self._error(404, f"Repository {repo_id} not found", "RepoNotFound", head)
        commit = self.hub.resolve(repo, revision)
        if commit is None:
            return self._error(404, f"Revision {revision} not found", "RevisionNotFound", head)
        blob = commit.files.get(path)
        if blob is None:
            return self._error(404, f"Entry {path} not found", "EntryNotFound", head)
        content = blob.content if blob.content is not None else self.hub.lfs[blob.sha256]
        etag = blob.sha256 or blob.git_oid
        headers = {
            "X-Repo-Commit": commit.oid,
            "ETag": f'"{etag}"',
            "Accept-Ranges": "bytes",
            "Content-Type": "application/octet-stream",
        }
        if blob.sha256:
            headers.update({"X-Linked-Etag": f'"{blob.sha256}"', "X-Linked-Size": str(blob.size)})
        if not head:
            self.hub.downloads.append((path, self.headers.get("Range")))
        status, body = 200, content
        match = re.match(r"bytes=(\d*)-(\d*)$", self.headers.get("Range", ""))
        if match and content:
            start = int(match[1]) if match[1] else max(0, len(content) - int(match[2]))
            end = min(int(match[2]), len(content) - 1) if match[1] and match[2] else len(content) - 1
            if start >= len(content):
                headers["Content-Range"] = f"bytes */{len(content)}"
                return self._send(416, b"", headers, head)
            status, body = 206, content[start : end + 1]
            headers["Content-Range"] = f"bytes {start}-{end}/{len(content)}"
        return self._send(status, body, headers, head)


@pytest.fixture
def fake_hub(tmp_path, monkeypatch):
    """A running fake Hub; `huggingface_hub` and `datasets` point at it, with caches and token under tmp_path.

    Both libraries read their endpoint and cache paths into module constants at import time (and another test
    may have imported them first), so the constants are patched, not the environment alone."""
    hub = FakeHub()
    handler = type("BoundHandler", (Handler,), {"hub": hub})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    hub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    _point_clients_at(hub.url, tmp_path, monkeypatch)
    yield HubContext(hub, tmp_path)
    server.shutdown()
    server.server_close()


@dataclass
class HubContext:
    hub: FakeHub
    home: Path


TOKEN = "hf_fake_token_never_printed"


def _point_clients_at(url: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets.config
    import huggingface_hub.constants as hc
    from huggingface_hub.utils import _http

    monkeypatch.setenv("HF_ENDPOINT", url)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setattr(hc, "ENDPOINT", url)
    monkeypatch.setattr(hc, "HUGGINGFACE_CO_URL_TEMPLATE", url + "/{repo_id}/resolve/{revision}/{filename}")
    monkeypatch.setattr(hc, "HF_HUB_CACHE", str(home / "hf" / "hub"))
    monkeypatch.setattr(hc, "HF_HOME", str(home / "hf"))
    monkeypatch.setattr(hc, "HF_TOKEN_PATH", str(home / "hf" / "token"))
    monkeypatch.setattr(hc, "HF_STORED_TOKENS_PATH", str(home / "hf" / "stored_tokens"))
    monkeypatch.setattr(hc, "HF_HUB_DISABLE_XET", True)
    monkeypatch.setattr(hc, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(datasets.config, "HF_ENDPOINT", url)
    monkeypatch.setattr(datasets.config, "HUB_DATASETS_URL", url + "/datasets/{repo_id}/resolve/{revision}/{path}")
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", home / "hf" / "datasets")
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", False)
    # The Hub's dataset viewer (a separate service at datasets-server.<host>) does not exist here.
    monkeypatch.setattr(datasets.config, "USE_PARQUET_EXPORT", False)
    # The client's own backoff sleeps up to 8 s between retries; keep the retries, skip the waiting.
    monkeypatch.setattr(_http, "time", _NoSleep())
    _http.close_session()


class _NoSleep:
    def __init__(self) -> None:
        import time

        self._time = time
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._time, name)
