"""Publish a build directory to the Hugging Face Hub: atomic, resumable, rate-limit tolerant, careful with licences.

    >>> report = push(Path("demo-output/medc-i"), PushOptions("me/medc-i", gated="auto"))
    >>> report.verdict, [len(c.uploads) for c in report.plan.commits], report.head[:10]
    ('gated repo (auto approval)', [9], '3f1c2a9e0b')

What happens, in order; nothing is created or uploaded before step 4:
1. The card is checked against the files and the Hub's vocabularies (`validate.py`): a stale card, or one the
   Hub would refuse, is never published.
2. The licence guard (`licences.py`, `guard.py`): restricted content (non-commercial PMC articles, UMLS-derived
   records, ChatDoctor dialogues) goes to a public, ungated repo only with `allow_restricted`; the refusal names
   each source and the ways out (`--private`, `--gated`, `--allow-restricted`).
3. The plan (`plan.py`): what the Hub holds at the target revision is listed and compared by size and hash, so
   only missing or changed files are uploaded; the card to upload (with the gate's prompt, for a gated repo) is
   sent to the Hub's own validator, dry runs included, when the Hub can be reached.
4. The push (`commit.py`): the repo is created (private, or gated before any file lands), every file is
   uploaded, then the branch moves once. A failure is retried with backoff; a push that still fails leaves the
   branch on the previous complete build, and a rerun uploads only the rest.

Endpoint and token are huggingface_hub's own (`HF_ENDPOINT`, `HF_TOKEN` or the cached login); the token is never
printed.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medc.publish.commit import PushError, execute, friendly, open_pull_request
from medc.publish.facts import CARD, BuildFacts, read_build
from medc.publish.guard import GATE_MODES, gated_card, refusal_message, verdict
from medc.publish.licences import LicenceFacts, Restriction, licence_facts
from medc.publish.plan import CommitLimits, UploadPlan, local_files, plan_uploads, remote_files, save_hash_cache
from medc.publish.retry import Backoff, GaveUp, retry, transient_reason
from medc.publish.validate import ask_hub, validate_build

log = logging.getLogger(__name__)

REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")


class PushRefused(PushError):
    """Restricted content headed for a public, ungated repo."""


@dataclass(frozen=True)
class PushOptions:
    repo_id: str
    """`namespace/name` of the dataset repo."""
    private: bool = False
    """Create the repo private (an existing repo keeps its visibility)."""
    gated: str | None = None
    """`auto` or `manual`: gate the repo (created or existing) before any file lands; the card gets a prompt
    naming the licences each user must hold."""
    revision: str | None = None
    """Branch to push to (created from main if missing); default main."""
    create_pr: bool = False
    """Leave the upload as an open pull request instead of moving the branch."""
    message: str = "Upload medc build"
    allow_restricted: bool = False
    """Publish restricted content (see medc/publish/licences.py) to a public, ungated repo anyway."""
    dry_run: bool = False
    limits: CommitLimits = field(default_factory=CommitLimits)
    retries: int = 6
    """Retries per request on 429, 5xx and dropped connections."""
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
        if self.gated is not None and self.gated not in GATE_MODES:
            raise ValueError(f"gated={self.gated!r}; choose one of {list(GATE_MODES)}")
        if self.gated and self.private:
            raise ValueError("choose --private or --gated, not both: a private repo has no public access to gate")

    @property
    def backoff_policy(self) -> Backoff:
        return Backoff(self.retries, self.backoff, self.max_backoff)


@dataclass
class PushReport:
    repo_id: str
    revision: str
    private: bool
    gated: str | None  # the repo's gate after the push (`auto`, `manual`) or None
    repo_exists: bool
    branch_exists: bool
    plan: UploadPlan
    restrictions: list[Restriction]
    verdict: str  # why the push may go on, or `refused` (medc/publish/guard.py)
    notes: list[str]
    dry_run: bool = False
    hub_gated: str | None = None  # the gate the repo has now
    pull_request: int | None = None  # the pull request the push continues or opened
    create_pr: bool = False  # the pull request stays open
    commits: list[str] = field(default_factory=list)
    pr_url: str | None = None
    merged: bool = False
    head: str | None = None  # the branch's commit after the push
    url: str = ""

    @property
    def refused(self) -> bool:
        return self.verdict == "refused"


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
            f"{out_dir}: the card disagrees with the files or with the Hub; fix the build or run `medc card "
            f"{out_dir}` to rewrite the card, then push again (nothing was uploaded):\n{listed}"
        )
    api = api or HfApi()
    report = plan_push(api, out_dir, build, options, licence_facts(build, out_dir), sleep)
    if report.refused and not options.dry_run:
        raise PushRefused(refusal_message(options.repo_id, report.restrictions))
    if options.dry_run or report.refused:
        return report
    execute(api, out_dir, report, options, sleep)
    return report


def plan_push(
    api: Any, out_dir: Path, build: BuildFacts, options: PushOptions, licences: LicenceFacts, sleep: Callable
) -> PushReport:
    """Everything a push will do, decided before anything changes on the Hub."""
    revision = options.revision or "main"
    notes = list(licences.notes)
    info = _repo_info(api, options, notes, sleep)
    exists = info is not None
    private = bool(info.private) if exists else options.private
    if exists and options.private and not private:
        log.warning("%s exists and is public; --private does not change an existing repo", options.repo_id)
    hub_gated = (getattr(info, "gated", None) or None) if exists else None
    gated = None if private else options.gated or hub_gated
    restrictions = licences.restrictions
    judged = verdict(restrictions, private=private, gated=gated, allow_restricted=options.allow_restricted)
    branch_exists = exists and _revision_exists(api, options.repo_id, revision)
    pending = open_pull_request(api, out_dir, options, revision) if exists else None
    base = f"refs/pr/{pending}" if pending else revision if branch_exists else "main"
    card = _card_to_upload(build, restrictions if gated else [])
    files = local_files(out_dir, build, card.encode("utf-8") if card != build.card_text else None)
    tree = api.list_repo_tree(options.repo_id, repo_type="dataset", recursive=True, revision=base) if exists else []
    plan = plan_uploads(files, remote_files(list(tree)), options.limits, via_pr=bool(pending) or options.create_pr)
    save_hash_cache(out_dir, files)
    notes += _hub_validation(api, card, sleep)
    return PushReport(
        options.repo_id,
        revision,
        private,
        gated,
        exists,
        branch_exists,
        plan,
        restrictions,
        judged,
        notes,
        dry_run=options.dry_run,
        hub_gated=hub_gated,
        pull_request=pending,
        create_pr=options.create_pr,
        url=f"{api.endpoint}/datasets/{options.repo_id}",
    )


def _card_to_upload(build: BuildFacts, gate_for: list[Restriction]) -> str:
    """The card as the build wrote it; for a gated repo holding restricted content, with the gate's prompt."""
    text = build.card_text or ""
    return gated_card(text, gate_for) if gate_for else text


