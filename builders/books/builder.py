"""One book file into documents, rejections and notices: the steps of `builders.books` in order (see there)."""

from __future__ import annotations

import functools
import hashlib
import logging
from collections import Counter
from collections.abc import Iterator

from builders.books.chapters import Chapter, Plan, plan_chapters
from builders.books.clean import TextCleaner
from builders.books.dictionary import dictionary_share
from builders.books.layout import image_boxes
from builders.books.opening import no_text_reason, open_book
from builders.books.options import BookOptions
from builders.books.order import reading_order
from builders.books.pages import ExtractedBook, extract_pages
from builders.books.plain import parse_plain_text
from builders.books.repeats import BookParagraphs
from builders.books.running import mark_running_lines
from builders.books.sections import drop_contents_block, drop_reference_sections
from builders.books.tagging import tag_page
from builders.books.tally import Tally
from builders.books.text import Para, ParagraphFlow, Vocabulary, is_caption, join_lines
from builders.books.titles import looks_like_tex
from medc.records import BOOKS, BookMeta, Document, Notice, Rejection
from medc.sources import WorkUnit, logical_name

log = logging.getLogger(__name__)

SUFFIXES = (".pdf", ".epub", ".txt")
# Paragraph kinds that an option keeps (else they go, counted as `books.<kind>`)
_KEPT_BY = {
    "table": "keep_tables",
    "table_caption": "keep_tables",
    "caption": "keep_captions",
    "figure": "keep_figure_text",
}
_PAGE_NOTICES = {
    "needs_ocr": "needs_ocr_pages",
    "broken": "broken_text_layer_pages",
    "too_complex": "pages_too_complex",
    "unreadable": "pages_unreadable",
}


def accepts(name: str) -> bool:
    return name.lower().endswith(SUFFIXES)


def parse(unit: WorkUnit, options: BookOptions = BookOptions()) -> Iterator[Document | Rejection | Notice]:  # noqa: B008
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
    opened = open_book(unit, name)
    if isinstance(opened, Rejection):
        yield opened
        return
    doc, damage = opened
    try:
        yield from _parse_document(doc, unit, BookMeta(file_name=name, sha1=sha1), options, damage)
    finally:
        doc.close()


def _cleaner(options: BookOptions) -> TextCleaner:
    return TextCleaner(options.remove_callouts, options.remove_citations, options.remove_urls)


def _parse_document(doc, unit: WorkUnit, meta: BookMeta, options: BookOptions, damage: str) -> Iterator:
    """`damage` is `truncated` (no %%EOF at the end), `repaired` (MuPDF rebuilt a broken file) or ``."""
    origin = unit.origin
    book = extract_pages(doc, options, len(unit.data))
    problem = no_text_reason(origin, book, damage) or _ocr_problem(origin, book, meta, options)
    if problem is not None:
        yield problem
        return
    yield from _book_notices(origin, book, damage)
    mark_running_lines(book.pages, options.running_band, options.running_min_repeats, book.body_size)
    plan = plan_chapters(doc, book.pages, options)
    yield from _plan_notices(origin, plan)
    meta.book_title, meta.page_count = book.title, len(book.pages)
    vocab = Vocabulary()
    for page in book.pages:
        vocab.add(" ".join(line.text for line in page.lines))
    seen = BookParagraphs(options.paragraph_min_chars) if options.dedup_paragraphs else None
    sections = 0
    for chapter in plan.chapters:
        removed = Tally()
        paras, n = _chapter_paragraphs(doc, book, chapter, plan, options, vocab, removed)
        sections += n
        text = _chapter_text(paras, vocab, _cleaner(options), options, removed)
        if seen is not None and text:
            text, count, chars = seen.dedup(chapter.key, text)
            removed.add("books.duplicate_paragraph", chars, count)
            if count and not any(len(p) >= options.paragraph_min_chars for p in text.split("\n\n")):
                yield Notice(
                    origin,
                    "duplicate_chapter",
                    detail=f"{chapter.title or chapter.key}: every paragraph is in an earlier chapter of the book",
                )
                continue
        if not text:
            yield Notice(origin, "empty_chapter", detail=chapter.title or "")
            continue
        yield _document(origin, meta, chapter, text, book, paras, removed.removals())
    if sections:
        yield Notice(origin, "dropped_reference_sections", sections)


def _ocr_problem(origin: str, book: ExtractedBook, meta: BookMeta, options: BookOptions) -> Rejection | None:
    """Scores the OCR text, if any (`meta.ocr_quality`), and turns away what the options say."""
    ocr_pages = [page for page in book.pages if page.status == "ocr"]
    if not ocr_pages:
        return None
    n = len(book.pages)
    if not options.keep_ocr_text and len(ocr_pages) >= sum(1 for p in book.pages if p.lines) / 2:
        return Rejection(
            origin,
            "invisible_text",
            f"{len(ocr_pages)} of {n} pages carry only an invisible OCR text layer (render mode 3), as an OCR'd "
            "scan does; books.keep_ocr_text=false turns such books away",
        )
    meta.ocr_quality = dictionary_share(line.text for page in ocr_pages for line in page.lines)
    meta.text_layer = "ocr" if len(ocr_pages) == sum(1 for p in book.pages if p.lines) else "mixed"
    if (meta.ocr_quality or 0.0) < options.min_ocr_quality and meta.text_layer == "ocr":
        return Rejection(
            origin,
            "ocr_low_quality",
            f"its text is an OCR layer in which only {meta.ocr_quality or 0:.0%} of the letters make dictionary "
            f"words, below books.min_ocr_quality={options.min_ocr_quality}: the OCR did not read the scan",
        )
    return None


