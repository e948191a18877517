"""Page geometry for the books builder: the text lines of one page with their boxes, fonts and MuPDF blocks.

One page of a two-column textbook, as pymupdf's `dict` output, becomes `PageText(lines=[...])`:

    Line("12    Clinical Notes", y0=28, size=8, block=0)      <- running header (`running.py` removes it)
    Line("The heart has four chambers ...", x0=60, block=1)   <- left column
    Line("Cardiac output rises with ...", x0=308, block=2)    <- right column
    Line("Clinical pearl: check the ...", x0=480, size=8)     <- margin note (`order.py` keeps it apart)

Only visible text is read, unless most of a page's text is an invisible layer (render mode 3, the OCR text of a
scanned page, perhaps under a visible stamp such as a download notice): then that layer is the page's text and
the page's status is `ocr`. Invisible text on a page
that has visible text is hidden text and is counted, not read. Coordinates are those of the unrotated page
(pymupdf extracts text that way, so a page with /Rotate 90 reads like any other); a page whose text itself runs
sideways is turned upright first, and text at other angles (margin stamps) is dropped and counted.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from builders.books.tally import Tally

FILLED_OR_STROKED = 16 | 32  # MuPDF char_flags: render modes 0-2 set these; mode 3 (invisible) sets neither
SUPERSCRIPT, BOLD = 1, 16  # span["flags"] bits
_CITATION_MARK = re.compile(r"[\d,\u2013\-\s]+")
UPRIGHT = (1.0, 0.0)


@dataclass(slots=True)
class Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: bool
    block: int  # MuPDF's block number: the unit `order.py` puts in reading order
    kind: str = ""  # "", "table" or "figure" once the page has been looked at


@dataclass(slots=True)
class PageText:
    index: int  # 0-based page number
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    invisible_chars: int = 0  # invisible (render mode 3) characters on the page
    unknown_chars: int = 0  # U+FFFD: glyphs whose font maps to no Unicode
    images: int = 0  # counted only for a page with (almost) no text: `pages` asks whether it is a scan
    image_boxes: list[tuple[float, float, float, float]] = field(default_factory=list)
    status: str = "ok"  # ok | ocr | needs_ocr | broken | too_complex | unreadable
    turned: bool = False  # its text ran sideways and was turned upright (image boxes are not)
    rebuilt: bool = False  # its words were rebuilt from glyph positions (`fragments.rebuild_words`)
    removed: Tally = field(default_factory=Tally)  # what was removed from the page, by rule

    @property
    def chars(self) -> int:
        return sum(len(line.text) for line in self.lines)


def extract_page(page, index: int, flags: int, *, min_chars: int, drop_citation_marks: bool) -> PageText:
    """The text lines of one pymupdf page (visible ones; the invisible OCR layer when there are none)."""
    content = page.get_text("dict", flags=flags)  # width and height are the unrotated page's, like the boxes
    out = PageText(index, content["width"], content["height"])
    lines = _read_lines(content["blocks"], out, visible=True, drop_marks=drop_citation_marks)
    visible = sum(len(ln.text) for _, ln in lines)
    if out.invisible_chars >= max(min_chars, 2 * visible):  # a scan's OCR layer, perhaps under a visible stamp
        out.invisible_chars = 0
        out.removed.add("books.visible_text_on_scan", visible, len(lines))
        lines = _read_lines(content["blocks"], out, visible=False, drop_marks=False)
        out.status = "ocr"
    elif out.invisible_chars:
        out.removed.add("books.hidden_text", out.invisible_chars)
    out.lines = _upright_lines(lines, out)
    if out.status == "ocr" and out.lines:  # an OCR layer's font is scaled to fit each word box: sizes mean nothing
        size = sorted(line.size for line in out.lines)[len(out.lines) // 2]
        for line in out.lines:
            line.size = size
    return out


def _read_lines(blocks: list[dict], page: PageText, *, visible: bool, drop_marks: bool) -> list[tuple]:
    lines = []
    for number, block in enumerate(blocks):
        for line in block.get("lines", ()):
            spans = line["spans"]
            if len(spans) == 1 and bool(spans[0].get("char_flags", FILLED_OR_STROKED) & FILLED_OR_STROKED) == visible:
                made = _one_span_line(line, spans[0], number, page)  # the common case, kept fast
            else:
                made = _make_line(spans, number, page, visible, drop_marks)
            if made is not None:
                lines.append((line["dir"], made))
    return lines


def _upright_lines(lines: list[tuple], page: PageText) -> list[Line]:
    """The lines of the page's main text direction, turned upright when that direction is not left to right."""
    if all(direction == UPRIGHT for direction, _ in lines):  # the common case
        chosen = [line for _, line in lines]
        chosen.sort(key=top_down)
        return chosen
    by_dir: dict[tuple[float, float], list[Line]] = defaultdict(list)
    for direction, line in lines:
        if direction != UPRIGHT:  # nearly equal angles are one direction
            direction = (round(direction[0], 1) + 0.0, round(direction[1], 1) + 0.0)
        by_dir[direction].append(line)
    if not by_dir:
        return []
    direction = max(by_dir, key=lambda d: sum(len(x.text) for x in by_dir[d]))
    for other, dropped in by_dir.items():  # text at other angles than most of the page: margin stamps, labels
        if other != direction:
            page.removed.add("books.sideways_text", sum(len(x.text) for x in dropped), len(dropped))
    chosen = by_dir[direction]
    if direction != UPRIGHT:
        _turn_upright(page, chosen, direction)
    chosen.sort(key=top_down)
    return chosen


