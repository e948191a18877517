"""Opening a book file for the books builder, and the reasons a whole file is turned away.

    open_book(WorkUnit("shelf/locked.pdf", data), "locked.pdf")
    → Rejection("shelf/locked.pdf", "encrypted", "the file is password-protected; decrypt it first (e.g. qpdf)")

Reasons: `not_a_pdf`, `not_an_epub`, `corrupt_epub`, `encrypted`, `corrupt_pdf`, `truncated` (no %%EOF and
nothing readable; a truncated file MuPDF can rebuild is kept with a `truncated` notice) from opening; then, once
the pages are read, `needs_ocr` (no text layer: a scan, or glyphs that map to no Unicode), `broken_text_layer`
(text that reads as letters even after its words were rebuilt) and `no_text`.
"""

from __future__ import annotations

from collections import Counter

from builders.books.pages import ExtractedBook
from medc.records import Rejection
from medc.sources import WorkUnit


def open_book(unit: WorkUnit, name: str):
    """`(pymupdf.Document, damage)` or a `Rejection`; damage is `truncated`, `repaired` or ``."""
    import pymupdf

    data, origin = unit.data, unit.origin
    is_epub = name.lower().endswith(".epub")
    if is_epub and not data.startswith(b"PK"):
        return Rejection(origin, "not_an_epub", "an EPUB is a zip archive; this file does not start like one")
    if not is_epub and b"%PDF-" not in data[:1024]:
        return Rejection(origin, "not_a_pdf", f"no %PDF- header; the file starts with {data[:16]!r}")
    ended = is_epub or b"%%EOF" in data[-2048:]
    try:
        doc = pymupdf.open(stream=data, filetype="epub" if is_epub else "pdf")
    except Exception as exc:
        reason = "corrupt_pdf" if ended else "truncated"
        return Rejection(origin, reason if not is_epub else "corrupt_epub", f"MuPDF cannot open it: {exc}")
    if doc.needs_pass:
        doc.close()
        return Rejection(origin, "encrypted", "the file is password-protected; decrypt it first (e.g. qpdf)")
    if doc.page_count == 0:
        doc.close()
        return Rejection(origin, "truncated" if not ended else "corrupt_pdf", "MuPDF finds no pages in it")
    return doc, ("truncated" if not ended else "repaired" if doc.is_pdf and doc.is_repaired else "")


def no_text_reason(origin: str, book: ExtractedBook, damage: str) -> Rejection | None:
    """Why a book with no text on any page is turned away, or None when some page has text."""
    n = len(book.pages)
    if any(page.lines for page in book.pages):
        return None
    if damage == "truncated":
        return Rejection(
            origin, "truncated", f"the file ends early (no %%EOF); of the {n} pages MuPDF rebuilt, none has text left"
        )
    if damage:
        return Rejection(origin, "corrupt_pdf", f"MuPDF had to repair the file, and none of its {n} pages has text")
    if book.count("broken"):
        return Rejection(
            origin,
            "broken_text_layer",
            f"the text layer of {book.count('broken')} of its {n} pages reads as single letters even after its "
            "words were rebuilt from the glyph positions (e.g. `a v a i l a b l e`); run OCR on the file instead",
        )
    if book.count("needs_ocr") >= n / 2:  # else mostly blank or broken pages: no_text below
        return Rejection(
            origin,
            "needs_ocr",
            f"none of its {n} pages has a usable text layer ({book.count('needs_ocr')} are images or unmapped "
            "glyphs); run OCR first",
        )
    status = ", ".join(f"{k}: {v}" for k, v in sorted(Counter(p.status for p in book.pages).items()))
    return Rejection(origin, "no_text", f"no extractable text on any of its {n} pages ({status})")
