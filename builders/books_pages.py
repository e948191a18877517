"""Pages and chapters of a book for the books builder: extract every page within bounds, then plan which page
ranges become documents.

    doc.get_toc() == [[1, "Cover", 1], [1, "Contents", 2], [1, "1 Cardiac Physiology", 4], [2, "Output", 6],
                      [1, "2 The Kidney", 12], [1, "Index", 20]]
    → Chapter("0", "1 Cardiac Physiology", start=3, end=10), Chapter("1", "2 The Kidney", start=11, end=18)
      and notices dropped_front_matter_pages=3 (cover, contents, and the page before), dropped_index_pages=...

The outline level used is the shallowest one with at least two entries on different pages (a single top entry
holding the whole book is looked through). Entries out of page order are sorted; entries sharing a start page
keep the first title. MuPDF stops at a cyclic outline and returns what it read, or nothing: then the book is one
document and `outline_unreadable` is counted.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field

from builders.books_layout import PageText, extract_page
from builders.books_sections import MATTER_TITLES, classify_page

log = logging.getLogger(__name__)
_JUNK_TITLE = re.compile(r"untitled|microsoft word|\.(?:docx?|pdf|indd|qxd|tex|dvi)$|^[\W\d_]*$", re.I)


@dataclass(slots=True)
class ExtractedBook:
    pages: list[PageText]
    title: str | None
    body_size: float
    needs_ocr_pages: int = 0
    invisible_pages: int = 0


@dataclass(slots=True)
class Chapter:
    key: str  # the id suffix: its position among the outline's chapters, or "0" for a whole book
    title: str | None
    start: int  # 0-based page indices, inclusive
    end: int
    pages: list[int] = field(default_factory=list)  # the pages kept (contents, index, ... pages removed)


def extract_pages(doc, options) -> ExtractedBook:
    import pymupdf

    flags = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP
    is_pdf = doc.is_pdf
    pages = [_extract_one(doc, i, flags, options, is_pdf) for i in range(doc.page_count)]
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            sizes[round(line.size * 2) / 2] += len(line.text)
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    status = Counter(page.status for page in pages)
    return ExtractedBook(pages, _title(doc, pages), body, status["needs_ocr"], status["invisible"])


def _extract_one(doc, index: int, flags: int, options, is_pdf: bool) -> PageText:
    try:
        page = doc.load_page(index)
        if is_pdf and _content_bytes(doc, page) > options.max_page_content_bytes:
            return PageText(index, 0.0, 0.0, status="too_complex")
        text = extract_page(
            page, index, flags, keep_invisible=options.keep_invisible_text, drop_citation_marks=options.remove_citations
        )
    except Exception as exc:
        log.debug("page %d unreadable: %s", index, exc)
        return PageText(index, 0.0, 0.0, status="unreadable")
    if len(text.lines) > options.max_page_lines:
        text.lines, text.status = [], "too_complex"
        return text
    chars = text.chars
    garbled = text.unknown_chars > 0.3 * chars
    if chars < options.min_chars_per_page or garbled:
        if text.invisible_chars >= options.min_chars_per_page:
            text.status = "invisible"
        elif text.images or garbled:
            text.status = "needs_ocr"
        if garbled:
            text.lines = []
    return text


def _content_bytes(doc, page) -> int:
    """The stored (compressed) size of a PDF page's content streams: read from their /Length, which is much
    cheaper than decompressing them. MuPDF's time on a page grows with it."""
    total = 0
    for xref in page.get_contents():
        kind, value = doc.xref_get_key(xref, "Length")
        total += int(value) if kind == "int" else len(doc.xref_stream_raw(xref) or b"")
    return total


def _title(doc, pages: list[PageText]) -> str | None:
    try:
        title = ((doc.metadata or {}).get("title") or "").strip()
    except Exception:  # a broken /Info dictionary only costs the title
        title = ""
    if title and not _JUNK_TITLE.search(title):
        return title
    for page in pages[:3]:
        candidates = [ln for ln in page.lines if 3 <= len(ln.text) <= 200 and any(c.isalpha() for c in ln.text)]
        if candidates:
            return max(candidates, key=lambda ln: ln.size).text
    return None


