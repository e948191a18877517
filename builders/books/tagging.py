"""Lines that are not running text, tagged before the page is put in reading order: tables and figure labels.

    "Drug"    "Dose"         "Route"      <- separate cells on one baseline, and another such row right below:
    "Aspirin" "75 mg once"   "Oral"          a table. Its lines (the cells' wrapped lines too) become one line
              "daily"                        per row, "Drug | Dose | Route", "Aspirin | 75 mg once daily | Oral",
                                             kind="table", in one block of their own (read as one unit)
    "Left atrium"  (8 pt, alone in its block, no sentence end)   <- a label drawn on a figure (kind="figure")

Tables are found on the whole page, before `order.py` cuts it into columns (which would take a table apart). A
line as wide as a text column is never a cell, so a prose line beside a table in the other column stays prose,
and three lines side by side whose middle one is long are three columns of text, not a row. A row's cells
are placed in the table's columns (the gaps no cell crosses), so an empty cell keeps its place (`a |  | c`); a
line with no cell in the first column just below a row is that row's cells wrapping, and joins it.

A label is short (four words at most, no sentence end) and alone in its block; it is a figure's when it is set
smaller than the body text, or stands on an image (`image_boxes`, asked for only when such a label is there:
listing a page's images costs as much as reading its text). Headings and bullets on a picture stay text.
"""

from __future__ import annotations

import bisect
import itertools
import re
import statistics
from collections import Counter
from collections.abc import Callable

from builders.books.layout import Line, PageText, top_down
from builders.books.text import is_bullet

Box = tuple[float, float, float, float]
_ROW_GAP = 30.0  # points between two rows beyond which they are two tables
# Characters of a row's middle cell, at most: three lines of running text side by side (three columns, a
# paragraph's last line among them) are not a row
_CELL_CHARS = 25
_CAPTION_START = ("table", "fig", "figure", "source", "note")
_LETTERS = re.compile(r"[^\W\d_]{2}")


def tag_page(
    page: PageText,
    body_size: float,
    image_boxes: Callable[[], list[Box]] | None = None,
    join: Callable[[list[str]], str] = " ".join,
) -> None:
    """Tables become row lines (kind "table"); figure labels get kind "figure". `image_boxes` lists the boxes of
    the page's figures, when figure labels are to be found on images; `join` puts a cell's lines together (the
    builder's undoes hyphenation the way the book does)."""
    _set_tables(page, join)
    _tag_figure_text(page.lines, body_size, image_boxes)


def _set_tables(page: PageText, join: Callable[[list[str]], str]) -> None:
    if page.status == "ocr":  # an OCR layer's words stand apart, in rows that line up: its geometry misleads
        return
    tables = _find_tables(page.lines, page.width)
    if not tables:
        return
    taken: set[int] = set()
    rows: list[Line] = []
    for number, table in enumerate(tables):
        members = _members(page.lines, table, page.width, taken)
        if members:  # else an earlier table on the page took its lines
            rows.extend(_row_lines(members, table, -1 - number, join))  # block numbers of their own: MuPDF's are >= 0
    page.lines = [line for line in page.lines if id(line) not in taken] + rows
    page.lines.sort(key=top_down)


