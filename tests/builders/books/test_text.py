"""Paragraph text of the books builder: hyphenation, character normalization, what is removed, plain-text books."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders import books
from builders.books.clean import TextCleaner
from builders.books.plain import text_paragraphs
from builders.books.sections import classify_page, drop_reference_sections
from builders.books.text import Para, Vocabulary, is_caption, join_lines
from medc.records import Document, Notice
from medc.sources import WorkUnit


def vocab_of(*texts: str) -> Vocabulary:
    vocab = Vocabulary()
    for text in texts:
        vocab.add(text)
    return vocab


@pytest.mark.parametrize(
    ("lines", "book", "joined"),
    [
        (["the exam-", "ple shows"], "", "the example shows"),
        (["a well-", "known sign"], "", "a well-known sign"),
        (["give beta-", "blockers now"], "Beta-blockers slow the heart.", "give beta-blockers now"),
        (["give beta-", "blockers now"], "", "give betablockers now"),  # nothing in the book says otherwise
        (["the glomer-", "ular filter"], "glomerular", "the glomerular filter"),
        (["a cross-", "over trial"], "the crossover was", "a crossover trial"),  # the book's word wins
        (["self-", "limiting"], "", "self-limiting"),
        (["self-", "ish"], "selfish", "selfish"),
        (["the COVID-", "19 wave"], "", "the COVID-19 wave"),
        (["anti-", "HIV drugs"], "", "anti-HIV drugs"),
        (["pages 12-", "15 and"], "", "pages 12-15 and"),
        (["a pause -", "then"], "", "a pause - then"),
        (["soft\u00ad", "ware"], "", "software"),
        (["no hyphen", "here"], "", "no hyphen here"),
    ],
)
def test_line_end_hyphens(lines, book, joined):
    assert join_lines(lines, vocab_of(book)) == joined


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8)


@given(st.lists(words, min_size=1, max_size=30), st.integers(1, 6))
def test_lines_without_hyphens_join_with_single_spaces(ws, per_line):
    lines = [" ".join(ws[i : i + per_line]) for i in range(0, len(ws), per_line)]
    assert join_lines(lines, Vocabulary()) == " ".join(ws)


@given(words, words)
def test_the_book_decides_hyphenation(w1, w2):
    assert join_lines([f"x {w1}-", f"{w2} y"], vocab_of(f"the {w1}{w2} is")) == f"x {w1}{w2} y"
    assert join_lines([f"x {w1}-", f"{w2} y"], vocab_of(f"the {w1}-{w2} is")) == f"x {w1}-{w2} y"


clean = TextCleaner(callouts=True, citations=True, urls=True)


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("The \ufb01rst e\ufb00ect of \ufb02ow", "The first effect of flow"),
        ("10\u00a0mg\u2009daily, long\u2010term, co\u00adoperate", "10 mg daily, long-term, cooperate"),
        ("The cafÃ© serves â€œcoffeeâ€\x9d daily.", "The café serves “coffee” daily."),
        ("Cafe\u0301 au lait spots", "Café au lait spots"),  # NFC
        ("An area of 2 m² and 10⁶ cells", "An area of 2 m² and 10⁶ cells"),  # no NFKC: m² stays
        ("The valve (see Fig. 3.2A) opens (Figs. 2 and 3).", "The valve opens."),
        ("Doses vary (Table 4-1; see text) widely [Table 2].", "Doses vary widely."),
        ("Covered earlier (see Chapter 12), and (p. 40).", "Covered earlier, and."),
        ("Rates rose [1], [2, 3] and [4\u20136].", "Rates rose, and."),
        ("As shown (Smith et al., 2001; Lee and Park 1999a), it works.", "As shown, it works."),
        ("Kept (in 1990s) and (5 mg) and (Figure legend).", "Kept (in 1990s) and (5 mg) and (Figure legend)."),
        ("See https://example.org/a_b?x=1. Or www.nih.gov, or ask me@example.com.", "See. Or, or ask."),
        ("DOI doi:10.1000/xyz123 here", "DOI here"),
        ("Nested ((Fig. 2)) and [(see Table 1)] go.", "Nested and go."),
    ],
)
def test_cleaning(raw, cleaned):
    assert clean(raw) == cleaned


@given(st.text(alphabet=st.sampled_from(list("ab cFig.123()[]-,;:\u00a0\ufb01é")), max_size=60))
def test_cleaning_is_idempotent(text):
    once = clean(text)
    assert clean(once) == once


def test_captions_are_told_from_sentences():
    assert is_caption(Para("body", 8.0, 0, ["Figure 2.1 The heart."]), 10.0) == "caption"
    assert is_caption(Para("body", 10.0, 0, ["Table 3: Doses of common drugs"]), 10.0) == "table_caption"
    assert is_caption(Para("body", 10.0, 0, ["Table 3 lists the doses of the common drugs."]), 10.0) == ""


def test_reference_sections_run_to_the_next_heading_as_large():
    paras = [
        Para("heading", 13.0, 0, ["Shock"]),
        Para("body", 10.0, 0, ["Shock is circulatory failure."]),
        Para("heading", 13.0, 0, ["Further Reading"]),
        Para("body", 10.0, 0, ["1. Smith A. Shock. 2001."]),
        Para("heading", 10.0, 0, ["Reviews"]),  # smaller: still inside the bibliography
        Para("body", 10.0, 0, ["2. Lee B. Sepsis. 2003."]),
        Para("heading", 18.0, 1, ["Sepsis"]),
        Para("body", 10.0, 1, ["Sepsis is infection with organ failure."]),
    ]
    kept, sections, _ = drop_reference_sections(paras)
    assert [p.lines[0] for p in kept] == [
        "Shock",
        "Shock is circulatory failure.",
        "Sepsis",
        "Sepsis is infection with organ failure.",
    ]
    assert sections == 1


def test_a_section_about_citations_is_no_bibliography():
    # stands for devcorpus pdf/kaobook "5.1 Citations" ("To cite someone ... use the \\sidecite command"), and the
    # preprint's own "References" list, which goes
    about = [
        Para("heading", 13.0, 0, ["5.1 Citations"]),
        Para("body", 10.0, 0, ["To cite someone is very simple: just use the sidecite command."]),
        Para("body", 10.0, 0, ["It prints the reference in the margin as well as in the bibliography."]),
    ]
    assert drop_reference_sections(about) == (about, 0, 0)
    listed = [
        Para("heading", 13.0, 0, ["References"]),
        Para("body", 10.0, 0, ["1."]),
        Para("body", 10.0, 0, ["Stochholm K, Juul S, et al. Prevalence of Turner syndrome. 2006."]),
    ]
    assert drop_reference_sections(listed)[:2] == ([], 1)


def test_page_classes():
    toc = ["Contents", "1 The Heart ........ 3", "2 The Kidney ........ 21", "3 The Liver ........ 40"]
    assert classify_page(toc, "") == "toc"
    assert classify_page(["4 The Lung ........ 55", "5 The Gut ........ 70", "Index ..... 90"], "toc") == "toc"
    index = ["Index", "aorta, 3, 17\u201319", "atrium, 12", "bile, 40, 41", "liver, see hepatic", "lung, 55"]
    assert classify_page(index, "") == "index"
    copyright_page = ["Copyright © 2024 Example Press. All rights reserved.", "ISBN 978-0-00-000000-2"]
    assert classify_page(copyright_page, "") == "copyright"
    prose = ["The heart has four chambers.", "Blood returns to the right atrium.", "It leaves through the aorta."]
    assert classify_page(prose, "") == "" and classify_page(prose, "toc") == ""


TXT = (
    "\ufeffAnatomy of the Heart\n\n"
    "The heart lies in the medi-\nastinum (Fig. 1.2). Its \ufb01bres are\nstriated [4].\n"
    "12\n\f"
    "The cafÃ© au lait spot is\nunrelated.\n\n"
    "References\n\n"
    "1. Smith A. The heart. 2001.\n\n"
    "2. Lee B. Valves. 2003.\n"
)


def test_plain_text_book():
    out = list(books.parse(WorkUnit("texts/Anatomy_Heart.txt", TXT.encode("utf-8"))))
    (doc,) = [o for o in out if isinstance(o, Document)]
    assert doc.text == (
        "Anatomy of the Heart\n\nThe heart lies in the mediastinum. Its fibres are striated.\n\n"
        "The café au lait spot is unrelated."
    )
    assert doc.title == "Anatomy_Heart" and doc.id.endswith(":0") and doc.meta.page_start is None
    assert [(o.code, o.count) for o in out if isinstance(o, Notice)] == [("dropped_reference_sections", 1)]


def test_plain_text_without_blank_lines_is_one_paragraph_per_line():
    text = "First paragraph on one line.\nSecond paragraph on one line.\n"
    assert [p.lines for p in text_paragraphs(text)] == [
        ["First paragraph on one line."],
        ["Second paragraph on one line."],
    ]


def test_plain_text_in_cp1252():
    (doc,) = books.parse(WorkUnit("a.txt", "Caf\u00e9 and na\u00efve patients.".encode("cp1252")))
    assert doc.text == "Café and naïve patients."
