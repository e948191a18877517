import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from medc.build import BuildOutput
from medc.instructions import templates
from medc.instructions.assembly import AssemblyConfig, InstructionFinalizer
from medc.instructions.decontamination import DecontaminationConfig, EvalIndex, read_eval_file, window_hashes
from medc.records import Instruction, Message, QAItem, instruction_schema
from medc.shards import ShardConfig
from medc.staging import Staging

EVAL = Path(__file__).parents[1] / "fixtures" / "medc_i" / "eval"


def eval_index(**config) -> EvalIndex:
    items = []
    for name in ("medqa_test.jsonl", "medmcqa_dev.json"):
        found, rejected = read_eval_file((EVAL / name).read_bytes(), name)
        assert rejected == 0
        items += found
    return EvalIndex(items, DecontaminationConfig(**config))


# --- templates ----------------------------------------------------------------------------------------------


def test_pick_is_stable_and_seed_dependent():
    assert templates.pick(templates.QA_ANSWER_ONLY, 0, "medqa:test:7") == templates.pick(
        templates.QA_ANSWER_ONLY, 0, "medqa:test:7"
    )
    chosen = {templates.pick(templates.QA_ANSWER_ONLY, s, "medqa:test:7") for s in range(30)}
    assert chosen == set(templates.QA_ANSWER_ONLY)


def test_messages_and_relation_words():
    assert templates.to_messages("Explain.", "", "Text.") == [
        Message("user", "Explain."),
        Message("assistant", "Text."),
    ]
    assert (
        templates.dialogue_messages("Be kind.", [("user", "Hi"), ("assistant", "Hello")])[0].content == "Be kind.\n\nHi"
    )
    assert templates.relation_words("RO", "may_treat") == "may treat"
    assert templates.relation_words("CHD", "isa") == "is a"
    assert templates.relation_words("PAR", "") == "is a parent of"


# --- decontamination ----------------------------------------------------------------------------------------


def qa_input(question: str, options: list[str]) -> str:
    return templates.QA_INPUT.format(question=question, options=templates.options_block(options))


def test_exact_question_with_its_options_is_caught():
    index = eval_index()
    stem = "All of the following are true about tetanus except"
    same = qa_input(
        stem,
        [
            "Incubation is 3-21 days",
            "Spasms are triggered by noise",
            "Consciousness is lost early",
            "Mortality is high in neonates",
        ],
    )
    other = qa_input(
        stem,
        [
            "It is caused by Clostridium tetani",
            "It is transmitted person to person",
            "Trismus is an early sign",
            "It is prevented by toxoid",
        ],
    )
    thyroid = (
        "A 45-year-old woman has heat intolerance, weight loss and exophthalmos. Antibodies against which "
        "structure cause her condition?"
    )
    found = index.check(
        [
            ("Pick one.", same),
            ("Pick one.", other),
            (
                "Pick one.",
                qa_input(thyroid, ["Thyroid peroxidase", "Thyroglobulin", "Acetylcholine receptor", "TSH receptor"]),
            ),
        ]
    )
    # The generic stem with other options is honest training data; the same item is not.
    assert found == [("exact", "medmcqa:dev-0001"), None, ("exact", "medqa:medqa_test:1")]


def test_long_ngram_overlap_is_caught_and_short_phrases_are_not():
    index = eval_index()
    vignette = json.loads((EVAL / "medqa_test.jsonl").read_text().splitlines()[1])["question"]
    quoted = f"My daughter had this in her exam: {vignette.replace('two hours', '2 hours')} Who is right?"
    unrelated = "Which of the following is the most appropriate next step in diagnosis of my rash?"
    assert index.check([("Answer as a doctor.", quoted), ("Answer as a doctor.", unrelated)]) == [
        ("ngram", "medqa:medqa_test:2"),
        None,
    ]


def test_boilerplate_windows_do_not_count():
    stem = "A 30-year-old man comes to the physician because of a 2-week history of"
    items = [
        QAItem(f"medqa:t:{i}", "medqa", f"{stem} symptom number {i} and more words.", ["a", "b"], 0) for i in range(12)
    ]
    index = EvalIndex(items, DecontaminationConfig(ngram=8, common_items=10))
    assert index.check([("", f"{stem} a cough that will not stop.")]) == [None]
    # The windows past the shared stem are specific to item 3, and they are all there.
    assert index.check([("", f"{stem} symptom number 3 and more words.")]) == [("ngram", "medqa:t:3")]


def test_window_hashes_skip_windows_with_unknown_words():
    import numpy as np

    ids = np.array([1, 2, 3, 0, 4, 5, 6], dtype=np.uint64)
    assert len(window_hashes(ids, 3)) == 2  # [1,2,3] and [4,5,6]; none spans the 0
    assert (window_hashes(ids, 3, keep_positions=True) != 0).tolist() == [True, False, False, False, True]


def test_eval_files_are_recognized_and_answer_files_refused():
    assert read_eval_file((EVAL / "medmcqa_dev.json").read_bytes(), "dev.json")[0][0].dataset == "medmcqa"
    with pytest.raises(ValueError, match="only PubMedQA answers"):
        read_eval_file(b'{"12345": "yes", "12346": "no"}', "test_ground_truth.json")
    with pytest.raises(ValueError, match="not a MedQA, MedMCQA or PubMedQA"):
        read_eval_file(b'{"text": "hello"}\n', "notes.jsonl")


