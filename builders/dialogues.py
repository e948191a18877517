"""Medical dialogues into `Instruction` records (MedC-I config `dialogue`).

A row of ChatDoctor's `HealthCareMagic-100k.json` (a JSON array)

    {"instruction": "If you are a doctor, please answer the medical questions based on the patient's ...",
     "input": "Hi doctor, I have a sore throat and fever since two days ...",
     "output": "Hi, thanks for your query. It looks like a viral pharyngitis ..."}

becomes

    Instruction(instruction="If you are a doctor, ...", input="Hi doctor, I have a sore throat ...",
                output="Hi, thanks for your query. ...", source="healthcaremagic",
                sample_id="healthcaremagic_100k:1", origin="HealthCareMagic-100k.json",
                messages=[Message("user", "If you are a doctor, ...\\n\\nHi doctor, ..."),
                          Message("assistant", "Hi, thanks for your query. ...")])

Formats (FORMATS.md section 6), told apart by file name and columns:
- `{instruction, input, output}` rows (ChatDoctor GenMedGPT-5k and HealthCareMagic, MedAlpaca
  medical_meadow_*), as a JSON array (with or without a UTF-8 byte-order mark) or JSON Lines: the source's own
  instruction is kept.
- iCliniq (`input`, `answer_icliniq`, `answer_chatgpt`, `answer_chatdoctor`): the physician's answer by
  default.
- MedDialog-EN, raw `.txt` or the processed `english-*.json` splits (`builders/meddialog.py`). Several turns
  become several chat `messages`.
- Anything else (JSON, JSONL, CSV) through a `ColumnMap` naming the user and assistant columns.
Rows without an instruction get one of the paraphrases in `medc.instructions.templates.DIALOGUE`, by seed.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from builders import meddialog
from medc.instructions import templates
from medc.qa_formats import iter_json_rows
from medc.records import Instruction, Rejection
from medc.sources import WorkUnit, logical_name

log = logging.getLogger(__name__)

SUFFIXES = (".json", ".jsonl", ".csv", ".txt")
ICLINIQ_ANSWERS = ("answer_icliniq", "answer_chatgpt", "answer_chatdoctor")
# File stems (slugged) whose source has a better-known name.
SOURCE_ALIASES = {
    "chatdoctor5k": "genmedgpt",
    "genmedgpt_5k": "genmedgpt",
    "healthcaremagic_100k": "healthcaremagic",
}

Output = Iterator[Instruction | Rejection]


@dataclass(frozen=True)
class ColumnMap:
    """Which columns of a generic JSON/JSONL/CSV file hold what.
    CLI: `--dialogue-columns user=question,assistant=answer`."""

    user: str = ""
    assistant: str = ""
    instruction: str = ""
    id: str = ""

    def __post_init__(self) -> None:
        if not self.user or not self.assistant:
            raise ValueError(
                "a column map needs both `user` and `assistant` columns, e.g. user=question,assistant=answer"
            )

    @classmethod
    def parse(cls, spec: str) -> ColumnMap:
        """`"user=q,assistant=a,id=qid"` → ColumnMap(user="q", assistant="a", id="qid")."""
        pairs = [p.partition("=") for p in spec.split(",") if p.strip()]
        known = {"user", "assistant", "instruction", "id"}
        bad = [k.strip() for k, sep, _ in pairs if not sep or k.strip() not in known]
        if bad:
            raise ValueError(f"column map {spec!r}: {bad[0]!r} is not KEY=COLUMN with KEY one of {sorted(known)}")
        return cls(**{k.strip(): v.strip() for k, _, v in pairs})


@dataclass(frozen=True)
class DialogueOptions:
    seed: int = 0
    """Chooses the instruction paraphrase of rows that bring none."""
    icliniq_answer: str = "answer_icliniq"
    """Which iCliniq answer is the assistant turn: the physician's (default), `answer_chatgpt` or
    `answer_chatdoctor`."""
    columns: ColumnMap | None = None
    """Column map for files in no known format."""
    source: str = ""
    """Name every record's `source` this instead of deriving it from the file name."""

    def __post_init__(self) -> None:
        if self.icliniq_answer not in ICLINIQ_ANSWERS:
            raise ValueError(f"icliniq_answer={self.icliniq_answer!r}; choose one of {list(ICLINIQ_ANSWERS)}")


