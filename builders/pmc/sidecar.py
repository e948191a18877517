"""The PMC Cloud Service metadata JSON that sits beside each article version (FORMATS.md §1.1).

    PMC10009416.1/PMC10009416.1.xml   the article            → WorkUnit.data
    PMC10009416.1/PMC10009416.1.json  {"pmcid": "PMC10009416", "version": 1, "license_code": "CC BY",
                                       "is_retracted": false, "is_manuscript": false, "is_historical_ocr": false,
                                       ...}            → WorkUnit.sidecars["PMC10009416.1.json"]
    → CloudMeta(pmcid="PMC10009416", version=1, license="CC BY", retracted=False, manuscript=False, ocr=False)

`sidecars(name)` tells the walker which sibling to attach to a unit; `cloud_meta(unit)` reads it. A sidecar that
is not JSON, or not this JSON, is reported (`Notice("sidecar_unreadable")`) and the article is read from its XML
alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from medc.sources import WorkUnit

# `PMC123.2.xml` (a version folder's article) or `PMC123.xml`; `.nxml` too.
_ARTICLE_FILE = re.compile(r"(?P<stem>PMC\d+(?:\.\d+)?)\.n?xml", re.IGNORECASE)
_PMCID = re.compile(r"PMC\d+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CloudMeta:
    """What the Cloud Service JSON says of one article version."""

    source: str  # the sidecar's name, for messages: "PMC123.2.json"
    pmcid: str | None
    version: int | None
    license: str | None
    retracted: bool
    manuscript: bool
    ocr: bool
    pmid: str | None = None
    doi: str | None = None


class SidecarUnreadable(Exception):
    """The sidecar is there but is not Cloud Service metadata."""


def sidecars(name: str) -> list[str]:
    """The files that travel with an article file: `PMC1.1.xml` → `["PMC1.1.json"]`; others none."""
    base = name.rsplit("/", 1)[-1]
    found = _ARTICLE_FILE.fullmatch(base)
    return [f"{found.group('stem')}.json"] if found else []


def cloud_meta(unit: WorkUnit) -> CloudMeta | None:
    """The Cloud Service metadata attached to `unit`, None when there is none; `SidecarUnreadable` when it
    cannot be read."""
    if not unit.sidecars:
        return None
    name, data = next(iter(sorted(unit.sidecars.items())))
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SidecarUnreadable(f"{name}: not JSON ({exc})") from None
    if not isinstance(raw, dict) or not _PMCID.fullmatch(str(raw.get("pmcid") or "")):
        raise SidecarUnreadable(f"{name}: no `pmcid`, not PMC Cloud Service metadata")
    return CloudMeta(
        source=name,
        pmcid=str(raw["pmcid"]).upper(),
        version=_int(raw.get("version")),
        license=raw.get("license_code") or None,
        retracted=raw.get("is_retracted") is True,
        manuscript=raw.get("is_manuscript") is True,
        ocr=raw.get("is_historical_ocr") is True,
        pmid=str(raw["pmid"]) if _int(raw.get("pmid")) is not None else None,
        doi=raw.get("doi") if isinstance(raw.get("doi"), str) else None,
    )


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None
