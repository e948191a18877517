"""A report page as data (sections of figures, tables, examples and notes) and its rendering to one
self-contained HTML file with jinja2: images are embedded as `data:` URIs, the style is inline, there is no
script and no reference to anything outside the file, so it opens from disk in any browser, offline.

    >>> page = Page("MedC-K build", "out/medc-k", facts=[("records", "1,204")],
    ...             sections=[Section("Rejections", [Figure(plot), Table(["reason", "records"], [["too_short", 12]])])])
    >>> write_page(page, Path("out/medc-k/report.html"))

Every value is escaped by jinja2's autoescaping: text from the corpus (a rejected document, a title) cannot
inject markup into the page.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medc.report.plots import Plot

_BACKTICKS = re.compile(r"`([^`]+)`")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(slots=True)
class Figure:
    plot: Plot
    kind: str = "figure"


@dataclass(slots=True)
class Table:
    columns: list[str]
    rows: list[list[Any]]
    caption: str = ""
    numeric: set[int] | None = None  # column indexes aligned right; None: the columns that hold only numbers
    kind: str = "table"

    def __post_init__(self) -> None:
        if self.numeric is None:
            self.numeric = {
                i
                for i in range(len(self.columns))
                if self.rows
                and all(_is_number(row[i]) or row[i] == "" for row in self.rows)
                and any(_is_number(row[i]) for row in self.rows)
            }


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(slots=True)
class Example:
    title: str  # e.g. the record id, or the origin's file name
    origin: str
    detail: str
    text: str | None  # the text, or its first lines; None when it cannot be shown here (said in `missing`)
    missing: str = ""


@dataclass(slots=True)
class ExampleGroup:
    label: str  # the rejection reason
    count: int
    examples: list[Example]
    kind: str = "examples"


@dataclass(slots=True)
class Pair:
    kind: str  # exact | near | ...
    similarity: float | None
    kept: Example
    removed: Example
    note: str = ""  # where the two texts part, when both are known


@dataclass(slots=True)
class Pairs:
    pairs: list[Pair]
    kind: str = "pairs"


@dataclass(slots=True)
class Note:
    text: str
    kind: str = "note"


Block = Figure | Table | ExampleGroup | Pairs | Note


@dataclass(slots=True)
class Section:
    title: str
    blocks: list[Block]
    intro: str = ""

    @property
    def anchor(self) -> str:
        return "".join(c if c.isalnum() else "-" for c in self.title.lower()).strip("-")


@dataclass(slots=True)
class Page:
    title: str
    subtitle: str  # what the page is about: the directory
    facts: list[tuple[str, str]]  # headline numbers shown at the top
    sections: list[Section]
    footer: str = ""


@functools.cache
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("medc.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_printable,
    )
    env.filters["cell"] = format_cell
    env.filters["md"] = inline_code
    return env


def inline_code(text: str) -> Any:
    """Escaped text whose `backticked` spans become <code> (the one piece of markup prose here uses)."""
    from markupsafe import Markup, escape

    return Markup(_BACKTICKS.sub(r"<code>\1</code>", str(escape(text))))


def _printable(value: Any) -> Any:
    """Control characters (a binary file's first bytes shown as an example) become U+FFFD, so the page stays
    valid text whatever the corpus holds."""
    from markupsafe import Markup

    if not isinstance(value, str) or not _CONTROL.search(value):
        return value
    cleaned = _CONTROL.sub("\ufffd", value)
    return Markup(cleaned) if isinstance(value, Markup) else cleaned


def format_cell(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def render_page(page: Page) -> str:
    return _environment().get_template("page.html.j2").render(page=page)


def write_page(page: Page, path: Path) -> Path:
    """Render `page` into `path` atomically (a temporary file, then a rename) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(render_page(page), encoding="utf-8")
    temp.replace(path)
    return path
