"""PubMedQA: `ori_pqal.json`-style files keyed by PMID (with `test_ground_truth.json`), and JSON Lines exports of
`qiaojin/PubMedQA`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from medc.qa_formats.rows import PUBMEDQA_OPTIONS, iter_json_rows, text_or_none
from medc.records import QAItem, Rejection


def read_pubmedqa(
    data: bytes, origin: str, ground_truth: dict[str, str] | None = None, keep_unlabeled: bool = False
) -> Iterator[QAItem | Rejection]:
    """PubMedQA items from `ori_pqal.json`-style files (a dict keyed by PMID) or a JSON Lines export of
    `qiaojin/PubMedQA`. With `ground_truth` (`test_ground_truth.json`: {pmid: "yes"|"no"|"maybe"}) the
    answers come from it and only its PMIDs are read: the others become `Rejection("not_in_ground_truth")`,
    and PMIDs it names that the data lacks become `Rejection("missing_item")`."""
    seen: set[str] = set()
    for entry in _pubmedqa_entries(data, origin):
        if isinstance(entry, Rejection):
            yield entry
            continue
        pmid, obj = entry
        seen.add(pmid)
        item_id = f"pubmedqa:{pmid}"
        if ground_truth is not None and pmid not in ground_truth:
            yield Rejection(origin, "not_in_ground_truth", f"{item_id}: not in the ground-truth file", item_id)
            continue
        decision = ground_truth[pmid] if ground_truth is not None else obj.get("final_decision")
        yield _pubmedqa_item(obj, item_id, origin, decision, keep_unlabeled)
    for pmid in sorted(set(ground_truth or ()) - seen):
        yield Rejection(
            origin,
            "missing_item",
            f"pubmedqa:{pmid}: in the ground truth but not in the data file",
            f"pubmedqa:{pmid}",
        )


def _pubmedqa_entries(data: bytes, origin: str) -> Iterator[tuple[str, dict[str, Any]] | Rejection]:
    """(pmid, fields in the native upper-case names) for each item of either file shape."""
    try:
        whole = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        whole = None  # JSON Lines (or broken: iter_json_rows says where)
    if isinstance(whole, dict) and not _is_hf_row(whole):
        for pmid, obj in whole.items():
            if isinstance(obj, dict):
                yield str(pmid), obj
            else:
                yield Rejection(origin, "bad_json", f"pubmedqa:{pmid}: expected an object, got {type(obj).__name__}")
        if not whole:
            yield Rejection(origin, "empty_file", "the file holds no PubMedQA items")
        return
    for row in iter_json_rows(data, origin):
        if isinstance(row, Rejection):
            yield row
        elif _is_hf_row(row[1]) and row[1].get("pubid") is not None:
            yield str(row[1]["pubid"]), _native_from_hf(row[1])
        else:
            yield Rejection(origin, "missing_field", f"line {row[0]}: no `pubid` (expected qiaojin/PubMedQA rows)")


def _is_hf_row(obj: dict[str, Any]) -> bool:
    return "pubid" in obj or "question" in obj


def _native_from_hf(row: dict[str, Any]) -> dict[str, Any]:
    context = row.get("context")
    contexts = context.get("contexts") if isinstance(context, dict) else context
    return {
        "QUESTION": row.get("question"),
        "CONTEXTS": contexts,
        "LONG_ANSWER": row.get("long_answer"),
        "final_decision": row.get("final_decision"),
    }


def _pubmedqa_item(
    obj: dict[str, Any], item_id: str, origin: str, decision: Any, keep_unlabeled: bool
) -> QAItem | Rejection:
    question, contexts = text_or_none(obj.get("QUESTION")), obj.get("CONTEXTS")
    if isinstance(contexts, str):
        contexts = [contexts]
    if question is None or not isinstance(contexts, list) or not all(isinstance(c, str) for c in contexts):
        missing = "QUESTION" if question is None else "CONTEXTS"
        return Rejection(origin, "missing_field", f"{item_id}: no usable `{missing}`", item_id)
    answer: int | None = None
    if decision is None or decision == "":
        if not keep_unlabeled:
            return Rejection(origin, "unlabeled", f"{item_id}: no `final_decision`", item_id)
    elif isinstance(decision, str) and decision.strip().lower() in PUBMEDQA_OPTIONS:
        answer = PUBMEDQA_OPTIONS.index(decision.strip().lower())
    else:
        return Rejection(origin, "bad_answer", f"{item_id}: decision {decision!r} is not yes, no or maybe", item_id)
    # lm-evaluation-harness's pubmedqa task joins the contexts with newlines; so do we.
    return QAItem(
        id=item_id,
        dataset="pubmedqa",
        question=question,
        options=list(PUBMEDQA_OPTIONS),
        answer=answer,
        context="\n".join(contexts),
        rationale=text_or_none(obj.get("LONG_ANSWER")) or "",
        origin=origin,
    )


def parse_pubmedqa_ground_truth(data: bytes, origin: str = "test_ground_truth.json") -> dict[str, str]:
    """`test_ground_truth.json` ({"12345678": "yes", ...}) as a dict; raises `ValueError` when the file is not
    such a mapping (it is a file the user names next to the data, so a wrong one is a usage error)."""
    try:
        mapping = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{origin} is not JSON: {exc}") from None
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise ValueError(f'{origin} must map PMIDs to "yes"/"no"/"maybe", like test_ground_truth.json')
    return {str(k): v for k, v in mapping.items()}
