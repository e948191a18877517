"""Read the medical QA benchmarks in their native files into `QAItem`s (pure: bytes in, records out).

Line 7 of MedQA's `data_clean/questions/US/4_options/phrases_no_exclude_test.jsonl`

    {"question": "A 23-year-old ...", "answer": "Nitrofurantoin", "options": {"A": "Ampicillin",
     "B": "Ceftriaxone", "C": "Doxycycline", "D": "Nitrofurantoin"}, "meta_info": "step2&3",
     "answer_idx": "D", "metamap_phrases": [...]}

becomes

    QAItem(id="medqa:phrases_no_exclude_test:7", dataset="medqa", question="A 23-year-old ...",
           options=["Ampicillin", "Ceftriaxone", "Doxycycline", "Nitrofurantoin"], answer=3,
           subject="step2&3", origin="phrases_no_exclude_test.jsonl")

and a line that is not JSON becomes `Rejection(origin, "bad_json", "line 8: Expecting ',' delimiter ...")`.

Formats (FORMATS.md section 5):
- MedQA jsonl (`question`, `options` {letter: text}, `answer_idx`, `answer`, `meta_info`), 4 or 5
  options; also the SWAG-style mirror `GBaker/MedQA-USMLE-4-options-hf` (`id`, `sent1`, `ending0..3`,
  `label`).
- MedMCQA JSON Lines (`id`, `question`, `opa..opd`, `cop`, `exp`, `subject_name`). The raw release numbers
  `cop` from 1 (1 = opa); the Hugging Face copy `openlifescienceai/medmcqa` from 0, with -1 on the
  unlabeled test split. `cop_base="auto"` decides from the file and refuses to guess when it cannot tell.
- PubMedQA `ori_pqal.json` / `ori_pqaa.json` / `test_set.json` (a dict keyed by PMID with `QUESTION`,
  `CONTEXTS`, `final_decision`, `LONG_ANSWER`), optionally with `test_ground_truth.json`
  ({pmid: decision}); also a JSON Lines export of `qiaojin/PubMedQA` (`pubid`, `question`,
  `context.contexts`, `long_answer`, `final_decision`).

Data problems never raise: they become `Rejection`s with a stable reason (`bad_json`, `bad_encoding`,
`missing_field`, `bad_options`, `bad_answer`, `unlabeled`, `empty_file`, ...). The one exception is a
usage error: `read_medmcqa(cop_base="auto")` on a file whose `cop` numbering cannot be told raises
`ValueError`.
"""

from __future__ import annotations

import json
import logging
import string
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any, Literal

from medc.records import QAItem, Rejection

log = logging.getLogger(__name__)

LETTERS = string.ascii_uppercase
PUBMEDQA_OPTIONS = ["yes", "no", "maybe"]
MEDMCQA_OPTION_FIELDS = ("opa", "opb", "opc", "opd")

Row = tuple[int, dict[str, Any]]  # (1-based line number, or 1-based position in a JSON array; the object)


