"""The PMC JATS builder on authored fixtures (tests/fixtures/pmc/): exact text and metadata of each case."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from builders.pmc import PmcOptions, accepts, parse
from builders.pmc.sections import section_kind
from medc.records import Document, Notice, PaperMeta, Rejection
from medc.sources import WorkUnit

FIXTURES = Path(__file__).parents[2] / "fixtures" / "pmc"


def records(name: str, **options: object) -> list[Document | Rejection | Notice]:
    unit = WorkUnit(f"pmc/{name}", (FIXTURES / name).read_bytes())
    return list(parse(unit, PmcOptions(**options)))  # type: ignore[arg-type]


def document(name: str, **options: object) -> Document:
    docs = [r for r in records(name, **options) if isinstance(r, Document)]
    assert len(docs) == 1, records(name, **options)
    return docs[0]


RESEARCH_TEXT = """\
Low-dose aspirin and graft survival after kidney transplantation

Abstract
Background
Whether low-dose aspirin protects kidney grafts is unclear.

Methods
We followed 412 recipients for a median of 6.1 years.

Results
Graft loss was lower with aspirin (hazard ratio 0.71).

Introduction
Chronic allograft injury remains the main cause of late graft loss. Platelet activation contributes to it, and \
two cohorts reported fewer thrombotic events with aspirin.

Endothelial damage is well described in Escherichia coli sepsis, where bacterial counts above 10^6 per ml and \
H2O2 release were seen. As Okafor and Lindqvist (2019) showed, the effect is dose dependent.

Methods
Patients
Recipients were enrolled between 2008 and 2015 (n = 412). Baseline data are given in Table 1. Inclusion \
criteria were:

- age 18 to 75 years;
- a first kidney graft, with either
  1. a living donor, or
  2. a deceased donor.

Statistical analysis
Cox models were fitted in R; the code is in the project repository. See also for the protocol.

Results
Graft loss occurred in 58 recipients, as Figure 1 shows.

Graft survival by aspirin use. Kaplan–Meier estimates for 412 recipients.

