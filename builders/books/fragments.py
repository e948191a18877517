"""Broken text layers for the books builder: printed lines put back together, words rebuilt from glyph positions.

Some PDFs place every word on its own. An Elsevier layout draws each space between words as a tiny mirrored
glyph, and MuPDF then starts a new line at every word:

    Line("Industrial", x0=59, y1=75)  Line("l-asparaginase", x0=101, y1=75)  Line("production", x0=162, y1=75)
    → Line("Industrial l-asparaginase production", x0=59, y1=75)

(`merge_fragments`: pieces on one baseline less than an em apart are one line; a gap wider than a thin space is a
space between words). Letter-spaced text, or a TeX preprint whose glyph widths are wrong, reads as letters with
spaces among them (`a v ailable`, `b r a z i l i a n`): `rebuild_words` sets the spaces again from the glyph
positions of `rawdict`, measured against the page's own letter spacing. A page that still reads as letters after
that is unreadable, and the caller drops it (`broken_text_layer`): such text is never kept.
"""

from __future__ import annotations

import itertools
import re
import statistics

from builders.books.layout import FILLED_OR_STROKED, Line, top_down

_TOKEN = re.compile(r"[^\W\d_]+")


def has_fragments(lines: list[Line]) -> bool:
    """Whether a page's lines look like words placed one by one: many more lines than baselines."""
    if len(lines) < 8:
        return False
    return len(lines) > 2.5 * len({round(line.y1) for line in lines})


def merge_fragments(lines: list[Line]) -> list[Line]:
    """Lines on one baseline that nearly touch, joined left to right (with a space where the gap is one)."""
    rows: list[tuple[float, list[Line]]] = []
    for line in sorted(lines, key=lambda ln: ln.y0 + ln.y1):
        middle = (line.y0 + line.y1) / 2
        if rows and abs(middle - rows[-1][0]) <= 0.35 * line.size:
            rows[-1][1].append(line)
        else:
            rows.append((middle, [line]))
    out = []
    for _, row in rows:
        row.sort(key=lambda ln: ln.x0)
        current = row[0]
        for piece in row[1:]:
            gap, size = piece.x0 - current.x1, max(current.size, piece.size)
            if -0.5 * size <= gap <= 0.8 * size:
                current = _joined(current, piece, " " if gap > 0.12 * size else "")
            else:
                out.append(current)
                current = piece
        out.append(current)
    out.sort(key=top_down)
    return out


def _joined(a: Line, b: Line, space: str) -> Line:
    size, bold = (a.size, a.bold) if len(a.text) >= len(b.text) else (b.size, b.bold)
    return Line(a.text + space + b.text, a.x0, min(a.y0, b.y0), b.x1, max(a.y1, b.y1), size, bold, a.block, a.kind)


def letter_share(lines: list[Line]) -> float:
    """Share of words that are single letters other than `a`, `A` and `I`: about 0.01 in running text, most
    of the words in letter-spaced or wrongly spaced text. 0 for a page of fewer than 40 words."""
    words = [w for line in lines for w in _TOKEN.findall(line.text)]
    if len(words) < 40:
        return 0.0
    return sum(1 for w in words if len(w) == 1 and w not in "aAI") / len(words)


def rebuild_words(page, flags: int) -> list[Line]:
    """The page's lines again, with spaces set from glyph positions (`rawdict`): a space where the gap between
    two glyphs exceeds the page's usual gap between letters by more than a fifth of the font size."""
    content = page.get_text("rawdict", flags=flags)
    lines = []
    gaps: list[float] = []
    for number, block in enumerate(content["blocks"]):
        for line in block.get("lines", ()):
            if line["dir"] != (1.0, 0.0):
                continue
            shown = [
                (c["c"], c["bbox"], span["size"])
                for span in line["spans"]
                if span.get("char_flags", FILLED_OR_STROKED) & FILLED_OR_STROKED  # visible glyphs only
                for c in span["chars"]
                if not c["c"].isspace()
            ]
            if not shown:
                continue
            glyphs = [(box, size) for _, box, size in shown]
            chars = [char for char, _, _ in shown]
            gaps.extend(b[0][0] - a[0][2] for a, b in itertools.pairwise(glyphs))
            lines.append((number, glyphs, chars))
    letter_gap = statistics.median(gaps) if gaps else 0.0
    return [_spaced_line(number, glyphs, chars, letter_gap) for number, glyphs, chars in lines]


def _spaced_line(block: int, glyphs: list, chars: list[str], letter_gap: float) -> Line:
    size = max(size for _, size in glyphs)
    parts = [chars[0]]
    for (a, _), (b, _), char in zip(glyphs, glyphs[1:], chars[1:], strict=False):
        if b[0] - a[2] > letter_gap + 0.2 * size:
            parts.append(" ")
        parts.append(char)
    x0 = min(box[0] for box, _ in glyphs)
    y0 = min(box[1] for box, _ in glyphs)
    x1 = max(box[2] for box, _ in glyphs)
    y1 = max(box[3] for box, _ in glyphs)
    return Line("".join(parts), x0, y0, x1, y1, size, False, block)