def top_down(line: Line) -> tuple[float, float]:
    return (line.y0 // 1, line.x0)


def _one_span_line(line: dict, span: dict, block: int, page: PageText) -> Line | None:
    raw = span["text"]
    text = raw.strip()
    if not text:
        return None
    if "\ufffd" in text:
        page.unknown_chars += text.count("\ufffd")
    x0, y0, x1, y1 = line["bbox"]
    if raw[0] == " ":  # the box holds the leading spaces: take them off, so that gaps between lines are true
        x0 += 0.25 * span["size"] * (len(raw) - len(raw.lstrip()))
    return Line(text, x0, y0, x1, y1, span["size"], bool(span["flags"] & BOLD), block)


def _make_line(spans: list[dict], block: int, page: PageText, visible: bool, drop_marks: bool) -> Line | None:
    """A line of several spans (or of one span of the other visibility): the size and weight of its longest span,
    the box of its spans but those that are only a space."""
    parts: list[str] = []
    x0 = y0 = float("inf")
    x1 = y1 = float("-inf")
    size, longest, bold = 0.0, -1, False
    for span in spans:
        text = span["text"]
        if bool(span.get("char_flags", FILLED_OR_STROKED) & FILLED_OR_STROKED) != visible:
            if visible:
                page.invisible_chars += len(text.strip())
            continue
        flags = span["flags"]
        if flags & SUPERSCRIPT and drop_marks and _is_citation_mark(text, parts):
            page.removed.add("books.citation_marker", len(text))
            continue
        parts.append(text)
        n = len(text.strip())
        if n or not text:  # a space drawn on its own (as a tiny glyph, even) is no part of the line's box
            a, b, c, d = span["bbox"]
            if a < x0:
                x0 = a
            if b < y0:
                y0 = b
            if c > x1:
                x1 = c
            if d > y1:
                y1 = d
            if n > longest:
                longest, size, bold = n, span["size"], bool(flags & BOLD)
        elif longest < 0:
            longest, size, bold = 0, span["size"], bool(flags & BOLD)
    text = "".join(parts).strip()
    if not text:
        return None
    page.unknown_chars += text.count("\ufffd")
    return Line(text, x0, y0, x1, y1, size, bold, block)


def _is_citation_mark(text: str, before: list[str]) -> bool:
    """A superscript like `12,13` after a word is a citation; after `m` or `10` it is an exponent (m², 10⁶)."""
    if not _CITATION_MARK.fullmatch(text) or not before:
        return False
    prev = before[-1].rstrip()
    if not prev or prev[-1].isdigit():
        return False
    if prev[-1] in ".,;:)]":
        return True
    word = prev.rsplit(None, 1)[-1]
    return word.isalpha() and len(word) >= 3


def _turn_upright(page: PageText, lines: list[Line], direction: tuple[float, float]) -> None:
    """Rotate coordinates so that text running along `direction` runs left to right."""
    c, s = direction
    corners = [(0.0, 0.0), (page.width, 0.0), (0.0, page.height), (page.width, page.height)]
    us = [x * c + y * s for x, y in corners]
    vs = [-x * s + y * c for x, y in corners]
    du, dv = min(us), min(vs)
    for line in lines:
        pts = [(line.x0, line.y0), (line.x1, line.y0), (line.x0, line.y1), (line.x1, line.y1)]
        u = [x * c + y * s - du for x, y in pts]
        v = [-x * s + y * c - dv for x, y in pts]
        line.x0, line.x1, line.y0, line.y1 = min(u), max(u), min(v), max(v)
    page.width, page.height = max(us) - du, max(vs) - dv
    page.turned = True  # image boxes are not turned: figure detection by image boxes is skipped on such pages


def image_boxes(doc, index: int, text_page: PageText) -> list[tuple[float, float, float, float]]:
    """Boxes of the images on a page that are smaller than most of it (a full-page image is a background or a
    scan, not a figure). A page whose images cannot be listed has none. Listing a page's images (cheap) comes
    first: placing them costs MuPDF another pass over the page."""
    area = text_page.width * text_page.height
    try:
        page = doc[index]
        infos = page.get_image_info() if page.get_images() else []
    except Exception:  # a broken image must not lose the page's text
        return []
    boxes = []
    for info in infos:
        x0, y0, x1, y1 = info["bbox"]
        if (x1 - x0) * (y1 - y0) < 0.6 * area:
            boxes.append((x0, y0, x1, y1))
    return boxes
