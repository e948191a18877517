"""The benchmark readers on authored files in each native format (tests/fixtures/qa/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medc.qa_formats import (
    detect_cop_base,
    file_stem,
    parse_pubmedqa_ground_truth,
    read_medmcqa,
    read_medqa,
    read_pubmedqa,
)
from medc.records import QAItem, Rejection

QA = Path(__file__).parents[1] / "fixtures" / "qa"


def read(name: str) -> bytes:
    return (QA / name).read_bytes()


def items(records) -> list[QAItem]:
    out = list(records)
    assert all(isinstance(r, QAItem) for r in out), [r for r in out if isinstance(r, Rejection)]
    return out


def reasons(records) -> list[str]:
    return [r.reason for r in records if isinstance(r, Rejection)]


# --- MedQA


def test_medqa_four_options_native():
    got = items(read_medqa(read("medqa_phrases_no_exclude_test.jsonl"), "medqa_phrases_no_exclude_test.jsonl"))
    assert [q.id for q in got] == [f"medqa:medqa_phrases_no_exclude_test:{n}" for n in (1, 2, 3)]
    assert [q.answer for q in got] == [2, 3, 0]
    assert got[0].options == [
        "Doxycycline",
        "Ciprofloxacin",
        "Nitrofurantoin",
        "Trimethoprim-sulfamethoxazole",
    ]
    assert got[0].options[got[0].answer] == "Nitrofurantoin"
    assert got[0].subject == "step2&3" and got[0].dataset == "medqa"
    assert got[0].question.startswith("A 24-year-old woman has burning")


def test_medqa_five_options_native():
    got = items(read_medqa(read("medqa_US_test.jsonl"), "data_clean.zip::questions/US/test.jsonl"))
    assert [len(q.options) for q in got] == [5, 5]
    assert [q.options[q.answer] for q in got] == ["Staphylococcus aureus", "TSH receptor"]
    assert got[1].answer == 4 and got[1].id == "medqa:test:2"
    assert got[1].origin == "data_clean.zip::questions/US/test.jsonl"


def test_medqa_swag_style_mirror():
    got = items(read_medqa(read("medqa_4options_hf_test.jsonl"), "test.jsonl"))
    assert [q.id for q in got] == ["medqa:test:0", "medqa:test:1"]
    assert [q.options[q.answer] for q in got] == ["Hyperkalemia", "Radial nerve"]
    assert got[0].question == "Which electrolyte abnormality produces peaked T waves on the ECG?"


def test_medqa_bad_rows_become_rejections_with_reasons():
    good = {"question": "Q?", "options": {"A": "x", "B": "y"}, "answer_idx": "B", "answer": "y"}
    lines = [
        json.dumps(good),
        '{"question": "broken",',
        json.dumps({**good, "answer_idx": "C"}),  # not an option letter
        json.dumps({**good, "answer": "x"}),  # letter and text disagree
        json.dumps({**good, "options": {"A": "x", "C": "y"}}),  # gap in the letters
        json.dumps({"options": {"A": "x"}, "answer_idx": "A"}),
        "",
        json.dumps({k: v for k, v in good.items() if k != "answer_idx"}),  # the text alone decides
        "[1, 2]",
        json.dumps({"question": "Q?", "options": {"A": "x", "B": "y"}}),
    ]
    out = list(read_medqa("\n".join(lines).encode(), "dev.jsonl"))
    assert reasons(out) == [
        "bad_json",
        "bad_answer",
        "bad_answer",
        "bad_options",
        "missing_field",
        "bad_json",
        "missing_field",
    ]
    assert [(q.id, q.answer) for q in out if isinstance(q, QAItem)] == [
        ("medqa:dev:1", 1),
        ("medqa:dev:8", 1),
    ]
    bad_json = next(r for r in out if isinstance(r, Rejection) and r.reason == "bad_json")
    assert bad_json.detail.startswith("line 2: ") and bad_json.origin == "dev.jsonl"
    disagree = out[3]
    assert disagree.record_id == "medqa:dev:4" and "'y'" in disagree.detail and "'x'" in disagree.detail


def test_bad_encoding_and_empty_file():
    assert reasons(read_medqa(b'{"question": "\xff"}\n', "a.jsonl")) == ["bad_encoding"]
    assert reasons(read_medqa(b"\n  \n", "a.jsonl")) == ["empty_file"]


def test_file_stem():
    assert file_stem("x.tar.gz::US/4_options/phrases_no_exclude_dev.jsonl") == "phrases_no_exclude_dev"
    assert file_stem("/data/dev.json.gz") == "dev"


# --- MedMCQA: the index conventions


def test_medmcqa_raw_release_is_one_based():
    got = items(read_medmcqa(read("medmcqa_dev.json"), "dev.json"))
    assert [q.options[q.answer] for q in got] == [
        "High leukocyte alkaline phosphatase score",
        "Ethosuximide",
        "Abducens",
        "Measles",
    ]
    assert [q.answer for q in got] == [0, 3, 1, 2]
    assert got[0].id == "medmcqa:a1b2c3d4-0001"
    assert got[0].rationale.startswith("A leukemoid reaction") and got[2].rationale == ""
    assert got[1].subject == "Pharmacology"


def test_medmcqa_hf_export_is_zero_based_and_agrees_with_raw():
    raw = items(read_medmcqa(read("medmcqa_dev.json"), "dev.json"))
    hf = items(read_medmcqa(read("medmcqa_hf_validation.jsonl"), "validation.jsonl"))
    assert [(q.id, q.answer) for q in hf] == [(q.id, q.answer) for q in raw[:3]]


def test_medmcqa_unlabeled_test_split():
    data = read("medmcqa_hf_test.jsonl")
    out = list(read_medmcqa(data, "test.jsonl"))
    assert reasons(out) == ["unlabeled", "unlabeled"] and out[0].record_id == "medmcqa:e5f6a7b8-0001"
    kept = items(read_medmcqa(data, "test.jsonl", keep_unlabeled=True))
    assert [q.answer for q in kept] == [None, None]
    raw_test = b'{"id": "t1", "question": "Q?", "opa": "a", "opb": "b", "opc": "c", "opd": "d"}\n'
    assert reasons(read_medmcqa(raw_test, "test.json")) == ["unlabeled"]


def test_medmcqa_refuses_to_guess_when_the_file_cannot_tell():
    rows = [
        {"id": f"x{i}", "question": "Q?", "opa": "a", "opb": "b", "opc": "c", "opd": "d", "cop": c}
        for i, c in enumerate([1, 2, 3, 2])
    ]
    data = "\n".join(map(json.dumps, rows)).encode()
    with pytest.raises(ValueError, match="cop_base=1 for the raw release"):
        list(read_medmcqa(data, "mine.jsonl"))
    assert [q.answer for q in items(read_medmcqa(data, "mine.jsonl", cop_base=1))] == [0, 1, 2, 1]
    assert [q.answer for q in items(read_medmcqa(data, "mine.jsonl", cop_base=0))] == [1, 2, 3, 2]


def test_medmcqa_conflicting_numbering_raises_and_explicit_base_rejects_out_of_range():
    rows = [{"question": "Q?", "opa": "a", "opb": "b", "opc": "c", "opd": "d", "cop": c} for c in (0, 4)]
    data = "\n".join(map(json.dumps, rows)).encode()
    with pytest.raises(ValueError, match="mix 0-based"):
        list(read_medmcqa(data, "mine.jsonl"))
    out = list(read_medmcqa(data, "mine.jsonl", cop_base=1))
    assert reasons(out) == ["bad_answer"] and out[1].answer == 3 and out[1].id == "medmcqa:mine:2"
    with pytest.raises(ValueError, match="cop_base must be"):
        list(read_medmcqa(data, "mine.jsonl", cop_base=2))  # type: ignore[arg-type]


@given(st.lists(st.integers(0, 3), min_size=1, max_size=30))
def test_detect_cop_base_never_guesses_wrong(answers):
    """Whatever the answers, a file numbered from 0 or 1 is read back to them, or detection refuses."""
    for base in (0, 1):
        rows = [{"cop": a + base} for a in answers]
        try:
            detected = detect_cop_base(rows)
        except ValueError:
            assert all(1 <= a + base <= 3 for a in answers)
            continue
        assert detected == base


def test_medmcqa_string_cop_and_missing_option():
    row = {"id": "s", "question": "Q?", "opa": "a", "opb": "b", "opc": "c", "opd": "d", "cop": "4"}
    assert items(read_medmcqa(json.dumps(row).encode(), "x.json"))[0].answer == 3
    out = list(read_medmcqa(json.dumps({**row, "opc": " "}).encode(), "x.json", cop_base=1))
    assert reasons(out) == ["missing_field"] and "opc" in out[0].detail


# --- PubMedQA


def test_pubmedqa_ori_pqal():
    got = items(read_pubmedqa(read("pubmedqa_ori_pqal.json"), "ori_pqal.json"))
    assert [(q.id, q.answer) for q in got] == [
        ("pubmedqa:10000001", 0),
        ("pubmedqa:10000002", 1),
        ("pubmedqa:10000003", 2),
    ]
    first = got[0]
    assert first.options == ["yes", "no", "maybe"]
    assert first.context == (
        "Early mobilization is recommended after hip surgery, but its effect on length of "
        "stay is debated.\nIn 212 patients, mobilization within 24 hours was associated "
        "with a shorter stay (8.1 vs 10.4 days, p<0.01)."
    )
    assert first.rationale == "Mobilization within 24 hours of surgery shortened the hospital stay."


def test_pubmedqa_with_ground_truth_reads_only_its_pmids():
    truth = parse_pubmedqa_ground_truth(read("pubmedqa_test_ground_truth.json"))
    truth = {**truth, "10000002": "yes", "19999999": "no"}  # the truth file wins; a PMID the data lacks
    out = list(read_pubmedqa(read("pubmedqa_ori_pqal.json"), "ori_pqal.json", ground_truth=truth))
    assert reasons(out) == ["not_in_ground_truth", "missing_item"]
    assert [(q.id, q.answer) for q in out if isinstance(q, QAItem)] == [
        ("pubmedqa:10000002", 0),
        ("pubmedqa:10000003", 2),
    ]
    assert out[-1].record_id == "pubmedqa:19999999"


def test_pubmedqa_hf_jsonl_export_matches_native():
    native = items(read_pubmedqa(read("pubmedqa_ori_pqal.json"), "ori_pqal.json"))
    hf = items(read_pubmedqa(read("pubmedqa_pqa_labeled.jsonl"), "pqa_labeled.jsonl"))
    strip = [(q.id, q.question, q.context, q.answer, q.rationale) for q in hf]
    assert strip == [(q.id, q.question, q.context, q.answer, q.rationale) for q in native[:2]]


def test_pubmedqa_bad_items():
    data = json.dumps(
        {
            "1": {"QUESTION": "Q?", "CONTEXTS": ["c"], "final_decision": "perhaps"},
            "2": {"QUESTION": "Q?", "CONTEXTS": ["c"]},
            "3": {"CONTEXTS": ["c"], "final_decision": "yes"},
            "4": ["not", "an", "object"],
        }
    ).encode()
    assert reasons(read_pubmedqa(data, "x.json")) == ["bad_answer", "unlabeled", "missing_field", "bad_json"]
    assert reasons(read_pubmedqa(b'{"1": {"QUESTION": "Q?", "CONTEXTS": []}', "x.json")) == ["bad_json"]
    with pytest.raises(ValueError, match="must map PMIDs"):
        parse_pubmedqa_ground_truth(b'["yes"]')


@pytest.mark.parametrize(
    "name",
    [
        "medqa_bigbio_source_test.jsonl",  # bigbio med_qa_en_source: options as [{"key", "value"}]
        "medqa_bigbio_qa_test.jsonl",  # bigbio med_qa_en_bigbio_qa: choices and a one-text answer list
        "medqa_test_bom_array.json",  # one JSON array after a UTF-8 byte-order mark
    ],
)
def test_medqa_bigbio_and_bom_array_exports(name):
    native = items(read_medqa(read("medqa_US_test.jsonl"), "test.jsonl"))
    other = items(read_medqa(read(name), "test.jsonl"))
    assert [(q.question, q.options, q.answer) for q in other] == [(q.question, q.options, q.answer) for q in native]


def test_bigbio_answer_must_be_one_of_the_choices():
    row = {"id": "0", "question": "Q?", "type": "multiple_choice", "choices": ["a", "b"], "answer": ["c"]}
    (rejection,) = read_medqa(json.dumps(row).encode(), "test.jsonl")
    assert rejection.reason == "bad_answer" and "not one of the choices" in rejection.detail
