"""MedC-K books: textbook PDFs (and EPUB, and plain-text books) into clean running text, one document per chapter.

A 300-page PDF `clinical-notes.pdf` whose outline lists "Cover", "Contents", "1 Cardiac Physiology" (p. 5),
"2 The Kidney" (p. 31), ..., "Index" becomes, per chapter,

    Document(id="book:<sha1 of the file>:2", source="books", title="1 Cardiac Physiology",
             text="1 Cardiac Physiology\\n\\nThe heart has four chambers. Cardiac output is ...\\n\\n...",
             origin="books/clinical-notes.pdf",
             meta=BookMeta(file_name="clinical-notes.pdf", sha1="...", book_title="Clinical Notes",
                           chapter="1 Cardiac Physiology", page_start=5, page_end=30, page_count=300))

with running headers, footers and page numbers gone, paragraphs rebuilt (two-column pages read column by column),
line-end hyphenation undone, ligatures expanded, figure/table callouts, citations and URLs removed, and the
contents, index, copyright pages, front matter and bibliographies dropped (each counted in a `Notice`). A book
without an outline is one document. `page_count` is the book's; `page_start`/`page_end` are the chapter's, 1-based.

Bad input never raises: `Rejection` reasons are `empty_file`, `not_a_pdf`, `not_an_epub`, `corrupt_epub`,
`encrypted`, `corrupt_pdf`, `truncated` (no %%EOF and nothing readable; a truncated file MuPDF can rebuild is kept
with a `truncated` notice), `needs_ocr` (no text layer on any page: a scan, or glyphs that map to no Unicode),
`invisible_text` (the only text is an invisible OCR layer, render mode 3, as OCR'd scans have: its quality is
unknown, so it is refused unless `keep_invisible_text` is set; on pages that also have visible text, invisible
text is hidden text and is always dropped), `no_text`, and for `.txt` files `not_text`. Pages of a kept book that
have no text layer are counted as `Notice("needs_ocr_pages", count=n)`, pages with only invisible text as
`invisible_text_pages`, pages too complex to extract within bounds (`max_page_content_bytes`, `max_page_lines`:
so that one pathological page cannot hold a worker for minutes) as `pages_too_complex`.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from builders.books_clean import TextCleaner
from builders.books_layout import PageText, image_boxes, reading_order
from builders.books_pages import Chapter, ExtractedBook, extract_pages, plan_chapters
from builders.books_plain import parse_plain_text
from builders.books_running import mark_running_lines
from builders.books_sections import drop_reference_sections
from builders.books_text import Para, Vocabulary, add_run, is_caption, join_lines
from medc.records import BOOKS, BookMeta, Document, Notice, Rejection
from medc.sources import WorkUnit, logical_name

log = logging.getLogger(__name__)

SUFFIXES = (".pdf", ".epub", ".txt")


@dataclass(frozen=True)
class BookOptions:
    """How textbooks become documents (TOML table `[books]`)."""

    split_chapters: bool = True  # one document per top-level outline entry; False: one per book
    keep_tables: bool = False  # keep text found in tables (and table captions)
    keep_figure_text: bool = False  # keep labels drawn on figures and figure captions
    drop_toc: bool = True  # table-of-contents pages and outline entries
    drop_index: bool = True  # index pages and outline entries
    drop_bibliography: bool = True  # "References", "Bibliography", "Further reading" sections
    drop_front_matter: bool = True  # title, copyright, dedication pages; "Cover", "Contributors" entries
    remove_callouts: bool = True  # "(see Fig. 3.2)", "(Table 4)", "(Chapter 5)"
    remove_citations: bool = True  # "[12]", "(Smith et al., 2001)", superscript citation numbers
    remove_urls: bool = True  # URLs, DOIs and e-mail addresses
    keep_invisible_text: bool = False  # keep invisible (render mode 3) text, e.g. the OCR layer of a scan
    min_chars_per_page: int = 20  # a page with fewer visible characters and an image counts as needing OCR
    running_band: float = 0.1  # fraction of the page height at top and bottom searched for headers/footers
    running_min_repeats: int = 3  # pages a header/footer must repeat on (2 when its page numbers vary)
    max_page_content_bytes: int = 4 << 20  # a PDF page whose (compressed) content is larger is skipped, and counted
    max_page_lines: int = 4000  # a page with more text lines than this is skipped, and counted

    def __post_init__(self) -> None:
        if not 0.0 < self.running_band < 0.5:
            raise ValueError(
                f"running_band must be between 0 and 0.5 (a fraction of the page height), got {self.running_band}"
            )
        if self.running_min_repeats < 2:
            raise ValueError(
                f"running_min_repeats must be at least 2, got {self.running_min_repeats}; "
                "a line on one page cannot be told from body text"
            )
        for name in ("min_chars_per_page", "max_page_content_bytes", "max_page_lines"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)}")


def accepts(name: str) -> bool:
    return name.lower().endswith(SUFFIXES)


def parse(unit: WorkUnit, options: BookOptions = BookOptions()) -> Iterator[Document | Rejection | Notice]:
    """Documents, rejections and notices of one book file. Never raises for bad data."""
    name = logical_name(unit.origin.rsplit("::", 1)[-1].rsplit("/", 1)[-1])
    sha1 = hashlib.sha1(unit.data).hexdigest()
    if not unit.data.strip():
        yield Rejection(unit.origin, "empty_file", "the file is empty")
        return
    if name.lower().endswith(".txt"):
        meta = BookMeta(file_name=name, sha1=sha1, book_title=name.rsplit(".", 1)[0])
        yield from parse_plain_text(unit, meta, _cleaner(options), options.drop_bibliography)
        return
    opened = _open(unit, name)
    if isinstance(opened, Rejection):
        yield opened
        return
    doc, damage = opened
    try:
        yield from _parse_document(doc, unit, BookMeta(file_name=name, sha1=sha1), options, damage)
    finally:
        doc.close()


def _open(unit: WorkUnit, name: str):
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


def _cleaner(options: BookOptions) -> TextCleaner:
    return TextCleaner(options.remove_callouts, options.remove_citations, options.remove_urls)


def _parse_document(doc, unit: WorkUnit, meta: BookMeta, options: BookOptions, damage: str) -> Iterator:
    """`damage` is `truncated` (no %%EOF at the end), `repaired` (MuPDF rebuilt a broken file) or ``."""
    book = extract_pages(doc, options)
    problem = _no_text_reason(unit.origin, book, damage)
    if problem is not None:
        yield problem
        return
    if damage == "truncated":
        yield Notice(unit.origin, "truncated", detail=f"no %%EOF at the end; MuPDF rebuilt {len(book.pages)} pages")
    elif damage:
        yield Notice(unit.origin, "recovered", detail="MuPDF repaired the file's structure to read it")
    yield from _page_notices(unit.origin, book)
    pages = book.pages
    mark_running_lines(pages, options.running_band, options.running_min_repeats, book.body_size)
    chapters, dropped = plan_chapters(doc, book, options)
    for code, count in sorted(dropped.items()):
        yield Notice(unit.origin, code, count)
    meta.book_title = book.title
    meta.page_count = len(pages)
    vocab = Vocabulary()
    for page in pages:
        vocab.add(" ".join(line.text for line in page.lines))
    cleaner = _cleaner(options)
    sections = 0
    for chapter in chapters:
        paras = _chapter_paragraphs(doc, pages, chapter, book.body_size, options)
        if options.drop_bibliography:
            paras, n = drop_reference_sections(paras)
            sections += n
        text = _chapter_text(paras, vocab, cleaner, options)
        if not text:
            yield Notice(unit.origin, "empty_chapter", detail=chapter.title or "")
            continue
        yield _document(unit.origin, meta, chapter, text, book)
    if sections:
        yield Notice(unit.origin, "dropped_reference_sections", sections)


def _page_notices(origin: str, book: ExtractedBook) -> Iterator[Notice]:
    status = Counter(page.status for page in book.pages)
    codes = {
        "needs_ocr": "needs_ocr_pages",
        "invisible": "invisible_text_pages",
        "too_complex": "pages_too_complex",
        "unreadable": "pages_unreadable",
    }
    for status_code, code in codes.items():
        if status[status_code]:
            yield Notice(origin, code, status[status_code])


def _no_text_reason(origin: str, book: ExtractedBook, damage: str) -> Rejection | None:
    n = len(book.pages)
    if any(page.chars for page in book.pages):
        return None
    if damage == "truncated":
        return Rejection(
            origin, "truncated", f"the file ends early (no %%EOF); of the {n} pages MuPDF rebuilt, none has text left"
        )
    if damage:
        return Rejection(origin, "corrupt_pdf", f"MuPDF had to repair the file, and none of its {n} pages has text")
    if book.invisible_pages:
        return Rejection(
            origin,
            "invisible_text",
            f"{book.invisible_pages} of {n} pages carry only invisible "
            "text (render mode 3), as an OCR'd scan does; set books.keep_invisible_text=true to keep it",
        )
    if book.needs_ocr_pages >= n / 2:  # else mostly blank or broken pages: no_text below
        return Rejection(
            origin,
            "needs_ocr",
            f"none of its {n} pages has a usable text layer ({book.needs_ocr_pages} are images or unmapped glyphs); "
            "run OCR first",
        )
    status = ", ".join(f"{k}: {v}" for k, v in sorted(Counter(p.status for p in book.pages).items()))
    return Rejection(origin, "no_text", f"no extractable text on any of its {n} pages ({status})")


def _chapter_paragraphs(
    doc, pages: list[PageText], chapter: Chapter, body_size: float, options: BookOptions
) -> list[Para]:
    paras: list[Para] = []
    for index in chapter.pages:
        page = pages[index]
        if not page.lines:
            continue
        if page.images and not page.turned and not options.keep_figure_text:
            page.image_boxes = image_boxes(doc, index, page)
        for run in reading_order(page, body_size):
            add_run(paras, run, index, body_size, blocks=not doc.is_pdf)
    for para in paras:
        if para.kind == "body":
            para.kind = is_caption(para, body_size) or "body"
    return paras


def _chapter_text(paras: list[Para], vocab: Vocabulary, cleaner: TextCleaner, options: BookOptions) -> str:
    skip = {k for k, keep in (("table", options.keep_tables), ("figure", options.keep_figure_text)) if not keep}
    texts = []
    for para in paras:
        if para.kind in skip:
            continue
        text = cleaner(join_lines(para.lines, vocab))
        if text:
            texts.append(text)
    return "\n\n".join(texts)


def _document(origin: str, meta: BookMeta, chapter: Chapter, text: str, book: ExtractedBook) -> Document:
    start, end = chapter.start, chapter.end
    ocr = sum(1 for i in range(start, end + 1) if book.pages[i].status == "needs_ocr")
    chapter_meta = BookMeta(
        file_name=meta.file_name,
        sha1=meta.sha1,
        book_title=meta.book_title,
        chapter=chapter.title,
        page_start=start + 1,
        page_end=end + 1,
        page_count=meta.page_count,
        needs_ocr_pages=ocr,
    )
    title = chapter.title or meta.book_title or meta.file_name
    return Document(
        id=f"book:{meta.sha1}:{chapter.key}", source=BOOKS, title=title, text=text, origin=origin, meta=chapter_meta
    )