Key points
Aspirin use was common.
Bleeding was rare."""


def test_research_article_text_is_clean_and_structured() -> None:
    # Structured abstract labels, nested sections, nested lists, boxed text and a figure caption stay; citation
    # markers of every shape, callouts, the table, URLs, funding/COI/supplementary sections and back matter go.
    doc = document("research_article.nxml")
    assert doc.text == RESEARCH_TEXT
    assert doc.id == "pmc:PMC9100001"
    assert doc.source == "papers"
    assert doc.title == "Low-dose aspirin and graft survival after kidney transplantation"
    assert doc.origin == "pmc/research_article.nxml"


def test_research_article_metadata() -> None:
    assert document("research_article.nxml").meta == PaperMeta(
        pmcid="PMC9100001",
        pmid="35550001",
        doi="10.9999/nephro.2022.0142",
        journal="Nephrology Open",
        year=2022,
        article_type="research-article",
        license="https://creativecommons.org/licenses/by/4.0/",
        language="en",
        retracted=False,
        id_type="pmcid",
    )


def test_every_removal_can_be_turned_off() -> None:
    text = document(
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
        keep_urls=True,
    ).text
    for kept in (
        "Ingrid Haraldsen, Tomas Mbeki",
        "late graft loss [1].",
        "contributes to it [2–4]",
        "with aspirin (5, 6).",
        "well described7,8 in",
        "(Brandt et al., 2017; Sato, 2020).",
        "(n = 412; Fig. 1)",
        "(Fig. 1A, B)",
        "(https://www.r-project.org)",
        "www.example.org/protocol",
        "Variable | Aspirin\nAge, years | 52",
        "Values are medians.",
        "Click here for additional data file.",
        "Conflicts of interest\nThe authors declare no competing interests.",
        "We thank the transplant",
        "Funded by the Regional Health Trust.",
        "Appendix A\nDoses were rounded to 75 mg.",
        "References\nAalto K, Ruiz M. Late graft loss. Transpl Rev. 2015;12:1–9.\n"
        "Berg L Platelets in rejection Graft 2016",
    ):
        assert kept in text


def test_callouts_all_and_captions_off() -> None:
    text = document("research_article.nxml", callouts="all", keep_captions=False, keep_boxed_text=False).text
    assert "Baseline data are given in. Inclusion" in text  # callouts="all" takes even a grammatical one
    assert "Graft survival by aspirin use" not in text
    assert "Key points" not in text
    assert text.endswith("Graft loss occurred in 58 recipients, as shows.")


def test_math_tex_kept_mathml_converted_image_counted() -> None:
    found = records("math_formulas.xml")
    assert found[0] == Notice("pmc/math_formulas.xml", "formula_without_text", 1, "pmc:PMC9200002")
    assert found[1].text == (  # type: ignore[union-attr]
        "A one-compartment model of vancomycin clearance\n\nModel\n"
        "Differences were significant at p < 0.05. The concentration falls as $e^{−kt}$ with half-life "
        "$\\frac{\\ln 2}{k}$, and the mean $\\bar{x}$ was close to $\\sqrt{n}$.\n\n"
        "The dose follows\n\n$$D = C_{ss} \\cdot CL \\cdot \\tau$$\n\n"
        "where clearance is estimated as\n\n$$CL = ∑_{i = 1}^n w_i (a,b)$$\n\nfor $n \\geq 3$ samples.\n\n"
        "A matrix form is $\\begin{matrix}1 & 0 \\\\ 0 & 1\\end{matrix}$, and an annotated one is $\\hat{y}_i$.\n\n"
        "The scanned equation is in the original."
    )
    assert found[1].meta.license == "http://creativecommons.org/licenses/by-nc/4.0/"  # type: ignore[union-attr]
    assert found[1].meta.year == 2023  # type: ignore[union-attr]


def test_oai_getrecord_with_jats_14_default_namespace() -> None:
    doc = document("oai_getrecord.xml")
    assert doc.text == (
        "Reversible posterior leukoencephalopathy after tacrolimus\n\nAbstract\n"
        "A 34-year-old woman developed seizures on day 9 after liver transplantation.\n\n"
        "Magnetic resonance imaging showed bilateral occipital oedema. Tacrolimus was switched to "
        "sirolimus and the lesions resolved."
    )
    # pmcid-ver and pmcaid are not mistaken for the PMCID; the ALI licence reference is read.
    assert doc.meta == PaperMeta(
        pmcid="PMC9300003",
        pmid="37770003",
        doi="10.9999/ccro.331",
        journal="Clinical Case Reports Open",
        year=2024,
        article_type="brief-report",
        license="https://creativecommons.org/licenses/by-nc-nd/4.0/",
        language="en",
        id_type="pmcid",
        version=2,
    )


def test_oai_listrecords_yields_each_record_and_counts_deleted_ones() -> None:
    found = records("oai_listrecords.xml")
    assert [type(r).__name__ for r in found] == ["Document", "Notice", "Document"]
    assert [r.id for r in found if isinstance(r, Document)] == ["pmc:PMC9400011", "pmc:PMC9400013"]
    assert found[1] == Notice("pmc/oai_listrecords.xml", "oai_deleted", detail="oai:pubmedcentral.nih.gov:9400012")
    assert found[2].text.endswith("Plasma ascorbate was below 11 µmol/l in 9 of 40 patients.")  # type: ignore


def test_articleset_keeps_the_article_and_rejects_the_correction() -> None:
    found = records("articleset.xml")
    assert found[0].meta.license == "CC BY-NC"  # type: ignore[union-attr]  # licence stated in prose only
    assert found[0].meta.year == 2014  # type: ignore[union-attr]
    assert found[1] == Rejection(
        "pmc/articleset.xml",
        "article_type_excluded",
        "article type 'correction' is in exclude_article_types",
        "pmc:PMC4500022",
    )


def test_notice_typed_other_is_recognised_by_its_title() -> None:
    # Some journals tag errata article-type="other"; "Erratum to: ..." names them.
    (rejection,) = records("correction.nxml")
    assert rejection.reason == "article_type_excluded"  # type: ignore[union-attr]
    assert "'erratum'" in rejection.detail  # type: ignore[union-attr]
    assert isinstance(document("correction.nxml", exclude_article_types=[]), Document)


def test_sub_articles_dropped_by_default_appended_on_request() -> None:
    main = (
        "Sleep duration and delirium after cardiac surgery\n\nAbstract\n"
        "Shorter sleep before surgery predicted delirium.\n\nAuthor summary\n"
        "Poor sleep before heart surgery may make confusion afterwards more likely.\n\n"
        "Delirium affected 62 of 310 patients."
    )
    assert document("sub_articles.nxml").text == main  # graphical abstract and German trans-abstract skipped
    assert document("sub_articles.nxml", sub_articles="append").text == main + (
        "\n\nReviewer #1 report\nThe actigraphy methods need more detail.\n\n"
        "Author response\nWe have expanded the methods section."
    )


def test_article_without_body_is_rejected_unless_allowed() -> None:
    assert records("no_body.nxml") == [
        Rejection(
            "pmc/no_body.nxml",
            "no_body",
            "the article has no body text (abstract only, or a scanned PDF)",
            "pmc:PMC1200051",
        )
    ]
    doc = document("no_body.nxml", require_body=False)
    assert doc.text == (
        "Rickets in three coastal villages\n\nAbstract\nRickets was found in 41 of 600 children examined."
    )
    assert doc.meta.year == 1962  # type: ignore[union-attr]


def test_non_english_article_keeps_its_language() -> None:
    doc = document("spanish.nxml")
    assert doc.meta.language == "es"  # type: ignore[union-attr]
    assert doc.text == (
        "Anemia en niños menores de cinco años en zonas de altura\n\nAbstract\n"
        "La prevalencia de anemia fue del 38 %.\n\nIntroducción\n"
        "La altitud modifica los umbrales de hemoglobina."
    )  # no trans-title, no trans-abstract
    (rejection,) = records("spanish.nxml", languages=["en"])
    assert rejection.reason == "language_excluded"  # type: ignore[union-attr]


def test_retracted_article_is_rejected_unless_kept() -> None:
    assert [r.reason for r in records("retracted.nxml")] == ["retracted"]  # type: ignore[union-attr]
    assert document("retracted.nxml", drop_retracted=False).meta.retracted is True  # type: ignore[union-attr]


def test_nlm23_floats_wrap_and_latin1_encoding() -> None:
    doc = document("nlm23_floats.nxml")
    assert doc.text == (
        "Thyroid volume in iodine-sufficient adults\n\nResults\nMedian thyroid volume was 11.2 ml in "
        "women and 14.9 ml in men. Volumes were larger in smokers; see Figure 1.\n\n"
        "Thyroid volume by sex. Boxes show quartiles."
    )
    assert doc.meta.license == "http://creativecommons.org/licenses/by/2.0"  # type: ignore[union-attr]
    assert doc.meta.journal == "BMC Endocr Disord"  # type: ignore[union-attr]
    assert doc.meta.year == 2007  # type: ignore[union-attr]  # epub preferred over collection


@pytest.mark.parametrize(
    ("groups", "kept"), [(["commercial"], ["PMC9400011", "PMC9400013"]), (["noncommercial", "other"], [])]
)
def test_license_groups_filter(groups: list[str], kept: list[str]) -> None:
    found = records("oai_listrecords.xml", license_groups=groups)
    assert [r.meta.pmcid for r in found if isinstance(r, Document)] == kept  # type: ignore[union-attr]
    assert sum(isinstance(r, Rejection) and r.reason == "license_excluded" for r in found) == 2 - len(kept)


def test_accepts_article_files_only() -> None:
    assert accepts("PMC123.nxml") and accepts("PMC123.xml") and accepts("PMC10009416.1.xml")
    assert not any(accepts(n) for n in ("PMC10009416.1.txt", "PMC10009416.1.json", "a.pdf", "NPR2-g001.jpg"))


def test_options_validate_with_actionable_messages() -> None:
    with pytest.raises(ValueError, match="license_groups must be a non-empty list of commercial"):
        PmcOptions(license_groups=["cc-by"])
    with pytest.raises(ValueError, match="callouts must be one of keep, parenthetical, all"):
        PmcOptions(callouts="some")
    with pytest.raises(ValueError, match="keep_tables must be true or false"):
        PmcOptions(keep_tables="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="--pmc-filelist"):
        PmcOptions(filelist="lists.csv")  # type: ignore[arg-type]
    assert PmcOptions(languages=["EN ", "es"]).languages == ("en", "es")


def test_options_and_parse_results_pickle() -> None:
    # The runner sends partial(parse, options=...) to worker processes and results back.
    options = PmcOptions(license_groups=["commercial"])
    assert pickle.loads(pickle.dumps(options)) == options
    doc = document("research_article.nxml")
    assert pickle.loads(pickle.dumps(doc)) == doc


@pytest.mark.parametrize(
    ("sec_type", "title", "kind"),
    [
        ("COI-statement", "Conflicts of Interest", "competing_interests"),
        (None, "4. Acknowledgements", "acknowledgements"),
        (None, "IV. Funding", "funding"),
        (None, "Declaration of competing interest", "competing_interests"),
        (None, "Authors' contributions", "authors"),
        (None, "Supplementary Material", "supplementary"),
        ("funding-information", "Sources", "funding"),
        (None, "Introduction", None),
        (None, "Discussion", None),
        (None, "", None),
    ],
)
def test_boilerplate_sections_are_recognised(sec_type: str | None, title: str, kind: str | None) -> None:
    assert section_kind(sec_type, title) == kind
