"""The `medc` command line. Each verb lives in its own module and is imported only when it runs, so
`medc --help` answers at once (no pyarrow, torch or pymupdf import just to print help). Whatever a verb raises
ends as one `Error:` line (`medc/cli/errors.py`); `-vv` shows the traceback instead."""

from __future__ import annotations

import importlib
import logging

import click

import medc

# verb -> (module under medc.cli, one-line help shown by `medc --help` without importing the module)
VERBS: dict[str, tuple[str, str]] = {
    "build-k": ("build_k", "Build MedC-K (papers, books) into Parquet shards with manifest and card."),
    "build-i": ("build_i", "Build MedC-I (dialogues, rationale QA, UMLS prompts) into Parquet shards."),
    "card": ("card", "Write or validate the dataset card of a build directory."),
    "inspect": ("inspect", "Show what a build or Hub dataset holds, from its card and Parquet metadata."),
    "explain": ("explain", "Show the text spans a builder removed from one document of a build, by rule."),
    "push": ("push", "Publish a build directory to the Hugging Face Hub."),
    "train": ("train", "Train with DeepSpeed: continued pretraining, then instruction tuning."),
    "eval": ("eval", "Evaluate a model on MedQA, MedMCQA and PubMedQA."),
    "report": ("report", "Write an HTML report (with charts) of a build, a training run or an evaluation."),
    "demo": ("demo", "Run the whole pipeline on the bundled sample data."),
}

VERBOSITY = "medc.verbosity"  # key of ctx.meta: how many -v the user gave
TRAIN_STACK = {"torch", "transformers", "deepspeed", "tokenizers", "safetensors"}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(VERBS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in VERBS:
            return None
        try:
            module = importlib.import_module(f"medc.cli.{VERBS[name][0]}")
        except ModuleNotFoundError as exc:
            if exc.name in TRAIN_STACK:
                raise click.ClickException(
                    f"`medc {name}` needs the training stack ({exc.name} is not installed): pip install 'medc[train]'"
                ) from None
            raise
        return module.command

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if ctx.meta.get(VERBOSITY, 0) > 1:
                raise
            from medc.cli.errors import as_click_error

            raise as_click_error(exc) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, short) for name, (_, short) in VERBS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(medc.__version__, prog_name="medc")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """medc: rebuild the PMC-LLaMA corpora (MedC-K, MedC-I), publish them, train and evaluate on them.

    A mistake ends in one `Error:` line (exit code 2 for a wrong setting, option or path); -vv shows tracebacks."""
    ctx.meta[VERBOSITY] = verbose
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO)
    configure_logging(level)


def configure_logging(level: int) -> None:
    from rich.logging import RichHandler

    handler = RichHandler(show_path=False, rich_tracebacks=False, markup=False)
    logging.basicConfig(level=level, format="%(message)s", datefmt="[%X]", handlers=[handler], force=True)
    for noisy in ("httpx", "httpx2", "httpcore", "urllib3", "filelock", "fsspec", "datasets", "huggingface_hub"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
