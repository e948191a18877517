"""Running headers, footers and page numbers for the books builder, found across the whole book.

    page 12: "12    Clinical Notes"  (top)      page 13: "Cardiac Physiology    13"  (top)
             "Example Press · page 12" (bottom)          "Example Press · page 13" (bottom)

Lines in the top or bottom band of a page are compared across pages with their digits masked (`#    clinical
notes`): what repeats on nearby pages is a header or footer, whatever its page number. A header that appears on a
single page is still caught when it carries the printed page number, once other pages show how printed numbers
relate to page positions.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from builders.books_layout import Line, PageText

_PAGE_NUMBER = re.compile(r"\W*(?:page\s+)?(?:\d{1,4}|[ivxlcdm]{1,7})(?:\s*(?:of|/)\s*\d{1,4})?\W*", re.I)
_DIGITS = re.compile(r"\d+|\b[ivxlcdm]{1,7}\b")
_NUMBER = re.compile(r"(?<![\d.,])\d{1,4}(?![\d.,]\d)")


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
    """Remove running headers, footers and page numbers from lines in the top or bottom `band` of the page:

    - a line that is a page number (`12`, `xiv`, `Page 3 of 40`);
    - a line whose text with digits masked repeats on nearby pages (within two pages of each other, as recto
      and verso headers alternate): on `min_repeats` pages, or on 2 when the numbers in it differ (`12  Clinical
      Notes` / `14  Clinical Notes`) or it is smaller than body text. A section heading that happens to open
      three pages far apart in the book is not a header;
    - a short line holding the printed page number, once two pages or more show where printed numbers stand
      against page positions (`1 The Heart  5` on the only page of a chapter that has a header).

    Returns how many lines were removed."""
    seen: dict[tuple, list[tuple[int, Line]]] = defaultdict(list)
    numbers: dict[tuple, set[str]] = defaultdict(set)
    for page in pages:
        for edge, line in _edge_lines(page, band):
            key = (edge, round(line.size), _DIGITS.sub("#", line.text.lower()))
            seen[key].append((page.index, line))
            numbers[key].add(" ".join(_DIGITS.findall(line.text.lower())))
    offset = _page_number_offset(seen)
    doomed: set[int] = set()
    for key, hits in seen.items():
        near = _pages_near_another({index for index, _ in hits})
        easy = (len(numbers[key]) > 1 and "#" in key[2]) or key[1] < body_size - 0.5
        if near >= min_repeats or (easy and near >= 2):
            doomed.update(id(line) for _, line in hits)
        else:
            doomed.update(
                id(line)
                for i, line in hits
                if is_page_number(line.text) or _has_number(line, None if offset is None else i + offset)
            )
    for page in pages:
        page.lines = [line for line in page.lines if id(line) not in doomed]
    return len(doomed)


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


def _has_number(line: Line, number: int | None) -> bool:
    return number is not None and len(line.text) < 120 and str(number) in _NUMBER.findall(line.text)


def _pages_near_another(indices: set[int]) -> int:
    return sum(1 for i in indices if i - 1 in indices or i - 2 in indices or i + 1 in indices or i + 2 in indices)
