"""The byte-level word counts (`medc.filters.words`) and the facts about Python's `str` they stand on."""

import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from medc.filters import STOPWORDS
from medc.filters.words import LoweredText, WordSet, word_counts


def test_lowercasing_keeps_the_number_of_letters_of_every_character():
    # word_counts counts the letters of text.lower(); the filters want those of text. İ becomes i + a combining
    # dot (one letter still), the Kelvin sign becomes k: the count holds for every code point of this Python.
    changed = [
        c for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000 and
        sum(map(str.isalpha, chr(c).lower())) != chr(c).isalpha()
    ]  # fmt: skip
    assert changed == []


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_lowered_bytes_are_str_lower(text):
    assert LoweredText.of(text).data == text.lower().encode("utf-8")


def test_lowered_bytes_keep_lone_surrogates():
    # A text from a broken PDF can hold a lone surrogate until cleaning replaces it; the bytes must not fail.
    assert LoweredText.of("A\ud800b").data == "a\ud800b".encode("utf-8", "surrogatepass")


def test_a_word_is_counted_once_its_punctuation_is_stripped():
    words = WordSet(["the", "of", "às"])
    counts = word_counts(LoweredText.of("(The) “of” ÀS, e.g. the-end the.the ,,the,,"), words)
    # "the-end" and "the.the" hold punctuation inside: not function words, whatever their parts are.
    assert counts.stopwords == 4
    assert counts.words == 7


def test_word_set_finds_exactly_its_words():
    words = WordSet(STOPWORDS)
    present = ["the", "été", "für", "più", "a", "é"]
    absent = ["th", "thee", "the ", "théa", "zz", "between!"]
    assert words.contains(_keys(present)).tolist() == [True] * len(present)
    assert words.contains(_keys(absent)).tolist() == [False] * len(absent)


def test_word_set_refuses_long_words():
    with pytest.raises(ValueError, match="1 to 7 UTF-8 bytes"):
        WordSet(["zwischen"])


def _keys(words: list[str]) -> np.ndarray:
    """Keys as `word_counts` makes them: the bytes of a word of 1 to 7 bytes and its length; 8 for longer ones."""
    keys = []
    for word in words:
        data = word.encode()
        keys.append(int.from_bytes(data, "little") | len(data) << 56 if len(data) <= 7 else 8 << 56)
    return np.array(keys, dtype=np.uint64)
