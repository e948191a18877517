"""Lines that are not running text, tagged before the page is put in reading order: table cells and figure text.

    "Drug"    "Dose"     "Route"         <- three separate cells on one baseline, and another such row
    "Aspirin" "75 mg"    "Oral"              right below: both rows are a table (kind="table")
    "Left atrium"  (8 pt, alone in its block, no sentence end)   <- a label drawn on a figure (kind="figure")

Tables are found on the whole page, before `order.py` cuts it into columns (which would take a table apart). A
line as wide as a text column is never a cell, so a prose line beside a table in the other column stays prose,
and three lines of about 30 characters or more side by side are three columns of text, not a row.
"""

from __future__ import annotations

from collections import Counter

from builders.books.layout import Line, PageText


def tag_page(page: PageText, body_size: float) -> None:
    _tag_figure_text(page.lines, page, body_size)
    _tag_table_rows(page.lines, page.width)


def _tag_table_rows(lines: list[Line], width: float) -> None:
    """Rows of three or more separate cells on one baseline, two rows or more close together, are a table."""
    rows: list[list[Line]] = []
    by_base = sorted((ln for ln in lines if ln.x1 - ln.x0 < 0.3 * width), key=lambda ln: ln.y1)
    start = 0
    for i in range(1, len(by_base) + 1):
        if i == len(by_base) or abs(by_base[i].y1 - by_base[start].y1) > 2:
            cells = by_base[start:i]
            if len(cells) >= 3 and sum(len(c.text) for c in cells) < 30 * len(cells):  # not three text columns
                rows.append(cells)
            start = i
    if len(rows) < 2:
        return
    table = [rows[0]]
    for row in [*rows[1:], None]:
        if row is None or row[0].y1 - table[-1][0].y1 > 30:  # more than 30pt apart: a new table
            if len(table) >= 2:
                for cells in table:
                    for line in cells:
                        line.kind = "table"
            table = [row] if row is not None else []
        else:
            table.append(row)


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
