"""Plain-text books (`.txt`) for the books builder: one document per file.

    "Anatomy of the Heart\\n\\nThe heart lies in the medi-\\nastinum (Fig. 1.2).\\n12\\n\\nReferences\\n\\n1. Smith ..."
    → Document(text="Anatomy of the Heart\\n\\nThe heart lies in the mediastinum.")

Paragraphs are blocks separated by blank lines, their lines joined with the same hyphenation rules as PDFs; a
file without blank lines is taken as one paragraph per line (as in the MedQA textbook dumps). Lines that are only
a page number and form feeds are dropped, dot-leader contents lines too, and bibliography sections (a short line
such as `References` standing alone, up to the next such heading). Encoding: UTF-8 (with or without BOM), UTF-16
with a BOM, else cp1252; mojibake is repaired by the cleaner (ftfy).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from builders.books.clean import TextCleaner
from builders.books.running import is_page_number
from builders.books.sections import drop_reference_sections
from builders.books.tally import Tally
from builders.books.text import Para, Vocabulary, join_lines
from medc.records import BOOKS, BookMeta, Document, Notice, Rejection
from medc.sources import WorkUnit

_DOT_LEADERS = re.compile(r"(?:\.\s?){4,}\s*\S{1,6}$")


def decode_text(data: bytes) -> str | None:
    """The text of a `.txt` book, or None when it looks binary."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def text_paragraphs(text: str) -> list[Para]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n").strip()
    lines = [line.strip() for line in text.split("\n")]
    blank = sum(1 for line in lines if not line)
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line and not is_page_number(line) and not _DOT_LEADERS.search(line):
            current.append(line)
            if not blank:
                blocks.append(current)
                current = []
        elif not line and current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return [Para(_kind(block), 1.0, 0, block) for block in blocks]


def _kind(block: list[str]) -> str:
    line = block[0]
    return "heading" if len(block) == 1 and len(line) < 80 and line[-1] not in ".,;:" else "body"


def parse_plain_text(
    unit: WorkUnit, meta: BookMeta, cleaner: TextCleaner, drop_bibliography: bool
) -> Iterator[Document | Rejection | Notice]:
    text = decode_text(unit.data)
    if text is None:
        yield Rejection(unit.origin, "not_text", "a .txt file with NUL bytes in it: binary data, not a text book")
        return
    removed = Tally()
    paras = text_paragraphs(text)
    if drop_bibliography:
        paras, sections, chars = drop_reference_sections(paras)
        removed.add("books.references", chars, sections)
        if sections:
            yield Notice(unit.origin, "dropped_reference_sections", sections)
    vocab = Vocabulary()
    for para in paras:
        for line in para.lines:
            vocab.add(line)
    texts = [t for t in (cleaner(join_lines(p.lines, vocab), removed) for p in paras) if t]
    if not texts:
        yield Rejection(unit.origin, "no_text", "no text left in the file")
        return
    yield Document(
        id=f"book:{meta.sha1}:0",
        source=BOOKS,
        title=meta.book_title or meta.file_name,
        text="\n\n".join(texts),
        origin=unit.origin,
        meta=meta,
        removed=removed.removals(),
    )
