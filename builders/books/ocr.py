"""How good the OCR text of a scanned book is, for the books builder: the share of its words a dictionary knows.

    ocr_quality(["The tragedy of the commons develops in this way."])                 → 1.0
    ocr_quality(["Tbe tragcdy ot tlie comrnons dcvelops iu tliis wav."])               → 0.33
    ocr_quality(["l|l ,;' 'ii lI1 rn. :: ~~ Wlll ,,i"])                                 → 0.0

The dictionary is pyspellchecker's English word list (about 160,000 words with their inflected forms, loaded
once per worker, only for books that have OCR text). Medical terms are mostly in it; rare names are not, so a
clean scan of a textbook scores about 0.9 and OCR of handwriting about 0.3. The score lands in
`BookMeta.ocr_quality`; `BookOptions.min_ocr_quality` turns away what scores below it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_SAMPLE_WORDS = 20_000  # enough for a stable share; a long book is not read twice over


def ocr_quality(texts: Iterable[str]) -> float | None:
    """Share of the words of `texts` found in the dictionary; None when there are no words."""
    words: list[str] = []
    for text in texts:
        words.extend(_WORD.findall(text))
        if len(words) >= _SAMPLE_WORDS:
            break
    if not words:
        return None
    known = _dictionary()
    return round(sum(1 for word in words if word.lower() in known) / len(words), 3)


@functools.cache
def _dictionary():
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1).word_frequency
