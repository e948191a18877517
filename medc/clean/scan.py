"""Where a text's control and non-ASCII characters are, found in one numpy pass over its UTF-8 bytes.

    >>> scan = CharScan("naïve\\tcafé\\n10 µm’s")
    >>> scan.positions.tolist(), [chr(c) for c in scan.codes], scan.newlines.tolist()
    ([2, 9, 14, 16], ['ï', 'é', 'µ', '’'], [10])
    >>> scan.has(QUOTE), scan.has(LAYOUT), scan.lines(scan.positions).tolist()
    (True, False, [0, 0, 1, 1])

Most characters of a text are ASCII letters, digits and spaces, and every rule of `medc.clean` is about the
others. A regex over a big character class visits every character at a few hundred MB/s at best, once per
rule; this scan finds all the rare characters at once (bytes below 0x20 and UTF-8 lead bytes, by one numpy
comparison), decodes their code points and looks up what each is in one table (`flags`). A text's rules then
ask the scan (`has`), and only the few positions it lists are looked at in Python.
"""

from __future__ import annotations

import functools

import numpy as np
from ftfy.chardata import LIGATURES

from medc.clean.clues import mojibake_clues
from medc.clean.layout import LAYOUT_CHARACTERS

LAYOUT, C1, LIGATURE, QUOTE = 1, 2, 4, 8  # kinds of character (bits of `CharScan.flags`)
SINGLE, FIRST, SECOND = 16, 32, 64  # clues to mojibake (medc.clean.suspects)
QUOTES = "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f"
ASTRAL = 0x10000  # one row of the table stands for every character beyond the BMP (none is of any kind)
_ASCII_CONTROLS = [c for c in LAYOUT_CHARACTERS if c < "\x80"]


class CharScan:
    """Positions (character offsets) and code points of a text's non-ASCII characters; positions of its
    newlines; whether it has ASCII control characters other than tab and newline."""

    __slots__ = ("codes", "controls", "data", "flags", "newline_bytes", "newlines", "positions")

    def __init__(self, text: str) -> None:
        data = self.data = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
        # (byte - 32) mod 256 >= 160: the bytes below 0x20 and the lead bytes of non-ASCII characters (>= 0xC0)
        offsets = np.flatnonzero(data - np.uint8(32) >= 160)
        first = data[offsets].astype(np.uint32)
        lead = first >= 0xC0
        extra = np.where(lead, 1 + (first >= 0xE0) + (first >= 0xF0), 0)  # bytes after the first
        positions = offsets - (np.cumsum(extra) - extra)  # a character of n bytes moves the next ones n - 1 back
        low = ~lead
        newline = low & (first == 0x0A)
        self.newlines, self.newline_bytes = positions[newline], offsets[newline]
        self.controls = bool(np.count_nonzero(low & (first != 0x0A) & (first != 0x09))) or "\x7f" in text
        self.positions = positions[lead]
        self.codes = _code_points(data, offsets[lead], first[lead])
        self.flags = table()[np.minimum(self.codes, ASTRAL)]

    def has(self, kind: int) -> bool:
        """Whether some character is of `kind` (LAYOUT counts ASCII controls too)."""
        return bool(np.any(self.flags & kind)) or (kind == LAYOUT and self.controls)

    def where(self, kind: int) -> np.ndarray:
        """Positions of the non-ASCII characters of `kind`."""
        return self.positions[self.flags & kind != 0]

    def lines(self, positions: np.ndarray) -> np.ndarray:
        """The line index (0-based) of each position."""
        return np.searchsorted(self.newlines, positions)

    def layout_characters(self, text: str) -> set[str]:
        """The layout characters (`medc.clean.layout`) of the scanned `text`."""
        found = {chr(c) for c in np.unique(self.codes[self.flags & LAYOUT != 0]).tolist()}
        if self.controls:
            found.update(c for c in _ASCII_CONTROLS if c in text)
        return found

    def spacing(self) -> tuple[bool, bool]:
        """(two spaces in a row somewhere, a space or tab just before some newline): whether the space rules of
        `layout.tidy_spaces` have anything to do, at numpy speed (`"  " in text` is slow on prose, where every
        space is a partial match)."""
        data = self.data
        doubled = bool(np.count_nonzero((data[1:] == 32) & (data[:-1] == 32)))
        before = data[self.newline_bytes[self.newline_bytes > 0] - 1]
        return doubled, bool(np.count_nonzero((before == 32) | (before == 9)))

    def without(self, kind: int) -> CharScan:
        """The scan of the text once every character of `kind` was replaced by one ASCII character."""
        keep = self.flags & kind == 0
        scan = object.__new__(CharScan)
        scan.positions, scan.codes, scan.flags = self.positions[keep], self.codes[keep], self.flags[keep]
        scan.newlines, scan.controls = self.newlines, self.controls
        scan.data = scan.newline_bytes = None  # of another text: the replaced characters had other lengths
        return scan


def _code_points(data: np.ndarray, offsets: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Code points of the UTF-8 characters starting at `offsets` (lead bytes `first`); ASTRAL beyond the BMP."""
    last = len(data) - 1
    second = data[np.minimum(offsets + 1, last)].astype(np.uint32) & 0x3F
    third = data[np.minimum(offsets + 2, last)].astype(np.uint32) & 0x3F
    two_bytes = ((first & 0x1F) << 6) | second
    three_bytes = ((first & 0x0F) << 12) | (second << 6) | third
    return np.where(first < 0xE0, two_bytes, np.where(first < 0xF0, three_bytes, ASTRAL))


@functools.cache
def table() -> np.ndarray:
    """The kinds of every BMP character (and of ASTRAL): a uint8 of bits."""
    kinds = np.zeros(ASTRAL + 1, dtype=np.uint8)
    singles, firsts, seconds = mojibake_clues()
    for chars, kind in [
        (LAYOUT_CHARACTERS, LAYOUT),
        ([chr(c) for c in range(0x80, 0xA0)], C1),
        ([chr(c) for c in LIGATURES], LIGATURE),
        (QUOTES, QUOTE),
        (singles, SINGLE),
        (firsts, FIRST),
        (seconds, SECOND),
    ]:
        codes = [ord(c) for c in chars if c > "\x7f"]
        if codes and max(codes) >= ASTRAL:
            raise ValueError(f"a character beyond the BMP in kind {kind}: extend the table")
        kinds[codes] |= kind
    return kinds
