"""Publish a build directory to the Hugging Face Hub: resumable, rate-limit tolerant, careful with licences.

    >>> report = push(Path("out"), PushOptions("me/medc-k", private=True))
    >>> [len(c.uploads) for c in report.plan.commits], report.url
    ([4, 3], 'https://huggingface.co/datasets/me/medc-k')

What happens, in order:
1. The card is checked against the files (`medc/card_validate.py`); a stale card is never published.
2. Licence facts (`medc/licences.py`): content with restrictions (non-commercial PMC articles, UMLS sources above
   restriction level 0) goes to a public repo only with `allow_restricted`; the refusal says why.
3. The repo (and the branch named by `revision`) is created if needed; what the Hub holds at the target revision
   is listed and compared by size and hash (`medc/hub_plan.py`): only missing or changed files are uploaded.
4. Shards are uploaded in commits of bounded size; card, manifest and reports go last. A commit that fails with
   429, a 5xx or a dropped connection is retried with exponential backoff (honouring `Retry-After`); a push that
   still fails can simply be rerun, and uploads only the rest.

Endpoint and token are huggingface_hub's own (`HF_ENDPOINT`, `HF_TOKEN` or the cached login); the token is never
printed. A server without Xet storage (or `HF_HUB_DISABLE_XET=1`) gets plain LFS uploads.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from medc.build_facts import read_build
from medc.card_validate import validate_build
from medc.hub_plan import (
    CommitLimits,
    PlannedCommit,
    UploadPlan,
    local_files,
    plan_uploads,
    remote_files,
    save_hash_cache,
)
from medc.hub_retry import Backoff, GaveUp, retry, transient_reason
from medc.licences import licence_facts

log = logging.getLogger(__name__)

REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")


class PushError(Exception):
    """A push that cannot go on; the message says what to do."""


class PushRefused(PushError):
    """Restricted content headed for a public repo."""


@dataclass(frozen=True)
class PushOptions:
    repo_id: str
    """`namespace/name` of the dataset repo."""
    private: bool = False
    """Create the repo private (an existing repo keeps its visibility)."""
    revision: str | None = None
    """Branch to push to (created from main if missing); default main."""
    create_pr: bool = False
    """Open a pull request with the upload instead of committing to the branch."""
    message: str = "Upload medc build"
    allow_restricted: bool = False
    """Publish restricted content (see medc/licences.py) to a public repo anyway."""
    dry_run: bool = False
    limits: CommitLimits = field(default_factory=CommitLimits)
    retries: int = 6
    """Retries per commit on 429, 5xx and dropped connections."""
    backoff: float = 2.0
    """Seconds before the first retry; doubled each time up to `max_backoff`."""
    max_backoff: float = 120.0

    def __post_init__(self) -> None:
        if not REPO_ID.match(self.repo_id):
            raise ValueError(f"repo id {self.repo_id!r} is not `namespace/name` (e.g. `me/medc-k`)")
        if self.retries < 0 or self.backoff < 0 or self.max_backoff < self.backoff:
            raise ValueError("retries and backoff must be >= 0, and max_backoff >= backoff")
        if not self.message.strip():
            raise ValueError("the commit message is empty; pass --message TEXT")


@dataclass
class PushReport:
    repo_id: str
    revision: str
    private: bool
    repo_exists: bool
    branch_exists: bool
    plan: UploadPlan
    restrictions: list[str]
    notes: list[str]
    refused: bool = False
    dry_run: bool = False
    commits: list[str] = field(default_factory=list)
    pr_url: str | None = None
    url: str = ""


def push(
    out_dir: Path, options: PushOptions, *, api: Any = None, sleep: Callable[[float], None] = time.sleep
) -> PushReport:
    """Push the build in `out_dir`; with `options.dry_run` only plan. Raises PushError / PushRefused."""
    from huggingface_hub import HfApi

    out_dir = Path(out_dir)
    build = read_build(out_dir)
    problems = validate_build(build)
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems)
        raise PushError(
            f"{out_dir}: the card and the files disagree; fix the build or run `medc card {out_dir}`"
            f" to rewrite the card, then push again:\n{listed}"
        )
    licences = licence_facts(build, out_dir)
    api = api or HfApi()
    report = _plan(api, out_dir, build, options, licences, sleep)
    if report.refused and not options.dry_run:
        raise PushRefused(refusal_message(report))
    if options.dry_run or report.refused:
        return report
    _execute(api, out_dir, report, options, sleep)
    return report


def _plan(
    api: Any, out_dir: Path, build: Any, options: PushOptions, licences: Any, sleep: Callable[[float], None]
) -> PushReport:
    revision = options.revision or "main"
    notes = list(licences.notes)
    try:
        info = _repo_info(api, options, sleep)
    except Exception as err:  # a dry run offline still shows the whole plan, with that caveat
        if not transient_reason(err):
            raise
        if not options.dry_run:
            raise PushError(
                f"{api.endpoint} could not be reached ({transient_reason(err)}): check the network "
                "and HF_ENDPOINT, then rerun"
            ) from err
        notes.append(
            f"{api.endpoint} could not be reached ({transient_reason(err)}); the plan assumes the repo "
            "does not exist yet"
        )
        info = None
    exists = info is not None
    private = bool(info.private) if exists else options.private
    if exists and options.private and not private:
        log.warning("%s exists and is public; --private does not change an existing repo", options.repo_id)
    branch_exists = exists and _revision_exists(api, options.repo_id, revision)
    base = revision if branch_exists else "main"
    remote = (
        remote_files(list(api.list_repo_tree(options.repo_id, repo_type="dataset", recursive=True, revision=base)))
        if exists
        else {}
    )
    files = local_files(out_dir, build)
    plan = plan_uploads(files, remote, options.limits)
    save_hash_cache(out_dir, files)
    refused = bool(licences.restrictions) and not private and not options.allow_restricted
    return PushReport(
        options.repo_id,
        revision,
        private,
        exists,
        branch_exists,
        plan,
        licences.restrictions,
        notes,
        refused=refused,
        dry_run=options.dry_run,
        url=f"{api.endpoint}/datasets/{options.repo_id}",
    )


def _repo_info(api: Any, options: PushOptions, sleep: Callable[[float], None]) -> Any:
    from huggingface_hub.errors import RepositoryNotFoundError

    backoff = Backoff(options.retries, options.backoff, options.max_backoff)
    try:
        return retry(
            lambda: api.repo_info(options.repo_id, repo_type="dataset"), backoff, "repo info", sleep, only_http=True
        )
    except RepositoryNotFoundError:
        return None
    except GaveUp as err:
        raise PushError(f"{err}; the Hub keeps refusing, try again later") from err
    except Exception as err:
        raise _friendly(err) from err


def _revision_exists(api: Any, repo_id: str, revision: str) -> bool:
    from huggingface_hub.errors import RevisionNotFoundError

    try:
        api.repo_info(repo_id, repo_type="dataset", revision=revision)
        return True
    except RevisionNotFoundError:
        return False


def _execute(api: Any, out_dir: Path, report: PushReport, options: PushOptions, sleep: Callable[[float], None]) -> None:
    if not report.repo_exists:
        api.create_repo(options.repo_id, repo_type="dataset", private=options.private, exist_ok=True)
        log.info("created %s repo %s", "private" if options.private else "public", options.repo_id)
    if not report.branch_exists and report.revision != "main":
        api.create_branch(options.repo_id, branch=report.revision, repo_type="dataset", exist_ok=True)
    if not report.plan.commits:
        return  # the Hub already holds exactly this build
    _use_plain_lfs_without_xet(api, options.repo_id, report.revision)
    revision, create_pr = report.revision, options.create_pr
    total = len(report.plan.commits)
    for i, planned in enumerate(report.plan.commits, 1):
        message = options.message if total == 1 else f"{options.message} ({i}/{total})"
        info = _commit_with_retry(api, planned, options, revision, create_pr, message, sleep)
        report.commits.append(info.oid)
        log.info(
            "commit %d/%d: %d files, %d deletions → %s",
            i,
            total,
            len(planned.uploads),
            len(planned.deletions),
            info.oid[:10],
        )
        if create_pr:  # later commits go to the pull request's own ref
            revision, create_pr, report.pr_url = info.pr_revision, False, info.pr_url


def _commit_with_retry(
    api: Any,
    planned: PlannedCommit,
    options: PushOptions,
    revision: str,
    create_pr: bool,
    message: str,
    sleep: Callable[[float], None],
) -> Any:
    def commit() -> Any:  # fresh operation objects on every attempt: the client mutates them
        ops = _operations(planned)
        return api.create_commit(
            options.repo_id, ops, commit_message=message, repo_type="dataset", revision=revision, create_pr=create_pr
        )

    try:
        return retry(commit, Backoff(options.retries, options.backoff, options.max_backoff), repr(message), sleep)
    except GaveUp as err:
        on_pr = options.create_pr and revision.startswith("refs/pr/")
        hint = f" To add the rest to the pull request, rerun with --revision {revision} instead." if on_pr else ""
        raise PushError(
            f"{err}. Rerun the same command to resume: files already on the Hub are not uploaded again.{hint}"
        ) from err
    except Exception as err:
        raise _friendly(err) from err


def _operations(planned: PlannedCommit) -> list[Any]:
    """Fresh operation objects for each attempt (the client mutates them). A sha256 already computed while
    planning is handed over, so no file is hashed twice."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    ops: list[Any] = []
    for f in planned.uploads:
        op = CommitOperationAdd(path_in_repo=f.path, path_or_fileobj=str(f.source))
        if f._sha256:
            op.upload_info.sha256 = bytes.fromhex(f._sha256)
        ops.append(op)
    return ops + [CommitOperationDelete(path_in_repo=p) for p in planned.deletions]