# --- the finalizer ------------------------------------------------------------------------------------------


def record(source: str, i: int, question: str, answer: str, style: str = "") -> Instruction:
    sample_id = f"{source}:{i}" + (f"#{style}" if style else "")
    return Instruction(
        "Answer.",
        question,
        answer,
        source,
        sample_id,
        templates.to_messages("Answer.", question, answer),
        f"{source}.json",
    )


def finalize(tmp_path: Path, records: list[Instruction], config: AssemblyConfig, index: EvalIndex | None = None):
    staging = Staging.open(tmp_path, {"t": 1}, {"dialogue": instruction_schema(internal=True)})
    staging.stage_records("dialogue", records, origin="in.json")
    output = BuildOutput(tmp_path, ShardConfig())
    InstructionFinalizer(config, index, extra={"note": 1}, batch_size=7)(staging, output)
    output.close()
    splits = {
        split: [r for p in paths for r in pq.read_table(tmp_path / p).to_pylist()]
        for split, paths in output.files["dialogue"].items()
    }
    return splits, output


def test_dedup_keeps_the_first_and_lists_the_removed(tmp_path):
    records = [record("a", i, f"question {i % 5}", f"answer {i % 5}") for i in range(12)]
    records.append(record("a", 99, "question  1", "answer 1 "))  # same after collapsing whitespace
    splits, output = finalize(tmp_path, records, AssemblyConfig(validation_fraction=0.0))
    assert [r["sample_id"] for r in splits["train"]] == [f"a:{i}" for i in range(5)]
    assert splits["validation"] == []
    dups = [json.loads(line) for line in (tmp_path / "duplicates.jsonl").read_text().splitlines()]
    assert dups[0] == {"kind": "exact", "config": "dialogue", "kept": "a:0", "removed": "a:5"}
    assert len(dups) == 8 and dups[-1]["kept"] == "a:1" and dups[-1]["removed"] == "a:99"
    assert output.extra["duplicates_by_config"] == {"dialogue": 8} and output.extra["note"] == 1


def test_split_is_deterministic_and_groups_a_question(tmp_path):
    records = [record("qa", i, f"question {i}", f"answer {s}", s) for i in range(200) for s in ("rationale", "answer")]
    a, _ = finalize(tmp_path / "a", records, AssemblyConfig(validation_fraction=0.2, seed=5))
    b, _ = finalize(tmp_path / "b", records, AssemblyConfig(validation_fraction=0.2, seed=5))
    c, _ = finalize(tmp_path / "c", records, AssemblyConfig(validation_fraction=0.2, seed=6))
    assert a == b and a != c
    val = {r["input"] for r in a["validation"]}
    assert 40 < len(a["validation"]) < 120 and not val & {r["input"] for r in a["train"]}
    assert all(sum(r["input"] == q for r in a["validation"]) == 2 for q in val)  # both styles together


def test_caps_and_weights_per_source(tmp_path):
    records = [record("big", i, f"big question {i}", "x") for i in range(100)]
    records += [record("small", i, f"small question {i}", "y") for i in range(10)]
    records += [record("half", i, f"half question {i}", "z") for i in range(100)]
    config = AssemblyConfig(validation_fraction=0.0, caps={"big": 30}, weights={"small": 2.5, "half": 0.5})
    splits, output = finalize(tmp_path, records, config)
    by_source = {s: [r for r in splits["train"] if r["source"] == s] for s in ("big", "small", "half")}
    assert len(by_source["big"]) == 30
    assert 20 <= len(by_source["small"]) <= 30 and len({r["sample_id"] for r in by_source["small"]}) == 10
    assert 35 < len(by_source["half"]) < 65
    stats = output.extra["instructions"]["sources"]
    assert stats["big"] == {
        "contaminated": 0,
        "dropped_by_cap_or_weight": 70,
        "duplicates": 0,
        "staged": 100,
        "train": 30,
        "validation": 0,
    }
    assert stats["small"]["train"] == len(by_source["small"])


def test_contaminated_records_are_rejected_and_counted_per_source(tmp_path):
    thyroid = (
        "A 45-year-old woman has heat intolerance, weight loss and exophthalmos. Antibodies against which "
        "structure cause her condition?"
    )
    records = [record("clean", 1, "What causes a cold?", "A virus."), record("leaky", 1, thyroid, "TSH receptor")]
    splits, output = finalize(tmp_path, records, AssemblyConfig(validation_fraction=0.0), eval_index())
    assert [r["source"] for r in splits["train"]] == ["clean"]
    ((config, rejection),) = output.rejections
    assert (config, rejection.reason, rejection.record_id) == ("dialogue", "contaminated", "leaky:1")
    # Without its options the question is not an exact copy of the item, but all its 13-token windows are there.
    assert rejection.detail == "ngram overlap with medqa:medqa_test:1"
    assert output.extra["decontamination"]["removed"] == {"leaky": 1}


def test_assembly_config_is_validated():
    with pytest.raises(ValueError, match="validation_fraction"):
        AssemblyConfig(validation_fraction=1.0)
    with pytest.raises(ValueError, match="record count"):
        AssemblyConfig(caps={"a": -1})
    with pytest.raises(ValueError, match="weight"):
        AssemblyConfig(weights={"a": "heavy"})
