"""Odd text layers: words placed one by one, letter-spaced text, layers nothing can read (`odd_pdfs`)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from builders.books.fragments import letter_share, merge_fragments
from builders.books.layout import Line
from tests.builders.books import odd_pdfs
from tests.builders.books.test_parse import run

LINES = ["The liver makes bile and stores sugar", "as glycogen for the hours between meals"] * 3


def test_words_one_by_one_are_joined_into_lines():
    # stands for devcorpus pdf/olmocr_braz_j_microbiol_review_letterspaced_header.pdf: every word is its own line
    lines = ["Industrial asparaginase production presents some challenges to the industry"] * 4
    docs, rejections, _ = run(odd_pdfs.words_one_by_one(lines))
    assert not rejections and docs[0].text == " ".join(lines)


def test_letters_and_syllables_one_per_line_join_into_words():
    # stands for issue 15's TeX preprint: `Additional copies are a v ailable ... Relativistic Mo del`
    lines = ["Additional copies are a|v|ailable from the Relativistic Mo|del group of the institute"] * 3
    docs, _, _ = run(odd_pdfs.words_one_by_one(lines))
    assert docs[0].text == " ".join(
        ["Additional copies are available from the Relativistic Model group of the institute"] * 3
    )


def test_letter_spaced_text_gets_its_words_back():
    # stands for devcorpus pdf/tufte_sample_book_sidenotes_index.pdf: `T H E P U B L I C I S ...` epigraphs
    docs, rejections, notices = run(odd_pdfs.letter_spaced(LINES, lambda i: 3.0))
    assert not rejections and docs[0].text == " ".join(LINES)
    assert notices["rebuilt_text_layer_pages"] == 1


def test_a_layer_that_still_reads_as_letters_is_rejected_not_kept():
    rng = random.Random(1)
    docs, rejections, _ = run(odd_pdfs.letter_spaced(LINES, lambda i: rng.uniform(0, 9)))
    assert not docs and [r.reason for r in rejections] == ["broken_text_layer"]


def test_initials_and_symbol_tables_are_not_letter_spacing():
    # stands for devcorpus pdf/entityfishing_PMC2649809_mcp_huntington_csf.pdf (reference lists full of
    # initials) and pdf/entityfishing_langsci_alor_pantar_book_479p_index.pdf (tables of phonemes)
    refs = [
        Line("Chan, E. Y., Strand, A. D., Hanson, S. A., and Olson, J. M. (2002) Hum. Mol.", 0, 0, 1, 1, 9, False, 0)
    ]
    table = [Line(text, 0, 0, 1, 1, 9, False, 0) for text in ("p b", "t d", "k g", "Stop", "Nasal m n")]
    assert letter_share(refs * 6) == 0.0 and letter_share(table * 6) == 0.0
    spaced = [Line("T H E P U B L I C I S M O R E F A M I L I A R", 0, 0, 1, 1, 9, False, 0)] * 3
    assert letter_share(spaced) == 1.0


def piece(text: str, x0: float, y: float = 100.0) -> Line:
    return Line(text, x0, y, x0 + 5 * len(text), y + 10, 10.0, False, 0)


@settings(max_examples=50)
@given(st.lists(st.text("abcdefghij", min_size=1, max_size=8), min_size=1, max_size=12), st.data())
def test_merging_keeps_every_character_in_order(words, data):
    """Pieces on one baseline, a word gap or none between them, in any order: merged, the text reads as written."""
    x, pieces, expected = 60.0, [], ""
    for i, word in enumerate(words):
        if i and data.draw(st.booleans()):
            x, expected = x + 3.0, expected + " "
        pieces.append(piece(word, x))
        expected += word
        x += 5 * len(word)
    shuffled = data.draw(st.permutations(pieces))
    assert [m.text for m in merge_fragments(list(shuffled))] == [expected]


def test_columns_a_gutter_apart_stay_apart():
    left, right = piece("left column text", 60), piece("right column", 60 + 80 + 10)  # one em at 10 pt
    assert [m.text for m in merge_fragments([left, right])] == ["left column text", "right column"]
