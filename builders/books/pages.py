"""Every page of a book for the books builder, extracted within bounds, with a status saying what its text is.

    doc (12 pages: 10 of text, a scanned plate, a page whose words were placed one by one)
    → ExtractedBook(pages=[PageText(status="ok", lines=[...]), ..., PageText(status="needs_ocr", lines=[]),
                           PageText(status="ok", lines=[<rebuilt lines>])], title="Clinical Notes", body_size=10.0)

Statuses: `ok` (drawn text), `ocr` (only an invisible OCR layer: its text is read), `needs_ocr` (an image, or
glyphs that map to no Unicode), `broken` (a text layer that reads as letters even after rebuilding its words:
dropped, never kept), `too_complex` (beyond `max_page_content_bytes` / `max_page_lines`), `unreadable` (MuPDF
failed on it).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass

from builders.books.dictionary import dictionary_share
from builders.books.fragments import has_fragments, letter_share, merge_fragments, rebuild_words
from builders.books.layout import PageText, extract_page

log = logging.getLogger(__name__)
_JUNK_TITLE = re.compile(r"untitled|microsoft word|\.(?:docx?|pdf|indd|qxd|tex|dvi)$|^[\W\d_]*$", re.I)
_LETTERS = 0.25  # share of words in runs of single letters from which a page reads as letters (running text: 0)
_READABLE = 0.6  # share of letters in dictionary words a rebuilt page needs (running text: 0.9; noise: 0.2)


@dataclass(slots=True)
class ExtractedBook:
    pages: list[PageText]
    title: str | None
    body_size: float

    def count(self, status: str) -> int:
        return sum(1 for page in self.pages if page.status == status)


def extract_pages(doc, options, file_bytes: int | None = None) -> ExtractedBook:
    """Every page of `doc`; `file_bytes`, the size of the file, spares measuring each page's content when the
    whole file is smaller than `max_page_content_bytes`."""
    import pymupdf

    flags = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP
    measure = doc.is_pdf and (file_bytes is None or file_bytes > options.max_page_content_bytes)
    pages = [_extract_one(doc, i, flags, options, measure) for i in range(doc.page_count)]
    sizes: Counter[float] = Counter()
    for page in pages[: max(1, len(pages) * 3 // 5)]:  # reference lists and indexes, in small type, come last
        for line in page.lines:
            sizes[round(line.size * 2) / 2] += len(line.text)
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    return ExtractedBook(pages, _title(doc, pages), body)


def _extract_one(doc, index: int, flags: int, options, measure: bool) -> PageText:
    try:
        page = doc.load_page(index)
        if measure and _content_bytes(doc, page) > options.max_page_content_bytes:
            return PageText(index, 0.0, 0.0, status="too_complex")
        text = extract_page(
            page, index, flags, min_chars=options.min_chars_per_page, drop_citation_marks=options.remove_citations
        )
        if len(text.lines) <= options.max_page_lines:
            _repair_text_layer(page, text, flags)
    except Exception as exc:
        log.debug("page %d unreadable: %s", index, exc)
        return PageText(index, 0.0, 0.0, status="unreadable")
    if len(text.lines) > options.max_page_lines:
        text.lines, text.status = [], "too_complex"
        return text
    chars = text.chars
    garbled = text.unknown_chars > 0.3 * chars
    if text.status == "ok" and chars < options.min_chars_per_page:
        text.images = len(page.get_images())
    if (text.status == "ok" and chars < options.min_chars_per_page and text.images) or garbled:
        text.status = "needs_ocr"
        if garbled:
            text.lines = []
    return text


def _repair_text_layer(page, text: PageText, flags: int) -> None:
    """Words placed one by one are joined into lines; text that reads as letters gets its spaces again from the
    glyph positions, and is kept if most of it then makes dictionary words. Else the page is `broken`: its text
    is dropped, never kept."""
    if has_fragments(text.lines):  # an OCR engine's words stand as far apart as justified print spaces them
        text.lines = merge_fragments(text.lines, 1.2 if text.status == "ocr" else 0.85)
    if text.status == "ocr" or letter_share(text.lines) < _LETTERS:  # OCR'd letters: ocr_quality judges them
        return
    rebuilt = rebuild_words(page, flags)
    rebuilt = merge_fragments(rebuilt) if has_fragments(rebuilt) else rebuilt
    if letter_share(rebuilt) < _LETTERS and (dictionary_share(line.text for line in rebuilt) or 0.0) >= _READABLE:
        text.lines, text.rebuilt = rebuilt, True
        return
    text.removed.add("books.broken_text_layer", text.chars, len(text.lines))
    text.lines, text.status = [], "broken"


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
