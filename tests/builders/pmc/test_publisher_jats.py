"""Articles beyond PMC's own files: publisher XML without a PMCID, wrappers, envelopes, translations, sections
that only look like back matter. Each fixture names the devcorpus file it stands for."""

from __future__ import annotations

from pathlib import Path

from builders.pmc import PmcOptions, parse
from medc.records import Document, Notice, Rejection
from medc.sources import WorkUnit

FIXTURES = Path(__file__).parents[2] / "fixtures" / "pmc"


def records(name: str, **options: object) -> list[Document | Rejection | Notice]:
    unit = WorkUnit(f"in/{name}", (FIXTURES / name).read_bytes())
    return list(parse(unit, PmcOptions(**options)))  # type: ignore[arg-type]


def documents(name: str, **options: object) -> list[Document]:
    return [r for r in records(name, **options) if isinstance(r, Document)]


def test_publisher_xml_is_kept_under_its_doi() -> None:
    (doc,) = documents("publisher_doi_only.xml")
    assert doc.id == "doi:10.9999/journal.cpo.1000417"  # lower-cased: DOIs compare without case
    assert (doc.meta.id_type, doc.meta.pmcid, doc.meta.language) == ("doi", None, "en")  # type: ignore[union-attr]
    assert doc.text.endswith("The proximal tubule reabsorbs two thirds of filtered sodium.")


def test_require_pmcid_restores_the_strict_behaviour() -> None:
    (rejection,) = records("publisher_doi_only.xml", require_pmcid=True)
    assert isinstance(rejection, Rejection) and rejection.reason == "no_pmcid"
    assert rejection.origin == "in/publisher_doi_only.xml"


def _without_ids(*kept: str) -> bytes:
    # Stands for devcorpus jats/peerj_jats1.1.xml (a publisher id and a DOI), with only the ids named kept.
    ids = {
        "doi": '<article-id pub-id-type="doi">10.9999/peerj.1</article-id>',
        "publisher-id": '<article-id pub-id-type="publisher-id">3360</article-id>',
    }
    return (
        '<article><front><journal-meta><journal-id journal-id-type="publisher-id">PeerJ</journal-id>'
        f"</journal-meta><article-meta>{''.join(ids[k] for k in kept)}</article-meta></front>"
        "<body><p>Storms reduced intertidal species.</p></body></article>"
    ).encode()


def test_id_falls_back_on_publisher_id_then_on_the_bytes() -> None:
    (doc,) = list(parse(WorkUnit("in/a.xml", _without_ids("publisher-id")), PmcOptions()))
    assert (doc.id, doc.meta.id_type) == ("publisher:PeerJ/3360", "publisher-id")  # type: ignore[union-attr]
    data = _without_ids()
    (first,) = list(parse(WorkUnit("in/a.xml", data), PmcOptions()))
    (again,) = list(parse(WorkUnit("elsewhere/b.xml", data), PmcOptions()))
    assert first.id == again.id and first.id.startswith("file:")  # type: ignore[union-attr]
    assert first.meta.id_type == "file"  # type: ignore[union-attr]


def test_europe_pmc_articles_wrapper_gives_each_article() -> None:
    docs = documents("europepmc_articles.xml")
    assert [d.id for d in docs] == ["pmc:PMC9500101", "pmc:PMC9500102"]
    assert docs[1].text == "Smell loss in children\n\nSmell loss was rare before the age of ten."
    assert {d.origin for d in docs} == {"in/europepmc_articles.xml"}


def test_article_inside_a_foreign_envelope_is_found() -> None:
    (doc,) = documents("envelope_item.xml")
    assert doc.id == "doi:10.1101/700001"
    assert doc.meta.version == 1  # type: ignore[union-attr]  # bioRxiv <article-version>1.2: version 1
    assert doc.text == "Islet gene loci and fasting glucose\n\nTwelve loci were associated with fasting glucose."


def test_translation_is_a_document_of_its_own() -> None:
    main, translation = documents("translation_pt_en.xml")
    assert main.id == "doi:10.9999/rsp.2013.0231" and main.meta.language == "pt"  # type: ignore[union-attr]
    assert "O consumo de sal é alto no Brasil." in main.text and "Salt" not in main.text
    assert translation.id == "doi:10.9999/rsp.2013.0231:translation:en"
    assert translation.meta.translation_of == main.id  # type: ignore[union-attr]
    assert translation.meta.language == "en"  # type: ignore[union-attr]
    assert translation.text == (
        "Salt intake in adults\n\nAbstract\nWe estimated sodium intake in 500 adults.\n\n"
        "Introduction\nSalt intake is high in Brazil."
    )
    # Its table and reference list are its own removals; the associated-data sub-article is the main one's.
    assert {r.rule for r in translation.removed} == {"pmc.table", "pmc.back_matter"}
    assert "pmc.sub_article" in {r.rule for r in main.removed}


def test_an_english_build_keeps_the_english_translation() -> None:
    found = records("translation_pt_en.xml", languages=["en"])
    assert [type(r).__name__ for r in found] == ["Rejection", "Document"]
    assert found[0].reason == "language_excluded"  # type: ignore[union-attr]
    assert found[1].id.endswith(":translation:en")  # type: ignore[union-attr]


def test_translations_can_stay_sub_articles() -> None:
    (doc,) = documents("translation_pt_en.xml", translations="sub_article", sub_articles="append")
    assert "Salt intake is high in Brazil." in doc.text


def test_sections_are_dropped_by_whole_title_only() -> None:
    found = records("methods_subsections.xml")
    (doc,) = [r for r in found if isinstance(r, Document)]
    assert doc.text == (
        "HIV care in general practice\n\nMethods\nWe enrolled 120 adults.\n\n"
        "Competing risks analysis\nDeath was a competing risk.\n\n"
        "Disclosure of HIV status\nHalf had told their family.\n\n"
        "Funding of primary care practices\nPractices were paid per patient."
    )
    notices = [r.detail for r in found if isinstance(r, Notice) and r.code == "section_dropped"]
    assert notices == [
        "pmc:PMC9600201: funding section 'Funding' (38 chars)",
        "pmc:PMC9600201: competing_interests section 'Conflicts of Interest:' (48 chars)",
        "pmc:PMC9600201: references section 'References' (102 chars)",
    ]
    removed = {r.rule: (r.chars, r.count) for r in doc.removed}
    assert removed["pmc.section.funding"] == (38, 1)
    assert removed["pmc.section.references"] == (102, 1)


def test_lookalike_titles_at_top_level_keep_the_body() -> None:
    (doc,) = documents("toplevel_lookalike_titles.xml")
    assert doc.text.count("\n\n") == 3
