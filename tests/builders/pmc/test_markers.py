"""Citation markers and callouts: what is removed, what stays, and that no word is glued or split."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders.pmc import PmcOptions, parse
from builders.pmc.markers import OBJECT_WORDS, resolve_markers
from builders.pmc.tokens import callout_token, citation_token
from medc.records import Document, Removal
from medc.sources import WorkUnit

C, F = citation_token, callout_token


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"as reported [{C('1')}].", "as reported."),
        (f"as reported [{C('2')}–{C('5')}] before", "as reported before"),
        (f"in two trials ({C('1')}, {C('3')}) and", "in two trials and"),
        (f"in trials [{C('1')}, {C('3')}–{C('5')}, {C('9')}].", "in trials."),
        (f"in trials [{C('1')}–7].", "in trials."),  # the range's end is plain text
        (f"fibrosis{C('1')},{C('2')} is", "fibrosis is"),  # superscript numbers
        (f"fibrosis{C('1')}–3, as", "fibrosis, as"),
        (f"dose dependent ({C('Brandt et al., 2017')}; {C('Sato, 2020')}).", "dose dependent."),
        (f"is known (see {C('Brandt 2017')}).", "is known."),
        (f"is known (reviewed in {C('4')}).", "is known."),
        (f"As {C('Okafor and Lindqvist (2019)')} showed", "As Okafor and Lindqvist (2019) showed"),
        (f"cohort (n = 12; {F('Fig. 2')}).", "cohort (n = 12)."),
        (f"cohort (n = 12; see Fig. {F('2')}).", "cohort (n = 12)."),
        (f"curves ({F('Fig. 1')}A, B) differ", "curves differ"),
        (f"curves (Figs. {F('1')} and {F('3')}) differ", "curves differ"),
        (f"as shown in {F('Fig. 2')}.", "as shown in Fig. 2."),
        (f"[{C('1')}] Opening citation.", "Opening citation."),
        (f"mismatched [{C('1')}) stays", "mismatched [) stays"),
        ("no markers at all (n = 3).", "no markers at all (n = 3)."),
    ],
)
def test_resolve_markers(text: str, expected: str) -> None:
    assert resolve_markers(text, "parenthetical") == expected


def test_callouts_all_removes_bare_callouts_with_their_word() -> None:
    assert resolve_markers(f"as shown in Fig. {F('2')}, it", "all") == "as shown in, it"
    assert resolve_markers(f"{F('Table 1')} lists them.", "all") == "lists them."


@pytest.mark.timeout(30)  # the old closing-bracket pattern tried every split of the number: 2^60 steps
def test_a_long_number_after_a_marker_is_read_once() -> None:
    # No devcorpus file has it: a citation before a number typed as digits (an accession, a sequence) made the
    # closing-bracket pattern of `_cut` exponential in the number's length (30 digits: minutes).
    digits = "7" * 60
    assert resolve_markers(f"as shown {C('12')} {digits} cases.", "parenthetical") == f"as shown {digits} cases."
    assert resolve_markers(f"is known (see {C('Lee')} {digits}).", "parenthetical") == "is known."


def test_stray_noncharacter_in_the_input_is_dropped() -> None:
    assert resolve_markers("a \ufdd0 b", "parenthetical") == "a  b"


def _article(body: str) -> bytes:
    return (
        '<article><front><article-meta><article-id pub-id-type="pmc">1</article-id></article-meta></front>'
        f"<body><p>{body}</p></body></article>"
    ).encode()


def _text(body: str) -> str:
    (doc,) = parse(WorkUnit("PMC1.xml", _article(body)), PmcOptions())
    assert isinstance(doc, Document)
    return doc.text


# Words that do not take a citation as their object ("in [5]" keeps the reference as "in ref. 5": see below).
_WORDS = st.lists(
    st.from_regex(r"[a-z]{2,9}", fullmatch=True).filter(lambda w: w not in OBJECT_WORDS), min_size=1, max_size=12
)
_MARKUP = st.sampled_from(["italic", "bold", "sc", "named-content", "underline"])


@given(_WORDS, st.data())
def test_inline_markup_never_glues_or_splits_words(words: list[str], data: st.DataObject) -> None:
    parts = []
    for word in words:
        tag = data.draw(st.one_of(st.none(), _MARKUP))
        parts.append(f"<{tag}>{word}</{tag}>" if tag else word)
    assert _text(" ".join(parts) + ".") == " ".join(words) + "."


_CITATIONS = st.sampled_from(
    [
        ' [<xref ref-type="bibr" rid="b1">1</xref>]',
        ' [<xref ref-type="bibr" rid="b2">2</xref>&#x2013;<xref ref-type="bibr" rid="b4">4</xref>]',
        ' (<xref ref-type="bibr" rid="b1">1</xref>, <xref ref-type="bibr" rid="b3">3</xref>)',
        '<sup><xref ref-type="bibr" rid="b5">5</xref>,<xref ref-type="bibr" rid="b6">6</xref></sup>',
        ' (<xref ref-type="bibr" rid="b7">Berg et al., 2019</xref>)',
        ' (<xref ref-type="fig" rid="f1">Fig. 1</xref>)',
        '<xref ref-type="bibr" rid="b8"><sup>8</sup></xref>',  # the superscript inside the xref (Elsevier-style)
    ]
)


@given(_WORDS, st.data())
def test_removing_markers_keeps_every_word_apart(words: list[str], data: st.DataObject) -> None:
    parts = []
    for word in words:
        parts.append(word + (data.draw(st.one_of(st.just(""), _CITATIONS))))
    assert _text(" ".join(parts) + ".") == " ".join(words) + "."


CITATION_DEBRIS_TEXT = """\
Citation markers

