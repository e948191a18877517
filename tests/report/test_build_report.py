"""The build report on real small builds: every rejection reason with real examples, duplicate pairs with both
texts, quality scores against their thresholds, licences, the MedC-I mix and decontamination; self-contained."""

import html
import json
import shutil

import pytest

from medc.publish.facts import read_build
from medc.report import write_report
from medc.report.build_extras import mix_section
from medc.report.build_page import build_page
from medc.report.page import Example, ExampleGroup, Page, Section, render_page, write_page
from tests.report.page_checks import decoded_images, outside_references


@pytest.fixture(scope="module")
def k_model(medc_k):
    return build_page(medc_k)


@pytest.fixture(scope="module")
def k_page(medc_k, k_model):
    path = write_page(k_model, medc_k / "report.html")
    return html.unescape(path.read_text(encoding="utf-8"))


def blocks(page, kind):
    return [b for s in page.sections for b in s.blocks if b.kind == kind]


def test_every_rejection_reason_has_real_examples_with_origins(medc_k, k_model, k_page):
    manifest = json.loads((medc_k / "manifest.json").read_text())
    reasons = set(manifest["rejections"])
    assert reasons >= {"too_short", "low_alpha", "repeated_lines", "non_language", "wrong_language", "encrypted"}
    groups = {b.label: b for b in blocks(k_model, "examples")}
    assert set(groups) == reasons
    for reason, group in groups.items():
        assert group.count == manifest["rejections"][reason]
        assert group.examples and all(ex.origin for ex in group.examples), reason
        assert all(ex.origin in k_page for ex in group.examples), reason
    # the text (the input's own words), read again from the origin the rejection names
    assert "In Table 2 the dose should read 10 mg." in groups["too_short"].examples[0].text
    assert "La anemia es frecuente" in groups["wrong_language"].examples[0].text
    assert "This is the patient form of the ward" in groups["repeated_lines"].examples[0].text
    assert "not xml at all" in groups["xml_syntax"].examples[0].text  # the first lines of a file that is not XML
    assert groups["encrypted"].examples[0].text is None
    assert "encrypted PDF" in groups["encrypted"].examples[0].missing


def test_duplicate_pairs_side_by_side_with_similarity_and_both_texts(k_model, k_page):
    (pairs,) = (b.pairs for b in blocks(k_model, "pairs"))
    assert [(p.kind, p.kept.title, p.removed.title) for p in pairs] == [
        ("near", "pmc:PMC111", "pmc:PMC102"),  # least similar first
        ("exact", "pmc:PMC100", "pmc:PMC101"),
    ]
    assert 0.8 < pairs[0].similarity < 1.0 and pairs[1].similarity == 1.0
    # the kept text from the shards, the removed one from the staging
    assert "Funding was provided by the ministry." in pairs[0].kept.text
    assert "Funding was provided" not in pairs[0].removed.text
    assert pairs[0].removed.text.startswith("Outcomes after kidney injury")
    assert pairs[0].kept.origin.endswith("PMC111.xml") and pairs[0].removed.origin.endswith("PMC102.xml")
    assert f"{pairs[0].similarity:.3f}" in k_page
    assert "identical for the first" in pairs[0].note and pairs[1].note.startswith("identical texts")


def test_quality_scores_with_thresholds_lengths_records_and_licences(medc_k, k_page):
    for fragment in (
        "words per record",
        "min_words = 50",
        "min_alpha_ratio = 0.4",
        "max_repeated_line_ratio = 0.3",
        "min_stopword_ratio = 0.05",
        "1 record(s) were rejected as <code>too_short</code>",
        "Record length",
        "Records per source",
        "PMC articles by licence",
        "CC BY",
        "textbook records",
        "How this build was made",
    ):
        assert fragment in k_page, fragment
    assert "Text removed inside kept records" in k_page  # said to be unrecorded, not left silent


