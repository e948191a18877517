"""`medc card DIR`: (re)write the dataset card of a build and check it against the files."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("card")
@click.argument("build_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Only validate the existing README.md; write nothing.")
def command(build_dir: Path, check: bool) -> None:
    """Write BUILD_DIR/README.md from manifest.json and the Parquet metadata, then validate it (YAML parses,
    configs point at existing files, counts match the Parquet footers). Exits 1 on any problem."""
    from medc.cli.paths import check_build_dir
    from medc.publish.card import write_card
    from medc.publish.facts import read_build
    from medc.publish.validate import validate_build

    check_build_dir(build_dir, "BUILD_DIR", ("README.md",) if check else ("manifest.json",))
    if not check:
        path = write_card(build_dir)
        click.echo(f"wrote {path}")
    problems = validate_build(read_build(build_dir))
    for problem in problems:
        click.echo(f"problem: {problem}", err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {build_dir}")
    click.echo("card and files agree")
