"""Broken text layers for the books builder: printed lines put back together, words rebuilt from glyph positions.

Some PDFs place every word on its own. An Elsevier layout draws each space between words as a tiny mirrored
glyph, and MuPDF then starts a new line at every word:

    Line("Industrial", x0=59, y1=75)  Line("l-asparaginase", x0=101, y1=75)  Line("production", x0=162, y1=75)
    → Line("Industrial l-asparaginase production", x0=59, y1=75)

(`merge_fragments`: pieces on one baseline less than an em apart are one line; a gap wider than a thin space is a
space between words). OCR layers come word by word too, with the wide spaces of justified print between them,
and an old TeX preprint comes a letter or a syllable per line (`a`, `v`, `ailable`): joined where they touch.

Letter-spaced text reads as letters with spaces among them (`T H E P U B L I C`, `b r a z i l i a n`):
`rebuild_words` sets the spaces again from the glyph positions of `rawdict`, measured against the page's own
letter spacing. A page that still reads as letters after that, or whose rebuilt words are not words, is
unreadable and the caller drops it (`broken_text_layer`): such text is never kept.
"""

from __future__ import annotations

import itertools
import re
import statistics

from builders.books.layout import FILLED_OR_STROKED, Line, top_down

# Three single letters in a row, on lines that each start with a space: a literal first character lets the regex
# engine skip ahead, three times as fast as a look-behind for the start of a word
_LETTER_RUN = re.compile(r" [^\W\d_] [^\W\d_] [^\W\d_](?!\S)")


def has_fragments(lines: list[Line]) -> bool:
    """Whether some of a page's lines share a baseline (columns, table cells, or words placed one by one)."""
    return len(lines) > len({round(line.y1) for line in lines})


def merge_fragments(lines: list[Line], max_gap: float = 0.85) -> list[Line]:
    """Lines on one baseline less than `max_gap` ems apart, joined left to right (with a space where the gap is
    wider than a thin space). Below an em: LaTeX's two columns stand one em apart at 10 pt."""
    rows: list[tuple[float, list[Line]]] = []
    for line in sorted(lines, key=lambda ln: ln.y0 + ln.y1):
        middle = (line.y0 + line.y1) / 2
        if rows and abs(middle - rows[-1][0]) <= 0.35 * line.size:
            rows[-1][1].append(line)
        else:
            rows.append((middle, [line]))
    out = []
    joined = False
    for _, row in rows:
        if len(row) == 1:  # most lines have their baseline to themselves
            out.append(row[0])
            continue
        row.sort(key=lambda ln: ln.x0)
        current = row[0]
        for piece in row[1:]:
            gap, size = piece.x0 - current.x1, max(current.size, piece.size)
            if -0.5 * size <= gap <= max_gap * size:
                current = _joined(current, piece, " " if gap > 0.12 * size else "")
                joined = True
            else:
                out.append(current)
                current = piece
        out.append(current)
    if not joined:  # columns side by side, nothing to join: the lines as they came (sorted already, mostly)
        return sorted(lines, key=top_down)
    out.sort(key=top_down)
    return out


def _joined(a: Line, b: Line, space: str) -> Line:
    size, bold = (a.size, a.bold) if len(a.text) >= len(b.text) else (b.size, b.bold)
    return Line(a.text + space + b.text, a.x0, min(a.y0, b.y0), b.x1, max(a.y1, b.y1), size, bold, a.block, a.kind)


def letter_share(lines: list[Line]) -> float:
    """Share of words that stand in runs of three or more single letters (`b r a z i l`, `T H E`): near 0 in
    running text, and in tables of symbols (`p b`, `t d`) and initials (`E. Y.`); most of the words of letter-
    spaced or wrongly spaced text. 0 for a page of fewer than 40 words."""
    if not _LETTER_RUN.search(" " + "\n ".join([line.text for line in lines])):  # the common case, at C speed
        return 0.0
    total = spaced = 0
    for line in lines:
        run = 0
        for word in line.text.split():
            total += 1
            if len(word) == 1 and word.isalpha():
                run += 1
                spaced += 3 if run == 3 else 1 if run > 3 else 0
            else:
                run = 0
    return spaced / total if total >= 40 else 0.0


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