def _find_tables(lines: list[Line], width: float) -> list[list[list[Line]]]:
    """Tables, each as its rows of cells: rows of three or more separate cells on one baseline, two rows or more
    close together whose inner cells line up (a justified line that MuPDF cut at its wide spaces has cells too,
    but they never line up with the next line's), and a row of cells right above them (the header)."""
    narrow = [ln for ln in lines if ln.x1 - ln.x0 < 0.3 * width]
    if len(narrow) < 6:  # two rows of three cells at least
        return []
    rows: list[list[Line]] = []
    by_base = sorted(narrow, key=lambda ln: ln.y1)
    start = 0
    for i in range(1, len(by_base) + 1):
        if i == len(by_base) or abs(by_base[i].y1 - by_base[start].y1) > 2:
            cells = by_base[start:i]
            if len(cells) >= 3 and sorted(len(c.text) for c in cells)[len(cells) // 2] <= _CELL_CHARS:
                cells.sort(key=lambda c: c.x0)
                if not _justified(cells):
                    rows.append(cells)
            start = i
    tables: list[list[list[Line]]] = []
    table: list[list[Line]] = []
    for row in rows:
        near = bool(table) and _continues(table, row, lines, width)
        if near and (len(table) == 1 or _aligned(table[-1], row)):  # after one row: it may be a header
            table.append(row)
        else:
            if len(table) >= 2:
                tables.append(table)
            table = [row]
    if len(table) >= 2:
        tables.append(table)
    return [t for t in tables if any(_aligned(a, b) for a, b in itertools.pairwise(t)) and _labelled(t)]


def _labelled(table: list[list[Line]]) -> bool:
    """Whether most rows open with a word (a drug, a gene, a language): the tick labels of a chart's axes line up
    in rows too, but they are numbers."""
    return sum(1 for row in table if _LETTERS.search(row[0].text)) * 2 >= len(table)


def _continues(table: list[list[Line]], row: list[Line], lines: list[Line], width: float) -> bool:
    """Whether `row` is more of `table`: close below its last row, or below rows of fewer cells (cells that wrap)
    with no line of running text between."""
    gap = row[0].y1 - table[-1][0].y1
    if gap <= _ROW_GAP:
        return True
    top, bottom = max(c.y1 for c in table[-1]), min(c.y0 for c in row)
    x0, x1 = min(c.x0 for r in table for c in r), max(c.x1 for r in table for c in r)
    between = [ln for ln in lines if ln.y0 >= top - 1 and ln.y1 <= bottom + 1 and ln.x1 > x0 and ln.x0 < x1]
    if gap > 8 * _ROW_GAP or not between or any(ln.x1 - ln.x0 >= 0.45 * width for ln in between):
        return False
    return sorted(len(ln.text) for ln in between)[len(between) // 2] <= _CELL_CHARS


def _justified(cells: list[Line]) -> bool:
    """Whether the cells are the words of one justified line, cut where MuPDF saw wide spaces: the gaps
    between them are all alike (justification spreads the space evenly) and less than an em and a half."""
    gaps = [b.x0 - a.x1 for a, b in itertools.pairwise(cells)]
    return max(gaps) - min(gaps) <= 1.5 and max(gaps) < 1.5 * cells[0].size


def _aligned(a: list[Line], b: list[Line]) -> bool:
    """Whether the inner cells of two rows stand in columns: most of the inner cells of the row with fewer of
    them start, end or are centred within 2 points of an inner cell of the other."""
    inner_a, inner_b = a[1:-1], b[1:-1]
    if len(inner_a) > len(inner_b):
        inner_a, inner_b = inner_b, inner_a
    hits = sum(
        1
        for c in inner_a
        if any(abs(c.x0 - d.x0) <= 2 or abs(c.x1 - d.x1) <= 2 or abs(c.x0 + c.x1 - d.x0 - d.x1) <= 4 for d in inner_b)
    )
    return hits * 2 >= len(inner_a) and hits > 0


def _members(lines: list[Line], table: list[list[Line]], width: float, taken: set[int]) -> list[Line]:
    """The table's lines: its rows' cells and every line standing inside its box (wrapped cells, cells of
    rows with fewer than three), then the lines packed right above or below it (a header over two lines, a last
    row that wraps), but no caption or note and nothing as wide as a text column or most of the table."""
    x0 = min(c.x0 for row in table for c in row) - 2
    x1 = max(c.x1 for row in table for c in row) + 2
    y0, y1 = min(c.y0 for c in table[0]), max(c.y1 for c in table[-1])
    widest = min(0.45 * width, 0.8 * (x1 - x0))
    captions = {line.block for line in lines if line.text.lower().startswith(_CAPTION_START)}
    inside = [
        line
        for line in lines
        if id(line) not in taken
        and x0 <= line.x0
        and line.x1 <= x1
        and line.x1 - line.x0 < widest
        and line.block not in captions  # a caption beside the table: its first line and the rest of its block
    ]
    inside.sort(key=lambda ln: ln.y0)
    for line in inside:  # downwards: lines that touch the table's bottom
        if line.y0 > y1 and line.y0 - y1 <= 0.5 * line.size:
            y1 = line.y1
    for line in reversed(inside):  # upwards
        if line.y1 < y0 and y0 - line.y1 <= 0.5 * line.size:
            y0 = line.y0
    out = []
    for line in inside:
        if y0 <= (line.y0 + line.y1) / 2 <= y1:
            out.append(line)
            taken.add(id(line))
    return out


def _columns(table: list[list[Line]]) -> list[tuple[float, float]]:
    """The table's columns: x intervals that the cells of its rows fill, split where no cell crosses."""
    cells = sorted((c for row in table for c in row), key=lambda c: c.x0)
    columns = [[cells[0].x0, cells[0].x1]]
    for cell in cells[1:]:
        if cell.x0 < columns[-1][1] - 1:
            columns[-1][1] = max(columns[-1][1], cell.x1)
        else:
            columns.append([cell.x0, cell.x1])
    return [(a, b) for a, b in columns]


def _column_of(line: Line, columns: list[tuple[float, float]], ends: list[float], starts: list[float]) -> int:
    """The column `line` overlaps most (the one nearest its start when it overlaps none). The columns stand left
    to right, so only those between two bisections can overlap it."""
    best, most = -1, 0.0
    for i in range(bisect.bisect_right(ends, line.x0), bisect.bisect_left(starts, line.x1)):
        a, b = columns[i]
        overlap = min(line.x1, b) - max(line.x0, a)
        if overlap > most:
            best, most = i, overlap
    if best >= 0:
        return best
    return min(range(len(columns)), key=lambda i: abs(columns[i][0] - line.x0))


def _row_lines(members: list[Line], table: list[list[Line]], block: int, join: Callable) -> list[Line]:
    """One line per row of the table, its cells in column order joined with ` | `."""
    columns = _columns(table)
    ends, starts = [b for _, b in columns], [a for a, _ in columns]
    size = statistics.median(line.size for line in members)
    bands: list[list[Line]] = []
    for line in sorted(members, key=lambda ln: ln.y1):
        if bands and line.y1 - bands[-1][0].y1 <= 0.4 * line.size:
            bands[-1].append(line)
        else:
            bands.append([line])
    rows: list[tuple[list[list[str]], float, float]] = []  # (cells, top, bottom)
    for band in bands:
        cells: list[list[str]] = [[] for _ in columns]
        for line in sorted(band, key=lambda ln: ln.x0):
            cells[_column_of(line, columns, ends, starts)].append(line.text)
        top, bottom = min(ln.y0 for ln in band), max(ln.y1 for ln in band)
        if rows and not cells[0] and top - rows[-1][2] <= 0.8 * size:  # the cells of the row above, wrapped
            for kept, more in zip(rows[-1][0], cells, strict=True):
                kept.extend(more)
            rows[-1] = (rows[-1][0], rows[-1][1], bottom)
        else:
            rows.append((cells, top, bottom))
    x0, x1 = min(ln.x0 for ln in members), max(ln.x1 for ln in members)
    out = []
    for cells, top, bottom in rows:
        texts = [join(cell) if cell else "" for cell in cells]
        while texts and not texts[-1]:
            texts.pop()
        out.append(Line(" | ".join(texts), x0, top, x1, bottom, size, False, block, "table"))
    return out


def _tag_figure_text(lines: list[Line], body_size: float, image_boxes: Callable[[], list[Box]] | None) -> None:
    """Short labels alone in their block: set small (a vector drawing's labels), or standing on an image."""
    small, large = body_size * 0.85, body_size + 0.5
    blocks: Counter[int] | None = None
    on_image: list[Line] = []
    for line in lines:
        text = line.text
        if line.kind or line.size > large or text[-1] in ".:;!?":
            continue
        blocks = blocks or Counter(ln.block for ln in lines)
        if blocks[line.block] > 2 or len(text.split()) > 4:
            continue
        if line.size < small:
            line.kind = "figure"
        elif image_boxes is not None and not is_bullet(text):
            on_image.append(line)
    if len(on_image) < 3 or image_boxes is None:  # a figure has labels; one or two short lines are text
        return
    boxes = image_boxes()
    for line in on_image:
        cx, cy = (line.x0 + line.x1) / 2, (line.y0 + line.y1) / 2
        if any(x0 <= cx <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in boxes):
            line.kind = "figure"
