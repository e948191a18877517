"""MedQA: the native jsonl files (4 or 5 options), the SWAG-style Hugging Face mirror and the bigbio exports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from medc.qa_formats.rows import LETTERS, file_stem, iter_json_rows, same_text, text_or_none
from medc.records import QAItem, Rejection


def read_medqa(data: bytes, origin: str) -> Iterator[QAItem | Rejection]:
    """MedQA items from a native jsonl file (4 or 5 options) or its SWAG-style Hugging Face mirror."""
    stem = file_stem(origin)
    for row in iter_json_rows(data, origin):
        if isinstance(row, Rejection):
            yield row
            continue
        number, obj = row
        has_id = obj.get("id") not in (None, "")
        item_id = f"medqa:{stem}:{obj['id']}" if has_id else f"medqa:{stem}:{number}"
        if "sent1" in obj:
            yield _medqa_swag_item(obj, item_id, origin)
        elif "choices" in obj:
            yield _medqa_bigbio_qa_item(obj, item_id, origin)
        else:
            yield _medqa_item(obj, item_id, origin)


def _options_dict(options: Any) -> Any:
    """bigbio `med_qa_en_source` keeps the options as `[{"key": "A", "value": "..."}, ...]`; as a dict they read
    like the native file's. Anything else is returned unchanged (and judged by the caller)."""
    if (
        isinstance(options, list)
        and options
        and all(isinstance(o, dict) and {"key", "value"} <= set(o) for o in options)
    ):
        return {str(o["key"]): o["value"] for o in options}
    return options


def _medqa_item(obj: dict[str, Any], item_id: str, origin: str) -> QAItem | Rejection:
    question, options = text_or_none(obj.get("question")), _options_dict(obj.get("options"))
    if question is None or not isinstance(options, dict) or not options:
        missing = "question" if question is None else "options"
        return Rejection(origin, "missing_field", f"{item_id}: no usable `{missing}`", item_id)
    letters = sorted(options)
    texts = [text_or_none(options[k]) for k in letters]
    if letters != list(LETTERS[: len(letters)]) or None in texts:
        return Rejection(
            origin,
            "bad_options",
            f"{item_id}: options must be non-empty texts keyed A, B, ... in sequence, got keys {letters}",
            item_id,
        )
    if obj.get("answer_idx") is None and text_or_none(obj.get("answer")) is None:
        return Rejection(origin, "missing_field", f"{item_id}: neither `answer_idx` nor `answer`", item_id)
    answer = _medqa_answer(obj, letters, texts)
    if isinstance(answer, str):
        return Rejection(origin, "bad_answer", f"{item_id}: {answer}", item_id)
    return QAItem(
        id=item_id,
        dataset="medqa",
        question=question,
        options=texts,
        answer=answer,
        subject=str(obj.get("meta_info") or ""),
        origin=origin,
    )


def _medqa_answer(obj: dict[str, Any], letters: list[str], texts: list[str]) -> int | str:
    """The 0-based answer, or a message saying why there is none: `answer_idx` is the letter, `answer` the
    text; when both are present they must agree."""
    letter, answer_text = obj.get("answer_idx"), text_or_none(obj.get("answer"))
    if letter is not None:
        if not isinstance(letter, str) or letter.strip().upper() not in letters:
            return f"`answer_idx` {letter!r} is not one of {letters}"
        index = letters.index(letter.strip().upper())
        if answer_text is not None and not same_text(answer_text, texts[index]):
            return f"`answer_idx` {letter!r} is {texts[index]!r} but `answer` says {answer_text!r}"
        return index
    matches = [i for i, t in enumerate(texts) if same_text(t, answer_text or "")]
    if len(matches) != 1:
        return f"`answer` {answer_text!r} matches {len(matches)} options (no `answer_idx` to decide)"
    return matches[0]


def _medqa_swag_item(obj: dict[str, Any], item_id: str, origin: str) -> QAItem | Rejection:
    # GBaker/MedQA-USMLE-4-options-hf: `sent1` is the question, `sent2` is empty in practice (SWAG would put
    # the start of the ending there), `ending0..3` the options, `label` the 0-based answer.
    question = text_or_none(obj.get("sent1"))
    if question is None:
        return Rejection(origin, "missing_field", f"{item_id}: no usable `sent1` (the question)", item_id)
    if text_or_none(obj.get("sent2")):
        question = f"{question} {text_or_none(obj.get('sent2'))}"
    texts, k = [], 0
    while f"ending{k}" in obj:
        texts.append(text_or_none(obj[f"ending{k}"]))
        k += 1
    if len(texts) < 2 or None in texts:
        return Rejection(origin, "bad_options", f"{item_id}: need non-empty `ending0`, `ending1`, ...", item_id)
    label = obj.get("label")
    if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label < len(texts):
        return Rejection(origin, "bad_answer", f"{item_id}: `label` {label!r} is not in 0..{len(texts) - 1}", item_id)
    return QAItem(id=item_id, dataset="medqa", question=question, options=texts, answer=label, origin=origin)


def _medqa_bigbio_qa_item(obj: dict[str, Any], item_id: str, origin: str) -> QAItem | Rejection:
    # bigbio `med_qa_en_bigbio_qa`: `choices` (texts in order), `answer` a list holding the right choice's text.
    question, choices, answer = text_or_none(obj.get("question")), obj.get("choices"), obj.get("answer")
    texts = [text_or_none(c) for c in choices] if isinstance(choices, list) else []
    if question is None or len(texts) < 2 or None in texts:
        return Rejection(origin, "bad_options", f"{item_id}: need a `question` and non-empty `choices`", item_id)
    wanted = text_or_none(answer[0]) if isinstance(answer, list) and answer else text_or_none(answer)
    matches = [i for i, t in enumerate(texts) if same_text(t, wanted or "")]
    if len(matches) != 1:
        return Rejection(origin, "bad_answer", f"{item_id}: `answer` {answer!r} is not one of the choices", item_id)
    return QAItem(id=item_id, dataset="medqa", question=question, options=texts, answer=matches[0], origin=origin)
