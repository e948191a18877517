"""Carry out a planned push so that a reader of the branch sees one complete build or the next, never a mix.

    >>> execute(api, Path("out"), report, options, sleep=time.sleep)
    uploaded 40/412 files (10.2 GB of 98.1 GB)      # every file first (LFS preupload) ...
    ...
    commit 1/1 → 3f1c2a9e0b: 412 files, 3 deletions # ... then the branch moves, once

1. The repo is created if needed (private when asked), and gated (`update_repo_settings`) before any file lands.
2. Every LFS file is uploaded (`preupload_lfs_files`, in batches, each retried): the content reaches the Hub's
   storage while no branch points at it yet. A rerun finds it there and sends nothing again.
3. The branch moves once: one commit carrying every change (regular files travel inside it), or, when the
   changes are more than one commit should carry, commits to a pull request (`refs/pr/N`) that is merged at the
   end. An interrupted push leaves the branch where it was; the pull request it was filling is remembered in
   `.push-state.json` beside the build, so the rerun continues it instead of opening another.

Xet: huggingface_hub uploads through Xet storage whenever `hf_xet` is installed, and a server without it (an
on-premise Hub, a mirror) then fails. The server is asked for a Xet write token first; without one, or with
`HF_HUB_DISABLE_XET=1`, the push uses plain LFS. The client reads that switch from a module constant at call
time, so it is set for the duration of the push only and restored after.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from medc.publish.facts import human_bytes
from medc.publish.plan import LocalFile, PlannedCommit, chunks
from medc.publish.retry import GaveUp, retry

log = logging.getLogger(__name__)

STATE = ".push-state.json"


class PushError(Exception):
    """A push that cannot go on; the message says what to do."""


def execute(api: Any, out_dir: Path, report: Any, options: Any, sleep: Callable[[float], None]) -> None:
    """Carry out `report.plan` (medc/publish/push.py); fills in `report.commits`, `pr_url`, `merged`, `head`."""
    _Push(api, out_dir, report, options, sleep).run()


@dataclass
class _Push:
    api: Any  # huggingface_hub.HfApi
    out_dir: Path
    report: Any  # medc.publish.push.PushReport
    options: Any  # medc.publish.push.PushOptions
    sleep: Callable[[float], None]

    @property
    def repo(self) -> str:
        return self.options.repo_id

    def run(self) -> None:
        plan, report = self.report.plan, self.report
        self.prepare_repo()
        if not plan.commits and not report.pull_request:
            log.info("the Hub already holds exactly this build; nothing to upload")
        with _plain_lfs_unless_xet_offered(self.api, self.repo, report.revision, bool(plan.uploads)):
            additions = {f.path: _addition(f) for f in plan.uploads}
            self.preupload(plan.uploads, additions)
            if plan.via_pr or report.pull_request:
                self.through_pull_request(additions)
            elif plan.commits:
                info = self.commit(plan.commits[0], additions, report.revision, False, self.options.message)
                report.commits.append(info.oid)
                report.head = info.oid
        if report.head is None and not self.options.create_pr:
            info = self.call(lambda: self.api.repo_info(self.repo, repo_type="dataset", revision=report.revision))
            report.head = info.sha

    def prepare_repo(self) -> None:
        api, report, options = self.api, self.report, self.options
        if not report.repo_exists:
            self.call(lambda: api.create_repo(self.repo, repo_type="dataset", private=options.private, exist_ok=True))
            log.info("created %s repo %s", "private" if options.private else "public", self.repo)
        if report.gated and report.hub_gated != report.gated:  # the gate is up before any file lands
            self.call(lambda: api.update_repo_settings(self.repo, gated=report.gated, repo_type="dataset"))
            log.info("gated %s (%s approval)", self.repo, report.gated)
        if not report.branch_exists and report.revision != "main":
            branch = report.revision
            self.call(lambda: api.create_branch(self.repo, branch=branch, repo_type="dataset", exist_ok=True))

    def preupload(self, files: list[LocalFile], additions: dict[str, Any]) -> None:
        """Every LFS file to the Hub's storage, batch by batch; regular files (card, manifest) travel inside the
        commit."""
        total, done, sent = sum(f.size for f in files), 0, 0
        revision = self.report.revision
        for batch in chunks(files, self.options.limits):
            ops = [additions[f.path] for f in batch]
            self.call(
                lambda ops=ops: self.api.preupload_lfs_files(
                    self.repo, ops, repo_type="dataset", revision=revision, free_memory=False
                ),
                f"upload of {batch[0].path} and {len(batch) - 1} more",
            )
            done, sent = done + len(batch), sent + sum(f.size for f in batch)
            log.info("uploaded %d/%d files (%s of %s)", done, len(files), human_bytes(sent), human_bytes(total))

    def through_pull_request(self, additions: dict[str, Any]) -> None:
        report, commits = self.report, self.report.plan.commits
        for i, planned in enumerate(commits, 1):
            message = f"{self.options.message} ({i}/{len(commits)})"
            if report.pull_request is None:
                info = self.commit(planned, additions, report.revision, True, message)
                report.pull_request, report.pr_url = info.pr_num, info.pr_url
                _save_state(self.out_dir, self.options, report.revision, info.pr_num)
            else:
                info = self.commit(planned, additions, f"refs/pr/{report.pull_request}", False, message)
            report.commits.append(info.oid)
        report.pr_url = report.pr_url or f"{report.url}/discussions/{report.pull_request}"
        if self.options.create_pr:
            return  # left open, as asked; a rerun with --create-pr adds to it
        num = report.pull_request
        comment = "Merged by medc push: every file of the build is in place."
        self.call(
            lambda: self.api.merge_pull_request(self.repo, num, repo_type="dataset", comment=comment),
            f"merge of pull request #{num}",
        )
        report.merged = True
        _save_state(self.out_dir, self.options, report.revision, None)
        log.info("merged pull request #%d into %s", num, report.revision)

    def commit(
        self, planned: PlannedCommit, additions: dict[str, Any], revision: str, create_pr: bool, message: str
    ) -> Any:
        from huggingface_hub import CommitOperationDelete

        def commit() -> Any:
            ops = [additions[f.path] for f in planned.uploads]
            ops += [CommitOperationDelete(path_in_repo=p) for p in planned.deletions]
            return self.api.create_commit(
                self.repo, ops, commit_message=message, repo_type="dataset", revision=revision, create_pr=create_pr
            )

        info = self.call(commit, repr(message))
        uploads, deletions = len(planned.uploads), len(planned.deletions)
        log.info("commit %s → %s: %d files, %d deletions", message, info.oid[:10], uploads, deletions)
        return info

    def call(self, call: Callable[[], Any], what: str = "request") -> Any:
        try:
            return retry(call, self.options.backoff_policy, what, self.sleep)
        except GaveUp as err:
            raise PushError(
                f"{err}. The branch still holds the previous build; rerun the same command to resume: files "
                "already on the Hub are not uploaded again."
            ) from err
        except Exception as err:
            raise friendly(err) from err


def _addition(f: LocalFile) -> Any:
    """One operation object per file for the whole push: the client marks it uploaded, so the commit does not
    upload (or hash) it again. A sha256 computed while planning is handed over."""
    from huggingface_hub import CommitOperationAdd

    op = CommitOperationAdd(path_in_repo=f.path, path_or_fileobj=f.upload_source())
    if f._sha256 and f.content is None:
        op.upload_info.sha256 = bytes.fromhex(f._sha256)
    return op


def friendly(err: Exception) -> Exception:
    """401/403 as what to do about them; anything else as it is."""
    status = getattr(getattr(err, "response", None), "status_code", None)
    if status in (401, 403):
        said = (getattr(err, "server_message", None) or str(err).splitlines()[0]).strip()
        return PushError(
            f"the Hub refused the request (HTTP {status}: {said}): log in with `hf auth login` or set HF_TOKEN to "
            "a token with write access to this namespace"
        )
    return err


def open_pull_request(api: Any, out_dir: Path, options: Any, revision: str) -> int | None:
    """The pull request an earlier, interrupted push to this repo and branch was filling, if it is still open."""
    num = _read_state(out_dir).get(_key(options, revision))
    if not isinstance(num, int):
        return None
    try:
        details = api.get_discussion_details(options.repo_id, num, repo_type="dataset")
    except Exception as err:  # gone, or unreadable: start afresh
        log.debug("pull request #%s of an earlier push: %s", num, err)
        return None
    if details.status != "open" or details.target_branch not in (revision, f"refs/heads/{revision}"):
        return None
    log.info("continuing pull request #%d of an interrupted push", num)
    return num


def _key(options: Any, revision: str) -> str:
    return f"{options.repo_id}@{revision}{' (pr)' if options.create_pr else ''}"


def _read_state(out_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((out_dir / STATE).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save_state(out_dir: Path, options: Any, revision: str, pr: int | None) -> None:
    state = {k: v for k, v in _read_state(out_dir).items() if k != _key(options, revision)}
    if pr is not None:
        state[_key(options, revision)] = pr
    try:
        temp = out_dir / f"{STATE}.tmp"
        temp.write_text(json.dumps(state))
        temp.replace(out_dir / STATE)
    except OSError as err:  # a read-only build: a rerun opens a new pull request instead
        log.warning("cannot save %s: %s", STATE, err)


@contextlib.contextmanager
def _plain_lfs_unless_xet_offered(api: Any, repo_id: str, revision: str, uploads: bool) -> Iterator[None]:
    from huggingface_hub import constants

    before = constants.HF_HUB_DISABLE_XET
    env = os.environ.get("HF_HUB_DISABLE_XET", "").upper() in ("1", "ON", "YES", "TRUE")
    constants.HF_HUB_DISABLE_XET = before or env or (uploads and not _xet_offered(api, repo_id, revision))
    try:
        yield
    finally:
        constants.HF_HUB_DISABLE_XET = before


def _xet_offered(api: Any, repo_id: str, revision: str) -> bool:
    """Whether the server hands out Xet write tokens for this repo (only asked when hf_xet is installed)."""
    from huggingface_hub.utils import build_hf_headers, get_session

    if importlib.util.find_spec("hf_xet") is None:
        return False
    url = f"{api.endpoint}/api/datasets/{repo_id}/xet-write-token/{quote(revision, safe='')}"
    try:
        offered = get_session().get(url, headers=build_hf_headers(token=api.token)).status_code == 200
    except Exception as err:  # the probe itself failing means: do not count on Xet
        log.debug("Xet probe failed: %s", err)
        offered = False
    if not offered:
        log.info("the server offers no Xet storage; uploading with plain LFS")
    return offered
