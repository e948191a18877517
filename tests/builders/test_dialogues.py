import json
from pathlib import Path

import pytest

from builders.dialogues import ColumnMap, DialogueOptions, accepts, parse
from medc.instructions import templates
from medc.records import Instruction, Message, Rejection
from medc.sources import WorkUnit

FIXTURES = Path(__file__).parents[1] / "fixtures" / "medc_i" / "dialogues"
CHATDOCTOR = "If you are a doctor, please answer the medical questions based on the patient's description."


def run(name: str, options: DialogueOptions | None = None, data: bytes | None = None) -> list:
    data = (FIXTURES / name).read_bytes() if data is None else data
    return list(parse(WorkUnit(f"in/{name}", data), options or DialogueOptions()))


def test_healthcaremagic_row_keeps_its_instruction_and_fills_messages():
    out = run("HealthCareMagic-100k.json")
    question = "Hi doctor, I have had a dry cough for three weeks since starting ramipril. Is it the tablet?"
    answer = (
        "Hi. A dry cough is a common side effect of ACE inhibitors such as ramipril. Ask your doctor about "
        "switching to an angiotensin receptor blocker."
    )
    assert out[0] == Instruction(
        instruction=CHATDOCTOR,
        input=question,
        output=answer,
        source="healthcaremagic",
        sample_id="healthcaremagic_100k:1",
        messages=[Message("user", f"{CHATDOCTOR}\n\n{question}"), Message("assistant", answer)],
        origin="in/HealthCareMagic-100k.json",
    )
    assert out[1] == Rejection(
        "in/HealthCareMagic-100k.json",
        "empty_answer",
        "healthcaremagic_100k:2: `output` is empty",
        "healthcaremagic_100k:2",
    )
    assert [type(r).__name__ for r in out] == ["Instruction", "Rejection", "Instruction", "Instruction"]


def test_genmedgpt_jsonl_names_its_source_and_rejects_the_broken_line():
    out = run("chatdoctor5k.jsonl")
    assert out[0].source == "genmedgpt" and out[0].sample_id == "chatdoctor5k:1"
    assert isinstance(out[1], Rejection) and out[1].reason == "bad_json" and out[1].detail.startswith("line 2:")


def test_icliniq_uses_the_physician_answer_and_a_seeded_template():
    out = run("iCliniq.json")
    first = out[0]
    assert first.source == "icliniq"
    assert first.output.startswith("Hi. This sounds like a ganglion cyst.")
    assert first.instruction == templates.pick(templates.DIALOGUE, 0, "icliniq:1")
    assert first.messages[0].content == f"{first.instruction}\n\n{first.input}"
    # The second row has no physician answer: rejected, not silently answered by ChatGPT.
    assert out[1].reason == "empty_answer" and "answer_icliniq" in out[1].detail


def test_icliniq_other_answer_on_request_and_bad_choice_refused():
    out = run("iCliniq.json", DialogueOptions(icliniq_answer="answer_chatgpt"))
    assert [r.output for r in out] == [
        "It may be a ganglion cyst. See a doctor.",
        "Ibuprofen is generally considered compatible with breastfeeding.",
    ]
    with pytest.raises(ValueError, match="answer_icliniq"):
        DialogueOptions(icliniq_answer="answer_doctor")


def test_medical_meadow_rows_with_and_without_input():
    out = run("medical_meadow_medical_flashcards.json")
    assert out[0].source == "medical_meadow_medical_flashcards"
    assert out[0].messages[0].content == (
        "Answer this question truthfully\n\nWhat is the first-line treatment for anaphylaxis?"
    )
    assert out[1].input == "" and out[1].messages == [
        Message("user", "What does a positive Murphy sign suggest?"),
        Message("assistant", "Acute cholecystitis."),
    ]


def test_meddialog_multiline_multiturn_dialogue_becomes_messages():
    out = run("healthcaremagic_dialogue_1.txt")
    first = out[0]
    opening = (
        "Hello doctor, I am 58 and I get a tight feeling in my chest\nwhen I climb two flights of stairs.\n"
        "It goes away after I rest."
    )
    reply = "Hi. Chest tightness on exertion that settles with rest can be angina.\nDo you smoke or have diabetes?"
    follow_up = "I smoked for twenty years but stopped last year."
    last = (
        "Please see your doctor this week for an ECG and an exercise test.\n"
        "If the pain comes at rest or lasts more than fifteen minutes, call an ambulance."
    )
    assert first.source == "meddialog" and first.sample_id == "healthcaremagic_dialogue_1:501"
    assert first.messages == [
        Message("user", f"{first.instruction}\n\n{opening}"),
        Message("assistant", reply),
        Message("user", follow_up),
        Message("assistant", last),  # two Doctor: blocks in a row are one turn
    ]
    assert first.input == f"Patient: {opening}\nDoctor: {reply}\nPatient: {follow_up}"
    assert first.output == last


