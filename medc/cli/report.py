"""`medc report DIR...`: write DIR/report.html for a build, a training run or an evaluation directory."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("report")
@click.argument("directories", nargs=-1, required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(["build", "run", "eval"]),
    help="What the directories are; by default told from the files each holds.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the page (one directory only); default DIR/report.html.",
)
def command(directories: tuple[Path, ...], kind: str | None, out: Path | None) -> None:
    """Write one self-contained HTML page per directory: a build (records, lengths, quality scores with their
    thresholds, rejections with examples, duplicate pairs, licences, mix and decontamination), a training run
    (loss, validation loss, learning rate, tokens/s, MFU, the data mix drawn against the configured one) or an
    evaluation (accuracy per task and method beside the PMC-LLaMA paper's reference rows).

    Images are embedded and nothing is fetched from the network: the page opens from disk in any browser.
    Prints the path of each page written."""
    from medc.cli.errors import SettingError
    from medc.report import ReportError, write_report

    if out is not None and len(directories) > 1:
        raise click.UsageError("--out names one page; give one directory with it")
    for directory in directories:
        try:
            path = write_report(directory, out, kind)
        except ReportError as exc:  # a directory that is none of the three: a wrong argument (exit 2)
            raise SettingError(str(exc)) from None
        click.echo(str(path))
