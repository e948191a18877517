"""`medc push DIR REPO_ID`: publish a build to the Hugging Face Hub (see medc/hub.py for what happens)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click


@click.command("push")
@click.argument("build_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("repo_id")
@click.option("--private", is_flag=True, help="Create the repo private (an existing repo keeps its visibility).")
@click.option("--revision", metavar="BRANCH", help="Branch to push to, created from main if missing.")
@click.option("--create-pr", is_flag=True, help="Open a pull request instead of committing to the branch.")
@click.option("--dry-run", is_flag=True, help="Print exactly what would be uploaded and deleted; change nothing.")
@click.option("--message", "-m", default="Upload medc build", show_default=True, help="Commit message.")
@click.option(
    "--allow-restricted",
    is_flag=True,
    help="Publish to a public repo even though licences restrict the content (non-commercial PMC articles, "
    "UMLS sources above restriction level 0). Only with the rights to.",
)
@click.option(
    "--max-commit-files", type=click.IntRange(min=1), default=200, show_default=True, help="Files per commit at most."
)
@click.option(
    "--max-commit-gb",
    type=click.FloatRange(min=0.001),
    default=5.0,
    show_default=True,
    help="Gigabytes per commit at most (a larger single file gets a commit of its own).",
)
def command(
    build_dir: Path,
    repo_id: str,
    private: bool,
    revision: str | None,
    create_pr: bool,
    dry_run: bool,
    message: str,
    allow_restricted: bool,
    max_commit_files: int,
    max_commit_gb: float,
) -> None:
    """Publish BUILD_DIR to the dataset repo REPO_ID (namespace/name).

    Uses HF_ENDPOINT and HF_TOKEN, or the login cached by `hf auth login`. A rerun after an interruption uploads
    only what is missing or changed."""
    from medc.hub import PushError, PushOptions, push
    from medc.hub_plan import CommitLimits

    try:
        options = PushOptions(
            repo_id,
            private=private,
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
        from medc.hub import refusal_message

        raise click.ClickException(refusal_message(report))


def token_source() -> str:
    """Where the token comes from, never the token itself."""
    from huggingface_hub import constants

    if os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN"):
        return "from the HF_TOKEN environment variable"
    if Path(constants.HF_TOKEN_PATH).is_file():
        return f"cached login ({constants.HF_TOKEN_PATH})"
    return "none (anonymous: only reads of public repos will work)"


def describe(report: Any, build_dir: Path) -> str:
    """The plan, commit by commit, as a dry run prints it; after a push, also what was done."""
    from medc.build_facts import human_bytes

    plan = report.plan
    state = "exists" if report.repo_exists else "will be created"
    branch = report.revision + ("" if report.branch_exists or report.revision == "main" else " (new branch)")
    lines = [
        f"{build_dir} → dataset {report.repo_id} @ {branch}: repo {state}, {'private' if report.private else 'public'}"
    ]
    verdict = (
        "refused for a public repo"
        if report.refused
        else "allowed: the repo is private"
        if report.private
        else "allowed by --allow-restricted"
    )
    lines += [f"licence restriction ({verdict}): {r}" for r in report.restrictions]
    lines += [] if report.restrictions else ["licences: no restrictions found"]
    lines += [f"note: {n}" for n in report.notes]
    for i, commit in enumerate(plan.commits, 1):
        deleted = f", {len(commit.deletions)} deletion(s)" if commit.deletions else ""
        lines.append(
            f"commit {i}/{len(plan.commits)}: {len(commit.uploads)} file(s), {human_bytes(commit.size)}{deleted}"
        )
        lines += [f"  upload  {f.path}  ({human_bytes(f.size)})" for f in commit.uploads]
        lines += [f"  delete  {p}" for p in commit.deletions]
    lines.append(f"unchanged on the Hub, skipped: {len(plan.unchanged)} file(s)")
    total = f"{len(plan.uploads)} file(s), {human_bytes(plan.size)}, {len(plan.deletions)} deletion(s)"
    if report.dry_run and report.refused:
        lines.append(f"dry run: the push would be refused (below); allowed, it would upload {total}")
    elif report.dry_run:
        lines.append(f"dry run: would upload {total}; nothing was changed")
    elif not report.refused:
        done = f"pushed {total} in {len(report.commits)} commit(s)" if report.commits else "nothing to upload"
        lines.append(f"{done}: {report.pr_url or report.url}")
    return "\n".join(lines)
