"""The measures of a document's text that the filters judge (`Quality`), taken in one walk over its words.

    >>> q = measure_quality("The cat, of  dog\\nabc 123\\n", FilterConfig(languages=()))
    >>> q.words, q.alpha_ratio, q.stopword_ratio
    (6, 0.7778, 0.3333)

The text is lowercased once, as UTF-8 bytes (`words.py`); the word count, the non-space characters, the letters
and the function words all come from vectorized passes over those bytes (`lowered` can be passed in, so the
dedup keys reuse them). The functions below (`count_stopwords`, `count_letters`, `repeated_line_ratio`) are
the definitions; `measure_quality` computes the same numbers (a test compares it with a straightforward version
on generated text).
"""

from __future__ import annotations

import functools
import re
import string
from collections import Counter
from itertools import compress, repeat

from medc.filters.config import DEFAULT_FILTERS, FilterConfig
from medc.filters.language import identify_language
from medc.filters.words import PUNCTUATION, LoweredText, WordSet, word_counts
from medc.records import Quality

_ASCII_LETTERS = string.ascii_letters.encode()
_NON_ASCII = re.compile(r"[^\x00-\x7f]")

# Function words of the languages most common in PubMed Central (en, es, pt, fr, de, it).
_STOPWORD_TEXT = """
a about after all also an and are as at be been before between both but by can could did do does during each
for from had has have he her his how if in into is it its may more most no not of on or other our she should
so some such than that the their them then there these they this those through to under up was we were what
when where which while who will with within without would you
al con de del el en es la las lo los para por que se su un una y
ao às com da das do dos em na nas no nos os ou pelo pela uma é
au aux ce dans des du est et il les leur mais ont par pas plus pour qui sont sur une été
auf aus bei das dem den der des die ein eine einer für im ist mit nicht oder sich sind und von wird wurde zu
che di gli il nel nella non per più sono
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@functools.cache
def _stopword_set() -> WordSet:
    return WordSet(STOPWORDS)


def measure_quality(text: str, config: FilterConfig = DEFAULT_FILTERS, lowered: LoweredText | None = None) -> Quality:
    """Every score the filters use, measured on (cleaned) `text`; `lowered`: `LoweredText.of(text)`, if at hand
    (the dedup keys read the same bytes)."""
    counts = word_counts(lowered if lowered is not None else LoweredText.of(text), _stopword_set())
    quality = Quality(
        chars=len(text),
        words=counts.words,
        alpha_ratio=_share(counts.letters, len(text) - counts.whitespace),
        repeated_line_ratio=repeated_line_ratio(text),
        stopword_ratio=_share(counts.stopwords, counts.words),
    )
    if config.languages and counts.words:
        quality.language, quality.language_score = identify_language(text, config.language_sample_chars)
    return quality


def repeated_line_ratio(text: str) -> float:
    """Characters in non-empty lines that repeat an earlier line, over characters in all non-empty lines."""
    counts = Counter(map(str.strip, text.split("\n")))
    counts.pop("", None)
    total = sum(len(line) * n for line, n in counts.items())
    repeated = sum(len(line) * (n - 1) for line, n in counts.items() if n > 1)
    return _share(repeated, total)


def count_stopwords(text: str) -> int:
    """Words of `text` that are function words once lowercased and stripped of surrounding punctuation."""
    return _stopwords_among(text.lower().split())


def _stopwords_among(words: list[str]) -> int:
    counts = Counter(words)  # each distinct word is then looked at once, all in C iterators
    stripped = map(str.strip, counts, repeat(PUNCTUATION))
    return sum(compress(counts.values(), map(STOPWORDS.__contains__, stripped)))


def count_letters(text: str) -> int:
    """Alphabetic characters in `text`: ASCII ones counted at C speed, the few others one by one."""
    data = text.encode("utf-8", "surrogatepass")
    ascii_letters = len(data) - len(data.translate(None, _ASCII_LETTERS))
    if text.isascii():
        return ascii_letters
    return ascii_letters + sum(map(str.isalpha, _NON_ASCII.findall(text)))


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0
