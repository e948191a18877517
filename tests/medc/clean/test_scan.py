"""The pieces the fast cleaner relies on: the character scan, the mojibake clues, the layout rules."""

import sys
import unicodedata

import pytest
from ftfy.badness import BADNESS_RE
from ftfy.chardata import HTML_ENTITY_RE
from hypothesis import given
from hypothesis import strategies as st

from medc.clean.clues import mojibake_clues, required_characters
from medc.clean.layout import _RULES, ODD_SPACES
from medc.clean.repair import LIGATURE_TEXTS, QUOTE_TEXTS, replace_all
from medc.clean.scan import ASTRAL, QUOTE, CharScan
from medc.clean.suspects import suspect_lines
from medc.clean.text_pass import may_change

_SINGLES, _FIRSTS, _SECONDS = (sorted(chars) for chars in mojibake_clues())
CHARS = st.one_of(
    st.sampled_from([*"aZ \n\t&;#\x00\x1f\x7f\x85\x9f", "&amp;", "&#x41;", "\ud800", "𝑐", "\u2019", "\u201c"]),
    st.sampled_from(_SINGLES + _FIRSTS + _SECONDS),
    st.characters(),
)
TEXTS = st.lists(CHARS, max_size=60).map("".join)


@given(TEXTS)
def test_scan_finds_every_control_and_non_ascii_character(text):
    scan = CharScan(text)
    non_ascii = [(i, min(ord(c), ASTRAL)) for i, c in enumerate(text) if c > "\x7f"]
    assert list(zip(scan.positions.tolist(), scan.codes.tolist(), strict=True)) == non_ascii
    assert scan.newlines.tolist() == [i for i, c in enumerate(text) if c == "\n"]
    assert scan.controls == any((c < " " and c not in "\n\t") or c == "\x7f" for c in text)
    quoteless = replace_all(text, QUOTE_TEXTS)
    assert scan.without(QUOTE).positions.tolist() == CharScan(quoteless).positions.tolist()


@given(TEXTS)
def test_suspects_are_the_lines_ftfy_would_look_at(text):
    expected = {
        i
        for i, line in enumerate(text.split("\n"))
        if HTML_ENTITY_RE.search(line) or any("\x80" <= c <= "\x9f" for c in line) or BADNESS_RE.search(line)
    }
    assert suspect_lines(text, CharScan(text)) == expected


def test_every_alternative_of_the_heuristic_has_a_clue():
    singles, pairs = required_characters(BADNESS_RE)
    assert "Ã" in singles and "\x80" in singles and len(pairs) > 20
    assert all(c > "\x7f" for c in singles) and all(c > "\x7f" for pair in pairs for chars in pair for c in chars)


def test_odd_spaces_are_all_other_whitespace():
    whitespace = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    assert set(ODD_SPACES) == whitespace - {"\n", "\t", " "}


def test_no_rule_yields_what_a_later_rule_acts_on():
    # tidy() and replace_all() look up the characters present once, before their rules run
    for index, (chars, replacement) in enumerate(_RULES):
        later = set().union(*(later_chars for later_chars, _ in _RULES[index + 1 :]))
        assert not any(set(replacement(c)) & later for c in chars)
    for replacements in (LIGATURE_TEXTS, QUOTE_TEXTS):
        replaced = {char for char, _ in replacements}
        assert not any(set(text) & replaced for _, text in replacements)


@given(st.text(alphabet=st.characters(codec="utf-8")), st.sampled_from(["NFC", "NFKC"]))
def test_a_line_of_characters_normalization_leaves_alone_is_normal(text, form):
    # `may_change` lets `normalize` skip lines: it must never call a line normal that is not
    unstable = may_change(form)
    kept = "".join(c for c in text if not unstable[min(ord(c), ASTRAL)])
    assert unicodedata.is_normalized(form, kept)


@pytest.mark.parametrize("char", ["\u0301", "\u0dcf", "\u0b3e", "\u1161", "\u11a8", "\u3099", "\u212b", "\u00b5"])
def test_characters_that_compose_or_change_are_unstable(char):
    # combining marks; vowel signs that compose with the consonant before them (Sinhala, Oriya); Hangul vowels
    # and final consonants; the kana voicing mark; the Angstrom sign (NFC: Å); the micro sign only under NFKC (μ)
    forms = ["NFKC"] if char == "\u00b5" else ["NFC", "NFKC"]
    assert all(may_change(form)[ord(char)] for form in forms)


@given(TEXTS)
def test_spacing_says_what_the_space_rules_look_for(text):
    assert CharScan(text).spacing() == ("  " in text, " \n" in text or "\t\n" in text)
