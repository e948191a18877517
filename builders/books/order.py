"""Reading order of a page for the books builder: a recursive XY-cut over MuPDF's blocks.

A page with a full-width title, two columns of text and a margin note beside the right column,

    [ Title ...................................... ]
    [ left 1 ]  [ right 1 ]  [note]
    [ left 2 ]  [ right 2 ]

is cut where no block crosses: the title (it crosses the gutters) is a band of its own; below it, the columns
and the note are cut apart at their gutters, and each column reads top down. The result is runs of lines:
`[title]`, `[left 1, left 2]`, `[right 1, right 2]`, `[note]`, the note flagged as an aside (a column much
narrower than the one holding most of the page's text), which `text.ParagraphFlow` keeps whole and out of the
paragraph it sits beside.

Cutting blocks, not single lines, keeps a sidebar, a pull quote or a margin note whole: their lines never
interleave with the body's. The cut costs O(n log n) in the blocks of the page at each level.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from builders.books.layout import Line, PageText

_SPLIT_GAP = 6.0  # points between the columns of one block: wider than any space between words on a line


@dataclass(slots=True)
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float
    lines: list[Line] = field(default_factory=list)


@dataclass(slots=True)
class Run:
    lines: list[Line]
    aside: bool = False  # a margin note or sidebar column: kept apart from the body's paragraphs


def reading_order(page: PageText, body_size: float) -> list[Run]:
    """The page's lines as runs in reading order (see the module docstring)."""
    boxes = _boxes(page.lines)
    if not boxes:
        return []
    groups = _cut(boxes, max(3.0, 0.4 * body_size))
    widths = [max(b.x1 for b in group) - min(b.x0 for b in group) for group in groups]
    chars = [sum(len(line.text) for box in group for line in box.lines) for group in groups]
    main = widths[chars.index(max(chars))]  # the width of the column that holds most of the text
    return [
        Run([line for box in sorted(group, key=_top) for line in box.lines], len(groups) > 1 and w < 0.6 * main)
        for group, w in zip(groups, widths, strict=True)
    ]


def _left(box: _Box) -> float:
    return box.x0


def _right(box: _Box) -> float:
    return box.x1


def _top(box: _Box) -> tuple[float, float]:
    return (box.y0, box.x0)


def _boxes(lines: list[Line]) -> list[_Box]:
    by_block: dict[int, _Box] = {}
    for line in lines:  # top down, as extract_page leaves them
        box = by_block.get(line.block)
        if box is None:
            by_block[line.block] = _Box(line.x0, line.y0, line.x1, line.y1, [line])
        else:
            if line.x0 < box.x0:
                box.x0 = line.x0
            if line.y0 < box.y0:
                box.y0 = line.y0
            if line.x1 > box.x1:
                box.x1 = line.x1
            if line.y1 > box.y1:
                box.y1 = line.y1
            box.lines.append(line)
    return [part for box in by_block.values() for part in _split_box(box)]


def _split_box(box: _Box) -> list[_Box]:
    """A block whose lines stand in two columns with a gap between them (MuPDF put a body line and the margin
    note level with it in one block, as LaTeX's sidenotes come out) as one box per column."""
    if len(box.lines) < 2 or max(ln.x0 for ln in box.lines) - min(ln.x1 for ln in box.lines) < _SPLIT_GAP:
        return [box]  # no line starts clear of another's end: one column (most blocks; no sort needed)
    ordered = sorted(box.lines, key=lambda ln: ln.x0)
    groups, reach = [[ordered[0]]], ordered[0].x1
    for line in ordered[1:]:
        if line.x0 - reach >= _SPLIT_GAP:
            groups.append([line])
        else:
            groups[-1].append(line)
        reach = max(reach, line.x1)
    if len(groups) == 1:
        return [box]
    out = []
    for group in groups:
        group.sort(key=lambda ln: (ln.y0, ln.x0))
        out.append(
            _Box(
                min(ln.x0 for ln in group),
                min(ln.y0 for ln in group),
                max(ln.x1 for ln in group),
                max(ln.y1 for ln in group),
                group,
            )
        )
    return out


