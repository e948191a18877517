"""Read the evaluation files a build is decontaminated against (`--decontaminate FILE...`): MedQA test, MedMCQA dev,
PubMedQA (`ori_pqal.json` / `test_set.json`, with or without `test_ground_truth.json`), in any format
`medc.qa_formats` reads, given as files, directories or archives.

    >>> evals = load_eval_set(["MedQA/test.jsonl", "pubmedqa/data/"])
    >>> len(evals.items), evals.files[0]
    (1773, {'path': 'test.jsonl', 'benchmark': 'medqa', 'items': 1273, 'rejected': 0, 'sha256': '3f2a...'})

A `test_ground_truth.json` ({pmid: "yes"|"no"|"maybe"}) among the inputs restricts the PubMedQA questions files
to its PMIDs (the official 500-item test split of `ori_pqal.json`). Unlabeled items count too: a test split
without answers still must not leak into training. A file that yields no item at all stops the build with an
`EvalFileError` naming it: decontaminating against nothing would look like success.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from medc import qa_formats
from medc.records import QAItem, Rejection

ANSWERS = frozenset(qa_formats.PUBMEDQA_OPTIONS)


class EvalFileError(ValueError):
    """An evaluation file that cannot be used; the message names the file and says why."""


@dataclass
class EvalSet:
    items: list[QAItem] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Items per benchmark."""
        return dict(sorted(Counter(item.dataset for item in self.items).items()))


def load_eval_set(paths: Sequence[str]) -> EvalSet:
    """Every evaluation item in `paths` (files, directories, archives of .json/.jsonl files)."""
    from medc.sources import InputError, InputWalker, read_units

    walker = InputWalker(list(paths), lambda name: name.lower().endswith((".json", ".jsonl")))
    try:  # a few small files, read here
        units = [unit for _, unit, _ in read_units(list(walker), walker.max_unit_bytes)]
    except InputError as exc:
        raise EvalFileError(str(exc)) from None
    for unit in units:
        if unit.problem:
            raise EvalFileError(f"{unit.origin}: {unit.problem} ({unit.detail})")
    truths = {u.origin: parse_ground_truth(u.data) for u in units}
    ground_truth = _merged_ground_truth({k: v for k, v in truths.items() if v is not None})
    evals = EvalSet()
    for unit in units:
        if truths[unit.origin] is not None:
            evals.files.append(_file_info(unit.origin, unit.data, "pubmedqa_ground_truth", [], []))
            continue
        found = read_eval_file(unit.data, unit.origin, ground_truth)
        items = [x for x in found if isinstance(x, QAItem)]
        rejected = [x for x in found if isinstance(x, Rejection)]
        if not items:
            raise EvalFileError(f"{unit.origin}: no evaluation items could be read ({_reasons(rejected)})")
        evals.items += items
        evals.files.append(_file_info(unit.origin, unit.data, items[0].dataset, items, rejected))
    if ground_truth is not None and not any(f["benchmark"] == "pubmedqa" for f in evals.files):
        names = ", ".join(origin for origin, truth in truths.items() if truth is not None)
        raise EvalFileError(
            f"{names} holds only PubMedQA answers (test_ground_truth.json); pass the questions file too "
            "(ori_pqal.json or test_set.json)"
        )
    return evals


def read_eval_file(data: bytes, origin: str, ground_truth: dict[str, str] | None = None) -> list[QAItem | Rejection]:
    """The items of one evaluation file in any native format medc reads, with its rejections."""
    kind = eval_kind(data, origin)
    if kind == "medmcqa":
        try:
            return list(qa_formats.read_medmcqa(data, origin, "auto", keep_unlabeled=True))
        except ValueError:  # answers all in 1..3: either numbering keeps every question, which is what matters
            return list(qa_formats.read_medmcqa(data, origin, 1, keep_unlabeled=True))
    if kind == "pubmedqa":
        return list(qa_formats.read_pubmedqa(data, origin, ground_truth, keep_unlabeled=True))
    return list(qa_formats.read_medqa(data, origin))  # MedQA test files always carry their answers


def eval_kind(data: bytes, origin: str) -> str:
    """medqa, medmcqa or pubmedqa, from the file's shape and columns; `EvalFileError` for anything else."""
    data = qa_formats.strip_bom(data)
    if parse_ground_truth(data) is not None:
        raise EvalFileError(
            f"{origin} holds only PubMedQA answers (test_ground_truth.json); pass the questions file "
            "(ori_pqal.json or test_set.json) with it"
        )
    whole = _json_object(data)
    if isinstance(whole, dict) and whole and all(isinstance(v, dict) for v in whole.values()):
        return "pubmedqa"  # ori_pqal.json, test_set.json: {pmid: {"QUESTION": ...}}
    first = next((r for r in qa_formats.iter_json_rows(data, origin) if not isinstance(r, Rejection)), None)
    keys = set(first[1]) if first else set()
    if "opa" in keys:
        return "medmcqa"
    if "pubid" in keys or "QUESTION" in keys:
        return "pubmedqa"
    if keys & {"options", "sent1", "answer_idx", "choices"}:
        return "medqa"
    raise EvalFileError(f"{origin}: not a MedQA, MedMCQA or PubMedQA file (columns {sorted(keys)})")


def parse_ground_truth(data: bytes) -> dict[str, str] | None:
    """The mapping of a `test_ground_truth.json`, or None when `data` is something else."""
    whole = _json_object(qa_formats.strip_bom(data))
    if isinstance(whole, dict) and whole and all(isinstance(v, str) and v.lower() in ANSWERS for v in whole.values()):
        return {str(k): v.lower() for k, v in whole.items()}
    return None


def _json_object(data: bytes) -> Any:
    if data.lstrip()[:1] != b"{":
        return None
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None  # JSON Lines (or broken: the readers say where)


def _merged_ground_truth(truths: dict[str, dict[str, str]]) -> dict[str, str] | None:
    if not truths:
        return None
    merged: dict[str, str] = {}
    for truth in truths.values():
        merged.update(truth)
    return merged


def _file_info(
    origin: str, data: bytes, benchmark: str, items: list[QAItem], rejected: list[Rejection]
) -> dict[str, Any]:
    return {
        "path": origin,
        "benchmark": benchmark,
        "items": len(items),
        "rejected": len(rejected),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def _reasons(rejected: list[Rejection]) -> str:
    if not rejected:
        return "the file is empty"
    counts = Counter(r.reason for r in rejected)
    first = rejected[0]
    summary = ", ".join(f"{n} {reason}" for reason, n in counts.most_common())
    return f"{summary}; first: {first.detail}"
