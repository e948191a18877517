"""The journal of a staged build: what each committed batch covered, in segment files written atomically.

    journal/segment-00000003.jsonl, one JSON object per line:
    {"config": "papers", "source": 0, "first": 128, "part": "parts/papers/part-00-000000000128.parquet",
     "units": [["pmc/PMC7.xml", 128, 48213, "1718700000123456789", "3f1c…", 1, 0.0132, 0, false], ...],
     "rejections": [["pmc/bad.xml", "unit_failed", "ValueError: …", ""]], "notices": []}
    {"archive": "oa_comm_xml.incr.2024-06-18.tar.gz", "size": 1840212, "stamp": "1718…", "sha256": "5f1c…",
     "files": 812, "ignored": 12, "refs": 812, "input": 0}          # an archive read to the end

Only the coordinator writes the journal; a segment is written whole (temp + rename, or one put), so there is no
torn line to repair. A segment that does not parse (edited by hand, a foreign file) ends the journal there.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from medc.records import Notice, Rejection
from medc.stage.batch import BatchResult, UnitDone

log = logging.getLogger(__name__)

SEGMENT_PREFIX, SEGMENT_SUFFIX = "segment-", ".jsonl"


def segment_name(number: int) -> str:
    return f"{SEGMENT_PREFIX}{number:08d}{SEGMENT_SUFFIX}"


def segment_number(name: str) -> int | None:
    if not (name.startswith(SEGMENT_PREFIX) and name.endswith(SEGMENT_SUFFIX)):
        return None
    digits = name[len(SEGMENT_PREFIX) : -len(SEGMENT_SUFFIX)]
    return int(digits) if digits.isdigit() else None


def result_json(result: BatchResult) -> dict[str, Any]:
    return {
        "config": result.config,
        "source": result.source,
        "first": result.first,
        "part": result.part,
        "units": [
            [u.origin, u.index, u.size, u.stamp, u.sha256, u.records, round(u.seconds, 4), u.input, u.inline]
            for u in result.units
        ],
        "rejections": [[r.origin, r.reason, r.detail, r.record_id] for r in result.rejections],
        "notices": [[n.origin, n.code, n.count, n.detail] for n in result.notices],
    }


def result_of(raw: dict[str, Any]) -> BatchResult:
    return BatchResult(
        raw["config"],
        raw["source"],
        raw["first"],
        raw["part"],
        [UnitDone(*u) for u in raw["units"]],
        [Rejection(*r) for r in raw["rejections"]],
        [Notice(*n) for n in raw["notices"]],
    )


def encode_segment(entries: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries).encode("utf-8")


def decode_segment(data: bytes) -> list[dict[str, Any]] | None:
    """The entries of a segment, or None when it is not a whole, valid segment."""
    try:
        return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
