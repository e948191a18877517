"""Bad input to the PMC builder: each problem is a Rejection with its own reason (or a Notice), never an exception,
and entities, DTDs and the network are never used."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from builders.pmc import PmcOptions, parse
from medc.records import Document, Notice, Rejection
from medc.sources import WorkUnit

FIXTURES = Path(__file__).parents[2] / "fixtures" / "pmc"
ARTICLE = (
    '<article><front><article-meta><article-id pub-id-type="pmc">123</article-id>'
    "<title-group><article-title>T</article-title></title-group></article-meta></front>"
    "<body><p>{body}</p></body></article>"
)


def run(data: bytes, origin: str = "in/PMC123.xml", **options: object) -> list[Document | Rejection | Notice]:
    return list(parse(WorkUnit(origin, data), PmcOptions(**options)))  # type: ignore[arg-type]


def reasons(data: bytes, **options: object) -> list[str]:
    return [r.reason for r in run(data, **options) if isinstance(r, Rejection)]


def test_malformed_file_is_recovered_and_counted() -> None:
    found = run((FIXTURES / "malformed_recoverable.nxml").read_bytes())
    assert found[0] == Notice("in/PMC123.xml", "recovered", detail="xmlParseEntityRef: no name, line 7, column 48")
    assert found[1].text == (  # type: ignore[union-attr]
        "Salt intake blood pressure in older adults\n\n"
        "Each 1 g reduction in salt lowered systolic pressure by 1.2 mmHg.\n\nThe effect was larger in those over 70."
    )


def test_unrecoverable_file_is_rejected_with_its_line() -> None:
    (rejection,) = run((FIXTURES / "malformed_fatal.xml").read_bytes())
    assert rejection == Rejection("in/PMC123.xml", "xml_syntax", "Start tag expected, '<' not found, line 1, column 1")


def test_entity_bomb_is_stopped_quickly() -> None:
    start = time.perf_counter()
    (rejection,) = run((FIXTURES / "entity_bomb.xml").read_bytes())
    assert time.perf_counter() - start < 2
    assert rejection.reason == "too_large"  # type: ignore[union-attr]
    assert "amplification" in rejection.detail  # type: ignore[union-attr]


def test_external_entities_are_never_resolved() -> None:
    (rejection,) = run((FIXTURES / "external_entity.xml").read_bytes())
    assert rejection == Rejection(
        "in/PMC123.xml",
        "undefined_entity",
        "entity &xxe; at line 9 is neither XML nor HTML; DTD entities are never expanded",
        "pmc:PMC6600102",
    )


def test_html_entities_left_by_an_unloaded_dtd_become_characters() -> None:
    # Real files declare the NLM DTD (never loaded here) and sometimes use &nbsp; or &ndash; from it.
    data = (
        b'<!DOCTYPE article PUBLIC "-//NLM//DTD JATS" "JATS-archivearticle1.dtd">'
        + ARTICLE.format(body="10&nbsp;mg, 3&ndash;5 days").encode()
    )
    (doc,) = run(data)
    assert doc.text == "T\n\n10\xa0mg, 3–5 days"  # type: ignore[union-attr]


def test_undefined_entity_without_a_dtd_is_rejected() -> None:
    (rejection,) = run(ARTICLE.format(body="10&nbsp;mg").encode())
    assert rejection.reason == "undefined_entity"  # type: ignore[union-attr]
    assert "line 1" in rejection.detail  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty_file"),
        (b"  \n\t", "empty_file"),
        (b'<?xml version="1.0" encoding="UTF-8"?><article><p>caf\xe9</p></article>', "bad_encoding"),
        (b'<?xml version="1.0" encoding="x-klingon"?><article/>', "bad_encoding"),
        (b"<a>" * 300 + b"</a>" * 300, "too_deep"),
        (b"<article><body><p>" + b"x" * (11 << 20) + b"</p></body></article>", "too_large"),
        (b"<book-part-wrapper><book-part/></book-part-wrapper>", "not_an_article"),
        (b"<pmc-articleset></pmc-articleset>", "not_an_article"),
    ],
)
def test_problem_files_get_their_own_reason(data: bytes, reason: str) -> None:
    assert reasons(data) == [reason]


def test_no_pmcid_anywhere_is_rejected_when_required() -> None:
    data = b"<article><body><p>No identifiers.</p></body></article>"
    (rejection,) = run(data, origin="in/untitled.xml", require_pmcid=True)
    assert rejection.reason == "no_pmcid"  # type: ignore[union-attr]
    (doc,) = run(data, origin="in/untitled.xml")  # by default the article is kept, named by its bytes
    assert doc.id.startswith("file:") and doc.meta.id_type == "file"  # type: ignore[union-attr]


def test_pmcid_falls_back_on_the_file_name() -> None:
    (doc,) = run(b"<article><body><p>Named by its file.</p></body></article>", origin="x.tar.gz::PMC000/PMC4242.xml")
    assert doc.id == "pmc:PMC4242"  # type: ignore[union-attr]


def test_max_bytes_bounds_what_is_parsed() -> None:
    assert reasons(ARTICLE.format(body="x" * 5000).encode(), max_bytes=1000) == ["too_large"]


def test_utf16_file_is_read() -> None:
    (doc,) = run(
        (
            '<?xml version="1.0" encoding="UTF-16"?>' + ARTICLE.format(body='Ödem [<xref ref-type="bibr">1</xref>].')
        ).encode("utf-16")
    )
    assert doc.text == "T\n\nÖdem."  # type: ignore[union-attr]


def test_oai_error_is_a_rejection() -> None:
    data = (
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-05-04T10:00:00Z</responseDate>'
        b'<request verb="GetRecord">x</request><error code="idDoesNotExist">No matching identifier</error></OAI-PMH>'
    )
    assert run(data) == [Rejection("in/PMC123.xml", "oai_error", "idDoesNotExist: No matching identifier")]


def test_oai_record_in_another_format_is_not_an_article() -> None:
    data = (
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><GetRecord><record><header><identifier>x'
        b'</identifier></header><metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"/>'
        b"</metadata></record></GetRecord></OAI-PMH>"
    )
    (rejection,) = run(data)
    assert rejection.reason == "not_an_article" and "metadataPrefix=pmc" in rejection.detail  # type: ignore
