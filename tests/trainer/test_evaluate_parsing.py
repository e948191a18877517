"""The evaluator's model-free parts: reading generated answers, the prompts, the metrics and the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medc.instructions import templates
from medc.qa_formats import read_medmcqa, read_medqa, read_pubmedqa
from medc.records import QAItem
from trainer.evaluate.answer_parser import parse_answer
from trainer.evaluate.benchmark import load_benchmark
from trainer.evaluate.loglik import ChoiceScores, argmax
from trainer.evaluate.prompts import generate_prompt, loglik_choices, loglik_context
from trainer.evaluate.report import EvalSummary, ItemResult, accuracy_metrics, markdown, write_task

QA = Path(__file__).parents[1] / "fixtures" / "qa"
FOUR = ["Ampicillin", "Ceftriaxone", "Doxycycline", "Nitrofurantoin"]
YNM = ["yes", "no", "maybe"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("###Answer: OPTION C IS CORRECT.", 2),
        (" OPTION D IS CORRECT.\n###Question: next one ###Answer: OPTION A IS CORRECT.", 3),  # first wins
        ("Option (B) is the correct answer.", 1),
        ("The answer is (C).", 2),
        ("The correct answer is option B, because ...", 1),
        ("Answer: D", 3),
        ("answer: [A]", 0),
        ("C", 2),
        ("  (B) Ceftriaxone", 1),
        ("D. Nitrofurantoin is safe in pregnancy.", 3),
        ("Nitrofurantoin.", 3),
        ("The answer is: doxycycline", 2),
        ("A patient with these symptoms needs an antibiotic.", None),  # "A" is an article
        ("I would treat with an antibiotic.", None),
        ("OPTION E IS CORRECT.", None),  # only four options
        ("The answer is not clear.", None),
        ("", None),
    ],
)
def test_parse_multiple_choice_answers(text, expected):
    assert parse_answer(text, FOUR) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", 0),
        ("No.", 1),
        ("Maybe, the two cohorts disagree.", 2),
        ("###Answer: no", 1),
        ("The answer is yes.", 0),
        ("OPTION C IS CORRECT.", 2),
        ("normal findings were reported", None),  # "no" is not a prefix word match
        ("Yesterday the trial ended.", None),
        ("There is no evidence either way.", None),
    ],
)
def test_parse_pubmedqa_answers(text, expected):
    assert parse_answer(text, YNM) == expected


def test_parse_prefers_the_longest_option_text():
    assert parse_answer("Vitamin B12 deficiency", ["Vitamin B", "Vitamin B12", "Folate", "Iron"]) == 1


@given(st.integers(0, 4), st.sampled_from(["###Answer: OPTION {} IS CORRECT.", "The answer is ({})", "{}."]))
def test_parse_reads_back_every_letter_in_range(index, template):
    options = ["one", "two", "three", "four", "five"]
    assert parse_answer(template.format("ABCDE"[index]), options) == index


def _first_item(reader, name, **kw) -> QAItem:
    return next(r for r in reader((QA / name).read_bytes(), name, **kw) if isinstance(r, QAItem))


def test_loglik_prompts_match_lm_evaluation_harness():
    medqa = _first_item(read_medqa, "medqa_4options_hf_test.jsonl")
    assert loglik_context(medqa) == (
        "Question: Which electrolyte abnormality produces peaked T waves on the ECG?\n"
        "A. Hypokalemia\nB. Hyperkalemia\nC. Hypocalcemia\nD. Hypermagnesemia\nAnswer:"
    )
    assert loglik_choices(medqa) == ["A", "B", "C", "D"]
    medmcqa = _first_item(read_medmcqa, "medmcqa_dev.json")
    assert loglik_context(medmcqa) == (
        "Question: Which of the following is a feature of a leukemoid reaction?\nChoices:\n"
        "A. High leukocyte alkaline phosphatase score\nB. Philadelphia chromosome\nC. Basophilia\n"
        "D. Splenomegaly with blasts\nAnswer:"
    )
    pubmedqa = _first_item(read_pubmedqa, "pubmedqa_ori_pqal.json")
    context = loglik_context(pubmedqa)
    assert context.startswith("Abstract: Early mobilization is recommended after hip surgery, but its effect")
    assert "debated.\nIn 212 patients" in context
    assert context.endswith(
        "\nQuestion: Does early mobilization shorten hospital stay after hip fracture surgery?\nAnswer:"
    )
    assert loglik_choices(pubmedqa) == ["yes", "no", "maybe"]


def test_five_option_medqa_gets_an_e_line():
    item = _first_item(read_medqa, "medqa_US_test.jsonl")
    assert "\nE. Herpes simplex virus\nAnswer:" in loglik_context(item)
    assert loglik_choices(item) == ["A", "B", "C", "D", "E"]


def test_generate_prompt_is_what_sft_trains_on_for_an_answer_only_record():
    from builders.qa import QAOptions, render
    from trainer.sft import render_segments

    item = _first_item(read_medqa, "medqa_phrases_no_exclude_test.jsonl")
    prompt = generate_prompt(item)
    assert prompt.startswith(
        "Below is an instruction that describes a task, paired with an input that provides "
        "further context. Write a response that appropriately completes the request.\n\n"
        "### Instruction:\nAnswer the following multiple-choice medical question with the best option."
    )
    assert prompt.endswith(
        "\n###Options:\nA. Doxycycline\nB. Ciprofloxacin\nC. Nitrofurantoin\n"
        "D. Trimethoprim-sulfamethoxazole\n\n### Response:\n"
    )
    record = render(item, "answer", "", QAOptions(dataset="medqa"))
    record.instruction = templates.QA_ANSWER_ONLY[0]  # the builder picks a wording by seed; eval uses the first
    tokenizer = type("Tok", (), {"eos_token": "</s>"})()
    (trained_prompt, _), (answer, _) = render_segments(record, "pmc_llama", tokenizer)
    assert trained_prompt == prompt and answer.startswith("###Answer: OPTION")
    pubmed = generate_prompt(_first_item(read_pubmedqa, "pubmedqa_ori_pqal.json"))
    assert "###Context: Early mobilization" in pubmed and "###Options:\nA. yes\nB. no\nC. maybe" in pubmed


def test_acc_norm_divides_by_choice_length():
    scores = ChoiceScores(logprobs=[-5.0, -2.0, -3.0], lengths=[3, 2, 5])  # yes, no, maybe
    assert scores.pred == 1  # no: the highest log-likelihood
    assert scores.pred_norm == 2  # maybe: -0.6 per character beats -1.0 and -1.67
    assert argmax([1.0, 3.0, 3.0]) == 1  # ties go to the earlier choice


def test_metrics():
    results = [
        ItemResult("a", 0, 0, True, prediction_norm=1),
        ItemResult("b", 1, 0, False, prediction_norm=1),
        ItemResult("c", 2, 2, True, prediction_norm=2),
        ItemResult("d", 3, 1, False, prediction_norm=3),
    ]
    metrics = accuracy_metrics(results, "loglik")
    assert metrics["acc"] == 0.5 and metrics["acc_norm"] == 0.75
    assert metrics["acc_stderr"] == pytest.approx((0.25 / 3) ** 0.5)
    generated = [ItemResult("a", 0, None, False), ItemResult("b", 1, 1, True)]
    assert accuracy_metrics(generated, "generate") == {"acc": 0.5, "acc_stderr": 0.5, "unparseable": 0.5}


def _summary(task: str, acc: float, method: str = "loglik") -> EvalSummary:
    return EvalSummary(
        task=task,
        method=method,
        model="m",
        prompt_version="v",
        data_file=f"{task}.json",
        data_sha256="ab" * 32,
        items=10,
        metrics={"acc": acc},
    )


def test_paper_table_shape():
    table = markdown([_summary("medqa", 0.5), _summary("medmcqa", 0.25), _summary("pubmedqa", 0.6)])
    lines = table.splitlines()
    assert lines[0] == "| Model | Method | MedQA | MedMCQA | PubMedQA | Avg |"
    assert lines[2] == "| m | loglik | 50.00 | 25.00 | 60.00 | 45.00 |"
    partial = markdown([_summary("pubmedqa", 0.6)]).splitlines()[2]
    assert partial == "| m | loglik | – | – | 60.00 | (60.00) |"


def test_write_task(tmp_path):
    write_task(tmp_path, _summary("medqa", 1.0), [ItemResult("medqa:t:1", 2, 2, True, output="C")])
    rows = (tmp_path / "medqa-loglik.predictions.jsonl").read_text().splitlines()
    assert json.loads(rows[0]) == {"id": "medqa:t:1", "answer": 2, "prediction": 2, "correct": True, "output": "C"}
    summary = json.loads((tmp_path / "medqa-loglik.summary.json").read_text())
    assert summary["data_sha256"] == "ab" * 32 and summary["prompt_version"] == "v"


def test_load_benchmark_counts_skips_and_limits(tmp_path):
    bench = load_benchmark(
        "pubmedqa", QA / "pubmedqa_ori_pqal.json", ground_truth=QA / "pubmedqa_test_ground_truth.json"
    )
    assert [i.id for i in bench.items] == ["pubmedqa:10000002", "pubmedqa:10000003"]
    assert bench.rejections == {"not_in_ground_truth": 1} and len(bench.ground_truth_sha256 or "") == 64
    assert len(load_benchmark("medmcqa", QA / "medmcqa_dev.json", limit=2).items) == 2
    with pytest.raises(ValueError, match="no readable medqa items"):
        load_benchmark("medqa", QA / "pubmedqa_ori_pqal.json")
    with pytest.raises(ValueError, match="MedMCQA setting"):
        load_benchmark("medqa", QA / "medqa_US_test.jsonl", cop_base=1)