def plan_chapters(doc, book: ExtractedBook, options) -> tuple[list[Chapter], Counter[str]]:
    """The chapters to emit and the counts of what was dropped on the way (notice codes)."""
    notes: Counter[str] = Counter()
    drop = _dropped_pages(book.pages, options, notes)
    outline = _outline(doc, len(book.pages), notes) if options.split_chapters else []
    if not outline:
        chapters = [Chapter("0", None, 0, len(book.pages) - 1)]
        if options.drop_front_matter:
            _drop_leading_pages(book.pages, drop, notes)
    else:
        chapters = _outline_chapters(outline, len(book.pages), options, drop, notes)
    for chapter in chapters:
        chapter.pages = [i for i in range(chapter.start, chapter.end + 1) if i not in drop]
    return [c for c in chapters if c.pages], notes


def _dropped_pages(pages: list[PageText], options, notes: Counter[str]) -> set[int]:
    wanted = {"toc": options.drop_toc, "index": options.drop_index, "copyright": options.drop_front_matter}
    drop: set[int] = set()
    previous = ""
    for page in pages:
        previous = classify_page([ln.text for ln in page.lines], previous)
        if previous and wanted[previous]:
            drop.add(page.index)
            notes["dropped_front_matter_pages" if previous == "copyright" else f"dropped_{previous}_pages"] += 1
    return drop


def _drop_leading_pages(pages: list[PageText], drop: set[int], notes: Counter[str]) -> None:
    """Without an outline: title, half-title and dedication pages are the short pages before the first page with
    a real amount of text, when that page comes within the first pages of the book."""
    window = pages[: max(8, len(pages) // 20)]
    first = next((page.index for page in window if page.chars >= 500), None)
    for page in window[: first or 0]:
        if page.index not in drop and page.chars:
            drop.add(page.index)
            notes["dropped_front_matter_pages"] += 1


def _outline(doc, page_count: int, notes: Counter[str]) -> list[tuple[str, int]]:
    try:
        toc = doc.get_toc(simple=True)
    except Exception:
        toc = []
    entries = [
        (lvl, str(title).strip(), page - 1)
        for lvl, title, page, *_ in toc
        if isinstance(page, int) and 1 <= page <= page_count
    ]
    if not entries:
        if doc.is_pdf and _has_outline_object(doc):
            notes["outline_unreadable"] += 1
        return []
    levels = sorted({lvl for lvl, _, _ in entries})
    for level in levels:
        chosen = [(title, page) for lvl, title, page in entries if lvl == level]
        if len({page for _, page in chosen}) >= 2:
            break
    chosen.sort(key=lambda entry: entry[1])  # stable: entries out of page order, as odd outlines have
    out: list[tuple[str, int]] = []
    for title, page in chosen:
        if not out or out[-1][1] != page:
            out.append((title, page))
    return out


def _has_outline_object(doc) -> bool:
    try:
        kind, value = doc.xref_get_key(doc.pdf_catalog(), "Outlines")
        return kind == "xref" and doc.xref_get_key(int(value.split()[0]), "First")[0] == "xref"
    except Exception:
        return False


def _outline_chapters(
    outline: list[tuple[str, int]], page_count: int, options, drop: set[int], notes: Counter[str]
) -> list[Chapter]:
    chapters = []
    first = outline[0][1]
    if first > 0:
        if options.drop_front_matter:
            notes["dropped_front_matter_pages"] += sum(1 for i in range(first) if i not in drop)
        else:
            chapters.append(Chapter("front", None, 0, first - 1))
    for i, (title, start) in enumerate(outline):
        end = outline[i + 1][1] - 1 if i + 1 < len(outline) else page_count - 1
        kind = _matter_kind(title)
        if kind and getattr(options, f"drop_{kind}"):
            notes[f"dropped_{kind}_pages"] += sum(1 for i in range(start, end + 1) if i not in drop)
            continue
        chapters.append(Chapter(str(i), title, start, end))
    return chapters


def _matter_kind(title: str) -> str:
    """`toc`, `index`, `bibliography`, `front_matter` for outline entries that are not content, else ``."""
    plain = re.sub(r"^[\divxlc.\s]+(?=[a-z])|[^\w\s-]", "", title.strip().lower()).strip()
    if plain not in MATTER_TITLES:
        return ""
    if "contents" in plain:
        return "toc"
    if "index" in plain:
        return "index"
    if plain in ("bibliography", "references", "further reading"):
        return "bibliography"
    return "front_matter"
