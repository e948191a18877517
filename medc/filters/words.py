"""A document's lowercased UTF-8 bytes, made once, and the word counts the filters take from them, in numpy.

    >>> lowered = LoweredText.of("The cat, of  dog\\nÀS 123 “the”")
    >>> lowered.data
    b'the cat, of  dog\\n\\xc3\\xa0s 123 \\xe2\\x80\\x9cthe\\xe2\\x80\\x9d'
    >>> word_counts(lowered, WordSet(["the", "of", "às"]))
    WordCounts(words=7, whitespace=7, letters=16, stopwords=4)

`measure_quality` needs the words of `text.split()`, their non-space characters, the letters, and the words
that are function words once lowercased and stripped of punctuation; the MinHash of `medc.dedup` needs the
same lowercased text as bytes. Splitting and counting 6,000 words in Python costs about a millisecond an
article; here each count is a few branch-free vectorized passes over the bytes, and gives exactly the numbers
of the definitions in `measures.py` (a hypothesis test compares them on texts with every kind of whitespace,
İ and the Kelvin sign).

The few non-ASCII characters are decoded from their lead bytes and looked up in a table of what matters about
them (a letter, whitespace, punctuation that `str.strip` removes, changed by `lower()`), built once per
process from Python's own `str` methods. Characters beyond the BMP (mathematical letters, emoji) are rare and
are asked one by one.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

ALPHA, SPACE, PUNCT, LOWERS = 1, 2, 4, 8  # bits of `char_table()`
# What `str.strip` removes around a word before it is compared with the function words.
PUNCTUATION = string.punctuation + "“”‘’«»–—…"
_BMP = 0x10000
_PAD = bytes(8)  # after the text, so that a uint64 can be read at any of its bytes


class LoweredText:
    """`text.lower()` as UTF-8 (`data`, and `array`, a uint8 view of it), with where its non-ASCII characters
    start (`leads`), how many bytes each has (`widths`) and their code points (`codes`); `source`: the text
    itself as UTF-8 (the exact-dedup hash reads it)."""

    __slots__ = ("array", "codes", "data", "leads", "padded", "source", "widths")

    def __init__(self, data: bytes, source: bytes) -> None:
        self.data, self.source = data, source
        self.padded = np.frombuffer(data + _PAD, dtype=np.uint8)
        self.array = self.padded[: len(data)]
        self.leads, self.widths, self.codes = _non_ascii(self.array)

    @classmethod
    def of(cls, text: str) -> LoweredText:
        raw = text.encode("utf-8", "surrogatepass")
        if text.isascii():
            return cls(raw.lower(), raw)
        # bytes.lower() changes only A-Z, so it is str.lower() when no non-ASCII character changes when lowered.
        leads, widths, codes = _non_ascii(np.frombuffer(raw, dtype=np.uint8))
        if np.any(_flags(codes) & LOWERS):
            return cls(text.lower().encode("utf-8", "surrogatepass"), raw)
        lowered = cls.__new__(cls)
        lowered.data, lowered.source = raw.lower(), raw
        lowered.padded = np.frombuffer(lowered.data + _PAD, dtype=np.uint8)
        lowered.array = lowered.padded[: len(raw)]
        lowered.leads, lowered.widths, lowered.codes = leads, widths, codes
        return lowered


class WordSet:
    """Words of at most 7 UTF-8 bytes, asked about many at once: each is a uint64 (its bytes, its length in the
    top byte) in an open-addressing table without collisions, so a lookup is a multiply, a shift and a compare."""

    MAX_BYTES = 7
    # The low n bytes of a uint64, for n = 0..8; a longer word gets the key 8 << 56, which no word has.
    MASKS = np.array([(1 << (8 * n)) - 1 for n in range(MAX_BYTES + 1)] + [0], dtype=np.uint64)

    def __init__(self, words: Iterable[str], bits: int = 14) -> None:
        keys = []
        for word in words:
            data = word.encode("utf-8")
            if not 0 < len(data) <= self.MAX_BYTES:
                raise ValueError(f"{word!r}: a WordSet holds words of 1 to {self.MAX_BYTES} UTF-8 bytes")
            keys.append(int.from_bytes(data, "little") | len(data) << 56)
        unique = np.unique(np.array(keys, dtype=np.uint64))
        self.shift = np.uint64(64 - bits)
        for multiplier in np.random.default_rng(0x776F7264).integers(1, 1 << 63, 1000, dtype=np.uint64):
            self.multiplier = multiplier | np.uint64(1)
            slots = self._slots(unique)
            if np.unique(slots).size == unique.size:
                break
        else:
            raise ValueError(f"no collision-free table of 2^{bits} slots for {unique.size} words: raise `bits`")
        self.table = np.zeros(1 << bits, dtype=np.uint64)  # 0 is no key: every key has a length
        self.table[slots] = unique

    def contains(self, keys: np.ndarray) -> np.ndarray:
        """Whether each key (a uint64 array) is one of the words."""
        return self.table[self._slots(keys)] == keys

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        return ((keys * self.multiplier) >> self.shift).astype(np.intp)


class WordCounts(NamedTuple):
    words: int  # of text.split()
    whitespace: int  # characters: len(text) - whitespace is what the words hold
    letters: int  # str.isalpha characters (lowercasing keeps their number: a test checks every code point)
    stopwords: int  # words whose lowercase, stripped of PUNCTUATION, is in the word set


def word_counts(lowered: LoweredText, stopwords: WordSet) -> WordCounts:
    """The counts of the text `lowered` was made of."""
    data, flags = lowered.array, _flags(lowered.codes)
    space = _ascii_space(data)
    odd_spaces = flags & SPACE != 0  # no-break, thin, ideographic spaces... (a cleaned text has none)
    whitespace = int(np.count_nonzero(space)) + int(np.count_nonzero(odd_spaces))
    if odd_spaces.any():
        space[_char_bytes(lowered.leads[odd_spaces], lowered.widths[odd_spaces])] = True
    letters = int(np.count_nonzero((data | np.uint8(0x20)) - np.uint8(97) < 26))  # A-Z, a-z
    letters += int(np.count_nonzero(flags & ALPHA))
    punct = _ascii_punctuation(data)
    wide_punct = flags & PUNCT != 0
    if wide_punct.any():
        punct[_char_bytes(lowered.leads[wide_punct], lowered.widths[wide_punct])] = True
    word_start = np.empty(data.size, dtype=bool)
    word_start[:1] = ~space[:1]
    np.greater(space[:-1], space[1:], out=word_start[1:])  # a space, then not
    stop = _count_stopwords(lowered.padded, space | punct, word_start, stopwords)
    return WordCounts(int(np.count_nonzero(word_start)), whitespace, letters, stop)


def _count_stopwords(padded: np.ndarray, margin: np.ndarray, word_start: np.ndarray, stopwords: WordSet) -> int:
    """Words that are in `stopwords` once the `margin` bytes (spaces, punctuation) at their ends are stripped.
    No word of the set has punctuation inside, so such a word holds exactly one run of non-margin bytes (its
    core), and the core is in the set: runs are found, keyed and looked up all at once, then kept when no other
    run shares their word."""
    edges = np.flatnonzero(np.diff(~margin, prepend=False, append=False))
    starts = edges[0::2]
    lengths = np.minimum(edges[1::2] - starts, WordSet.MAX_BYTES + 1)
    at = np.ndarray((margin.size,), dtype="<u8", buffer=padded, strides=(1,))  # a uint64 at every byte
    keys = (at[starts] & WordSet.MASKS[lengths]) | (lengths.astype(np.uint64) << np.uint64(56))
    hits = stopwords.contains(keys)
    if not hits.any():
        return 0
    word = np.cumsum(word_start, dtype=np.int32)[starts]  # which word each run is in
    alone = hits
    alone[1:] &= word[1:] != word[:-1]
    alone[:-1] &= word[:-1] != word[1:]
    return int(np.count_nonzero(alone))


def _ascii_space(data: np.ndarray) -> np.ndarray:
    """Bytes that are str.isspace(): tab to carriage return, the four separators 0x1C-0x1F, space."""
    return ((data - np.uint8(9)) < 5) | ((data - np.uint8(28)) < 5)


def _ascii_punctuation(data: np.ndarray) -> np.ndarray:
    """Bytes of string.punctuation: 0x21-0x2F, 0x3A-0x40, 0x5B-0x60, 0x7B-0x7E."""
    return (
        ((data - np.uint8(0x21)) < 15)
        | ((data - np.uint8(0x3A)) < 7)
        | ((data - np.uint8(0x5B)) < 6)
        | ((data - np.uint8(0x7B)) < 4)
    )


def _non_ascii(data: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lead byte positions, byte widths and code points of the non-ASCII characters of UTF-8 `data`."""
    leads = np.flatnonzero(data >= 0xC0)
    if not leads.size:
        empty = np.empty(0, dtype=np.int64)
        return leads, empty, empty
    first = data[leads].astype(np.int64)
    widths = 2 + (first >= 0xE0) + (first >= 0xF0)
    last = data.size - 1
    codes = first & (0x3F >> (widths - 1))  # the lead byte's payload: 5, 4 or 3 bits
    for k in range(1, 4):
        codes = np.where(widths > k, (codes << 6) | (data[np.minimum(leads + k, last)] & 0x3F), codes)
    return leads, widths, codes


def _flags(codes: np.ndarray) -> np.ndarray:
    """The `char_table` bits of each code point; characters beyond the BMP are looked up one by one."""
    flags = char_table()[np.minimum(codes, _BMP - 1)]
    astral = codes >= _BMP
    if astral.any():
        flags[astral] = [_char_flags(chr(c)) for c in codes[astral].tolist()]
    return flags


def _char_bytes(leads: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """Positions of every byte of the characters starting at `leads`."""
    return np.repeat(leads - np.cumsum(widths) + widths, widths) + np.arange(int(widths.sum()))


@functools.cache
def char_table() -> np.ndarray:
    """The bits of every BMP character (about 20 ms, once per process)."""
    return np.array([_char_flags(chr(c)) for c in range(_BMP)], dtype=np.uint8)


def _char_flags(char: str) -> int:
    return (
        (ALPHA if char.isalpha() else 0)
        | (SPACE if char.isspace() else 0)
        | (PUNCT if char in PUNCTUATION else 0)
        | (LOWERS if char.lower() != char else 0)
    )
