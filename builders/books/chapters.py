"""Chapters of a book for the books builder: which page ranges become documents, and what is dropped whole.

    doc.get_toc() == [[1, "Cover", 1], [1, "Contents", 2], [1, "1 Cardiac Physiology", 4], [2, "Output", 6],
                      [1, "2 The Kidney", 12], [1, "_GoBack", 14], [1, "Index", 20]]
    → Chapter("2", "1 Cardiac Physiology", start=3, end=10), Chapter("4", "2 The Kidney", start=11, end=18)
      and notices dropped_front_matter_pages=1 (the cover), dropped_toc_pages=2, dropped_index_pages=...

The outline level used is the shallowest one with at least two entries on different pages (a single top entry
holding the whole book is looked through). Entries that name no place in the text (Word's hidden `_GoBack`
bookmark, `_Toc...`) are ignored; entries out of page order are sorted; entries sharing a start page keep the
first title. Outline titles written from TeX source are decoded (`titles.decode_tex`). Pages before the first
entry are read like a book without an outline: contents and copyright pages and the short title pages at the
start go, the rest is a chapter of its own. MuPDF stops at a cyclic outline and returns what it read, or
nothing: then the book is one document and `outline_unreadable` is counted. Every page dropped is counted by
reason (`dropped_<reason>_pages`), with the page numbers in the notice's detail.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from builders.books.layout import PageText
from builders.books.sections import MATTER_TITLES, classify_page
from builders.books.titles import decode_tex

_HIDDEN_BOOKMARK = re.compile(r"_(?:GoBack|Toc|Hlk|Ref)\w*|_\w+$")
# "1. ", "12.3 ", "iv. ", "IV " before an outline title: numbering, not part of the name ("Contents" keeps its C)
_NUMBERING = re.compile(r"^(?:(?:\d+(?:\.\d+)*|[ivxlc]+)\.?\s+|\d+(?:\.\d+)*\.)")


@dataclass(slots=True)
class Chapter:
    key: str  # the id suffix: its position among the outline's chapters, "front", or "0" for a whole book
    title: str | None
    start: int  # 0-based page indices, inclusive
    end: int
    pages: list[int] = field(default_factory=list)  # the pages kept (contents, index, ... pages removed)


@dataclass(slots=True)
class Plan:
    chapters: list[Chapter]
    dropped: dict[str, list[int]]  # notice code → 0-based indices of the pages dropped for that reason
    outline_unreadable: bool = False


def plan_chapters(doc, pages: list[PageText], options) -> Plan:
    """The chapters to emit and the pages dropped on the way, by notice code."""
    dropped: dict[str, list[int]] = defaultdict(list)
    drop = _classified_pages(pages, options, dropped)
    outline, unreadable = _outline(doc, len(pages)) if options.split_chapters else ([], False)
    if not outline:
        chapters = [Chapter("0", None, 0, len(pages) - 1)]
        if options.drop_front_matter:
            _drop_leading_pages(pages, drop, dropped)
    else:
        chapters = _outline_chapters(outline, pages, options, drop, dropped)
    for chapter in chapters:
        chapter.pages = [i for i in range(chapter.start, chapter.end + 1) if i not in drop]
    return Plan([c for c in chapters if c.pages], dict(dropped), unreadable)


def _classified_pages(pages: list[PageText], options, dropped: dict[str, list[int]]) -> set[int]:
    wanted = {"toc": options.drop_toc, "index": options.drop_index, "copyright": options.drop_front_matter}
    drop: set[int] = set()
    previous = ""
    front = max(3, len(pages) // 10)
    for page in pages:
        previous = classify_page([ln.text for ln in page.lines], previous)
        if previous == "copyright" and page.index >= front:  # a licence quoted in the text is no copyright page
            previous = ""
        if previous and wanted[previous]:
            drop.add(page.index)
            code = "front_matter" if previous == "copyright" else previous
            dropped[f"dropped_{code}_pages"].append(page.index)
    return drop


def _drop_leading_pages(pages: list[PageText], drop: set[int], dropped) -> None:
    """Without an outline: title, half-title and dedication pages are the short pages before the first page with
    a real amount of text, when that page comes within the first pages of the book."""
    window = pages[: max(8, len(pages) // 20)]
    first = next((page.index for page in window if page.chars >= 500), None)
    _drop_short(window[: first or 0], 500, drop, dropped)


def _drop_short(pages: list[PageText], below: int, drop: set[int], dropped) -> None:
    for page in pages:
        if page.index not in drop and 0 < page.chars < below:
            drop.add(page.index)
            dropped["dropped_front_matter_pages"].append(page.index)


def _outline(doc, page_count: int) -> tuple[list[tuple[str, int]], bool]:
    """(title, 0-based page) of the chapters of the outline, and whether an outline was there but unreadable."""
    try:
        toc = doc.get_toc(simple=True)
    except Exception:
        toc = []
    entries = [
        (lvl, decode_tex(str(title).strip()), page - 1)
        for lvl, title, page, *_ in toc
        if isinstance(page, int) and 1 <= page <= page_count and not _HIDDEN_BOOKMARK.fullmatch(str(title).strip())
    ]
    if not entries:
        return [], bool(not toc and doc.is_pdf and _has_outline_object(doc))
    chosen: list[tuple[str, int]] = []
    for level in sorted({lvl for lvl, _, _ in entries}):
        chosen = [(title, page) for lvl, title, page in entries if lvl == level]
        if len({page for _, page in chosen}) >= 2:
            break
    if len({page for _, page in chosen}) < 2:  # one entry, or all on one page: no chapters to cut
        return [], False
    chosen.sort(key=lambda entry: entry[1])  # stable: entries out of page order, as odd outlines have
    out: list[tuple[str, int]] = []
    for title, page in chosen:
        if not out or out[-1][1] != page:
            out.append((title, page))
    return out, False


def _has_outline_object(doc) -> bool:
    try:
        kind, value = doc.xref_get_key(doc.pdf_catalog(), "Outlines")
        return kind == "xref" and doc.xref_get_key(int(value.split()[0]), "First")[0] == "xref"
    except Exception:
        return False


def _outline_chapters(
    outline: list[tuple[str, int]], pages: list[PageText], options, drop: set[int], dropped
) -> list[Chapter]:
    chapters = []
    first = outline[0][1]
    if first > 0:
        if options.drop_front_matter:  # cover, title and dedication pages; a preface or a summary stays
            _drop_short(pages[:first], 500, drop, dropped)
        chapters.append(Chapter("front", None, 0, first - 1))
    for i, (title, start) in enumerate(outline):
        end = outline[i + 1][1] - 1 if i + 1 < len(outline) else len(pages) - 1
        kind = matter_kind(title)
        if kind and getattr(options, f"drop_{kind}"):
            gone = [i for i in range(start, end + 1) if i not in drop]
            drop.update(gone)
            dropped[f"dropped_{kind}_pages"].extend(gone)
            continue
        chapters.append(Chapter(str(i), title, start, end))
    return chapters


def matter_kind(title: str) -> str:
    """`toc`, `index`, `bibliography`, `front_matter` for outline entries that are not content, else ``."""
    plain = _NUMBERING.sub("", title.strip().lower())
    plain = re.sub(r"[^\w\s-]", "", plain).strip()
    if plain not in MATTER_TITLES:
        return ""
    if "contents" in plain:
        return "toc"
    if "index" in plain:
        return "index"
    if plain in ("bibliography", "references", "further reading"):
        return "bibliography"
    return "front_matter"


def dropped_counts(plan: Plan) -> Counter[str]:
    return Counter({code: len(indices) for code, indices in plan.dropped.items()})