def test_meddialog_doctor_first_uses_description_and_unanswered_is_rejected():
    out = run("healthcaremagic_dialogue_1.txt")
    assert out[1].input == "Itchy rash on both hands after gardening."
    assert out[1].output.startswith("Hi. An itchy rash on both hands")
    assert out[2] == Rejection(
        "in/healthcaremagic_dialogue_1.txt",
        "no_doctor_turn",
        "healthcaremagic_dialogue_1:503: dialogue has no usable patient/doctor exchange",
        "healthcaremagic_dialogue_1:503",
    )


def test_generic_csv_needs_a_column_map():
    assert [r.reason for r in run("nurse_questions.csv")] == ["unknown_format"]
    options = DialogueOptions(columns=ColumnMap.parse("user=question, assistant=answer, id=qid"))
    out = run("nurse_questions.csv", options)
    assert out[0].sample_id == "nurse_questions:n1" and out[0].source == "nurse_questions"
    assert out[0].input == "How long should I wait to shower after a tetanus shot?"
    assert out[1].reason == "empty_answer" and out[1].record_id == "nurse_questions:n2"


def test_generic_jsonl_with_column_map_and_source_override():
    data = b'{"q": "Is 38.5 C a fever?", "a": "Yes, in adults a temperature of 38 C or more is a fever."}\n'
    options = DialogueOptions(columns=ColumnMap(user="q", assistant="a"), source="fever_faq")
    (record,) = run("faq.jsonl", options, data)
    assert (record.source, record.sample_id, record.output) == (
        "fever_faq",
        "faq:1",
        "Yes, in adults a temperature of 38 C or more is a fever.",
    )


def test_column_map_errors_say_what_to_write():
    with pytest.raises(ValueError, match="KEY=COLUMN"):
        ColumnMap.parse("question=q,assistant=a")
    with pytest.raises(ValueError, match="both `user` and `assistant`"):
        ColumnMap.parse("user=q")


def test_bad_encoding_and_accepts():
    (rejection,) = run("x.json", data=b"\xff\xfe[not utf8")
    assert rejection.reason == "bad_encoding"
    assert accepts("a/b/HealthCareMagic-100k.json") and accepts("x.jsonl.gz") and accepts("d.txt")
    assert not accepts("notes.pdf")


def test_template_choice_is_deterministic_under_a_seed():
    rows = [{"input": f"question {i}", "answer_icliniq": f"answer {i}"} for i in range(40)]
    data = json.dumps(rows).encode()
    a = [r.instruction for r in run("iCliniq.json", DialogueOptions(seed=1), data)]
    b = [r.instruction for r in run("iCliniq.json", DialogueOptions(seed=1), data)]
    c = [r.instruction for r in run("iCliniq.json", DialogueOptions(seed=2), data)]
    assert a == b and a != c
    assert set(a) == set(templates.DIALOGUE)  # every paraphrase gets used


def test_meddialog_processed_split_turns_and_rejections():
    # stands for MedDialog's english-train.json: a JSON array of {"description", "utterances": ["patient: ..."]}
    out = run("english-train.json")
    assert [getattr(r, "sample_id", None) or r.reason for r in out] == [
        "english_train:1",
        "english_train:2",
        "english_train:3",
        "english_train:4",
        "no_doctor_turn",
    ]
    first, multi = out[0], out[1]
    assert first.source == "meddialog" and first.input.startswith("hi doctor,  i have had a dry cough")
    assert first.output.startswith("hi. a dry cough is a common side effect")
    assert [m.role for m in multi.messages] == ["user", "assistant", "user", "assistant"]
    assert multi.input.startswith("Patient: my knee hurts") and "\nDoctor: that pattern fits" in multi.input


def test_meddialog_processed_speaker_must_be_named():
    data = json.dumps([{"description": "", "utterances": ["nurse: hello", "doctor: hi"]}]).encode()
    (rejection,) = run("english-dev.json", data=data)
    assert (rejection.reason, rejection.record_id) == ("unknown_speaker", "english_dev:1")


def test_json_array_after_a_byte_order_mark_is_read_row_by_row():
    # stands for HealthCareMagic-100k.json exported by a Windows tool: the array starts with a UTF-8 BOM
    assert (FIXTURES / "HealthCareMagic-100k.json").read_bytes().startswith(b"\xef\xbb\xbf")
    rows = [{"instruction": "Answer.", "input": f"question {i}", "output": f"answer {i}"} for i in range(2)]
    out = run("HealthCareMagic-100k.json", data=b"\xef\xbb\xbf" + json.dumps(rows).encode())
    assert [r.sample_id for r in out] == ["healthcaremagic_100k:1", "healthcaremagic_100k:2"]
