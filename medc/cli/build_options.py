"""Options every build verb shares (`build-k`, `build-i`), and the run-and-report step they end with: progress,
the summary table, and a failure when an input yielded no record at all (unless --allow-empty)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import click


def build_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--out",
            "out",
            required=True,
            type=click.Path(file_okay=False, path_type=Path),
            help="Output directory (data/, manifest.json, README.md). A rerun resumes it.",
        ),
        click.option(
            "--config",
            "config_file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="TOML file with build settings (see README).",
        ),
        click.option(
            "--set",
            "overrides",
            multiple=True,
            metavar="KEY=VALUE",
            help="Override one setting, e.g. --set dedup.threshold=0.85 (repeatable).",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=0),
            default=None,
            help="Worker processes (default: all cores; 0 = in this process, for debugging).",
        ),
        click.option(
            "--unit-timeout",
            type=float,
            default=None,
            metavar="SECONDS",
            help="Reject a work unit that runs longer than this (default: no limit).",
        ),
        click.option("--fresh", is_flag=True, help="Discard staged work in --out and start over."),
        click.option(
            "--drop-staging",
            is_flag=True,
            help="Delete the staged parts after a successful build (saves disk; a later rerun re-parses).",
        ),
        click.option(
            "--allow-empty",
            is_flag=True,
            help="Succeed even when an input yields no record at all (by default that fails the build, naming "
            "the input, the main rejection reason and the format the file looks like).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def run_and_report(
    out: Path,
    run: Callable[[Any], dict[str, Any]],
    *,
    allow_empty: bool = False,
    options: Mapping[str, str] | None = None,
    checks: Sequence[Callable[[dict[str, Any]], None]] = (),
) -> dict[str, Any]:
    """Run a build with progress display, print the summary table, and turn known errors into clean exits.

    Then `checks` (each may raise a ClickException), then the empty-input check: an input that yielded no record
    fails the build (exit 1) unless `allow_empty`. `options` maps source names to the options that named their
    inputs, for the message (see `medc.summary.empty_inputs`)."""
    from medc.progress import BuildProgress
    from medc.summary import empty_inputs, print_summary

    with BuildProgress() as progress:
        manifest = run(progress)
    print_summary(manifest, str(out))
    click.echo(f"Wrote {out}/ (manifest.json, rejections.jsonl, README.md)", file=sys.stderr)
    for check in checks:
        check(manifest)
    empty = [] if allow_empty else empty_inputs(manifest, out, options, format_hint(_verb()))
    if empty:
        raise click.ClickException(
            "\n".join(empty) + "\n(the build was written; --allow-empty accepts an input that yields nothing)"
        )
    return manifest


def format_hint(verb: str) -> Callable[[str, str], str]:
    """`hint(option, origin)`: what the file at `origin` looks like and which option reads it, when that is not
    `option` ("this looks like MedQA; use --medqa"); '' when it cannot tell."""
    from medc.format_guess import FORMATS, guess_file

    def hint(option: str, origin: str) -> str:
        path = _first_local_file(origin)
        found = guess_file(path) if path is not None else None
        if found is None:
            return ""
        label, its_verb, its_option = FORMATS[found]
        if its_option == option and its_verb == verb:
            return ""  # the right option: something else is wrong with the file
        use = its_option if its_verb == verb else f"`medc {its_verb} {its_option}`"
        return f"this looks like {label}; use {use}"

    return hint


def _first_local_file(origin: str) -> Path | None:
    """The file at `origin`, or the first file under it when it is a directory; None for archive members, URLs
    and paths that are gone."""
    if "::" in origin or "://" in origin:
        return None
    path = Path(origin)
    if path.is_file():
        return path
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        visible = sorted(f for f in files if not f.startswith("."))
        if visible:
            return Path(root) / visible[0]
    return None


def _verb() -> str:
    ctx = click.get_current_context(silent=True)
    return ctx.info_name if ctx is not None and ctx.info_name else ""
