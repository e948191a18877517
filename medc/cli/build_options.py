"""Options every build verb shares (`build-k`, `build-i`), and the run-and-report step they end with."""

from __future__ import annotations

import sys
from collections.abc import Callable
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
    ]
    for option in reversed(options):
        func = option(func)
    return func


def run_and_report(out: Path, run: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """Run a build with progress display, print the summary table, and turn known errors into clean exits."""
    from medc.config import ConfigError
    from medc.progress import BuildProgress
    from medc.sources import InputError
    from medc.staging import StagingMismatch
    from medc.summary import print_summary

    try:
        with BuildProgress() as progress:
            manifest = run(progress)
    except (ConfigError, InputError, StagingMismatch) as exc:
        raise click.ClickException(str(exc)) from None
    print_summary(manifest, str(out))
    click.echo(f"Wrote {out}/ (manifest.json, rejections.jsonl, README.md)", file=sys.stderr)
    return manifest
