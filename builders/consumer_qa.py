"""Consumer health questions with reference answers into `Instruction` records (MedC-I config `dialogue`):
LiveQA (TREC 2017 LiveQA medical task) and MedicationQA (MedInfo 2019), the two sets PMC-LLaMA's instruction
data names `liveqa` and `medicationqa`.

A LiveQA training question (`TREC-2017-LiveQA-Medical-Train-1.xml`)

    <NLM-QUESTION questionid="Q3" fRef="1-123453375">
      <SUBJECT>pyridoxine</SUBJECT><MESSAGE>DO I USE PYRIDOXINE TABLETS EVEN IF IM PREGNANT?</MESSAGE>
      <SUB-QUESTIONS><SUB-QUESTION subqid="Q3-S1"><ANNOTATIONS>...</ANNOTATIONS>
        <ANSWERS><ANSWER answerid="Q3-S1-A1" pairid="5">Before taking pyridoxine, tell your doctor ...</ANSWER>
    ...

becomes one record per answer (the release's "question-answer pairs"), input = subject and message, output =
the answer, `source="liveqa"`, `sample_id="liveqa:Q3#Q3-S1-A1"` (the answers of a question are one group of
the train/validation split). The test file's shape (`<Original-Question>` with
`<Subject>`/`<Message>`, `<ReferenceAnswers>`) reads the same way, and so do table exports with `question` (or
`message`), optional `subject`, and `answer` columns (JSON, JSON Lines, CSV, Parquet).

A MedicationQA row (`MedInfo2019-QA-Medications.xlsx`, or its CSV/JSON/Parquet exports: `Question`,
`Focus (Drug)`, `Question Type`, `Answer`, `Section Title`, `URL`) becomes input = the question, output = the
answer, `source="medicationqa"`, `sample_id="medicationqa:<row>"`. Rows without a question or an answer are
rejections (`empty_question`, `empty_answer`), as in `builders/dialogues.py`.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from builders import table_rows
from medc.instructions import templates
from medc.records import Instruction, Rejection
from medc.sources import WorkUnit, logical_name

log = logging.getLogger(__name__)

DATASETS = ("liveqa", "medicationqa")
QUESTION_COLUMNS = ("question", "message")
Output = Iterator[Instruction | Rejection]


@dataclass(frozen=True)
class ConsumerQAOptions:
    dataset: str = "liveqa"
    """liveqa or medicationqa: which set the files hold (the name of every record's `source`)."""
    seed: int = 0
    """Chooses the instruction paraphrase of each record."""

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset={self.dataset!r}; choose one of {list(DATASETS)}")


def accepts(name: str) -> bool:
    return logical_name(name).lower().endswith((*table_rows.SUFFIXES, ".xml"))


def parse(unit: WorkUnit, options: ConsumerQAOptions) -> Output:
    name = logical_name(PurePosixPath(unit.origin.rsplit("::", 1)[-1]).name)
    if name.lower().endswith(".xml"):
        pairs = _liveqa_xml_pairs(unit.data, unit.origin)
    else:
        pairs = _table_pairs(table_rows.iter_rows(unit.data, name, unit.origin), unit.origin, options.dataset)
    for pair in pairs:
        yield pair if isinstance(pair, Rejection) else _record(*pair, unit.origin, options)


def _record(key: str, question: str, answer: str, origin: str, options: ConsumerQAOptions) -> Instruction | Rejection:
    sample_id = f"{options.dataset}:{key}"
    if not question:
        return Rejection(origin, "empty_question", f"{sample_id}: no question", sample_id)
    if not answer:
        return Rejection(origin, "empty_answer", f"{sample_id}: no answer", sample_id)
    instruction = templates.pick(templates.CONSUMER_QA, options.seed, sample_id)
    messages = templates.to_messages(instruction, question, answer)
    return Instruction(instruction, question, answer, options.dataset, sample_id, messages, origin)


def _table_pairs(rows: Iterator[Any], origin: str, dataset: str) -> Iterator[tuple[str, str, str] | Rejection]:
    for row in rows:
        if isinstance(row, Rejection):
            yield row
            continue
        number, obj = row
        columns = {str(k).strip().lower(): v for k, v in obj.items()}
        question_column = next((c for c in QUESTION_COLUMNS if c in columns), None)
        if question_column is None or "answer" not in columns:
            yield Rejection(
                origin, "unknown_format", f"columns {sorted(obj)} have no question/message and answer column"
            )
            return
        question = _text(columns.get(question_column))
        subject = _text(columns.get("subject"))
        if subject and question and subject.lower() not in question.lower():
            question = f"{subject}\n{question}"
        yield str(number), question, _text(columns.get("answer"))


def _liveqa_xml_pairs(data: bytes, origin: str) -> Iterator[tuple[str, str, str] | Rejection]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        yield Rejection(origin, "xml_syntax", f"line {exc.lineno}: {exc.msg}")
        return
    for question in root.iter("NLM-QUESTION"):
        qid = question.get("questionid") or question.get("qid") or ""
        subject = _text(question.findtext("SUBJECT") or question.findtext("Original-Question/Subject"))
        message = _text(question.findtext("MESSAGE") or question.findtext("Original-Question/Message"))
        text = f"{subject}\n{message}" if subject and message and subject.lower() not in message.lower() else message
        answers = [a for tag in ("ANSWER", "RefAnswer", "ReferenceAnswer") for a in question.iter(tag)]
        if not answers:
            yield Rejection(
                origin, "empty_answer", f"liveqa:{qid}: the question has no answer element", f"liveqa:{qid}"
            )
        for number, answer in enumerate(answers, start=1):
            body = answer.findtext("Answer") if answer.tag != "ANSWER" else answer.text
            # The question before `#`: its answers are one group, kept together in train or validation.
            key = f"{qid}#{answer.get('answerid') or answer.get('aid') or f'{qid}-A{number}'}"
            yield key, text, _text(body)


def _text(value: Any) -> str:
    """A field's text: entities the source escaped twice (`&amp;quot;`) undone, runs of spaces collapsed."""
    if value is None:
        return ""
    text = html.unescape(str(value)).replace("\r\n", "\n")
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()
