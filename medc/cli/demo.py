"""`medc demo`: the whole pipeline on the bundled samples, offline, on a CPU, in a few minutes."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("demo")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
    help="Where the demo writes its inputs, builds, model and reports.",
)
def command(out: Path) -> None:
    """Build MedC-K and MedC-I from bundled samples, inspect and (dry-run) push them, train a tiny model
    (pretraining, then instruction tuning) on CPU, evaluate it, and summarise."""
    from medc.demo.run import DemoFailed, run_demo

    try:
        run_demo(out)
    except DemoFailed as exc:
        raise click.ClickException(str(exc)) from None
