"""Chapters of the books builder: odd outlines, TeX in titles, contents blocks, what is dropped and counted."""

from __future__ import annotations

import random

import pytest

from builders.books import parse
from builders.books.chapters import matter_kind
from builders.books.titles import decode_tex, looks_like_tex
from medc.demo import textbook_pdf as bf
from medc.records import Notice
from medc.sources import WorkUnit
from tests.builders.books import samples as bs
from tests.builders.books.test_parse import paragraphs, run


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Contents", "toc"),  # its C is no roman numeral to strip (devcorpus pdf/kaobook: the contents were kept)
        ("Index", "index"),  # nor the I of Index (pdf/entityfishing_langsci: 19 pages of index kept)
        ("Alphabetical Index", "index"),
        ("IV. References", "bibliography"),
        ("12.3 Index", "index"),
        ("Citations", ""),
        ("List of Terms", ""),
    ],
)
def test_outline_titles_of_matter_to_drop(title, kind):
    assert matter_kind(title) == kind


def filler(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    return [bs.random_paragraph(rng, 5) for _ in range(n)]


def test_a_hidden_word_bookmark_is_no_chapter_and_drops_nothing():
    # stands for devcorpus pdf/cdc_outpatient_infection_prevention_guide_44p.pdf: its only outline entry is Word's
    # `_GoBack` on page 21, and the 20 pages before it were dropped as front matter
    book = bf.FixtureBook("Guide")
    book.chapter("Objectives", filler(1, 12))
    book.chapter("Checklist", filler(2, 12))
    book.outline = [[1, "_GoBack", 2]]
    (doc,) = run(book.to_bytes())[0]
    assert (doc.meta.page_start, doc.meta.page_end) == (1, len(book.pages))
    assert "Objectives" in doc.text and "Checklist" in doc.text


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("3. The Lema{^i }tre--Tolman model", "3. The Lemaître–Tolman model"),  # issue 15's outline title
        ("Schr\\\"{o}dinger's \\emph{equation}", "Schrödinger's equation"),
        ("The $\\Lambda$CDM model", "The ΛCDM model"),
        ("Gar\\c{c}on---and R\\&D", "Garçon—and R&D"),
        ("Plain title, 2nd ed.", "Plain title, 2nd ed."),
    ],
)
def test_tex_in_outline_titles_is_decoded(raw, decoded):
    assert decode_tex(raw) == decoded and not looks_like_tex(decoded)


def test_a_title_tex_cannot_shed_is_taken_from_the_page():
    book = bf.FixtureBook("Cosmology Notes")
    book.chapter("1 Averaging", filler(3, 6))
    book.chapter("2 The Lemaitre model", filler(4, 6))
    book.outline[1][1] = "2 The \\weirdmacro{Lema}itre model"
    docs = run(book.to_bytes())[0]
    assert [d.title for d in docs] == ["1 Averaging", "2 The Lemaitre model"]


def test_a_contents_block_in_the_front_matter_goes_and_is_counted():
    # stands for issue 15's paper whose chapter 1 started "Contents\n\n1. Introduction\n\n2\n\n2. The Buchert
    # scheme\n\n4 ...": a contents block below the abstract, on a page with other text
    book = bf.FixtureBook("Averaging in Cosmology", headers=False, footers=False)
    entries = ["1. Introduction", "2", "2. The averaging scheme", "4", "3. A spherical model", "7", "References", "9"]
    abstract = "We study how averaging inhomogeneous models changes the expansion rate of the universe as a whole."
    book.columns_page([[abstract, "", "Contents", "", *entries]], heading="Abstract")
    book.chapter("1. Introduction", filler(5, 8))
    front = run(book.to_bytes())[0][0]
    assert front.text == "Abstract\n\n" + abstract
    assert next(r for r in front.removed if r.rule == "books.contents").chars == len("Contents") + sum(
        map(len, entries)
    )


def test_dropped_pages_are_named_in_their_notices(sample):
    notices = {n.code: n.detail for n in parse(WorkUnit("s.pdf", sample)) if isinstance(n, Notice)}
    assert notices["dropped_toc_pages"] == "pages 3" and notices["dropped_index_pages"] == "pages 9"
    assert notices["dropped_front_matter_pages"] == "pages 1-2" and notices["needs_ocr_pages"] == "pages 8"


@pytest.fixture(scope="module")
def sample() -> bytes:
    return bs.sample_book()


def test_removed_text_is_counted_per_rule(sample):
    heart = run(sample)[0][0]
    rules = {r.rule: (r.chars, r.count) for r in heart.removed}
    header = "1 The Heart    5"
    assert rules["books.running_header"][1] >= 4  # headers and footers of pages 5 and 6
    assert rules["books.references"][0] == len("References") + sum(map(len, bs.REFERENCES))
    assert rules["books.callout"][1] == 2 and rules["books.url"][0] == len("https://example.org/heart-notes")
    assert {"books.figure", "books.citation"} <= rules.keys() and "books.table" not in rules  # tables are kept
    assert header not in heart.text and all(r.chars > 0 and r.count > 0 for r in heart.removed)


def test_a_paragraph_an_earlier_chapter_has_goes_and_an_emptied_chapter_is_not_written():
    # stands for a textbook whose chapters all open with the same boilerplate (the dedup finalize used to do)
    notice = (
        "Copyright 2020 Example Press. All rights reserved. No part of this chapter may be reproduced or stored "
        "without the written permission of the publisher, except for brief quotations in reviews."
    )
    book = bf.FixtureBook("Boilerplate", headers=False, footers=False)
    book.chapter("Cells", [notice, *filler(6, 4)])
    book.chapter("Tissues", [notice, *filler(7, 4)])
    book.chapter("Notice", [notice])
    data = book.to_bytes()
    docs, _, notices = run(data)
    assert [d.title for d in docs] == ["Cells", "Tissues"]
    assert paragraphs(docs[0])[1] == notice and notice not in docs[1].text
    assert [(r.chars, r.count) for r in docs[1].removed if r.rule == "books.duplicate_paragraph"] == [(len(notice), 1)]
    assert notices["duplicate_chapter"] == 1
    kept = run(data, dedup_paragraphs=False)[0]
    assert [d.title for d in kept] == ["Cells", "Tissues", "Notice"]
