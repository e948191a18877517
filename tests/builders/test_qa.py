import re
from pathlib import Path

import pytest

from builders.qa import QAOptions, parse, read_rationales
from medc.instructions import templates
from medc.records import Instruction, Message, Notice, Rejection
from medc.sources import WorkUnit

FIXTURES = Path(__file__).parents[1] / "fixtures" / "medc_i" / "qa"
RATIONALES = read_rationales((FIXTURES / "rationales.jsonl").read_bytes())


def run(name: str, rationales: dict[str, str] | None = None, **options) -> list:
    data = (FIXTURES / name).read_bytes()
    return list(parse(WorkUnit(name, data), QAOptions(**options), rationales))


def records(items: list) -> list[Instruction]:
    return [r for r in items if isinstance(r, Instruction)]


def test_medqa_answer_only_record_is_rendered_exactly():
    out = run("medqa_train.jsonl", dataset="medqa", styles=("answer",))
    first = out[0]
    question = (
        "###Question: A 6-year-old boy has a honey-colored crusted lesion near the nose. Which organism most "
        "commonly causes it?\n###Options:\nA. Streptococcus pneumoniae\nB. Staphylococcus aureus\n"
        "C. Pseudomonas aeruginosa\nD. Candida albicans"
    )
    instruction = templates.pick(templates.QA_ANSWER_ONLY, 0, "medqa:medqa_train:1#answer")
    assert first == Instruction(
        instruction=instruction,
        input=question,
        output="###Answer: OPTION B IS CORRECT.",
        source="medqa",
        sample_id="medqa:medqa_train:1#answer",
        messages=[
            Message("user", f"{instruction}\n\n{question}"),
            Message("assistant", "###Answer: OPTION B IS CORRECT."),
        ],
        origin="medqa_train.jsonl",
    )
    assert out[1].output == "###Answer: OPTION E IS CORRECT."  # the 5-option file
    assert out[1].input.endswith("\nE. Right coronary artery")


def test_rationale_style_uses_the_user_file_and_notices_items_without_one():
    out = run("medqa_train.jsonl", RATIONALES, dataset="medqa")
    assert [r.sample_id if isinstance(r, Instruction) else r.code for r in out] == [
        "medqa:medqa_train:1#rationale",
        "medqa:medqa_train:1#answer",
        "no_rationale",
        "medqa:medqa_train:2#answer",
        "no_rationale",
        "medqa:medqa_train:3#answer",
    ]
    assert out[0].output == (
        "###Rationale: Honey-colored crusts are impetigo, most often caused by Staphylococcus aureus.\n\n"
        "###Answer: OPTION B IS CORRECT."
    )
    assert out[0].instruction in templates.QA_RATIONALE
    assert out[2] == Notice("medqa_train.jsonl", "no_rationale", detail="medqa:medqa_train:2")


def test_medmcqa_raw_file_counts_cop_from_one_and_prefers_user_rationale():
    out = run("medmcqa_train.json", RATIONALES, dataset="medmcqa")
    by_id = {r.sample_id: r for r in records(out)}
    assert by_id["medmcqa:mm-0001#answer"].output == "###Answer: OPTION A IS CORRECT."  # cop 1 = opa
    assert by_id["medmcqa:mm-0002#answer"].output == "###Answer: OPTION D IS CORRECT."  # cop 4 = opd
    assert by_id["medmcqa:mm-0001#rationale"].output.startswith(
        "###Rationale: Leukemoid reactions have a high LAP score; CML has a low one."
    )
    assert by_id["medmcqa:mm-0004#rationale"].output.startswith("###Rationale: Tetanus is caused by a neurotoxin.")
    unlabeled = [r for r in out if isinstance(r, Rejection)]
    assert [(r.reason, r.record_id) for r in unlabeled] == [("unlabeled", "medmcqa:mm-0003")]


def test_medmcqa_hugging_face_file_counts_cop_from_zero():
    out = run("medmcqa_hf.jsonl", dataset="medmcqa", styles=("answer",))
    assert [r.output for r in records(out)] == ["###Answer: OPTION A IS CORRECT.", "###Answer: OPTION D IS CORRECT."]
    assert [r.reason for r in out if isinstance(r, Rejection)] == ["unlabeled"]


