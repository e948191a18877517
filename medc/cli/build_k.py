"""`medc build-k`: PubMed Central articles and textbooks into the MedC-K configs `papers` and `books`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import click

from builders import books, pmc
from medc.clean import CleanConfig
from medc.cli.build_options import build_options, run_and_report, run_settings
from medc.cli.decontaminate import decontaminate_option, load_evaluations
from medc.decontamination.config import DecontaminationConfig
from medc.dedup import DedupConfig, DedupFinalizer
from medc.filters import DocumentSteps, FilterConfig
from medc.shards import ShardConfig


@dataclass(frozen=True)
class BuildKConfig:
    """Every setting of a MedC-K build; a TOML file has one table per field (`[papers]`, `[dedup]`, ...)."""

    papers: pmc.PmcOptions = field(default_factory=pmc.PmcOptions)
    books: books.BookOptions = field(default_factory=books.BookOptions)
    clean: CleanConfig = field(default_factory=CleanConfig)
    filters: FilterConfig = field(default_factory=FilterConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    decontamination: DecontaminationConfig = field(default_factory=DecontaminationConfig)
    shards: ShardConfig = field(default_factory=ShardConfig)


@click.command("build-k")
@click.option(
    "--pmc",
    "pmc_inputs",
    multiple=True,
    metavar="PATH_OR_URL",
    help="PMC articles: directory, .xml/.nxml(.gz), bulk or oa_package .tar.gz, or s3:// prefix.",
)
@click.option(
    "--pmc-filelist",
    "filelists",
    multiple=True,
    type=click.Path(exists=True),
    help="Licence and retraction per article: legacy file list CSV(s) (bulk, oa_package), or Cloud Service "
    "metadata JSON (a file, or a folder such as a mirror's metadata/). A Cloud Service mirror needs none: the "
    "JSON beside each article is read.",
)
@click.option(
    "--books",
    "book_inputs",
    multiple=True,
    metavar="PATH",
    help="Textbooks: PDF, EPUB or TXT files, directories or archives of them.",
)
@decontaminate_option
@build_options
def command(
    pmc_inputs: tuple[str, ...],
    filelists: tuple[str, ...],
    book_inputs: tuple[str, ...],
    eval_inputs: tuple[str, ...],
    out: Path,
    config_file: Path | None,
    overrides: tuple[str, ...],
    **common: Any,
) -> None:
    """Build MedC-K: PMC JATS articles (--pmc) and textbooks (--books) into clean, deduplicated shards."""
    from medc.build import run_build
    from medc.config import load_config, to_dict
    from medc.records import BOOKS, PAPERS

    if not pmc_inputs and not book_inputs:
        raise click.UsageError("Nothing to build: give --pmc and/or --books.")
    config = load_config(BuildKConfig, config_file, list(overrides))
    steps, finalizer, decontamination = _decontamination_steps(config, eval_inputs)
    sources = _sources(config, steps, pmc_inputs, filelists, book_inputs)
    settings = to_dict(config)
    parse_settings = {k: settings[k] for k in ("papers", "books", "clean", "filters")}
    parse_settings["filelists"] = sorted(Path(f).name for f in filelists)  # no local path in published settings
    if decontamination:  # a parse setting: it runs in the workers, so other evaluation files mean re-parsing
        parse_settings["decontamination"] = decontamination
    allow_empty = common.pop("allow_empty")
    run_kwargs = run_settings(common)
    run_and_report(
        out,
        lambda progress: run_build(
            out,
            sources,
            kind="medc-k",
            parse_settings=parse_settings,
            finalize_settings={"dedup": settings["dedup"], "shards": settings["shards"]},
            finalizer=finalizer,
            shards=config.shards,
            progress=progress,
            **run_kwargs,
        ),
        allow_empty=allow_empty,
        options={PAPERS: "--pmc", BOOKS: "--books"},
    )


def _sources(
    config: BuildKConfig, steps: tuple, pmc_inputs: tuple[str, ...], filelists: tuple[str, ...], book_inputs: tuple
) -> list[Any]:
    from medc.build import SourceSpec
    from medc.pipeline import RecordTask
    from medc.records import BOOKS, PAPERS, document_schema

    papers_options = config.papers
    if filelists:
        papers_options = pmc.with_filelists(papers_options, pmc.load_filelists(list(filelists)))
    sources = []
    if pmc_inputs:
        task = RecordTask(partial(pmc.parse, options=papers_options), steps)
        schema = document_schema(PAPERS, internal=True)
        # sidecars: the Cloud Service JSON beside each article version (licence, retraction, version) travels with it
        sources.append(SourceSpec(PAPERS, task, schema, list(pmc_inputs), pmc.accepts, sidecars=pmc.sidecars))
    if book_inputs:
        task = RecordTask(partial(books.parse, options=config.books), steps)
        sources.append(SourceSpec(BOOKS, task, document_schema(BOOKS, internal=True), list(book_inputs), books.accepts))
    return sources


def _decontamination_steps(config: BuildKConfig, eval_inputs: tuple[str, ...]) -> tuple[tuple, Any, dict[str, Any]]:
    """The per-document steps (clean, filter, key; then decontaminate when there are evaluation files), the
    finalizer (dedup, wrapped to count removals per benchmark) and the decontamination facts."""
    steps: tuple = (DocumentSteps(config.clean, config.filters, config.dedup),)
    finalizer: Any = DedupFinalizer(config.dedup)
    loaded = load_evaluations(eval_inputs, config.decontamination)
    if loaded is None:
        return steps, finalizer, {}
    from medc.decontamination.documents import DecontaminationReport, DocumentDecontamination, DocumentIndex

    evals, facts = loaded
    steps += (DocumentDecontamination(DocumentIndex(evals.items, config.decontamination)),)
    return steps, DecontaminationReport(finalizer, facts), facts