def _book_notices(origin: str, book: ExtractedBook, damage: str) -> Iterator[Notice]:
    if damage == "truncated":
        yield Notice(origin, "truncated", detail=f"no %%EOF at the end; MuPDF rebuilt {len(book.pages)} pages")
    elif damage:
        yield Notice(origin, "recovered", detail="MuPDF repaired the file's structure to read it")
    for status, code in _PAGE_NOTICES.items():
        indices = [page.index for page in book.pages if page.status == status]
        if indices:
            yield Notice(origin, code, len(indices), detail="pages " + page_list(indices))
    if book.count("ocr"):
        yield Notice(origin, "ocr_text_pages", book.count("ocr"), detail="text read from an invisible OCR layer")
    rebuilt = [page.index for page in book.pages if page.rebuilt]
    if rebuilt:
        yield Notice(origin, "rebuilt_text_layer_pages", len(rebuilt), detail="pages " + page_list(rebuilt))


def _plan_notices(origin: str, plan: Plan) -> Iterator[Notice]:
    if plan.outline_unreadable:
        yield Notice(origin, "outline_unreadable", detail="the outline is cyclic or broken: one document")
    for code, indices in sorted(plan.dropped.items()):
        yield Notice(origin, code, len(indices), detail="pages " + page_list(indices))


def page_list(indices: list[int]) -> str:
    """`[0, 1, 2, 6]` → `1-3, 7` (1-based page numbers, ranges joined)."""
    spans: list[list[int]] = []
    for i in sorted(indices):
        if spans and i == spans[-1][1] + 1:
            spans[-1][1] = i
        else:
            spans.append([i, i])
    return ", ".join(f"{a + 1}" if a == b else f"{a + 1}-{b + 1}" for a, b in spans)


def _chapter_paragraphs(
    doc, book: ExtractedBook, chapter: Chapter, plan: Plan, options: BookOptions, vocab: Vocabulary, removed: Tally
) -> tuple[list[Para], int]:
    """The chapter's paragraphs in reading order, without contents blocks and reference sections (counted)."""
    flow = ParagraphFlow(book.body_size, blocks=not doc.is_pdf)
    join = functools.partial(join_lines, vocab=vocab)
    for index in range(chapter.start, chapter.end + 1):
        page = book.pages[index]
        removed.update(page.removed)
        if index not in chapter.pages:
            _count_dropped_page(page, plan, removed)
            continue
        if not page.lines:
            continue
        boxes = None if page.turned or options.keep_figure_text else functools.partial(image_boxes, doc, index, page)
        tag_page(page, book.body_size, boxes, join)
        for run in reading_order(page, book.body_size):
            flow.add(run, index)
    paras = flow.finish()
    for para in paras:
        if para.kind == "body":
            para.kind = is_caption(para, book.body_size) or "body"
    front = max(4, len(book.pages) // 10)
    if options.drop_toc and chapter.start < front:
        paras, chars = drop_contents_block(paras)
        removed.add("books.contents", chars)
    sections = 0
    if options.drop_bibliography:
        paras, sections, chars = drop_reference_sections(paras)
        removed.add("books.references", chars, sections)
    return paras, sections


def _count_dropped_page(page, plan: Plan, removed: Tally) -> None:
    """A page inside the chapter's range that was dropped whole (contents, index, copyright): its characters."""
    for code, indices in plan.dropped.items():
        if page.index in indices:
            removed.add("books." + code.removeprefix("dropped_").removesuffix("s"), page.chars)


def _chapter_text(paras: list[Para], vocab: Vocabulary, cleaner: TextCleaner, options: BookOptions, removed) -> str:
    skip = {kind for kind, keep in _KEPT_BY.items() if not getattr(options, keep)}
    texts = []
    for para in paras:
        if para.kind in skip:
            removed.add(f"books.{para.kind}", sum(map(len, para.lines)))
            continue
        joined = "\n".join(para.lines) if para.kind == "table" else join_lines(para.lines, vocab)
        text = cleaner(joined, removed)
        if text:
            texts.append(text)
    return "\n\n".join(texts)


def _document(
    origin: str, meta: BookMeta, chapter: Chapter, text: str, book: ExtractedBook, paras: list[Para], removed
) -> Document:
    start, end = chapter.start, chapter.end
    statuses = Counter(book.pages[i].status for i in range(start, end + 1))
    title = chapter.title
    if title is not None and looks_like_tex(title):  # TeX the outline's title could not shed: the page's heading
        title = next((" ".join(p.lines) for p in paras if p.kind == "heading"), title)
    chapter_meta = BookMeta(
        file_name=meta.file_name,
        sha1=meta.sha1,
        book_title=meta.book_title,
        chapter=title,
        page_start=start + 1,
        page_end=end + 1,
        page_count=meta.page_count,
        needs_ocr_pages=statuses["needs_ocr"],
        text_layer=_text_layer(statuses),
        ocr_quality=meta.ocr_quality if statuses["ocr"] else None,
    )
    return Document(
        id=f"book:{meta.sha1}:{chapter.key}",
        source=BOOKS,
        title=title or meta.book_title or meta.file_name,
        text=text,
        origin=origin,
        meta=chapter_meta,
        removed=removed,
    )


def _text_layer(statuses: Counter[str]) -> str:
    if not statuses["ocr"]:
        return "digital"
    return "ocr" if statuses["ocr"] == sum(n for s, n in statuses.items() if s in ("ok", "ocr")) else "mixed"