def file_stem(origin: str) -> str:
    """`a.tar.gz::US/4_options/phrases_no_exclude_test.jsonl` → `phrases_no_exclude_test`."""
    name = PurePosixPath(origin.rsplit("::", 1)[-1].replace("\\", "/")).name
    for suffix in (".gz", ".jsonl", ".json", ".txt"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name


def iter_json_rows(data: bytes, origin: str) -> Iterator[Row | Rejection]:
    """The objects of a JSON Lines file (or of a file holding one JSON array), numbered from 1; bad lines
    become rejections that name the line."""
    text_start = data.lstrip()[:1]
    if text_start == b"[":
        yield from _json_array_rows(data, origin)
        return
    seen = False
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        seen = True
        try:
            obj = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield Rejection(origin, "bad_encoding", f"line {number}: not UTF-8 ({exc.reason} at byte {exc.start})")
            continue
        except json.JSONDecodeError as exc:
            yield Rejection(origin, "bad_json", f"line {number}: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            yield Rejection(origin, "bad_json", f"line {number}: expected a JSON object, got {type(obj).__name__}")
            continue
        yield number, obj
    if not seen:
        yield Rejection(origin, "empty_file", "the file holds no JSON objects")


def _json_array_rows(data: bytes, origin: str) -> Iterator[Row | Rejection]:
    try:
        items = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        yield Rejection(origin, "bad_json", f"file starts like a JSON array but does not parse: {exc}")
        return
    for number, obj in enumerate(items, start=1):
        if isinstance(obj, dict):
            yield number, obj
        else:
            yield Rejection(origin, "bad_json", f"item {number}: expected a JSON object, got {type(obj).__name__}")


def _text(value: Any) -> str | None:
    """A field's text, or None when it is missing, not a string, or blank."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


# --- MedQA --------------------------------------------------------------------------------------------


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
        else:
            yield _medqa_item(obj, item_id, origin)


def _medqa_item(obj: dict[str, Any], item_id: str, origin: str) -> QAItem | Rejection:
    question, options = _text(obj.get("question")), obj.get("options")
    if question is None or not isinstance(options, dict) or not options:
        missing = "question" if question is None else "options"
        return Rejection(origin, "missing_field", f"{item_id}: no usable `{missing}`", item_id)
    letters = sorted(options)
    texts = [_text(options[k]) for k in letters]
    if letters != list(LETTERS[: len(letters)]) or None in texts:
        return Rejection(
            origin,
            "bad_options",
            f"{item_id}: options must be non-empty texts keyed A, B, ... in sequence, got keys {letters}",
            item_id,
        )
    if obj.get("answer_idx") is None and _text(obj.get("answer")) is None:
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
    letter, answer_text = obj.get("answer_idx"), _text(obj.get("answer"))
    if letter is not None:
        if not isinstance(letter, str) or letter.strip().upper() not in letters:
            return f"`answer_idx` {letter!r} is not one of {letters}"
        index = letters.index(letter.strip().upper())
        if answer_text is not None and not _same_text(answer_text, texts[index]):
            return f"`answer_idx` {letter!r} is {texts[index]!r} but `answer` says {answer_text!r}"
        return index
    matches = [i for i, t in enumerate(texts) if _same_text(t, answer_text or "")]
    if len(matches) != 1:
        return f"`answer` {answer_text!r} matches {len(matches)} options (no `answer_idx` to decide)"
    return matches[0]


def _medqa_swag_item(obj: dict[str, Any], item_id: str, origin: str) -> QAItem | Rejection:
    # GBaker/MedQA-USMLE-4-options-hf: `sent1` is the question, `sent2` is empty in practice (SWAG would put
    # the start of the ending there), `ending0..3` the options, `label` the 0-based answer.
    question = _text(obj.get("sent1"))
    if question is None:
        return Rejection(origin, "missing_field", f"{item_id}: no usable `sent1` (the question)", item_id)
    if _text(obj.get("sent2")):
        question = f"{question} {_text(obj.get('sent2'))}"
    texts, k = [], 0
    while f"ending{k}" in obj:
        texts.append(_text(obj[f"ending{k}"]))
        k += 1
    if len(texts) < 2 or None in texts:
        return Rejection(origin, "bad_options", f"{item_id}: need non-empty `ending0`, `ending1`, ...", item_id)
    label = obj.get("label")
    if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label < len(texts):
        return Rejection(origin, "bad_answer", f"{item_id}: `label` {label!r} is not in 0..{len(texts) - 1}", item_id)
    return QAItem(id=item_id, dataset="medqa", question=question, options=texts, answer=label, origin=origin)


# --- MedMCQA ------------------------------------------------------------------------------------------

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
        item_id = f"medmcqa:{obj['id']}" if _text(obj.get("id")) else f"medmcqa:{stem}:{number}"
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
    question = _text(obj.get("question"))
    texts = [_text(obj.get(f)) for f in MEDMCQA_OPTION_FIELDS]
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
        rationale=_text(obj.get("exp")) or "",
        subject=_text(obj.get("subject_name")) or "",
        origin=origin,
    )


# --- PubMedQA -----------------------------------------------------------------------------------------


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
    question, contexts = _text(obj.get("QUESTION")), obj.get("CONTEXTS")
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
        rationale=_text(obj.get("LONG_ANSWER")) or "",
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
