"""Rationale QA: MedQA, MedMCQA and PubMedQA items into `Instruction` records (MedC-I config `rationale_qa`).

The MedMCQA line (raw release, 1-based `cop`)

    {"id": "a1b2", "question": "Which of the following is a feature of a leukemoid reaction?",
     "opa": "High leukocyte alkaline phosphatase score", "opb": "Philadelphia chromosome",
     "opc": "Basophilia", "opd": "Splenomegaly with blasts", "cop": 1,
     "exp": "A leukemoid reaction shows a high LAP score."}

becomes two records, as PMC-LLaMA made them: one answering with the rationale, one with the answer only

    Instruction(instruction="Reason step by step about the clinical question below, then select ...",
                input="###Question: Which of the following is a feature of a leukemoid reaction?\\n"
                      "###Options:\\nA. High leukocyte alkaline phosphatase score\\nB. Philadelphia ...",
                output="###Rationale: A leukemoid reaction shows a high LAP score.\\n\\n"
                       "###Answer: OPTION A IS CORRECT.",
                source="medmcqa", sample_id="medmcqa:a1b2#rationale", ...)
    Instruction(..., output="###Answer: OPTION A IS CORRECT.", sample_id="medmcqa:a1b2#answer", ...)

Files are read by `medc.qa_formats` (the evaluator reads them the same way). Rationales come from a user file
(JSONL `{"id": "medqa:US_train:12", "rationale": "..."}`, e.g. written by an LLM) when it has the item, else
from the dataset (MedMCQA `exp`, PubMedQA `LONG_ANSWER`); an item with neither gets the answer-only record
and a `no_rationale` notice. PubMedQA items show their abstract as `###Context:` and the options yes/no/maybe.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Literal

from medc import qa_formats
from medc.instructions import templates
from medc.records import Instruction, Notice, QAItem, Rejection
from medc.sources import WorkUnit, logical_name

log = logging.getLogger(__name__)

DATASETS = ("medqa", "medmcqa", "pubmedqa")
STYLES = ("rationale", "answer")
LAYOUTS = ("medc", "pmc-llama")
SPLITS = ("train", "dev", "test", "validation")


@dataclass(frozen=True)
class QAOptions:
    dataset: str = "medqa"
    """Which reader the files need: medqa, medmcqa or pubmedqa."""
    styles: tuple[str, ...] = STYLES
    """Records to make per item: `rationale` (rationale, then answer) and/or `answer` (answer only)."""
    answer_format: str = templates.DEFAULT_ANSWER_FORMAT
    """How the answer is written; `{letter}` is the option letter, `{option}` its text."""
    seed: int = 0
    """Chooses the instruction paraphrase of each record."""
    cop_base: Literal["auto", 0, 1] = "auto"
    """MedMCQA `cop` numbering: 1 in the raw release, 0 in the Hugging Face copy; auto reads the file."""
    layout: str = "medc"
    """`medc`, or `pmc-llama`: the released PMC-LLaMA instruction set's layout (two-line instruction, options
    block ending in a line break, PubMedQA answered with the long answer and `###Answer: yes|no|maybe`)."""
    source_names: dict[str, str] = field(default_factory=dict)
    """`source` per dataset, `{stem}` standing for the file's stem (`pubmedqa.{stem}` → `pubmedqa.ori_pqaa`) and
    `{split}` for train/dev/test read off it (`medqa_{split}` → `medqa_train`); the dataset's name by default."""

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset={self.dataset!r}; choose one of {list(DATASETS)}")
        unknown = [s for s in self.styles if s not in STYLES]
        if unknown or not self.styles:
            raise ValueError(f"styles={list(self.styles)}: give one or both of {list(STYLES)}")
        try:
            self.answer_format.format(letter="C", option="text")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"answer_format={self.answer_format!r} does not format ({exc!r}); use only the fields "
                "{letter} and {option}, e.g. '###Answer: OPTION {letter} IS CORRECT.'"
            ) from None
        if self.cop_base not in ("auto", 0, 1):
            raise ValueError(f"cop_base={self.cop_base!r}; use 'auto', 0 (Hugging Face) or 1 (raw release)")
        if self.layout not in LAYOUTS:
            raise ValueError(f"layout={self.layout!r}; choose one of {list(LAYOUTS)}")
        unknown_sets = sorted(set(self.source_names) - set(DATASETS))
        if unknown_sets:
            raise ValueError(f"source_names: {unknown_sets[0]!r} is not one of {list(DATASETS)}")
        for pattern in self.source_names.values():
            try:
                pattern.format(stem="stem", split="train")
            except (KeyError, IndexError, ValueError):
                raise ValueError(f"source_names: {pattern!r} may only use the fields {{stem}} and {{split}}") from None


def accepts(name: str) -> bool:
    return logical_name(name).lower().endswith((".json", ".jsonl"))


