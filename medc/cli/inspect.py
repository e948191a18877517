"""`medc inspect DIR_OR_REPO_ID`: what a build or a Hub dataset holds, from its card and Parquet metadata."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("inspect")
@click.argument("target", metavar="DIR_OR_REPO_ID")
@click.option(
    "--rows",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Sample rows to show per config (read from the first row group only).",
)
def command(target: str, rows: int) -> None:
    """Show configs, splits, counts, sizes, licences, sources, provenance and validation problems of a local
    build directory or a Hub dataset (namespace/name or namespace/name@revision), without downloading it."""
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError, RevisionNotFoundError

    from medc.cli.paths import check_build_dir
    from medc.publish.inspect import inspect_dataset, render
    from medc.publish.retry import transient_reason

    if Path(target).is_dir():
        check_build_dir(Path(target), "DIR_OR_REPO_ID", ("README.md", "manifest.json", "data"))
    try:
        result = inspect_dataset(target, rows=rows)
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    except RevisionNotFoundError:
        raise click.ClickException(f"{target}: the dataset has no such revision") from None
    except RepositoryNotFoundError:
        raise click.ClickException(
            f"{target}: no such directory, and no such dataset on the Hub (or it is "
            "private: set HF_TOKEN or `hf auth login`)"
        ) from None
    except HfHubHTTPError as err:
        raise click.ClickException(f"{target}: the Hub answered {err}") from None
    except Exception as err:
        if transient_reason(err):
            raise click.ClickException(f"{target}: the Hub could not be reached ({transient_reason(err)})") from None
        raise
    click.echo(render(result))
