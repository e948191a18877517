"""Generate textbook-like PDFs with pymupdf: the demo's sample textbook, and the books builder's tests and
benchmark.

    >>> book = FixtureBook("Clinical Notes")
    >>> book.chapter("Cardiac Physiology", ["The heart pumps blood ...", ...], columns=2)
    >>> data = book.to_bytes()   # running headers with page numbers, an outline with one entry per chapter

Paragraphs are laid out line by line with a built-in Times font: ragged right, first lines indented, words with
soft hyphens (U+00AD) or hard hyphens broken at the line end when they do not fit (`exam-` / `ple`), so tests can
place a hyphenation exactly. A paragraph given as a list of strings is written as exactly those lines.
The books the tests read (`sample_book`, `benchmark_book`) are in `tests/builders/books/samples.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pymupdf

SOFT = "\u00ad"
BODY, SMALL, HEAD, TITLE = 10.0, 8.0, 13.0, 18.0


@dataclass
class _Page:
    doc: pymupdf.Document
    number: int  # printed page number (1-based); the page is doc[number - 1]
    chapter: str = ""
    running: bool = True  # chapter openings, title and copyright pages have no running header
    texts: list[tuple] = field(default_factory=list)  # (x, y, text, font, size), written by to_bytes

    @property
    def page(self) -> pymupdf.Page:
        return self.doc[self.number - 1]


@dataclass
class FixtureBook:
    """A book being laid out; call the `add_*`/`chapter` methods in order, then `to_bytes()`."""

    title: str = "Clinical Notes"
    width: float = 595.0
    height: float = 842.0
    margin: float = 60.0
    gutter: float = 20.0
    headers: bool = True  # "12   Clinical Notes" on even pages, "Chapter title   13" on odd pages
    footers: bool = True  # "Example Press · page 12" at the bottom
    line_height: float = 12.5
    doc: pymupdf.Document = field(default_factory=pymupdf.open)
    pages: list[_Page] = field(default_factory=list)
    outline: list[list] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.font = pymupdf.Font("tiro")
        self.bold = pymupdf.Font("tibo")
        self.doc.set_metadata({"title": self.title, "author": "Test Author"})

    # -- pages -------------------------------------------------------------------------------------------------
    def new_page(self, chapter: str = "", running: bool = True) -> _Page:
        self.doc.new_page(width=self.width, height=self.height)
        entry = _Page(self.doc, len(self.pages) + 1, chapter, running)
        self.pages.append(entry)
        return entry

    def text(self, where: _Page, x: float, y: float, text: str, size: float = BODY, bold: bool = False) -> None:
        where.texts.append((x, y, text, self.bold if bold else self.font, size))

    def lines_page(self, lines: list[str], heading: str = "", running: bool = False, size: float = BODY) -> None:
        """A page of explicit lines (title pages, copyright pages, TOC, index)."""
        page = self.new_page(running=running)
        y = self.margin + 20
        if heading:
            self.text(page, self.margin, y, heading, HEAD + 3, bold=True)
            y += 36
        for line in lines:
            self.text(page, self.margin, y, line, size)
            y += self.line_height

    def title_page(self, authors: str = "A. Author and B. Author") -> None:
        page = self.new_page(running=False)
        self.text(page, self.margin, 200, self.title, 28, bold=True)
        self.text(page, self.margin, 260, authors, 14)

    def copyright_page(self) -> None:
        self.lines_page(
            [
                f"{self.title}. Copyright © 2024 Example Press. All rights reserved.",
                "No part of this publication may be reproduced without permission of the publisher.",
                "ISBN 978-0-00-000000-2",
                "Library of Congress Cataloging-in-Publication Data",
                "Printed in Nowhere.",
            ]
        )

    def toc_page(self, entries: list[tuple[str, int]]) -> None:
        lines = [f"{title} {'.' * max(3, 70 - len(title))} {page}" for title, page in entries]
        self.lines_page(lines, heading="Contents")

    def index_pages(self, entries: list[str]) -> None:
        page = self.new_page(chapter="Index", running=False)
        self.text(page, self.margin, self.margin + 20, "Index", TITLE, bold=True)
        col_w = (self.width - 2 * self.margin - self.gutter) / 2
        y, col = self.margin + 60, 0
        for entry in entries:
            if y > self.height - self.margin - 20:
                y, col = self.margin + 30, col + 1
                if col == 2:
                    page, col = self.new_page(chapter="Index"), 0
            self.text(page, self.margin + col * (col_w + self.gutter), y, entry)
            y += self.line_height

    def image_page(self, invisible_text: str = "") -> None:
        """A scanned page: one image covering it, optionally with an OCR text layer in render mode 3."""
        page = self.new_page(running=False)
        pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 60, 80), False)
        pix.set_rect(pix.irect, (200,))
        pix.set_rect(pymupdf.IRect(10, 10, 50, 20), (40,))
        pdf_page = page.page
        pdf_page.insert_image(pdf_page.rect, pixmap=pix)
        if invisible_text:
            writer = pymupdf.TextWriter(pdf_page.rect)
            y = self.margin + 20
            for line in invisible_text.split("\n"):
                writer.append((self.margin, y), line, font=self.font, fontsize=BODY)
                y += self.line_height
            writer.write_text(pdf_page, render_mode=3)

    def columns_page(self, columns: list[list[str]], heading: str = "", chapter: str = "") -> int:
        """A page with the given lines in side-by-side columns under an optional full-width heading (which also
        opens an outline chapter). A line starting with a tab is indented. Returns the page number."""
        page = self.new_page(chapter=chapter or heading, running=not heading)
        y0 = self.margin + 10
        if heading:
            self.outline.append([1, heading, page.number])
            self.text(page, self.margin, self.margin + 30, heading, TITLE, bold=True)
            y0 = self.margin + 70
        col_w = (self.width - 2 * self.margin - (len(columns) - 1) * self.gutter) / len(columns)
        for i, lines in enumerate(columns):
            x = self.margin + i * (col_w + self.gutter)
            for j, line in enumerate(lines):
                indent = 14.0 if line.startswith("\t") else 0.0
                self.text(page, x + indent, y0 + j * self.line_height, line.lstrip("\t"))
        return page.number

    # -- chapters ----------------------------------------------------------------------------------------------
    def chapter(
        self,
        title: str,
        paragraphs: list[str | list[str]],
        columns: int = 1,
        references: list[str] = (),
        sections: dict[int, str] | None = None,
        level2: bool = False,
        figure_caption: str = "",
        table: list[list[str]] | None = None,
    ) -> int:
        """Lay out a chapter on new pages; returns its first page number (1-based). `sections` maps a paragraph
        index to a section heading written before it."""
        page = self.new_page(chapter=title, running=False)
        self.outline.append([1, title, page.number])
        self.text(page, self.margin, self.margin + 30, title, TITLE, bold=True)
        flow = _Flow(self, page, columns, self.margin + 70)
        for i, para in enumerate(paragraphs):
            if sections and i in sections:
                flow.heading(sections[i])
                if level2:
                    self.outline.append([2, sections[i], flow.page.number])
            flow.paragraph(para)
            if i == 0 and figure_caption:
                flow.figure(figure_caption)
            if i == 0 and table:
                flow.table(table)
        if references:
            flow.heading("References")
            for ref in references:
                flow.paragraph(ref, indent=0)
        return page.number

    def to_bytes(self, outline: bool = True, **save: object) -> bytes:
        for entry in self.pages:
            self._running_lines(entry)
            page = entry.page
            writer = pymupdf.TextWriter(page.rect)
            for x, y, text, font, size in entry.texts:
                writer.append((x, y), text, font=font, fontsize=size)
            writer.write_text(page)
        if outline and self.outline:
            self.doc.set_toc(self.outline)
        return self.doc.tobytes(garbage=3, deflate=True, no_new_id=True, **save)

    def _running_lines(self, entry: _Page) -> None:
        n = entry.number
        if self.headers and entry.running:
            if n % 2 == 0:
                self.text(entry, self.margin, 36, f"{n}    {self.title}", SMALL)
            else:
                label = f"{entry.chapter}    {n}"
                x = self.width - self.margin - text_width(self.font, label, SMALL)
                self.text(entry, x, 36, label, SMALL)
        if self.footers and entry.running:
            self.text(entry, self.width / 2 - 50, self.height - 30, f"Example Press · page {n}", SMALL)


class _Flow:
    """Places paragraphs line by line into columns, starting new columns and pages as they fill."""

    def __init__(self, book: FixtureBook, page: _Page, columns: int, top: float) -> None:
        self.book, self.page, self.columns = book, page, columns
        self.col, self.y = 0, top
        self.col_w = (book.width - 2 * book.margin - (columns - 1) * book.gutter) / columns
        self.top = top

    def _x(self) -> float:
        return self.book.margin + self.col * (self.col_w + self.book.gutter)

    def _advance(self, height: float) -> None:
        if self.y + height > self.book.height - self.book.margin:
            self.col += 1
            if self.col == self.columns:
                self.page = self.book.new_page(chapter=self.page.chapter)
                self.col = 0
            self.y = self.book.margin + 10

    def heading(self, text: str) -> None:
        self.y += 8
        self._advance(3 * self.book.line_height)
        self.book.text(self.page, self._x(), self.y, text, HEAD, bold=True)
        self.y += self.book.line_height * 1.6

    def paragraph(self, para: str | list[str], indent: float = 14.0) -> None:
        lines = para if isinstance(para, list) else wrap(self.book.font, para, self.col_w, indent)
        for i, line in enumerate(lines):
            self._advance(self.book.line_height)
            self.book.text(self.page, self._x() + (indent if i == 0 else 0), self.y, line)
            self.y += self.book.line_height
        self.y += 3

    def figure(self, caption: str) -> None:
        self._advance(120)
        x, y = self._x(), self.y
        rect = pymupdf.Rect(x, y, x + self.col_w * 0.8, y + 90)
        pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 30), False)
        pix.set_rect(pix.irect, (180, 200, 220))
        self.page.page.insert_image(rect, pixmap=pix)
        self.book.text(self.page, x + 10, y + 30, "Left atrium", SMALL)
        self.book.text(self.page, x + 60, y + 60, "Aortic valve", SMALL)
        self.y += 100
        for line in wrap(self.book.font, caption, self.col_w, 0, size=SMALL):
            self.book.text(self.page, x, self.y, line, SMALL)
            self.y += self.book.line_height
        self.y += 6

    def table(self, rows: list[list[str]]) -> None:
        self._advance(self.book.line_height * (len(rows) + 1))
        cell = self.col_w / len(rows[0])
        for row in rows:
            for j, text in enumerate(row):
                self.book.text(self.page, self._x() + j * cell, self.y, text, SMALL)
            self.y += self.book.line_height
        self.y += 6


_ADVANCES: dict[int, dict[str, float]] = {}


def text_width(font: pymupdf.Font, text: str, size: float) -> float:
    """`font.text_length`, with per-character advances cached (pymupdf measures char by char in Python)."""
    advances = _ADVANCES.setdefault(id(font), {})
    total = 0.0
    for ch in text:
        if ch not in advances:
            advances[ch] = font.text_length(ch, 1.0)
        total += advances[ch]
    return total * size


def wrap(font: pymupdf.Font, text: str, width: float, indent: float, size: float = BODY) -> list[str]:
    """Greedy ragged-right line breaking that hyphenates at soft hyphens and after hard hyphens."""
    lines: list[str] = []
    current, used = "", 0.0
    avail = width - indent
    space = text_width(font, " ", size)
    for word in text.split():
        plain = word.replace(SOFT, "")
        extra = text_width(font, plain, size) + (space if current else 0.0)
        if used + extra <= avail:
            current, used = f"{current} {plain}" if current else plain, used + extra
            continue
        head, tail = _split_word(font, word, current, avail, size)
        lines.append(f"{current} {head}".strip() if head else current)
        current, used, avail = tail, text_width(font, tail, size), width
    if current:
        lines.append(current)
    return lines


def _split_word(font: pymupdf.Font, word: str, current: str, avail: float, size: float) -> tuple[str, str]:
    points = [i for i, ch in enumerate(word) if ch in (SOFT, "-")]
    for i in reversed(points):
        head = word[:i].replace(SOFT, "") + "-"
        if text_width(font, f"{current} {head}".strip(), size) <= avail:
            return head, word[i + 1 :].replace(SOFT, "")
    return "", word.replace(SOFT, "")
