"""One round of the repairs other than ftfy (step 2 of `medc.clean`) over a whole text, guided by its scan.

    >>> text = "It’s the ﬁrst\\nplain line"
    >>> repaired, scan = text_pass(text, CharScan(text), CleanConfig())
    >>> repaired, scan.positions.tolist()
    ("It's the first\\nplain line", [])

C1 controls deleted, Unicode normalization, ligatures, curly quotes, then layout again: `repair.py`'s recipe
without ftfy, for the lines where ftfy would only have normalized. Each step asks the scan whether the text
has anything for it, so a round over a clean text is a few numpy calls. The result comes with its own scan:
when only quotes were replaced (one ASCII character for one, the usual case) it is the old scan without them,
otherwise a new one.
"""

from __future__ import annotations

import functools
import unicodedata

import numpy as np

from medc.clean.config import CleanConfig
from medc.clean.layout import tidy
from medc.clean.repair import LIGATURE_TEXTS, QUOTE_TEXTS, replace_all
from medc.clean.scan import ASTRAL, C1, LAYOUT, LIGATURE, QUOTE, CharScan


def strip_c1(text: str, scan: CharScan) -> tuple[str, CharScan]:
    """C1 control characters deleted (ftfy, which reads them as clues, has had its turn)."""
    if not scan.has(C1):
        return text, scan
    for code in np.unique(scan.codes[scan.flags & C1 != 0]).tolist():
        text = text.replace(chr(code), "")
    return text, CharScan(text)


def normalize(text: str, scan: CharScan, form: str) -> tuple[str, CharScan]:
    """Unicode normalization, line by line and only where needed: `unicodedata.is_normalized` answers fast
    for a line, but falls back to a full normalization on a whole text with a single combining mark. Only the
    lines with a character that normalization may change are asked (`may_change`): µ, ±, α or – alone never
    make a line change."""
    lines = None
    for i in np.unique(scan.lines(scan.positions[may_change(form)[scan.codes]])).tolist():
        lines = lines or text.split("\n")
        if not unicodedata.is_normalized(form, lines[i]):
            lines[i] = unicodedata.normalize(form, lines[i])
    if lines is None:
        return text, scan
    normalized = "\n".join(lines)
    return (text, scan) if normalized == text else (normalized, CharScan(normalized))


@functools.cache
def may_change(form: str) -> np.ndarray:
    """For every BMP code point (and ASTRAL, standing for all others): whether a line holding it might not be
    in normal form `form`. A line whose characters all are starters (combining class 0), in normal form on
    their own, and never the second character of a canonical composition is in normal form as a whole: there
    is nothing to decompose, reorder or compose (Unicode's quick check answers YES for it). Building this
    costs about 50 ms, once per process and form."""
    seconds = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # Hangul vowels and trailing consonants
    for code in [*range(0x80, 0x20000), *range(0x2F800, 0x2FA20)]:
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(int(parts[1], 16))
    table = np.ones(ASTRAL + 1, dtype=bool)
    table[:0x80] = False
    for code in range(0x80, ASTRAL):
        char = chr(code)
        if code not in seconds and not unicodedata.combining(char) and unicodedata.is_normalized(form, char):
            table[code] = False
    return table


def text_pass(text: str, scan: CharScan, config: CleanConfig) -> tuple[str, CharScan]:
    """C1 controls, normalization, ligatures, quotes and layout, over `text` (described by `scan`)."""
    stripped, stripped_scan = strip_c1(text, scan)
    normalized, normalized_scan = normalize(stripped, stripped_scan, config.normalization)
    return finish_pass(normalized, normalized_scan, config, changed=normalized is not text)


def finish_pass(text: str, scan: CharScan, config: CleanConfig, changed: bool) -> tuple[str, CharScan]:
    """Ligatures, quotes, then layout if an earlier step changed more than quotes."""
    if config.fix_ligatures and scan.has(LIGATURE):
        text, changed = replace_all(text, LIGATURE_TEXTS), True
    if config.uncurl_quotes and scan.has(QUOTE):
        text, scan = replace_all(text, QUOTE_TEXTS), scan.without(QUOTE)
    if not changed:  # quotes become ASCII quotes: no new spaces, no layout characters
        return text, scan
    scan = CharScan(text)
    tidied = tidy(text, scan.layout_characters(text) if scan.has(LAYOUT) else set())
    return (text, scan) if tidied == text else (tidied, CharScan(tidied))
