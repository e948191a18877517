"""Running headers, footers and page numbers for the books builder, found across the whole book.

    page 12: "12    Clinical Notes"  (top, 8 pt)      page 13: "Cardiac Physiology    13"  (top, 8 pt)
             "Example Press · page 12" (bottom)               "Example Press · page 13" (bottom)

Lines in the top or bottom band of a page are compared across pages with their digits masked (`#    clinical
notes`). A line goes only with two kinds of evidence: it repeats on nearby pages, and it either stands where its
repeats stand (the same height on the page) or is set in another font size than the body text. So a body line that
happens to hold the page number (`the dose was raised to 5 mg` on printed page 5) stays, and so does a section
heading that opens three pages far apart. Every removal is counted on its page (`books.running_header`).
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Iterable

from builders.books.layout import Line, PageText

_PAGE_NUMBER = re.compile(r"\W*(?:page\s+)?(?:\d{1,4}|[ivxlcdm]{1,7})(?:\s*(?:of|/)\s*\d{1,4})?\W*", re.I)
_DIGITS = re.compile(r"\d+|\b[ivxlcdm]{1,7}\b")
_NUMBER = re.compile(r"(?<![\w.,])\d{1,4}(?!\w|[.,]\d)")  # a number standing alone: not `Style1`, `H2O`


def _edge_lines(page: PageText, band: float) -> Iterable[tuple[str, Line]]:
    top, bottom = page.height * band, page.height * (1 - band)
    for line in page.lines:
        if line.y1 <= top:
            yield "top", line
        elif line.y0 >= bottom:
            yield "bottom", line


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.fullmatch(text))


def mark_running_lines(pages: list[PageText], band: float, min_repeats: int, body_size: float) -> int:
    """Remove running headers, footers and page numbers from the top and bottom `band` of the pages: a line
    whose text with digits masked repeats on nearby pages (within two pages of each other, as recto and verso
    headers alternate) on `min_repeats` pages, or on 2 when the numbers in it differ (`12  Clinical Notes` /
    `14  Clinical Notes`) or it is set smaller than body text; and that either sits at the height of its
    repeats or is set in another size than the body. Returns how many lines were removed."""
    seen: dict[tuple, list[tuple[int, Line]]] = defaultdict(list)
    numbers: dict[tuple, set[str]] = defaultdict(set)
    for page in pages:
        for edge, line in _edge_lines(page, band):
            key = (edge, round(line.size), _DIGITS.sub("#", line.text.lower()))
            seen[key].append((page.index, line))
            numbers[key].add(" ".join(_DIGITS.findall(line.text.lower())))
    heights = {page.index: page.height for page in pages}
    shapes = {page.index: (round(page.width), round(page.height)) for page in pages}
    doomed: set[int] = set()
    lone: list[tuple[int, Line]] = []
    confirmed: dict[tuple[int, str], set[tuple[int, int]]] = {}  # (size, text) → the page sizes it stands on
    for key, hits in seen.items():
        if len(hits) < 2:
            continue
        varies = len(numbers[key]) > 1 and "#" in key[2]
        other_font = abs(key[1] - body_size) > 0.5
        placed = hits if other_font else _in_place(hits, heights)
        near = _pages_near_another({index for index, _ in placed})
        if near >= min_repeats or ((varies or key[1] < body_size - 0.5) and near >= 2):
            doomed.update(id(line) for _, line in placed)
            if near >= min_repeats and len(key[2]) >= 8:
                confirmed[key[1:]] = {shapes[index] for index, _ in placed}
        elif other_font:
            lone.extend(hits)
    lone.extend(hits[0] for key, hits in seen.items() if len(hits) == 1 and abs(key[1] - body_size) > 0.5)
    doomed.update(id(line) for line in _numbered_in_header_slots(lone, seen, heights, doomed))
    doomed.update(id(line) for line in _strays(pages, band, confirmed, shapes))
    _remove(pages, doomed)
    return len(doomed)


def _remove(pages: list[PageText], doomed: set[int]) -> None:
    for page in pages:
        kept = [line for line in page.lines if id(line) not in doomed]
        if len(kept) != len(page.lines):
            chars = sum(len(ln.text) for ln in page.lines) - sum(len(ln.text) for ln in kept)
            page.removed.add("books.running_header", chars, len(page.lines) - len(kept))
            page.lines = kept


def _strays(pages: list[PageText], band: float, confirmed: dict, shapes: dict[int, tuple[int, int]]) -> list[Line]:
    """A running line that many pages carry in their band, found a little further in on a page of another size
    (a landscape table's page, on which a preprint server's stamp stands lower): same text, same size."""
    if not confirmed:
        return []
    out = []
    for page in pages:
        if all(shapes[page.index] in sizes for sizes in confirmed.values()):
            continue
        top, bottom = page.height * band, page.height * (1 - band)
        reach_top, reach_bottom = page.height * 2.5 * band, page.height * (1 - 2.5 * band)
        for line in page.lines:
            if top < line.y1 <= reach_top or reach_bottom <= line.y0 < bottom:
                sizes = confirmed.get((round(line.size), _DIGITS.sub("#", line.text.lower())))
                if sizes is not None and shapes[page.index] not in sizes:
                    out.append(line)
    return out


def _numbered_in_header_slots(lone, seen, heights, doomed: set[int]) -> list[Line]:
    """Lines not set in body type that hold their page's printed number, at a height where such lines or removed
    headers stand on other pages too (`1 The Heart  5` and `6  Clinical Notes` on the only two pages of a
    chapter that have headers): the text does not repeat, but the place, the font and the page number do."""
    offset = _page_number_offset(seen)
    if offset is None:
        return []
    numbered = [
        (index, line)
        for index, line in lone
        if len(line.text) < 120 and str(index + offset) in _NUMBER.findall(line.text)
    ]
    slots: dict[tuple, list[float]] = defaultdict(list)
    for (edge, size, _), hits in seen.items():
        slots[(edge, size)].extend(line.y0 for _, line in hits if id(line) in doomed)
    for index, line in numbered:
        slots[(_edge(line, heights[index]), round(line.size))].append(line.y0)
    out = []
    for index, line in numbered:
        tolerance = max(3.0, 0.015 * heights[index])
        ys = slots[(_edge(line, heights[index]), round(line.size))]
        if sum(1 for y in ys if abs(y - line.y0) <= tolerance) >= 2:  # itself and one more
            out.append(line)
    return out


def _edge(line: Line, height: float) -> str:
    return "top" if line.y1 <= height / 2 else "bottom"


def _page_number_offset(seen: dict[tuple, list[tuple[int, Line]]]) -> int | None:
    """printed page number - page index, when at least two pages agree on it."""
    votes: dict[int, set[int]] = defaultdict(set)
    for hits in seen.values():
        for index, line in hits:
            for number in _NUMBER.findall(line.text):
                votes[int(number) - index].add(index)
    if not votes:
        return None
    best = max(votes, key=lambda k: len(votes[k]))
    return best if len(votes[best]) >= 2 else None


def _in_place(hits: list[tuple[int, Line]], heights: dict[int, float]) -> list[tuple[int, Line]]:
    """The hits at the usual height of their line (within 1.5% of the page height, or 3 points)."""
    middle = statistics.median(line.y0 for _, line in hits)
    return [(i, line) for i, line in hits if abs(line.y0 - middle) <= max(3.0, 0.015 * heights[i])]


def _pages_near_another(indices: set[int]) -> int:
    return sum(1 for i in indices if i - 1 in indices or i - 2 in indices or i + 1 in indices or i + 2 in indices)
