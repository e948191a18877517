"""Whether text reads as words, for the books builder: the share of its letters that stand in dictionary words.

    dictionary_share(["The tragedy of the commons develops in this way."])            → 1.0
    dictionary_share(["Tbe tragcdy ot tlie comrnons dcvelops iu tliis wav."])          → 0.0
    dictionary_share(["a ragi nebythe enzymer elea s es"])                            → 0.364

It scores the OCR layer of a scanned book (`BookMeta.ocr_quality`; `BookOptions.min_ocr_quality` turns away what
scores below it) and decides whether a text layer whose words had to be rebuilt from glyph positions is readable.

The dictionary is pyspellchecker's English word list (about 160,000 words with their inflected forms, loaded
once per worker, only for books that have OCR text). Medical terms are mostly in it; rare names are not, so a
clean scan of a textbook scores about 0.9 and OCR of handwriting about 0.3. Books in other languages score
low: the language setting of the filters decides about those.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_SAMPLE_WORDS = 20_000  # enough for a stable share; a long book is not read twice over


def dictionary_share(texts: Iterable[str]) -> float | None:
    """Share of the letters of `texts` that stand in dictionary words, counting words of three letters or more
    (the word list knows almost every one- and two-letter string); None when there are no such words."""
    words: list[str] = []
    for text in texts:
        words.extend(w for w in _WORD.findall(text) if len(w) >= 3)
        if len(words) >= _SAMPLE_WORDS:
            break
    if not words:
        return None
    known = _dictionary()
    letters = sum(map(len, words))
    return round(sum(len(word) for word in words if word.lower() in known) / letters, 3)


@functools.cache
def _dictionary():
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1).word_frequency
