"""Citation markers and callouts: what is removed, what stays, and that no word is glued or split."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders.pmc import PmcOptions, parse
from builders.pmc.markers import OBJECT_WORDS, callout_token, citation_token, resolve_markers
from medc.records import Document
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
