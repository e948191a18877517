"""LiveQA and MedicationQA readers (builders/consumer_qa.py, builders/table_rows.py) on authored files in the
releases' formats (tests/fixtures/medc_i/consumer_qa/)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from builders.consumer_qa import ConsumerQAOptions, accepts, parse
from builders.table_rows import iter_rows
from medc.instructions import templates
from medc.records import Instruction, Rejection
from medc.sources import WorkUnit

FIXTURES = Path(__file__).parents[1] / "fixtures" / "medc_i" / "consumer_qa"
COLUMNS = ["Question", "Focus (Drug)", "Question Type", "Answer", "Section Title", "URL"]


def run(name: str, dataset: str, data: bytes | None = None) -> list:
    data = (FIXTURES / name).read_bytes() if data is None else data
    return list(parse(WorkUnit(f"in/{name}", data), ConsumerQAOptions(dataset=dataset)))


def test_liveqa_training_xml_one_record_per_answer():
    out = run("TREC-2017-LiveQA-Medical-Train-1.xml", "liveqa")
    made = [r for r in out if isinstance(r, Instruction)]
    assert [r.sample_id for r in made] == ["liveqa:Q1#Q1-S1-A1", "liveqa:Q1#Q1-S1-A2", "liveqa:Q1#Q1-S2-A1"]
    first = made[0]
    # The subject heads the message; the entity escaped twice in the release (&amp;quot;) reads as a quote.
    assert first.input == (
        'shingles vaccine\nI am 62 and had chickenpox as a child. Should I get the "shingles shot" and is it safe '
        "with my blood thinner?"
    )
    assert first.output.startswith("Adults aged 50 years and older") and first.source == "liveqa"
    assert first.instruction in templates.CONSUMER_QA
    assert first.messages[0].content == f"{first.instruction}\n\n{first.input}"
    (empty,) = [r for r in out if isinstance(r, Rejection)]
    assert (empty.reason, empty.record_id) == ("empty_answer", "liveqa:Q2#Q2-S1-A1")


def test_liveqa_test_xml_reads_reference_answers():
    made = run("TREC-2017-LiveQA-Medical-Test.xml", "liveqa")
    assert [(r.sample_id, r.input) for r in made] == [
        ("liveqa:TQ1#TQ1A1", "Should iron tablets be taken with orange juice or with milk?"),
        ("liveqa:TQ1#TQ1A2", "Should iron tablets be taken with orange juice or with milk?"),
    ]


def test_liveqa_xml_never_resolves_entities():
    doctype = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>'
    question = (
        b"<NLM-QUESTION questionid='Q9'><MESSAGE>&e;</MESSAGE><ANSWERS><ANSWER answerid='A'>ok</ANSWER></ANSWERS>"
    )
    out = run(
        "bad.xml",
        "liveqa",
        b'<?xml version="1.0"?>' + doctype + b"<NLM-QUESTIONS>" + question + b"</NLM-QUESTION></NLM-QUESTIONS>",
    )
    assert [(r.reason, r.record_id) for r in out] == [("empty_question", "liveqa:Q9#A")]  # the file is never read


def test_medicationqa_csv_rows_and_empty_answers():
    out = run("medicationqa.csv", "medicationqa")
    assert [type(r).__name__ for r in out] == ["Instruction", "Instruction", "Rejection"]
    assert (out[0].sample_id, out[0].input) == (
        "medicationqa:1",
        "how long does it take for metformin to start working",
    )
    assert out[2].reason == "empty_answer" and out[2].record_id == "medicationqa:3"


def rows_of_csv() -> list[dict]:
    return list(csv.DictReader(io.StringIO((FIXTURES / "medicationqa.csv").read_text())))


def xlsx(rows: list[dict]) -> bytes:
    """A workbook as Excel writes one (MedInfo2019-QA-Medications.xlsx): shared strings, a header row, one sheet."""
    strings, cells = [], []
    for r, row in enumerate([dict(zip(COLUMNS, COLUMNS, strict=True)), *rows], start=1):
        refs = []
        for c, column in enumerate(COLUMNS):
            value = row[column]
            if value:
                strings.append(value)
                refs.append(f'<c r="{"ABCDEF"[c]}{r}" t="s"><v>{len(strings) - 1}</v></c>')
        cells.append(f'<row r="{r}">{"".join(refs)}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    escape = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
    shared = "".join(f"<si><t>{s.translate(escape)}</t></si>" for s in strings)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst {ns}>{shared}</sst>')
        book.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0"?><worksheet {ns}><sheetData>{"".join(cells)}</sheetData></worksheet>',
        )
    return buffer.getvalue()


def test_medicationqa_xlsx_and_parquet_give_the_csv_records():
    from_csv = [
        (r.sample_id, r.input, r.output) for r in run("medicationqa.csv", "medicationqa") if isinstance(r, Instruction)
    ]
    from_xlsx = run("MedInfo2019-QA-Medications.xlsx", "medicationqa", xlsx(rows_of_csv()))
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows_of_csv()), sink)  # truehealth/medicationqa serves Parquet
    from_parquet = run("train-00000-of-00001.parquet", "medicationqa", sink.getvalue())
    for out in (from_xlsx, from_parquet):
        assert [(r.sample_id, r.input, r.output) for r in out if isinstance(r, Instruction)] == from_csv


def test_broken_tables_are_rejections_naming_why():
    assert [r.reason for r in iter_rows(b"not a zip", "a.xlsx", "a.xlsx")] == ["bad_xlsx"]
    assert [r.reason for r in iter_rows(b"PAR1broken", "a.parquet", "a.parquet")] == ["bad_parquet"]
    out = run("other.csv", "medicationqa", b"drug,text\nx,y\n")
    assert [r.reason for r in out] == ["unknown_format"] and "no question/message and answer column" in out[0].detail


def test_accepts_and_options():
    assert accepts("TREC-2017-LiveQA-Medical-Train-1.xml") and accepts("MedInfo2019-QA-Medications.xlsx")
    assert accepts("train.parquet") and not accepts("notes.pdf")
    with pytest.raises(ValueError, match="liveqa"):
        ConsumerQAOptions(dataset="meqsum")
