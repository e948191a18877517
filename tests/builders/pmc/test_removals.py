"""Every rule that takes text out of a kept article is counted in `Document.removed`; `trace` keeps the texts."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders.pmc import PmcOptions, parse, trace
from builders.pmc.documents import TracedDocument
from builders.pmc.removals import pruned_chars
from medc.records import Document
from medc.sources import WorkUnit

FIXTURES = Path(__file__).parents[2] / "fixtures" / "pmc"
# Parts cut from the bytes before parsing: measured on the bytes by `parse`, on the parsed text by `trace`.
PRUNED_RULES = {"pmc.back_matter", "pmc.table", "pmc.section.references", "pmc.sub_article"}


def _document(name: str, **options: object) -> Document:
    unit = WorkUnit(f"in/{name}", (FIXTURES / name).read_bytes())
    (doc,) = [r for r in parse(unit, PmcOptions(**options)) if isinstance(r, Document)]  # type: ignore[arg-type]
    return doc


def _traced(name: str, **options: object) -> TracedDocument:
    unit = WorkUnit(f"in/{name}", (FIXTURES / name).read_bytes())
    (doc,) = [r for r in trace(unit, PmcOptions(**options)) if isinstance(r, TracedDocument)]  # type: ignore[arg-type]
    return doc


def test_research_article_counts_each_rule() -> None:
    removed = {r.rule: r for r in _document("research_article.nxml").removed}
    assert {
        "pmc.back_matter",
        "pmc.table",
        "pmc.citation_marker",
        "pmc.callout",
        "pmc.url",
        "pmc.section.competing_interests",
        "pmc.section.supplementary",
    } <= set(removed)
    assert removed["pmc.citation_marker"].count >= 5 and removed["pmc.back_matter"].chars > 100


def test_nothing_is_counted_when_the_options_keep_everything() -> None:
    removed = _document(
        "research_article.nxml",
        keep_tables=True,
        keep_references=True,
        keep_citation_markers=True,
        callouts="keep",
        keep_authors=True,
        keep_acknowledgements=True,
        keep_funding=True,
        keep_competing_interests=True,
        keep_supplementary=True,
        keep_appendices=True,
        keep_footnotes=True,
        keep_back_notes=True,
        keep_urls=True,
    ).removed
    assert {r.rule for r in removed} <= {"pmc.note_marker", "pmc.image_text"}  # marks and images are never text


@pytest.mark.parametrize("name", ["research_article.nxml", "citation_debris.xml", "methods_subsections.xml"])
def test_trace_gives_the_same_text_and_the_removed_spans(name: str) -> None:
    traced, doc = _traced(name), _document(name)
    assert traced.document.text == doc.text
    assert {r.rule for r in traced.document.removed} == {r.rule for r in doc.removed}
    # The spans add up to what the traced document counts; rules applied after parsing count alike in both.
    counted = {r.rule: r.chars for r in traced.document.removed}
    for rule, chars in counted.items():
        assert sum(len(s.text) for s in traced.spans if s.rule == rule) == chars
    after_parsing = {r.rule: r.chars for r in doc.removed if r.rule not in PRUNED_RULES}
    assert after_parsing == {rule: chars for rule, chars in counted.items() if rule not in PRUNED_RULES}


def test_a_marker_span_shows_its_context() -> None:
    spans = [s for s in _traced("citation_debris.xml").spans if s.text == "[8]"]
    assert spans and spans[0].before.endswith("canal system ") and spans[0].after.startswith(". Adhesion")


def test_pruned_parts_are_measured_on_their_bytes() -> None:
    data = b"<a>x <b>hello</b>  world\n</a><r><t>p &gt; 0.05 caf\xc3\xa9</t></r>"
    assert pruned_chars(data, [("x", 0, 30), ("y", 30, len(data))]) == [13, 16]  # "p &gt; 0.05 café": 16
    raw = b"<r><t>p > 0.05 ok</t></r>"  # a raw ">" in text does not end the count
    assert pruned_chars(raw, [("x", 0, len(raw))]) == [9]


@given(st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), min_size=1, max_size=20))
def test_pruned_chars_is_the_text_of_simple_markup(words: list[str]) -> None:
    data = "<ref-list>" + "".join(f'<ref id="r{i}"><t>{w} </t>\n</ref>' for i, w in enumerate(words)) + "</ref-list>"
    assert pruned_chars(data.encode(), [("r", 0, len(data))]) == [len(" ".join(words)) + 1]