def _hub_validation(api: Any, card: str, sleep: Callable[[float], None]) -> list[str]:
    """Ask the Hub's validator about the card to upload; its objections stop the push before anything changes."""
    answer = ask_hub(api.endpoint, api.token, card, sleep)
    if answer is None:
        return [
            f"the Hub's card validator at {api.endpoint} could not be asked; {CARD} was checked against medc's copy"
        ]
    if answer.errors:
        listed = "\n".join(f"  - {e}" for e in answer.errors)
        raise PushError(f"the Hub would refuse {CARD} (Invalid metadata; nothing was uploaded):\n{listed}")
    return [f"the Hub's card validator warns: {w}" for w in answer.warnings]


def _repo_info(api: Any, options: PushOptions, notes: list[str], sleep: Callable[[float], None]) -> Any:
    """The repo's info, None when it does not exist. A dry run offline still shows the whole plan, noting that
    it assumes a new repo; a real push offline stops here."""
    from huggingface_hub.errors import RepositoryNotFoundError

    call = lambda: api.repo_info(options.repo_id, repo_type="dataset")  # noqa: E731
    try:
        return retry(call, options.backoff_policy, "repo info", sleep, only_http=True)
    except RepositoryNotFoundError:
        return None
    except GaveUp as err:
        raise PushError(f"{err}; the Hub keeps refusing, try again later") from err
    except Exception as err:
        reason = transient_reason(err)
        if not reason:
            raise friendly(err) from err
        if not options.dry_run:
            raise PushError(
                f"{api.endpoint} could not be reached ({reason}): check the network and HF_ENDPOINT, then rerun"
            ) from err
        notes.append(f"{api.endpoint} could not be reached ({reason}); the plan assumes the repo does not exist yet")
        return None


def _revision_exists(api: Any, repo_id: str, revision: str) -> bool:
    from huggingface_hub.errors import RevisionNotFoundError

    try:
        api.repo_info(repo_id, repo_type="dataset", revision=revision)
        return True
    except RevisionNotFoundError:
        return False