def accepts(name: str) -> bool:
    return logical_name(name).lower().endswith(SUFFIXES)


def parse(unit: WorkUnit, options: DialogueOptions) -> Output:
    """The dialogues of one file, in file order, and a rejection for each row that cannot be used."""
    name = logical_name(PurePosixPath(unit.origin.rsplit("::", 1)[-1]).name)
    stem = _slug(name.rsplit(".", 1)[0])
    try:
        text = unit.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Rejection(unit.origin, "bad_encoding", f"not UTF-8 ({exc.reason} at byte {exc.start})")
        return
    if name.lower().endswith(".txt"):
        yield from meddialog.parse_text(text, unit.origin, stem, options.source or "meddialog", options.seed)
        return
    if name.lower().endswith(".csv"):
        yield from _parse_rows(_csv_rows(text), unit.origin, stem, options)
        return
    rows = iter_json_rows(unit.data, unit.origin)
    first = next(rows, None)
    if first is not None and not isinstance(first, Rejection) and meddialog.is_processed(first[1]):
        # MedDialog's processed splits, english-train.json: {"description", "utterances": ["patient: ..."]}
        yield from meddialog.parse_processed(unit.data, unit.origin, stem, options.source or "meddialog", options.seed)
    else:
        yield from _parse_rows(itertools.chain([first] if first is not None else [], rows), unit.origin, stem, options)


def _parse_rows(rows: Iterator[Any], origin: str, stem: str, options: DialogueOptions) -> Output:
    kind = ""
    for row in rows:
        if isinstance(row, Rejection):
            yield row
            continue
        number, obj = row
        kind = kind or _row_kind(obj, options)
        if kind == "unknown":
            yield Rejection(
                origin,
                "unknown_format",
                f"columns {sorted(obj)} are neither instruction/input/output "
                "nor iCliniq's; name them with --dialogue-columns user=COL,assistant=COL",
            )
            return
        source = options.source or ("icliniq" if kind == "icliniq" else SOURCE_ALIASES.get(stem, stem))
        yield _row_record(obj, kind, origin, source, f"{stem}:{_row_key(obj, kind, number, options)}", options)


def _row_kind(obj: dict[str, Any], options: DialogueOptions) -> str:
    if "answer_icliniq" in obj:
        return "icliniq"
    if "instruction" in obj and "output" in obj:
        return "alpaca"
    if options.columns and options.columns.user in obj and options.columns.assistant in obj:
        return "mapped"
    return "unknown"


def _row_key(obj: dict[str, Any], kind: str, number: int, options: DialogueOptions) -> str:
    if kind == "mapped" and options.columns and options.columns.id and _text(obj.get(options.columns.id)):
        return _text(obj.get(options.columns.id))
    return str(number)


def _row_record(
    obj: dict[str, Any], kind: str, origin: str, source: str, sample_id: str, options: DialogueOptions
) -> Instruction | Rejection:
    if kind == "alpaca":
        instruction, user, answer = (
            _text(obj.get("instruction")),
            _text(obj.get("input")),
            _text(obj.get("output")),
        )
        answer_column = "output"
    elif kind == "icliniq":
        instruction, user, answer = "", _text(obj.get("input")), _text(obj.get(options.icliniq_answer))
        answer_column = options.icliniq_answer
    else:
        cols = options.columns
        assert cols is not None
        instruction = _text(obj.get(cols.instruction)) if cols.instruction else ""
        user, answer = _text(obj.get(cols.user)), _text(obj.get(cols.assistant))
        answer_column = cols.assistant
    if not answer:
        return Rejection(origin, "empty_answer", f"{sample_id}: `{answer_column}` is empty", sample_id)
    if not user and not instruction:
        return Rejection(origin, "empty_question", f"{sample_id}: no question (input and instruction empty)", sample_id)
    instruction = instruction or templates.pick(templates.DIALOGUE, options.seed, sample_id)
    return Instruction(
        instruction, user, answer, source, sample_id, templates.to_messages(instruction, user, answer), origin
    )


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    yield from enumerate(csv.DictReader(io.StringIO(text, newline="")), start=1)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return (value if isinstance(value, str) else str(value)).replace("\r\n", "\n").strip()


def _slug(stem: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_") or "dialogues"
