"""The test Hub's file endpoints: card validation, preupload, the LFS batch API with basic transfer, the NDJSON
commit (which refuses a README.md whose metadata the Hub would refuse), and downloads with HTTP ranges."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

from tests.hub.metadata import metadata_errors
from tests.hub.state import Repo

LFS_PATTERNS = re.compile(r"\.(parquet|arrow|bin|safetensors|gz|zip|tar|zst|npy|pt|h5|png)$")
LFS_SIZE = 10 << 20  # the Hub puts files above 10 MiB in LFS whatever their name


class FileRoutes:
    """Mixed into the request handler (tests/hub/server.py), with RepoRoutes."""

    def _validate_yaml(self, payload: dict[str, Any]) -> bool:
        errors = metadata_errors(payload.get("content", ""))
        if errors:
            body = {"error": errors[0], "errors": [{"message": e} for e in errors], "warnings": []}
            return self._json(400, body)
        return self._json(200, {"errors": [], "warnings": []})

    def _preupload(self, repo: Repo, revision: str, payload: dict[str, Any]) -> bool:
        if self._denied_write(repo.owner, "upload files"):
            return True
        commit = self.hub.resolve(repo, revision)
        if commit is None:
            return self._error(404, f"Revision {revision} not found", "RevisionNotFound")
        out = []
        for f in payload["files"]:
            sample = base64.b64decode(f["sample"])
            lfs = f["size"] > LFS_SIZE or bool(LFS_PATTERNS.search(f["path"])) or b"\0" in sample
            remote = commit.files.get(f["path"])
            oid = (remote.sha256 or remote.git_oid) if remote else None
            mode = "lfs" if lfs else "regular"
            out.append({"path": f["path"], "uploadMode": mode, "shouldIgnore": False, "oid": oid})
        return self._json(200, {"files": out, "commitOid": commit.oid})

    def _lfs_batch(self, repo_type: str, repo_id: str, payload: dict[str, Any]) -> bool:
        repo = self.hub.repos.get((repo_type, repo_id))
        if not self._visible(repo, repo_id):
            return True
        if payload.get("operation") == "upload" and self._denied_write(repo.owner, "upload files"):
            return True
        objects = []
        for obj in payload["objects"]:
            entry = {"oid": obj["oid"], "size": obj["size"], "authenticated": True}
            if obj["oid"] not in self.hub.lfs:  # already stored: no action, the client sends nothing
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
        if self._denied_write(repo.owner, "commit"):
            return True
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
                content = base64.b64decode(value["content"])
                errors = metadata_errors(content.decode("utf-8", "replace")) if value["path"] == "README.md" else []
                if errors:
                    listed = "\n".join(f"- {e}" for e in errors)
                    return self._error(400, f"Invalid metadata in README.md.\n{listed}")
                files[value["path"]] = self.hub.regular(content)
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
            pull = self.hub.open_pull_request(repo, revision, header["summary"], self.user)
            ref, pr_url = f"refs/pr/{pull.num}", f"{self.hub.url}/{repo.type}s/{repo.id}/discussions/{pull.num}"
        commit = self.hub.commit(repo, ref, files, header["summary"], base.oid)
        url = f"{self.hub.url}/{repo.type}s/{repo.id}/commit/{commit.oid}"
        return self._json(200, {"commitUrl": url, "commitOid": commit.oid, "pullRequestUrl": pr_url})

    def _resolve(self, method: str, repo_type: str, repo_id: str, revision: str, path: str) -> bool:
        head = method == "HEAD"
        repo = self.hub.repos.get((repo_type, repo_id))
        if not self._visible(repo, repo_id):
            return True
        if repo.gated and self.user != repo.owner:  # nobody else has been granted access here
            message = f"Access to dataset {repo_id} is restricted. You must have access to it and be authenticated."
            return self._error(401 if self.user is None else 403, message, "GatedRepo", head)
        commit = self.hub.resolve(repo, revision)
        if commit is None:
            return self._error(404, f"Revision {revision} not found", "RevisionNotFound", head)
        blob = commit.files.get(path)
        if blob is None:
            return self._error(404, f"Entry {path} not found", "EntryNotFound", head)
        content = blob.content if blob.content is not None else self.hub.lfs[blob.sha256]
        headers = {
            "X-Repo-Commit": commit.oid,
            "ETag": f'"{blob.sha256 or blob.git_oid}"',
            "Accept-Ranges": "bytes",
            "Content-Type": "application/octet-stream",
        }
        if blob.sha256:
            headers.update({"X-Linked-Etag": f'"{blob.sha256}"', "X-Linked-Size": str(blob.size)})
        if not head:
            self.hub.downloads.append((path, self.headers.get("Range")))
        return self._ranged(content, headers, head)

    def _ranged(self, content: bytes, headers: dict[str, str], head: bool) -> bool:
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