Burden is known. It grows with age.

As in ref. 5 we see a rise. See ref. 6. Data came from refs. 2, 3.

Variants are common and raise risk in adults. Cases rose after 2010.

BMI is weight divided by height2 in m2; doses of 10^−6 M; Ca2+ rose.

Prevalence varies. It is low in Brazil.

Debridement of the canal system. Adhesion is not understood.

Scores were younger 64 [57–69] and older 60 [50–68]; pyrido [2,3-b] [1,5] benzoxazepines.

The search is shown in Text S1. Databases were searched."""


def test_citation_debris_of_real_files_leaves_sentences_that_read() -> None:
    # One paragraph per case; tests/fixtures/pmc/citation_debris.xml names the devcorpus file of each.
    data = (Path(__file__).parents[2] / "fixtures" / "pmc" / "citation_debris.xml").read_bytes()
    (doc,) = parse(WorkUnit("in/citation_debris.xml", data), PmcOptions())
    assert isinstance(doc, Document)
    assert doc.text == CITATION_DEBRIS_TEXT
    assert doc.removed == [Removal("pmc.citation_marker", 61, 10)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A chain of bracketed citations joined by dashes, commas or "and" is one marker.
        (f"known [{C('1')}]–[{C('3')}], and [{C('4')}], [{C('5')}]. Next", "known. Next"),
        (f"known ({C('1')}); ({C('2')}) and more", "known and more"),
        # A citation that is the object of its sentence stays, as a reference: the sentence must still read.
        (f"As in ref. {C('5')} we see", "As in ref. 5 we see"),
        (f"See {C('[6]')}.", "See ref. 6."),
        (f"described in [{C('2')}–{C('4')}].", "described in refs. 2–4."),
        (f"described by {C('Smith et al. (2010)')}.", "described by Smith et al. (2010)."),
        # ... but not inside a parenthesis, which goes whole.
        (f"is known (see [{C('6')}]).", "is known."),
    ],
)
def test_chains_and_object_citations(text: str, expected: str) -> None:
    assert resolve_markers(text, "parenthetical") == expected


@given(st.sampled_from(sorted(OBJECT_WORDS)), st.integers(1, 300))
def test_an_object_citation_keeps_its_number(word: str, number: int) -> None:
    out = resolve_markers(f"as shown {word} [{C(str(number))}] here", "parenthetical")
    assert out.endswith(f"{word} {'' if word.lower().startswith('ref') else 'ref. '}{number} here")
