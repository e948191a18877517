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
        click.option(
            "--executor",
            type=click.Choice(["local", "ray"]),
            default="local",
            show_default=True,
            help="Where work runs: a local process pool, or a Ray cluster (RAY_ADDRESS / --ray-address, else a "
            "local one). The output does not depend on it.",
        ),
        click.option(
            "--ray-address",
            metavar="ADDRESS",
            default=None,
            help="Ray cluster to join with --executor ray (e.g. auto, ray://head:10001); default: RAY_ADDRESS.",
        ),
        click.option(
            "--staging",
            "staging_root",
            metavar="PATH_OR_URL",
            default=None,
            help="Where parsed records are staged (default OUT/.staging). On a cluster: a shared filesystem path or "
            "an s3:// URL every node can write.",
        ),
        click.option(
            "--worker-memory",
            metavar="SIZE",
            default=None,
            help="Resident memory limit per worker, e.g. 4G or 512M; a unit that exceeds it is rejected as "
            "memory_limit (Linux).",
        ),
        click.option(
            "--batch-units",
            type=click.IntRange(min=1),
            default=None,
            help="Work units per task sent to a worker (default 64; a large file is a batch of its own).",
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


def run_settings(options: dict[str, Any]) -> dict[str, Any]:
    """The `run_build` keyword arguments of the options every build verb shares."""
    from medc.stage.run import StageOptions

    stage: dict[str, Any] = {"unit_timeout": options["unit_timeout"]}
    if options["worker_memory"]:
        stage["worker_memory"] = parse_size(options["worker_memory"])
    if options["batch_units"]:
        stage["batch_units"] = options["batch_units"]
    try:
        stage_options = StageOptions(**stage)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return {
        "executor": options["executor"],
        "workers": options["workers"],
        "ray_address": options["ray_address"],
        "staging_root": options["staging_root"],
        "stage": stage_options,
        "fresh": options["fresh"],
        "keep_staging": not options["drop_staging"],
    }


def parse_size(text: str) -> int:
    """`4G`, `512M`, `1.5GiB`, `1000000` → bytes."""
    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    value = text.strip().upper().removesuffix("IB").removesuffix("B")
    suffix = value[-1:] if value[-1:] in units else ""
    try:
        number = float(value[: len(value) - len(suffix)])
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a size such as 4G or 512M", param_hint="--worker-memory") from None
    if number <= 0:
        raise click.BadParameter(f"{text!r} must be positive", param_hint="--worker-memory")
    return int(number * units[suffix])


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
    from medc.executors.arrow_probe import skip_pandas_probe
    from medc.executors.freed_memory import keep_freed_memory
    from medc.progress import BuildProgress
    from medc.summary import empty_inputs, print_summary

    skip_pandas_probe()  # this process builds and exits: pyarrow needs no pandas in it
    keep_freed_memory()  # before the pool starts: its workers inherit it
    with BuildProgress() as progress:
        manifest = run(progress)
    print_summary(manifest, str(out))
    click.echo(f"Wrote {out}/ (manifest.json, rejections.jsonl, README.md)", file=sys.stderr)
    for check in checks:
        check(manifest)
    empty = [] if allow_empty else empty_inputs(manifest, out, options, format_hint(_verb(), out))
    if empty:
        raise click.ClickException(
            "\n".join(empty) + "\n(the build was written; --allow-empty accepts an input that yields nothing)"
        )
    return manifest


def format_hint(verb: str, out: Path | None = None) -> Callable[[str, str], str]:
    """`hint(option, origin)`: what the file at `origin` looks like and which option reads it, when that is not
    `option` ("this looks like MedQA; use --medqa"); '' when it cannot tell."""
    from medc.format_guess import FORMATS, guess_file

    def hint(option: str, origin: str) -> str:
        from medc.origins import local_input

        path = _first_local_file(local_input(out, origin) if out is not None else origin)
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