def parse(
    unit: WorkUnit, options: QAOptions, rationales: Mapping[str, str] | None = None
) -> Iterator[Instruction | Rejection | Notice]:
    """The records of every labeled item of one benchmark file, and the readers' rejections."""
    try:
        items = list(_reader(options)(unit.data, unit.origin))
    except ValueError as exc:  # MedMCQA numbering that cannot be told: never guess
        yield Rejection(unit.origin, "medmcqa_cop_base", str(exc))
        return
    for item in items:
        if isinstance(item, Rejection):
            yield item
        else:
            yield from item_records(item, options, rationales or {})


def _reader(options: QAOptions):  # one of the qa_formats readers
    if options.dataset == "medmcqa":
        return partial(qa_formats.read_medmcqa, cop_base=options.cop_base)
    return qa_formats.read_pubmedqa if options.dataset == "pubmedqa" else qa_formats.read_medqa


def item_records(
    item: QAItem, options: QAOptions, rationales: Mapping[str, str]
) -> Iterator[Instruction | Rejection | Notice]:
    if item.answer is None:
        yield Rejection(item.origin, "unlabeled", f"{item.id}: no answer", item.id)
        return
    rationale = (rationales.get(item.id) or item.rationale).strip()
    for style in options.styles:
        if style == "rationale" and not rationale:
            yield Notice(item.origin, "no_rationale", detail=item.id)
            continue
        yield render(item, style, rationale, options)


def render(item: QAItem, style: str, rationale: str, options: QAOptions) -> Instruction:
    """One record of `item` in `style` (`rationale` or `answer`)."""
    assert item.answer is not None
    sample_id = f"{item.id}#{style}"
    letter, option = templates.LETTERS[item.answer], item.options[item.answer]
    answer = options.answer_format.format(letter=letter, option=option)
    if options.layout == "pmc-llama":
        instruction, text, output = _pmc_llama(item, style, rationale, answer, options.seed, sample_id)
    else:
        if item.context:
            pool = templates.CONTEXT_QA_RATIONALE if style == "rationale" else templates.CONTEXT_QA_ANSWER_ONLY
        else:
            pool = templates.QA_RATIONALE if style == "rationale" else templates.QA_ANSWER_ONLY
        text = templates.qa_input(item.question, item.options, item.context)
        output = answer if style == "answer" else templates.RATIONALE_OUTPUT.format(rationale=rationale, answer=answer)
        instruction = templates.pick(pool, options.seed, sample_id)
    source = _source_name(options.source_names.get(item.dataset, item.dataset), item.origin)
    messages = templates.to_messages(instruction, text, output)
    return Instruction(instruction, text, output, source, sample_id, messages, item.origin)


def _source_name(pattern: str, origin: str) -> str:
    """`pattern` with `{stem}` (the file's stem) and `{split}` (train, dev, test or validation when the stem
    ends with one: `phrases_no_exclude_train` → train) filled in."""
    stem = qa_formats.file_stem(origin)
    last = stem.lower().rsplit("_", 1)[-1]
    return pattern.format(stem=stem, split=last if last in SPLITS else stem)


def _pmc_llama(item: QAItem, style: str, rationale: str, answer: str, seed: int, key: str) -> tuple[str, str, str]:
    """(instruction, input, output) in the released PMC-LLaMA instruction set's layout."""
    task = f"context_{style}" if item.context else style
    instruction = f"{templates.pick(templates.PMC_LLAMA_ROLE, seed, key)}\n"
    instruction += templates.pick(templates.PMC_LLAMA_TASK[task], seed, f"{key}/task")
    if item.context:
        text = templates.PMC_LLAMA_CONTEXT_INPUT.format(question=item.question, context=item.context)
        answer = templates.PMC_LLAMA_DECISION.format(decision=item.options[item.answer])  # type: ignore[index]
        output = (
            answer if style == "answer" else templates.PMC_LLAMA_LONG_ANSWER.format(rationale=rationale, answer=answer)
        )
    else:
        text = templates.PMC_LLAMA_QA_INPUT.format(
            question=item.question, options=templates.options_block(item.options)
        )
        output = answer if style == "answer" else templates.RATIONALE_OUTPUT.format(rationale=rationale, answer=answer)
    return instruction, text, output


def read_rationales(data: bytes, origin: str = "rationales.jsonl") -> dict[str, str]:
    """A user rationale file: JSON Lines of `{"id": <QAItem id>, "rationale": "..."}`. A bad line is a usage
    error (the user wrote the file), so it raises `ValueError` naming the line."""
    out: dict[str, str] = {}
    for number, raw in enumerate(data.decode("utf-8-sig").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{origin} line {number}: not JSON ({exc.msg})") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or "rationale" not in obj:
            raise ValueError(
                f'{origin} line {number}: expected {{"id": "medqa:<file>:<line>", "rationale": "..."}} '
                "(ids as medc names QA items: medqa:<file stem>:<line>, medmcqa:<id>, pubmedqa:<pmid>)"
            )
        if isinstance(obj["rationale"], str) and obj["rationale"].strip():
            out[obj["id"]] = obj["rationale"].strip()
    return out
