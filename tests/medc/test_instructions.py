import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from medc.build import BuildOutput
from medc.decontamination import InstructionIndex, load_eval_set
from medc.instructions import templates
from medc.instructions.assembly import AssemblyConfig, InstructionFinalizer
from medc.instructions.near_dedup import NearDuplicates
from medc.instructions.presets import preset_settings
from medc.records import Instruction, Message, instruction_schema
from medc.shards import ShardConfig
from medc.staging import Staging

EVAL = Path(__file__).parents[1] / "fixtures" / "medc_i" / "eval"


def eval_index() -> InstructionIndex:
    return InstructionIndex(load_eval_set([str(EVAL)]).items)


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


# --- the finalizer ------------------------------------------------------------------------------------------


def record(source: str, i: int, question: str, answer: str, style: str = "") -> Instruction:
    """A staged record of `source`, from the file `<source>.json`."""
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


def finalize(tmp_path: Path, records: list[Instruction], config: AssemblyConfig, index: InstructionIndex | None = None):
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
    assert dups[0] == {
        "kind": "exact",
        "config": "dialogue",
        "kept": "a:0",
        "removed": "a:5",
        "kept_origin": "a.json",
        "removed_origin": "a.json",
    }
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
        "near_duplicates": 0,
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
    assert rejection.detail == "medqa item medqa:medqa_test:1, by ngram: 1.00 of its 13-token windows"
    decon = output.extra["decontamination"]
    assert decon["removed"] == {"medqa": 1} and decon["removed_by_source"] == {"leaky": 1}
    assert decon["removed_by_method"] == {"ngram": 1}


def test_assembly_config_is_validated():
    with pytest.raises(ValueError, match="validation_fraction"):
        AssemblyConfig(validation_fraction=1.0)
    with pytest.raises(ValueError, match="record count"):
        AssemblyConfig(caps={"a": -1})
    with pytest.raises(ValueError, match="weight"):
        AssemblyConfig(weights={"a": "heavy"})


# stands for ChatDoctor's HealthCareMagic-100k and MedDialog-EN: one conversation from healthcaremagic.com in
# both, MedDialog's copy lower-cased with its spacing changed
COUGH = (
    "Hi doctor, I have had a dry cough for three weeks since starting ramipril for my blood pressure. My wife says "
    "it keeps her awake at night and I wonder whether I should stop the tablet myself or wait to see my doctor."
)
COUGH_ANSWER = (
    "Hi. A dry cough is a common side effect of ACE inhibitors such as ramipril and it can start weeks after the "
    "first dose. Do not stop the tablet on your own; ask your doctor about switching to an angiotensin receptor "
    "blocker, which lowers blood pressure without causing the cough."
)


def test_near_duplicates_across_sources_are_removed_and_listed_with_both_origins(tmp_path):
    first = record("healthcaremagic", 1, COUGH, COUGH_ANSWER)
    copy = record("meddialog", 7, "  ".join(COUGH.lower().split()), COUGH_ANSWER.lower())
    copy.origin = "english-train.json"
    other = record("meddialog", 8, COUGH.replace("ramipril", "amlodipine") + " My ankles swell too.", "See a doctor.")
    splits, output = finalize(tmp_path, [first, copy, other], AssemblyConfig(validation_fraction=0.0))
    assert [r["sample_id"] for r in splits["train"]] == ["healthcaremagic:1", "meddialog:8"]
    (line,) = [json.loads(x) for x in (tmp_path / "duplicates.jsonl").read_text().splitlines()]
    assert line == {
        "kind": "near",
        "config": "dialogue",
        "kept": "healthcaremagic:1",
        "removed": "meddialog:7",
        "kept_origin": "healthcaremagic.json",
        "removed_origin": "english-train.json",
        "similarity": 1.0,
    }
    assert output.extra["instructions"]["sources"]["meddialog"]["near_duplicates"] == 1
    # templated UMLS prompts ("X is a Y" / "X is a Z") are different facts: never near-deduplicated
    plain, _ = finalize(tmp_path / "off", [first, copy], AssemblyConfig(validation_fraction=0.0, near_dedup=False))
    assert len(plain["train"]) == 2


def test_near_duplicates_keep_the_first_and_measure_the_similarity():
    finder = NearDuplicates(threshold=0.8)
    words = COUGH.split()
    finder.add(0, COUGH)
    finder.add(1, " ".join(words[:-3]))  # most of the 5-grams
    finder.add(2, "An unrelated question about knee pain after a fall from a bicycle yesterday evening.")
    assert list(finder.duplicates) == [1] and finder.duplicates[1][0] == 0
    assert 0.8 <= finder.duplicates[1][1] < 1.0


def test_preset_pmc_llama_settings():
    preset = preset_settings("pmc-llama")
    assert preset["qa"]["layout"] == "pmc-llama" and preset["umls"]["definition_source"] == "umls"
    preset["qa"]["source_names"]["medqa"] = "changed"  # a copy: the preset itself stays as it is
    assert preset_settings("pmc-llama")["qa"]["source_names"]["medqa"] == "medqa_{split}"
    assert preset_settings(None) == {}
    with pytest.raises(ValueError, match="pmc-llama"):
        preset_settings("alpaca")
