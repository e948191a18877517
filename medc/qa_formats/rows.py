"""Rows of the benchmark files: JSON Lines or one JSON array (with or without a UTF-8 byte-order mark), and the
small text helpers every reader shares.

    >>> list(iter_json_rows(b'{"a": 1}\\nnot json\\n', "test.jsonl"))
    [(1, {'a': 1}), Rejection(origin='test.jsonl', reason='bad_json', detail='line 2: Expecting value (column 1)')]
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from medc.records import Rejection

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
    data = strip_bom(data)
    if data.lstrip()[:1] == b"[":  # HealthCareMagic exports: a JSON array, sometimes after a UTF-8 BOM
        yield from _json_array_rows(data, origin)
        return
    seen = False
    for number, raw in enumerate(data.split(b"\n"), start=1):
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


def strip_bom(data: bytes) -> bytes:
    """`data` without a leading UTF-8 byte-order mark (Windows tools write one before JSON)."""
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


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


def text_or_none(value: Any) -> str | None:
    """A field's text, or None when it is missing, not a string, or blank."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