def test_page_is_self_contained_and_its_images_decode(k_page):
    assert outside_references(k_page) == []
    assert "\x00" not in k_page and "not xml at all" in k_page  # a binary file's first bytes, made printable
    sizes = decoded_images(k_page)
    assert len(sizes) >= 9  # records, lengths, 5 quality scores, rejections, similarity, licences
    assert all(w > 300 and h > 100 for w, h in sizes)


def test_medc_i_report_shows_mix_decontamination_and_contaminated_records(medc_i):
    built = build_page(medc_i)
    page = html.unescape(render_page(built))
    manifest = json.loads((medc_i / "manifest.json").read_text())
    for reason in manifest["rejections"]:
        assert f"<code>{reason}</code>" in page, reason
    assert "Mix per source" in page and "What became of each source" in page
    for source in manifest["extra"]["instructions"]["sources"]:
        assert f"<td>{source}</td>" in page, source
    assert "Decontamination" in page and "medqa_test.jsonl" in page and "Records removed as contaminated" in page
    # a contaminated record's own text, from the staging (the record reached finalize)
    groups = {b.label: b for b in blocks(built, "examples")}
    assert all(ex.text and "[output]" in ex.text for ex in groups["contaminated"].examples)
    # a bad JSON line, shown by the line number its detail names
    assert groups["bad_json"].examples[0].text.startswith("line ")
    assert outside_references(page) == [] and decoded_images(page)


def test_a_build_that_records_less_still_renders(medc_k, tmp_path):
    # stands for a build from before per-rule accounting, or made by another tool: bare manifest, no jsonl files,
    # no staging; the new fields (per-rule removals, origins of duplicates) are shown when present
    build = shutil.copytree(medc_k, tmp_path / "old", ignore=shutil.ignore_patterns(".staging", "report.html"))
    manifest = json.loads((build / "manifest.json").read_text())
    bare = {
        "kind": "medc-k",
        "records": manifest["records"],
        "removed": {"pmc.section.references": {"chars": 912, "count": 3}},
    }
    (build / "manifest.json").write_text(json.dumps(bare))
    (build / "rejections.jsonl").unlink()
    row = {
        "kind": "near",
        "kept": "pmc:PMC111",
        "removed": "pmc:PMC102",
        "similarity": 0.87,
        "removed_origin": "gone/PMC102.xml",
    }
    (build / "duplicates.jsonl").write_text(json.dumps(row) + "\n" + "not json\n")
    page = html.unescape(write_report(build).read_text(encoding="utf-8"))
    assert "Nothing was rejected" in page
    assert "pmc.section.references" in page and "912" in page
    assert "gone/PMC102.xml" in page and "not on this machine" in page
    assert "Quality scores" in page and "not recorded" in page  # thresholds unknown, histograms still drawn


def test_corpus_text_cannot_inject_markup():
    # stands for a rejected record whose text holds markup (JATS with embedded HTML, a dialogue quoting a tag)
    example = Example("pmc:PMC1", "<b>x.xml</b>", "<script>alert(1)</script>", "<img src=x>")
    page = render_page(Page("t", "s", [], [Section("Rejections", [ExampleGroup("odd", 1, [example])])]))
    assert "<script>" not in page and "<img src=x>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and outside_references(page) == []


def test_mix_section_lists_the_caps_and_weights_the_build_was_given(medc_i, tmp_path):
    build = shutil.copytree(medc_i, tmp_path / "i", ignore=shutil.ignore_patterns(".staging", "report.html"))
    manifest = json.loads((build / "manifest.json").read_text())
    manifest["extra"]["instructions"].update(caps={"medmcqa": 2}, weights={"umls_relation": 0.5})
    (build / "manifest.json").write_text(json.dumps(manifest))
    section = mix_section(read_build(build))
    limits = next(b for b in section.blocks if b.kind == "table" and b.columns == ["source", "cap", "weight"])
    assert limits.rows == [["medmcqa", 2, ""], ["umls_relation", "", 0.5]]
