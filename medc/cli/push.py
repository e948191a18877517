"""`medc push DIR REPO_ID`: publish a build to the Hugging Face Hub (see medc/publish/push.py for what happens)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click


@click.command("push")
@click.argument("build_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("repo_id")
@click.option("--private", is_flag=True, help="Create the repo private (an existing repo keeps its visibility).")
@click.option(
    "--gated",
    is_flag=True,
    help="Gate the repo (created or existing) before uploading: users must state in an access form that they "
    "hold the licences the content needs (UMLS, ChatDoctor's terms, ...), which the card's prompt names.",
)
@click.option("--manual-approval", is_flag=True, help="With --gated: you approve each access request yourself.")
@click.option("--revision", metavar="BRANCH", help="Branch to push to, created from main if missing.")
@click.option("--create-pr", is_flag=True, help="Leave the upload as an open pull request; the branch stays.")
@click.option("--dry-run", is_flag=True, help="Print exactly what would be uploaded and deleted; change nothing.")
@click.option("--message", "-m", default="Upload medc build", show_default=True, help="Commit message.")
@click.option(
    "--allow-restricted",
    is_flag=True,
    help="Publish to a public, ungated repo even though licences restrict the content (non-commercial or "
    "unlicensed PMC articles, UMLS-derived records, ChatDoctor dialogues). Only with the rights to.",
)
@click.option(
    "--max-commit-files",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Changes in one commit at most; a push with more goes through a pull request that is merged at the end.",
)
@click.option(
    "--max-commit-gb",
    type=click.FloatRange(min=0.001),
    default=5.0,
    show_default=True,
    help="Gigabytes per upload batch and per commit to a pull request (a larger single file gets its own).",
)
def command(
    build_dir: Path,
    repo_id: str,
    private: bool,
    gated: bool,
    manual_approval: bool,
    revision: str | None,
    create_pr: bool,
    dry_run: bool,
    message: str,
    allow_restricted: bool,
    max_commit_files: int,
    max_commit_gb: float,
) -> None:
    """Publish BUILD_DIR to the dataset repo REPO_ID (namespace/name).

    Uses HF_ENDPOINT and HF_TOKEN, or the login cached by `hf auth login`. Every file is uploaded before the
    branch moves, in one step: an interrupted push leaves the previous build in place, and a rerun uploads only
    what is missing or changed. Content whose licences forbid open redistribution (UMLS, ChatDoctor dialogues,
    non-commercial PMC articles) needs --private, --gated or --allow-restricted."""
    from medc.cli.paths import check_build_dir
    from medc.publish.plan import CommitLimits
    from medc.publish.push import PushError, PushOptions, push

    check_build_dir(build_dir, "BUILD_DIR")
    try:
        options = PushOptions(
            repo_id,
            private=private,
            gated=("manual" if manual_approval else "auto") if gated or manual_approval else None,
            revision=revision,
            create_pr=create_pr,
            message=message,
            allow_restricted=allow_restricted,
            dry_run=dry_run,
            limits=CommitLimits(max_commit_files, int(max_commit_gb * 1e9)),
        )
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    click.echo(f"Token: {token_source()}")
    try:
        report = push(build_dir, options)
    except PushError as err:
        raise click.ClickException(str(err)) from None
    click.echo(describe(report, build_dir))
    if report.refused:
        from medc.publish.guard import refusal_message

        raise click.ClickException(refusal_message(report.repo_id, report.restrictions))


def token_source() -> str:
    """Where the token comes from, never the token itself."""
    from huggingface_hub import constants

    if os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN"):
        return "from the HF_TOKEN environment variable"
    if Path(constants.HF_TOKEN_PATH).is_file():
        return f"cached login ({constants.HF_TOKEN_PATH})"
    return "none (anonymous: only reads of public repos will work)"


def describe(report: Any, build_dir: Path) -> str:
    """The plan as a dry run prints it; after a push, also what was done."""
    plan = report.plan
    state = "exists" if report.repo_exists else "will be created"
    access = "private" if report.private else f"public, gated ({report.gated} approval)" if report.gated else "public"
    branch = report.revision + ("" if report.branch_exists or report.revision == "main" else " (new branch)")
    lines = [f"{build_dir} → dataset {report.repo_id} @ {branch}: repo {state}, {access}"]
    verdict = "refused" if report.refused else f"allowed: {report.verdict}"
    lines += [f"licence restriction ({verdict}): {r}" for r in report.restrictions]
    lines += [] if report.restrictions else ["licences: no restrictions found"]
    if report.gated and report.restrictions:
        lines.append(f"gate: the card uploaded asks each user to confirm {len(report.restrictions)} statement(s)")
    lines += [f"note: {n}" for n in report.notes]
    lines += _steps(report)
    lines.append(f"unchanged on the Hub, skipped: {len(plan.unchanged)} file(s)")
    return "\n".join(lines + _outcome(report))


def _steps(report: Any) -> list[str]:
    from medc.publish.facts import human_bytes

    plan, lines = report.plan, []
    if plan.uploads:
        lines.append(f"upload first: {len(plan.uploads)} file(s), {human_bytes(plan.size)}")
    for i, commit in enumerate(plan.commits, 1):
        deleted = f", {len(commit.deletions)} deletion(s)" if commit.deletions else ""
        where = "to the pull request" if plan.via_pr else f"moving {report.revision}"
        lines.append(f"commit {i}/{len(plan.commits)} {where}: {len(commit.uploads)} file(s){deleted}")
        lines += [f"  upload  {f.path}  ({human_bytes(f.size)})" for f in commit.uploads]
        lines += [f"  delete  {p}" for p in commit.deletions]
    if plan.via_pr or report.pull_request:
        pr = f"pull request #{report.pull_request}" if report.pull_request else "a pull request"
        then = (
            "left open for review (--create-pr)" if report.create_pr else f"merged into {report.revision} in one step"
        )
        lines.append(f"through {pr}, then {then}")
    return lines


def _outcome(report: Any) -> list[str]:
    from medc.publish.facts import human_bytes

    plan = report.plan
    total = f"{len(plan.uploads)} file(s), {human_bytes(plan.size)}, {len(plan.deletions)} deletion(s)"
    if report.dry_run and report.refused:
        return [f"dry run: the push would be refused (below); allowed, it would upload {total}"]
    if report.dry_run:
        return [f"dry run: would upload {total}; nothing was changed"]
    if report.refused:
        return []
    if not report.commits and not report.merged:
        return [f"nothing to upload: {report.url}"]
    merged = f"; pull request #{report.pull_request} merged" if report.merged else ""
    where = report.pr_url if report.pull_request and not report.merged else report.url
    return [f"pushed {total} in {len(report.commits)} commit(s){merged}: {where}"]
