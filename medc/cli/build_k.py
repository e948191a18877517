"""`medc build-k`: PubMed Central articles and textbooks into the MedC-K configs `papers` and `books`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import click

from builders import books, pmc_jats
from medc.clean import CleanConfig
from medc.cli.build_options import build_options, run_and_report
from medc.dedup import DedupConfig, DedupFinalizer
from medc.filters import DocumentSteps, FilterConfig
from medc.shards import ShardConfig


@dataclass(frozen=True)
class BuildKConfig:
    """Every setting of a MedC-K build; a TOML file has one table per field (`[papers]`, `[dedup]`, ...)."""

    papers: pmc_jats.PmcOptions = field(default_factory=pmc_jats.PmcOptions)
    books: books.BookOptions = field(default_factory=books.BookOptions)
    clean: CleanConfig = field(default_factory=CleanConfig)
    filters: FilterConfig = field(default_factory=FilterConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
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
    "metadata JSON (a file, or a folder such as a mirror's metadata/).",
)
@click.option(
    "--books",
    "book_inputs",
    multiple=True,
    metavar="PATH",
    help="Textbooks: PDF, EPUB or TXT files, directories or archives of them.",
)
@build_options
def command(
    pmc_inputs: tuple[str, ...],
    filelists: tuple[str, ...],
    book_inputs: tuple[str, ...],
    out: Path,
    config_file: Path | None,
    overrides: tuple[str, ...],
    workers: int | None,
    unit_timeout: float | None,
    fresh: bool,
    drop_staging: bool,
    allow_empty: bool,
) -> None:
    """Build MedC-K: PMC JATS articles (--pmc) and textbooks (--books) into clean, deduplicated shards."""
    from medc.build import SourceSpec, run_build
    from medc.config import load_config, to_dict
    from medc.pipeline import RecordTask
    from medc.records import BOOKS, PAPERS, document_schema

    if not pmc_inputs and not book_inputs:
        raise click.UsageError("Nothing to build: give --pmc and/or --books.")
    config = load_config(BuildKConfig, config_file, list(overrides))
    steps = (DocumentSteps(config.clean, config.filters, config.dedup),)
    papers_options = config.papers
    if filelists:
        papers_options = pmc_jats.with_filelists(papers_options, pmc_jats.load_filelists(list(filelists)))
    sources = []
    if pmc_inputs:
        task = RecordTask(partial(pmc_jats.parse, options=papers_options), steps)
        sources.append(
            SourceSpec(PAPERS, task, document_schema(PAPERS, internal=True), list(pmc_inputs), pmc_jats.accepts)
        )
    if book_inputs:
        task = RecordTask(partial(books.parse, options=config.books), steps)
        sources.append(SourceSpec(BOOKS, task, document_schema(BOOKS, internal=True), list(book_inputs), books.accepts))
    settings = to_dict(config)
    parse_settings = {k: settings[k] for k in ("papers", "books", "clean", "filters")}
    parse_settings["filelists"] = sorted(filelists)
    run_and_report(
        out,
        lambda progress: run_build(
            out,
            sources,
            kind="medc-k",
            parse_settings=parse_settings,
            finalize_settings={"dedup": settings["dedup"], "shards": settings["shards"]},
            finalizer=DedupFinalizer(config.dedup),
            workers=workers,
            fresh=fresh,
            keep_staging=not drop_staging,
            unit_timeout=unit_timeout,
            shards=config.shards,
            progress=progress,
        ),
        allow_empty=allow_empty,
        options={PAPERS: "--pmc", BOOKS: "--books"},
    )
