"""MedMCQA: JSON Lines of the raw release (`cop` from 1) or the Hugging Face copy (`cop` from 0, -1 unlabeled)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from medc.qa_formats.rows import MEDMCQA_OPTION_FIELDS, file_stem, iter_json_rows, text_or_none
from medc.records import QAItem, Rejection

CopBase = Literal["auto", 0, 1]


def read_medmcqa(
    data: bytes, origin: str, cop_base: CopBase = "auto", keep_unlabeled: bool = False
) -> Iterator[QAItem | Rejection]:
    """MedMCQA items from JSON Lines. `cop_base` says how `cop` is numbered: 1 in the raw release
    (1 = opa), 0 in the Hugging Face copy (-1 = unlabeled); "auto" reads it off the file and raises
    `ValueError` when the file cannot tell. Items without an answer become `Rejection("unlabeled")`, or
    answer-less `QAItem`s when `keep_unlabeled` (decontamination wants the test questions too)."""
    if cop_base not in ("auto", 0, 1):
        raise ValueError(f"cop_base must be 'auto', 0 or 1, got {cop_base!r}")
    rows = list(iter_json_rows(data, origin))
    if cop_base == "auto":
        cop_base = detect_cop_base([r[1] for r in rows if not isinstance(r, Rejection)], origin)
    stem = file_stem(origin)
    for row in rows:
        if isinstance(row, Rejection):
            yield row
            continue
        number, obj = row
        item_id = f"medmcqa:{obj['id']}" if text_or_none(obj.get("id")) else f"medmcqa:{stem}:{number}"
        yield _medmcqa_item(obj, item_id, origin, cop_base, keep_unlabeled)


def _cop(obj: dict[str, Any]) -> int | str | None:
    """`cop` as an int, None when absent (the raw test file has none), or its repr when unusable."""
    value = obj.get("cop")
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return repr(value)


def detect_cop_base(objs: list[dict[str, Any]], origin: str = "") -> Literal[0, 1]:
    """0 or 1, read off the `cop` values: a 0 or a -1 only occurs 0-based, a 4 only 1-based. A file whose
    answers are all 1, 2 or 3 fits both, and guessing would shift every answer by one: that raises."""
    values = {v for v in map(_cop, objs) if isinstance(v, int)}
    zero_based, one_based = values & {0, -1}, values & {4}
    where = f" in {origin}" if origin else ""
    if zero_based and one_based:
        raise ValueError(
            f"MedMCQA `cop` values{where} mix 0-based ({sorted(zero_based)}) and 1-based (4) "
            "numbering; check the file, then pass cop_base=0 (Hugging Face) or 1 (raw release) "
            "(CLI: --cop-base)"
        )
    if zero_based:
        return 0
    if one_based or not values:
        return 1  # with no labels at all the base does not matter: every item is unlabeled
    raise ValueError(
        f"Cannot tell whether MedMCQA `cop`{where} counts from 0 or 1: its answers are all in "
        f"{sorted(values)}, which fits both. Pass cop_base=1 for the raw release files "
        "(train.json/dev.json, 1 = opa) or cop_base=0 for a Hugging Face openlifescienceai/medmcqa "
        "export (0 = opa) (CLI: --cop-base)"
    )


def _medmcqa_item(
    obj: dict[str, Any], item_id: str, origin: str, cop_base: int, keep_unlabeled: bool
) -> QAItem | Rejection:
    question = text_or_none(obj.get("question"))
    texts = [text_or_none(obj.get(f)) for f in MEDMCQA_OPTION_FIELDS]
    if question is None:
        return Rejection(origin, "missing_field", f"{item_id}: no usable `question`", item_id)
    if None in texts:
        # Some MedMCQA options are legitimately short ("1"), never empty; an empty one is a broken row.
        missing = [f for f, t in zip(MEDMCQA_OPTION_FIELDS, texts, strict=True) if t is None]
        return Rejection(origin, "missing_field", f"{item_id}: empty or missing {missing}", item_id)
    cop = _cop(obj)
    answer: int | None
    if cop is None or (cop == -1 and cop_base == 0):
        if not keep_unlabeled:
            return Rejection(origin, "unlabeled", f"{item_id}: no answer (`cop` is {obj.get('cop')!r})", item_id)
        answer = None
    elif isinstance(cop, int) and 0 <= cop - cop_base < 4:
        answer = cop - cop_base
    else:
        return Rejection(
            origin,
            "bad_answer",
            f"{item_id}: `cop` {obj.get('cop')!r} is not in {cop_base}..{cop_base + 3} ({cop_base}-based numbering)",
            item_id,
        )
    return QAItem(
        id=item_id,
        dataset="medmcqa",
        question=question,
        options=texts,
        answer=answer,  # type: ignore[arg-type]
        rationale=text_or_none(obj.get("exp")) or "",
        subject=text_or_none(obj.get("subject_name")) or "",
        origin=origin,
    )