def test_medmcqa_numbering_that_cannot_be_told_is_refused_not_guessed():
    out = run("medmcqa_ambiguous.jsonl", dataset="medmcqa")
    assert len(out) == 1 and out[0].reason == "medmcqa_cop_base" and "fits both" in out[0].detail
    told = run("medmcqa_ambiguous.jsonl", dataset="medmcqa", cop_base=1, styles=("answer",))
    assert [r.output for r in told] == ["###Answer: OPTION B IS CORRECT.", "###Answer: OPTION A IS CORRECT."]
    told0 = run("medmcqa_ambiguous.jsonl", dataset="medmcqa", cop_base=0, styles=("answer",))
    assert [r.output for r in told0] == ["###Answer: OPTION C IS CORRECT.", "###Answer: OPTION B IS CORRECT."]


def test_pubmedqa_shows_the_abstract_and_uses_long_answer():
    out = run("ori_pqaa.json", dataset="pubmedqa")
    first = out[0]
    assert first.sample_id == "pubmedqa:20000001#rationale" and first.source == "pubmedqa"
    assert first.input == (
        "###Context: Vitamin D deficiency is common in older adults.\nIn a trial of 2,000 adults over 70, "
        "vitamin D alone did not reduce fractures.\n###Question: Does vitamin D supplementation reduce "
        "fractures in older adults?\n###Options:\nA. yes\nB. no\nC. maybe"
    )
    assert first.output == (
        "###Rationale: Vitamin D alone did not reduce fractures in adults over 70.\n\n###Answer: OPTION B IS CORRECT."
    )
    assert first.instruction in templates.CONTEXT_QA_RATIONALE
    assert out[1].instruction in templates.CONTEXT_QA_ANSWER_ONLY


def test_answer_format_is_configurable_and_checked():
    out = run(
        "medqa_train.jsonl", dataset="medqa", styles=("answer",), answer_format="The answer is {letter}: {option}"
    )
    assert out[0].output == "The answer is B: Staphylococcus aureus"
    with pytest.raises(ValueError, match="only the fields"):
        QAOptions(answer_format="###Answer: {answer}")
    with pytest.raises(ValueError, match="one or both"):
        QAOptions(styles=("explain",))
    with pytest.raises(ValueError, match="cop_base"):
        QAOptions(cop_base=2)


def test_rationale_file_errors_name_the_line():
    assert RATIONALES["medmcqa:mm-0001"].startswith("Leukemoid")
    with pytest.raises(ValueError, match="line 2: not JSON"):
        read_rationales(b'{"id": "a", "rationale": "r"}\n{oops\n')
    with pytest.raises(ValueError, match=re.escape('line 1: expected {"id"')):
        read_rationales(b'{"question_id": "a", "rationale": "r"}\n')


def test_template_choice_depends_on_seed_only():
    a = records(run("medmcqa_train.json", dataset="medmcqa", seed=3))
    b = records(run("medmcqa_train.json", dataset="medmcqa", seed=3))
    c = records(run("medmcqa_train.json", dataset="medmcqa", seed=4))
    assert a == b
    assert [r.instruction for r in a] != [r.instruction for r in c]
    assert [(r.input, r.output) for r in a] == [(r.input, r.output) for r in c]


def test_pmc_llama_layout_and_source_names():
    options = {"layout": "pmc-llama", "source_names": {"medqa": "medqa_{split}", "pubmedqa": "pubmedqa.{stem}"}}
    medqa = records(run("medqa_train.jsonl", dataset="medqa", styles=("answer",), **options))[0]
    assert medqa.source == "medqa_train"
    role, task = medqa.instruction.split("\n")
    assert role in templates.PMC_LLAMA_ROLE and task in templates.PMC_LLAMA_TASK["answer"]
    assert medqa.input.endswith("###Options:\nA. Streptococcus pneumoniae\nB. Staphylococcus aureus\n"
                                "C. Pseudomonas aeruginosa\nD. Candida albicans\n")  # fmt: skip
    assert medqa.output == "###Answer: OPTION B IS CORRECT."
    pubmed = records(run("ori_pqaa.json", dataset="pubmedqa", **options))
    assert {r.source for r in pubmed} == {"pubmedqa.ori_pqaa"}
    long_answer = next(r for r in pubmed if r.sample_id == "pubmedqa:20000001#rationale")
    assert long_answer.output == "Vitamin D alone did not reduce fractures in adults over 70.\n###Answer: no"
    assert long_answer.input.startswith("###Question: Does vitamin D supplementation reduce fractures")


def test_layout_and_source_names_are_validated():
    with pytest.raises(ValueError, match="layout"):
        QAOptions(layout="alpaca")
    with pytest.raises(ValueError, match="source_names"):
        QAOptions(source_names={"medqa": "medqa_{year}"})
    with pytest.raises(ValueError, match="source_names"):
        QAOptions(source_names={"usmle": "x"})
