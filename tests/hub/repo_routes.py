"""The test Hub's repo endpoints: create, info, settings (gate, visibility), tree, paths-info, refs, branches and
pull requests (details, merge). Each checks access as the real Hub does: a private repo is invisible to others
(404, or 401 without a token), writing needs a write token of the repo's owner (401 without one, 403 otherwise)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlsplit

from tests.hub.metadata import card_data
from tests.hub.state import Commit, Repo, lfs_pointer

PAGE_SIZE = 3  # tiny, so every listing in the tests is paginated


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class RepoRoutes:
    """Mixed into the request handler (tests/hub/server.py), which provides `hub`, `user`, `role`, `query`,
    `_json` and `_error`."""

    # --- access ---------------------------------------------------------------------------------------------
    def _visible(self, repo: Repo | None, repo_id: str) -> bool:
        """Whether `repo` exists for this caller; if not, the 404/401 is sent."""
        if repo is not None and (not repo.private or self.user == repo.owner):
            return True
        status = 401 if self.user is None else 404
        self._error(
            status,
            f"Repository Not Found for url: {self.path}. Please make sure you are authenticated.",
            "RepoNotFound",
        )
        return False

    def _denied_write(self, namespace: str, what: str) -> bool:
        """Whether writing to `namespace` is refused (and the 401/403 sent)."""
        if self.user is None:
            return self._error(401, "You must be authenticated to access this resource")
        if self.role != "write" or self.user != namespace:
            return self._error(403, f'You don\'t have the rights to {what} under the namespace "{namespace}"')
        return False

    # --- endpoints ------------------------------------------------------------------------------------------
    def _create_repo(self, payload: dict[str, Any]) -> bool:
        repo_type = payload.get("type") or "model"
        namespace = payload.get("organization") or self.user or "anonymous"
        repo_id = f"{namespace}/{payload['name']}"
        if self._denied_write(namespace, f"create a {repo_type}"):
            return True
        if (repo_type, repo_id) in self.hub.repos:
            return self._error(409, "You already created this repo")
        self.hub.create_repo(repo_type, repo_id, payload.get("visibility") == "private")
        prefix = "" if repo_type == "model" else f"{repo_type}s/"
        return self._json(200, {"url": f"{self.hub.url}/{prefix}{repo_id}", "name": repo_id})

    def _settings(self, repo: Repo, payload: dict[str, Any]) -> bool:
        if self._denied_write(repo.owner, "change the settings of a repo"):
            return True
        if "gated" in payload:
            if payload["gated"] not in ("auto", "manual", False):
                return self._error(400, '"gated" must be one of [auto, manual, false]')
            repo.gated = payload["gated"]
        if "visibility" in payload:
            repo.private = payload["visibility"] == "private"
        return self._json(200, {})

    def _repo_info(self, repo: Repo, revision: str) -> bool:
        commit = self.hub.resolve(repo, revision)
        if commit is None:
            return self._error(404, f"Revision {revision} not found", "RevisionNotFound")
        siblings = [self._sibling(path, blob) for path, blob in sorted(commit.files.items())]
        card = commit.files.get("README.md")
        info = {
            "_id": repo.id,
            "id": repo.id,
            "author": repo.owner,
            "sha": commit.oid,
            "private": repo.private,
            "gated": repo.gated,
            "disabled": False,
            "downloads": 0,
            "likes": 0,
            "tags": [],
            "siblings": siblings,
            "cardData": card_data(card.content.decode()) if card is not None and card.content else None,
            "createdAt": now(),
            "lastModified": now(),
        }
        return self._json(200, info)

    def _sibling(self, path: str, blob: Any) -> dict[str, Any]:
        sibling: dict[str, Any] = {"rfilename": path}
        if "blobs" in self.query:
            sibling.update(size=blob.size, blobId=blob.git_oid)
            if blob.sha256:
                pointer = len(lfs_pointer(blob.sha256, blob.size))
                sibling["lfs"] = {"sha256": blob.sha256, "size": blob.size, "pointerSize": pointer}
        return sibling

    def _create_branch(self, repo: Repo, branch: str, payload: dict[str, Any]) -> bool:
        if self._denied_write(repo.owner, "create a branch"):
            return True
        if branch in repo.refs:
            return self._error(409, f"Branch {branch} already exists")
        start = self.hub.resolve(repo, payload.get("startingPoint") or "main")
        repo.refs[branch] = start.oid
        return self._json(200, {})

    def _refs(self, repo: Repo) -> bool:
        branches = [
            {"name": n, "ref": f"refs/heads/{n}", "targetCommit": o} for n, o in repo.refs.items() if "/" not in n
        ]
        return self._json(200, {"branches": branches, "tags": [], "converts": []})

    def _pull_request(self, repo: Repo, num: str) -> bool:
        pull = repo.pulls.get(int(num)) if num.isdigit() else None
        if pull is None:
            return self._error(404, f"Discussion {num} not found")
        changes = {"base": f"refs/heads/{pull.target}", "mergeCommitId": pull.merge_commit}
        details = {
            "num": pull.num,
            "title": pull.title,
            "status": pull.status,
            "author": {"name": pull.author},
            "createdAt": now(),
            "repo": {"name": repo.id, "type": repo.type},
            "isPullRequest": True,
            "events": [],
            "changes": changes,
            "filesWithConflicts": [],
            "diff": "",
        }
        return self._json(200, details)

    def _merge(self, repo: Repo, num: str) -> bool:
        if self._denied_write(repo.owner, "merge a pull request"):
            return True
        pull = repo.pulls.get(int(num)) if num.isdigit() else None
        if pull is None or pull.status != "open":
            return self._error(404 if pull is None else 400, f"Pull request {num} is not open")
        if self.hub.merge(repo, pull) is None:
            return self._error(409, f"Pull request {num} conflicts with {pull.target}")
        return self._json(200, {})

    # --- listings -------------------------------------------------------------------------------------------
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
            link = f"{self.hub.url}{urlsplit(self.path).path}?{query}&cursor={cursor + PAGE_SIZE}"
            headers["Link"] = f'<{link}>; rel="next"'
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
