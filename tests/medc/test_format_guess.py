"""Which medc input a file looks like, from its first bytes (used to say "this looks like MedQA; use --medqa"
when an input yields no record)."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medc.format_guess import FORMATS, guess_file, guess_format

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("qa/medqa_US_test.jsonl", "medqa"),  # MedQA data_clean/questions/US/test.jsonl
        ("qa/medqa_4options_hf_test.jsonl", "medqa"),  # GBaker/MedQA-USMLE-4-options-hf (SWAG columns)
        ("qa/medmcqa_dev.json", "medmcqa"),  # MedMCQA dev.json (raw release)
        ("qa/medmcqa_hf_validation.jsonl", "medmcqa"),  # openlifescienceai/medmcqa export
        ("qa/pubmedqa_ori_pqal.json", "pubmedqa"),  # PubMedQA ori_pqal.json: a dict keyed by PMID
        ("qa/pubmedqa_pqa_labeled.jsonl", "pubmedqa"),  # qiaojin/PubMedQA rows
        ("qa/pubmedqa_test_ground_truth.json", None),  # {pmid: decision}: no input of its own
        ("medc_i/dialogues/HealthCareMagic-100k.json", "dialogues"),  # ChatDoctor: a JSON array of alpaca rows
        ("medc_i/dialogues/iCliniq.json", "dialogues"),
        ("medc_i/dialogues/healthcaremagic_dialogue_1.txt", "dialogues"),  # MedDialog-EN raw text
        ("medc_i/dialogues/nurse_questions.csv", None),  # needs --dialogue-columns: nothing to tell
        ("medc_i/qa/rationales.jsonl", "rationales"),
        ("medc_i/umls/MRCONSO.RRF", "umls"),
        ("pmc/research_article.nxml", "pmc"),
        ("pmc/oai_getrecord.xml", "pmc"),  # PMC OAI-PMH GetRecord
        ("pmc/malformed_fatal.xml", None),
    ],
)
def test_fixture_files_are_told_apart(path, expected):
    assert guess_file(FIXTURES / path) == expected


def test_books_by_their_magic_bytes():
    assert guess_format(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n") == "books"
    assert guess_format(b"PK\x03\x04" + b"\0" * 26 + b"mimetypeapplication/epub+zip") == "books"


@given(st.integers(min_value=1, max_value=400))
def test_a_file_cut_short_is_still_recognised_once_its_first_row_is_in(extra):
    # a 100k-row ChatDoctor array or a 200k-item PubMedQA dict is read from its first 64 KiB only
    for path, fmt in (("medc_i/dialogues/iCliniq.json", "dialogues"), ("qa/pubmedqa_ori_pqal.json", "pubmedqa")):
        data = (FIXTURES / path).read_bytes()
        first_row_end = data.index(b"}") + 1
        cut = data[: first_row_end + extra]
        assert guess_format(cut) == fmt


def test_every_format_names_an_option():
    for label, verb, option in FORMATS.values():
        assert label and verb in ("build-k", "build-i") and option.startswith("--")


def test_unreadable_or_unknown_is_none(tmp_path):
    assert guess_file(tmp_path / "missing.json") is None
    assert guess_format(b'{"title": "a note"}\n') is None
    assert guess_format(b"\xff\xfe garbage") is None
