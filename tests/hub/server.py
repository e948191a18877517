"""The test Hub's HTTP server and the `fake_hub` fixture: the real `huggingface_hub` client (2.x) and `datasets`
talk to it over HTTP as they talk to the Hub.

    def test_push(fake_hub):              # a started server, clients pointed at it, temp caches, HF_TOKEN set
        HfApi().create_repo("me/x", repo_type="dataset")
        fake_hub.hub.fail("POST", "/commit/", status=429, times=1)   # the next commit is rate limited once

Requests carry `Authorization: Bearer <token>`; an unknown token gets 401 on every route, as on the Hub. Routes
live in tests/hub/repo_routes.py and tests/hub/file_routes.py. No Xet: the Xet token route answers 404, as a
Hub without Xet storage would.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.hub.file_routes import FileRoutes
from tests.hub.repo_routes import RepoRoutes
from tests.hub.state import TOKEN, FakeHub

UNAUTHENTICATED = ("/lfs-upload/", "/lfs-verify/")  # pre-signed storage URLs: no Hub token travels there


class Handler(RepoRoutes, FileRoutes, BaseHTTPRequestHandler):
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
        with hub.lock:
            hub.log.append((method, url.path))
            if self._inject_fault(method, url.path):
                return
        if self._hold(method, url.path):
            return
        try:
            with hub.lock:
                if not self._authenticate(url.path):
                    return
                if not self._route(method, url.path, body):
                    self._error(404, f"no route for {method} {url.path}")
        except BrokenPipeError:
            pass

    def _authenticate(self, path: str) -> bool:
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else None
        self.user, self.role = None, None
        if token is None or any(part in path for part in UNAUTHENTICATED):
            return True
        self.hub.tokens_seen.add(token)
        if token not in self.hub.tokens:
            self._error(401, "Invalid credentials in Authorization header")
            return False
        self.user, self.role = self.hub.tokens[token]
        return True

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

    def _hold(self, method: str, path: str) -> bool:
        """A paused request waits, unanswered, until the test releases it; then the connection is dropped."""
        with self.hub.lock:
            pause = next((p for p in self.hub.pauses if p.method == method and p.path in path), None)
            if pause is None or pause.arrived.is_set():
                return False
            if pause.after > 0:
                pause.after -= 1
                return False
            pause.arrived.set()
        pause.release.wait(timeout=60)
        self.close_connection = True
        self.connection.close()
        return True

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
        headers = {"Content-Type": "application/json", "X-Error-Message": message.splitlines()[0]}
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
        lfs_batch = ["info", "lfs", "objects", "batch"]
        if method == "POST" and len(rest) >= 2 and rest[1].endswith(".git") and rest[2:] == lfs_batch:
            return self._lfs_batch(repo_type, f"{rest[0]}/{rest[1][:-4]}", json.loads(body))
        if method in ("GET", "HEAD") and len(rest) >= 5 and rest[2] == "resolve":
            return self._resolve(method, repo_type, f"{rest[0]}/{rest[1]}", rest[3], "/".join(rest[4:]))
        return False

    def _api(self, method: str, repo_type: str, repo_id: str, rest: list[str], body: bytes) -> bool:
        repo = self.hub.repos.get((repo_type, repo_id))
        if not self._visible(repo, repo_id):
            return True
        if method == "GET" and (not rest or rest[0] == "revision"):
            return self._repo_info(repo, rest[1] if rest else "main")
        verb, args = rest[0], rest[1:]
        routes = {
            ("POST", "preupload"): lambda: self._preupload(repo, args[0], json.loads(body)),
            ("POST", "commit"): lambda: self._commit(repo, args[0], body),
            ("GET", "tree"): lambda: self._tree(repo, args[0], "/".join(args[1:])),
            ("POST", "paths-info"): lambda: self._paths_info(repo, args[0], parse_qs(body.decode())),
            ("POST", "branch"): lambda: self._create_branch(repo, "/".join(args), json.loads(body or b"{}")),
            ("GET", "refs"): lambda: self._refs(repo),
            ("PUT", "settings"): lambda: self._settings(repo, json.loads(body)),
        }
        if (method, verb) in routes:
            return routes[(method, verb)]()
        if verb == "discussions" and method == "GET" and len(args) == 1:
            return self._pull_request(repo, args[0])
        if verb == "discussions" and method == "POST" and args[1:] == ["merge"]:
            return self._merge(repo, args[0])
        if verb.startswith("xet-"):
            return self._error(404, "Xet storage is not enabled on this server")
        return False


@dataclass
class HubContext:
    hub: FakeHub
    home: Path


@pytest.fixture
def fake_hub(tmp_path, monkeypatch):
    """A running test Hub; `huggingface_hub` and `datasets` point at it, with caches and token under tmp_path.

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
    for pause in hub.pauses:
        pause.release.set()
    server.shutdown()
    server.server_close()


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
