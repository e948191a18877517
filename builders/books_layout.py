"""Page geometry for the books builder: text lines with their boxes, running headers and footers, columns.

One page of a two-column textbook, as pymupdf's `dict` output, becomes `PageText(lines=[...])`:

    Line("12    Clinical Notes", y0=28, size=8)          <- running header (repeats on many pages, number varies)
    Line("The heart has four chambers ...", x0=60)       <- left column
    Line("Cardiac output rises with ...", x0=308)        <- right column
    Line("Example Press · page 12", y0=806, size=8)      <- running footer

`books_running.mark_running_lines` finds the header and footer across the whole book; `reading_order` returns the body
lines column by column (left column, then right, between full-width lines such as headings), tagging lines that
sit in a table or on a figure. Coordinates are those of the unrotated page (pymupdf extracts text that way, so a
page with /Rotate 90 reads like any other); a page whose text itself runs sideways is turned upright first.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

# Text extraction flags: keep whitespace as is, clip to the page, and let MuPDF expand ligatures (ﬁ → fi).
# No images (decoding them is slow and we only need their boxes, which get_image_info gives).
FILLED_OR_STROKED = 16 | 32  # MuPDF char_flags: render modes 0-2 set these; mode 3 (invisible) sets neither
SUPERSCRIPT, BOLD = 1, 16  # span["flags"] bits
_CITATION_MARK = re.compile(r"[\d,\u2013\-\s]+")


@dataclass(slots=True)
class Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: bool
    block: int  # MuPDF's block number: a hint for paragraph breaks
    kind: str = ""  # "", "table" or "figure" once reading_order has looked at the page


@dataclass(slots=True)
class PageText:
    index: int  # 0-based page number
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    invisible_chars: int = 0
    unknown_chars: int = 0  # U+FFFD: glyphs whose font maps to no Unicode
    images: int = 0
    image_boxes: list[tuple[float, float, float, float]] = field(default_factory=list)
    status: str = "ok"  # ok | needs_ocr | invisible | too_complex | unreadable
    turned: bool = False  # its text ran sideways and was turned upright (image boxes are not)

    @property
    def chars(self) -> int:
        return sum(len(line.text) for line in self.lines)


def extract_page(page, index: int, flags: int, *, keep_invisible: bool, drop_citation_marks: bool) -> PageText:
    """The visible text lines of one pymupdf page, turned upright when most of its text runs sideways."""
    content = page.get_text("dict", flags=flags)  # width and height are the unrotated page's, like the boxes
    blocks = content["blocks"]
    out = PageText(index, content["width"], content["height"], images=len(page.get_images()))
    by_dir: dict[tuple[float, float], list[Line]] = defaultdict(list)
    upright = by_dir[(1.0, 0.0)]
    for number, block in enumerate(blocks):
        for line in block.get("lines", ()):
            made = _make_line(line, number, out, keep_invisible, drop_citation_marks)
            if made is not None:
                (upright if line["dir"] == (1.0, 0.0) else by_dir[line["dir"]]).append(made)
    if not upright:
        del by_dir[(1.0, 0.0)]
    if len(by_dir) > 1:  # text at other angles than most of the page: margin stamps or labels, dropped
        by_dir = _merge_directions(by_dir)
    if by_dir:
        direction = max(by_dir, key=lambda d: sum(len(x.text) for x in by_dir[d]))
        out.lines = by_dir[direction]
        if direction != (1.0, 0.0):
            _turn_upright(out, direction)
        out.lines.sort(key=top_down)
    return out


def top_down(line: Line) -> tuple[float, float]:
    return (line.y0 // 1, line.x0)


def _merge_directions(by_dir: dict[tuple[float, float], list[Line]]) -> dict[tuple[float, float], list[Line]]:
    merged: dict[tuple[float, float], list[Line]] = defaultdict(list)
    for (c, s), lines in by_dir.items():
        merged[(round(c, 1) + 0.0, round(s, 1) + 0.0)].extend(lines)
    return merged


def _make_line(line: dict, block: int, page: PageText, keep_invisible: bool, drop_marks: bool) -> Line | None:
    spans = line["spans"]
    if len(spans) == 1 and (keep_invisible or spans[0].get("char_flags", FILLED_OR_STROKED) & FILLED_OR_STROKED):
        span = spans[0]  # the common case, kept fast: one visible span
        text = span["text"].strip()
        if not text:
            return None
        if "\ufffd" in text:
            page.unknown_chars += text.count("\ufffd")
        x0, y0, x1, y1 = line["bbox"]
        return Line(text, x0, y0, x1, y1, span["size"], bool(span["flags"] & BOLD), block)
    parts: list[str] = []
    size, longest, bold, dropped = 0.0, -1, False, False
    for span in line["spans"]:
        text = span["text"]
        if not keep_invisible and not span.get("char_flags", FILLED_OR_STROKED) & FILLED_OR_STROKED:
            page.invisible_chars += len(text.strip())
            dropped = True
            continue
        if drop_marks and span["flags"] & SUPERSCRIPT and _is_citation_mark(text, parts):
            continue
        parts.append(text)
        if len(text) > longest:
            longest, size, bold = len(text), span["size"], bool(span["flags"] & BOLD)
    text = "".join(parts).strip()
    if not text:
        return None
    page.unknown_chars += text.count("\ufffd")
    x0, y0, x1, y1 = line["bbox"]
    if dropped:  # the box of the visible spans only
        boxes = [s["bbox"] for s in line["spans"] if s.get("char_flags", FILLED_OR_STROKED) & FILLED_OR_STROKED]
        x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
        x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
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


def _turn_upright(page: PageText, direction: tuple[float, float]) -> None:
    """Rotate coordinates so that text running along `direction` runs left to right."""
    c, s = direction
    corners = [(0.0, 0.0), (page.width, 0.0), (0.0, page.height), (page.width, page.height)]
    us = [x * c + y * s for x, y in corners]
    vs = [-x * s + y * c for x, y in corners]
    du, dv = min(us), min(vs)
    for line in page.lines:
        pts = [(line.x0, line.y0), (line.x1, line.y0), (line.x0, line.y1), (line.x1, line.y1)]
        u = [x * c + y * s - du for x, y in pts]
        v = [-x * s + y * c - dv for x, y in pts]
        line.x0, line.x1, line.y0, line.y1 = min(u), max(u), min(v), max(v)
    page.width, page.height = max(us) - du, max(vs) - dv
    page.turned = True  # image boxes are not turned: figure detection by image boxes is skipped on such pages


# -- reading order ------------------------------------------------------------------------------------------------
def reading_order(page: PageText, body_size: float) -> list[list[Line]]:
    """The page's lines (sorted top down, as `extract_page` leaves them) as runs in reading order: on a
    two-column page, the lines between two full-width lines come as the left column, then the right column.
    Lines in tables and on figures get `kind` set."""
    lines = page.lines  # sorted top down by extract_page
    _tag_figure_text(lines, page, body_size)
    gutter = _gutter(lines, page.width)
    if gutter is None:
        runs = [lines]
    else:
        runs = []
        left: list[Line] = []
        right: list[Line] = []
        for line in lines:
            if line.x1 <= gutter:
                left.append(line)
            elif line.x0 >= gutter:
                right.append(line)
            else:  # full width: it closes the columns above it
                runs.extend(r for r in (left, right) if r)
                left, right = [], []
                if runs and runs[-1] and runs[-1][-1].x0 < gutter < runs[-1][-1].x1:
                    runs[-1].append(line)
                else:
                    runs.append([line])
        runs.extend(r for r in (left, right) if r)
    for run in runs:
        _tag_table_rows(run)
    return runs


def _gutter(lines: list[Line], width: float) -> float | None:
    """The x of a vertical gap between two columns that at most a few full-width lines cross, or None."""
    if len(lines) < 6:
        return None
    lo, hi = width * 0.3, width * 0.7
    left = sum(1 for ln in lines if ln.x1 < width * 0.55)
    right = sum(1 for ln in lines if ln.x0 > width * 0.45)
    if left < 3 or right < 3:
        return None
    events = sorted([(ln.x0, 1) for ln in lines] + [(ln.x1, -1) for ln in lines])
    depth, best, best_x, prev_x = 0, len(lines) + 1, None, 0.0
    for x, step in events:
        if depth < best and prev_x < hi and x > lo and x - prev_x >= 4:
            best, best_x = depth, (max(prev_x, lo) + min(x, hi)) / 2
        depth += step
        prev_x = x
    if best_x is None or best > max(2, len(lines) // 8):
        return None
    return best_x


def _tag_table_rows(run: list[Line]) -> None:
    """Rows of three or more separate cells on one baseline, two rows or more close together, are a table."""
    rows: list[tuple[int, int]] = []  # (first, end) indices into run of each row with 3+ cells
    start = 0
    for i in range(1, len(run) + 1):
        if i == len(run) or abs(run[i].y1 - run[start].y1) > 2:
            if i - start >= 3:
                rows.append((start, i))
            start = i
    if len(rows) < 2:
        return
    first = prev = rows[0]
    for row in [*rows[1:], None]:
        if row is None or run[row[0]].y1 - run[prev[0]].y1 > 30:  # more than 30pt apart: a new table
            if prev is not first:
                for line in run[first[0] : prev[1]]:
                    line.kind = "table"
            first = row
        prev = row


def _tag_figure_text(lines: list[Line], page: PageText, body_size: float) -> None:
    """Text drawn over a figure image, and short small labels on their own (vector-drawing labels)."""
    small, boxes = body_size * 0.85, page.image_boxes
    blocks: Counter[int] | None = None
    for line in lines:
        if line.size < small:
            blocks = blocks or Counter(ln.block for ln in lines)
            if blocks[line.block] <= 2 and len(line.text.split()) <= 4 and line.text[-1] not in ".:;!?":
                line.kind = "figure"
                continue
        if boxes:
            cx, cy = (line.x0 + line.x1) / 2, (line.y0 + line.y1) / 2
            if any(x0 <= cx <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in boxes):
                line.kind = "figure"


def image_boxes(doc, index: int, text_page: PageText) -> list[tuple[float, float, float, float]]:
    """Boxes of the images on a page that are smaller than most of it (a full-page image is a background or a
    scan, not a figure). A page whose images cannot be listed has none."""
    area = text_page.width * text_page.height
    try:
        infos = doc[index].get_image_info()
    except Exception:  # a broken image must not lose the page's text
        return []
    boxes = []
    for info in infos:
        x0, y0, x1, y1 = info["bbox"]
        if (x1 - x0) * (y1 - y0) < 0.6 * area:
            boxes.append((x0, y0, x1, y1))
    return boxes
