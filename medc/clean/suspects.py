"""Which lines of a tidy text could ftfy change? A few numpy operations over the text's scan instead of ftfy's
mojibake heuristic on every line.

    >>> text = "plain line\\nthe cafÃ© is open\\n10 µm ± 2 °C\\nAT&amp;T"
    >>> sorted(suspect_lines(text, CharScan(text)))
    [1, 3]

On a tidy line (`layout.py`: no controls, no odd line breaks, no surrogates) ftfy, as `medc.clean` configures
it, only does something when the line has
- an HTML entity (`&amp;`, `&#x2019;`): `ftfy.chardata.HTML_ENTITY_RE`;
- a C1 control character (U+0080-U+009F), which it reads as Windows-1252;
- a match of its mojibake heuristic `ftfy.badness.BADNESS_RE` (without one, `fix_encoding` returns the text
  as it is), or more than `max_decode_length` characters (ftfy would judge the pieces of the line apart).
Anything else it does is Unicode normalization, which `medc.clean` does itself.

`BADNESS_RE` is slow: it tries some 40 alternatives at every character, a few MB/s. Every match of it holds a
clue (`clues.py`: one of a few characters such as `Ã`, or two neighbours such as `é€`); the scan's table marks
the clues, so finding them is a few vectorized operations, and most lines have none. Each clue is then
confirmed by `BADNESS_RE` on the few characters around it, within its line: a line is a suspect exactly when
ftfy's own test matches it (or it has an entity or a C1 control).
"""

from __future__ import annotations

import re

import numpy as np
from ftfy.badness import BADNESS_RE
from ftfy.chardata import HTML_ENTITY_RE

from medc.clean.scan import C1, FIRST, SECOND, SINGLE, CharScan

MAX_DECODE_LENGTH = 1_000_000  # ftfy.TextFixerConfig.max_decode_length, the default medc keeps
_WINDOW = 8  # characters around a clue that BADNESS_RE is run on: its longest match is 7
# `^` in BADNESS_RE means the start of ftfy's segment, a line here.
_BADNESS = re.compile(BADNESS_RE.pattern, BADNESS_RE.flags | re.MULTILINE)


def suspect_lines(text: str, scan: CharScan) -> set[int]:
    """Indices (0-based, in `text.split("\\n")`) of the lines ftfy could change; `scan`: `CharScan(text)`."""
    found = [m.start() for m in HTML_ENTITY_RE.finditer(text)] if "&" in text else []
    found += scan.where(C1).tolist()
    found += _confirmed_clues(text, scan)
    lines = set(scan.lines(np.array(found, dtype=np.int64)).tolist()) if found else set()
    if len(text) > MAX_DECODE_LENGTH:
        bounds = np.concatenate(([-1], scan.newlines, [len(text)]))
        lines.update(np.flatnonzero(np.diff(bounds) - 1 > MAX_DECODE_LENGTH).tolist())
    return lines


def _confirmed_clues(text: str, scan: CharScan) -> list[int]:
    """Positions of single clues and of clue pairs that BADNESS_RE confirms within their line."""
    positions, flags = scan.positions, scan.flags
    adjacent = positions[1:] == positions[:-1] + 1
    pairs = positions[:-1][adjacent & (flags[:-1] & FIRST != 0) & (flags[1:] & SECOND != 0)]
    clues = np.union1d(scan.where(SINGLE), pairs)
    if not clues.size:
        return []
    line = scan.lines(clues)
    bounds = np.concatenate(([-1], scan.newlines, [len(text)]))
    starts, ends = bounds[line] + 1, bounds[line + 1]
    return [
        pos
        for pos, start, end in zip(clues.tolist(), starts.tolist(), ends.tolist(), strict=True)
        if _BADNESS.search(text, max(start, pos - _WINDOW), min(end, pos + 2 + _WINDOW))
    ]
