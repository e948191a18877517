"""The baselines of the whole-build benchmarks, each run as its own process over a folder of real files.

    python -m tests.benchmarks.baseline_runs pubmed_parser DIR   # parse_pubmed_xml + parse_pubmed_paragraph per file
    python -m tests.benchmarks.baseline_runs get_text DIR        # pymupdf page.get_text() for every page of every PDF

Each prints one line, `files=N units=M` (articles with paragraphs, or pages), so the benchmark can check that the
baseline did all the work it is credited with.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path


def pubmed_parser_run(folder: Path) -> tuple[int, int]:
    """What users of pubmed_parser run per article: its metadata and its paragraphs, one file at a time."""
    import pubmed_parser

    warnings.simplefilter("ignore")  # it warns about missing fields; the benchmark picked files it can read
    files = paragraphs = 0
    for path in sorted(folder.iterdir()):
        pubmed_parser.parse_pubmed_xml(str(path))
        paragraphs += len(pubmed_parser.parse_pubmed_paragraph(str(path), all_paragraph=True))
        files += 1
    return files, paragraphs


def get_text_run(folder: Path) -> tuple[int, int]:
    """The floor of PDF text extraction: pymupdf's plain `get_text()` of every page, nothing else."""
    import pymupdf

    files = pages = 0
    for path in sorted(folder.iterdir()):
        with pymupdf.open(path) as doc:
            for page in doc:
                page.get_text()
                pages += 1
        files += 1
    return files, pages


if __name__ == "__main__":
    run = {"pubmed_parser": pubmed_parser_run, "get_text": get_text_run}[sys.argv[1]]
    files, units = run(Path(sys.argv[2]))
    print(f"files={files} units={units}")