def _friendly(err: Exception) -> Exception:
    status = getattr(getattr(err, "response", None), "status_code", None)
    if status in (401, 403):
        return PushError(
            f"the Hub refused the request (HTTP {status}): log in with `hf auth login` or set "
            "HF_TOKEN to a token with write access to this namespace"
        )
    return err


def _use_plain_lfs_without_xet(api: Any, repo_id: str, revision: str) -> None:
    """huggingface_hub uploads through Xet whenever hf_xet is installed; a server without Xet storage (an
    on-premise Hub, a mirror) then fails. Ask the server for a Xet write token first, and fall back to LFS."""
    from huggingface_hub import constants
    from huggingface_hub.utils import build_hf_headers, get_session

    if os.environ.get("HF_HUB_DISABLE_XET", "").upper() in ("1", "ON", "YES", "TRUE"):
        constants.HF_HUB_DISABLE_XET = True  # honoured even when set after huggingface_hub was imported
    if constants.HF_HUB_DISABLE_XET or importlib.util.find_spec("hf_xet") is None:
        return  # the client's own test (utils/_runtime.is_xet_available)
    url = f"{api.endpoint}/api/datasets/{repo_id}/xet-write-token/{quote(revision, safe='')}"
    try:
        offered = get_session().get(url, headers=build_hf_headers(token=api.token)).status_code == 200
    except Exception as err:  # the probe itself failing means: do not count on Xet
        log.debug("Xet probe failed: %s", err)
        offered = False
    if not offered:
        log.info("the server offers no Xet storage; uploading with plain LFS")
        constants.HF_HUB_DISABLE_XET = True


def refusal_message(report: PushReport) -> str:
    reasons = "\n".join(f"  - {r}" for r in report.restrictions)
    return (
        f"refusing to publish to the public repo {report.repo_id}: the build holds content with restrictive "
        f"licences:\n{reasons}\nPush with --private, rebuild without that content, or pass --allow-restricted "
        "if you hold the rights to publish it."
    )