def _cut(boxes: list[_Box], min_gap: float) -> list[list[_Box]]:
    """Groups of boxes, each read top down, in reading order."""
    if len(boxes) == 1:
        return [boxes]
    columns = _columns(boxes, min_gap)
    if columns is not None:
        return [group for column in columns for group in _cut(column, min_gap)]
    bands = _bands_around_crossing(boxes, min_gap)
    if bands is not None:
        out: list[list[_Box]] = []
        for band in bands:
            out.extend(_cut(band, min_gap) if len(band) > 1 else [band])
        return _merge_single_columns(out, bands)
    return [boxes]


def _columns(boxes: list[_Box], min_gap: float) -> list[list[_Box]] | None:
    """The boxes split at every vertical gap no box crosses, left to right; None without such a gap."""
    ordered = sorted(boxes, key=_left)
    columns = [[ordered[0]]]
    reach = ordered[0].x1
    for box in ordered[1:]:
        if box.x0 - reach >= min_gap:
            columns.append([box])
        else:
            columns[-1].append(box)
        reach = max(reach, box.x1)
    return columns if len(columns) > 1 else None


def _bands_around_crossing(boxes: list[_Box], min_gap: float) -> list[list[_Box]] | None:
    """Where a gutter is crossed by a few wide boxes only (headings, figures, a paragraph across both columns):
    the boxes above, each crossing box, the boxes between, ... in top-down bands; None without such a gutter."""
    gutter = _least_crossed_gutter(boxes, min_gap)
    if gutter is None:
        return None
    g0, g1 = gutter
    left, right = min(b.x0 for b in boxes), max(b.x1 for b in boxes)
    crossing = [b for b in boxes if b.x0 < g1 and b.x1 > g0]
    if len(crossing) > len(boxes) // 2 or any(b.x1 - b.x0 < 0.45 * (right - left) for b in crossing):
        return None
    crossing.sort(key=_top)
    ids = {id(b) for b in crossing}
    middles = [(c.y0 + c.y1) / 2 for c in crossing]
    bands: list[list[_Box]] = [[] for _ in range(2 * len(crossing) + 1)]
    for box in boxes:
        if id(box) not in ids:
            middle = (box.y0 + box.y1) / 2
            bands[2 * sum(1 for m in middles if m < middle)].append(box)
    for i, box in enumerate(crossing):
        bands[2 * i + 1] = [box]
    return [band for band in bands if band]


def _least_crossed_gutter(boxes: list[_Box], min_gap: float) -> tuple[float, float] | None:
    """The x interval (at least `min_gap` wide, with a box wholly on each side) that the fewest boxes cover."""
    events = sorted([(b.x0, 1) for b in boxes] + [(b.x1, -1) for b in boxes])
    first_end = min(b.x1 for b in boxes)  # some box lies wholly left of x from here on
    last_start = max(b.x0 for b in boxes)  # ... and wholly right of x up to here
    depth, best, best_depth = 0, None, len(boxes)
    for (x, step), (nxt, _) in itertools.pairwise(events):
        depth += step
        if nxt - x >= min_gap and x >= first_end and nxt <= last_start and depth < best_depth:
            best, best_depth = (x, nxt), depth
    return best


def _merge_single_columns(groups: list[list[_Box]], bands: list[list[_Box]]) -> list[list[_Box]]:
    """Bands that are one column of text each, one after another, are one group: a crossing paragraph between
    two stretches of single-column text is just more of that text."""
    if len(groups) != len(bands):
        return groups
    out = [groups[0]]
    for group in groups[1:]:
        prev = out[-1]
        if min(b.x0 for b in group) < max(b.x1 for b in prev) and max(b.x1 for b in group) > min(b.x0 for b in prev):
            prev.extend(group)
        else:
            out.append(group)
    return out
