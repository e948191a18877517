"""`medc report DIR`: one self-contained HTML page about a build, a training run or an evaluation directory.

    >>> write_report(Path("out/medc-k"))      # a build: manifest.json + data/
    PosixPath('out/medc-k/report.html')
    >>> write_report(Path("runs/k"))          # a run: metrics.jsonl, data.json, config.toml, checkpoints/
    >>> write_report(Path("eval"))            # an evaluation: summary.json

Charts are drawn with matplotlib (Agg backend) and embedded as PNG `data:` URIs; the page is a jinja2 template
with inline style and no script, so it opens from disk in any browser, offline. The layout:

    readers.py      every file format read (defensively: a missing field leaves its section out)
    corpus.py       per-record numbers from the Parquet shards, column by column; rows looked up by id
    removals.py     rejections by reason and duplicate pairs, with real examples (excerpts.py reads inputs)
    build_page.py   build_extras.py   run_page.py   eval_page.py   the three kinds of page
    plots.py        page.py (+ templates/page.html.j2)   card_plots.py (the card's PNGs)
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

REPORT_NAME = "report.html"
KINDS = ("build", "run", "eval")


class ReportError(Exception):
    """A directory the report cannot describe (named, with what it looked for)."""


def write_report(directory: Path, out: Path | None = None, kind: str | None = None) -> Path:
    """Write the report of `directory` to `out` (default `directory/report.html`) and return its path."""
    from medc.report.page import write_page
    from medc.report.readers import detect_kind

    directory = Path(directory)
    if not directory.is_dir():
        raise ReportError(f"{directory}: no such directory")
    kind = kind or detect_kind(directory)
    if kind is None:
        raise ReportError(
            f"{directory}: not a build (manifest.json, data/), a training run (metrics.jsonl, data.json) or an "
            "evaluation (summary.json, *.summary.json)"
        )
    if kind not in KINDS:
        raise ReportError(f"kind {kind!r}: expected one of {', '.join(KINDS)}")
    page = _page(directory, kind)
    path = write_page(page, Path(out) if out else directory / REPORT_NAME)
    log.debug("%s report of %s: %s", kind, directory, path)
    return path


def _page(directory: Path, kind: str):  # -> Page
    if kind == "build":
        from medc.report.build_page import build_page

        return build_page(directory)
    if kind == "run":
        from medc.report.run_page import run_page

        return run_page(directory)
    from medc.report.eval_page import eval_page

    return eval_page(directory)
