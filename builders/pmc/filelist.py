"""PMC file lists: licence, retraction and latest version per PMCID, so the article parser can filter on them.

    >>> index = load_filelists(["oa_comm_xml.incr.2024-06-18.filelist.csv"])
    >>> index.get("PMC6908519")
    FileListEntry(license='CC BY', retracted=False, latest_version=None)

Reads the formats users still hold (FORMATS.md §1.2) and the Cloud Service metadata (§1.1):
- bulk package lists `*.filelist.csv`: `Article File,Article Citation,AccessionID,LastUpdated (...),PMID,License,
  Retracted`;
- the `oa_package` index `oa_file_list.csv`: `File,Article Citation,Accession ID,Last Updated (...),PMID,License`;
- legacy AWS lists `<group>.filelist.csv`: `Key,ETag,Article Citation,AccessionID,...,License,Retracted`;
- Cloud Service metadata JSON (`PMC123.2.json`, or a directory of them such as the bucket's `metadata/`):
  `pmcid`, `version`, `license_code`, `is_retracted`.

Columns are found by name, not position. A PMCID listed twice keeps its last row (an incremental list read after
its baseline updates it). The index is a few numpy arrays, so a list of millions of articles pickles to each
worker in one piece and costs about 10 bytes per article.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from medc.publish.licences import is_non_commercial, normalize_pmc_licence

log = logging.getLogger(__name__)

LICENSE_GROUPS = ("commercial", "noncommercial", "other")
# FORMATS.md §1.1: the commercial-reuse set of the eSearch filter / the legacy `oa_comm` group.
_COMMERCIAL = frozenset({"CC0", "CC BY", "CC BY-SA", "CC BY-ND"})
_PMCID = re.compile(r"PMC(\d+)", re.IGNORECASE)
_ID_COLUMNS = ("accessionid", "accession id", "pmcid")


@functools.lru_cache(maxsize=4096)  # a build meets a few hundred distinct licence strings, millions of times
def license_group(license: str | None) -> str:
    """`CC BY` / `http://creativecommons.org/licenses/by/4.0/` → `commercial`, `CC BY-NC-ND` → `noncommercial`,
    anything else (`NO-CC CODE`, `TDM`, a publisher's own licence, none) → `other`."""
    code = normalize_pmc_licence(license)
    if code in _COMMERCIAL:
        return "commercial"
    return "noncommercial" if is_non_commercial(code) else "other"


def pmc_number(pmcid: str | None) -> int | None:
    """`PMC6908519` (or `pmc6908519`, `PMC6908519.2`, `6908519`) → 6908519."""
    if not pmcid:
        return None
    text = pmcid.strip()
    match = _PMCID.match(text)
    digits = match.group(1) if match else text.split(".", 1)[0]
    return int(digits) if digits.isdigit() else None


@dataclass(frozen=True, slots=True)
class FileListEntry:
    license: str | None
    retracted: bool
    latest_version: int | None  # only known from Cloud Service metadata


class FileListIndex:
    """PMCID → `FileListEntry`, stored as sorted numpy arrays (compact, picklable, binary-searched)."""

    def __init__(
        self,
        numbers: np.ndarray,
        license_ids: np.ndarray,
        retracted: np.ndarray,
        versions: np.ndarray,
        licenses: tuple[str, ...],
    ) -> None:
        self.numbers, self.license_ids, self.retracted = numbers, license_ids, retracted
        self.versions, self.licenses = versions, licenses

    def __len__(self) -> int:
        return int(self.numbers.size)

    def __repr__(self) -> str:
        return f"FileListIndex({len(self)} articles)"

    def get(self, pmcid: str | None) -> FileListEntry | None:
        number = pmc_number(pmcid)
        if number is None or not self.numbers.size:
            return None
        at = int(np.searchsorted(self.numbers, number))
        if at >= self.numbers.size or int(self.numbers[at]) != number:
            return None
        license_id, version = int(self.license_ids[at]), int(self.versions[at])
        return FileListEntry(
            self.licenses[license_id] if license_id >= 0 else None, bool(self.retracted[at]), version or None
        )


@dataclass(slots=True)
class _Row:
    number: int
    license: str | None
    retracted: bool
    version: int = 0


def load_filelists(paths: Iterable[str | os.PathLike[str]]) -> FileListIndex:
    """Read file list CSVs and Cloud Service metadata JSON (files or directories of them) into one index."""
    latest: dict[int, _Row] = {}
    for path in paths:
        for row in _read_path(Path(path)):
            seen = latest.get(row.number)
            if seen is None or row.version >= seen.version:
                latest[row.number] = row
    return _index(sorted(latest.values(), key=lambda r: r.number))


def _index(rows: list[_Row]) -> FileListIndex:
    licenses = tuple(sorted({r.license for r in rows if r.license}))
    position = {name: i for i, name in enumerate(licenses)}
    return FileListIndex(
        numbers=np.fromiter((r.number for r in rows), dtype=np.int64, count=len(rows)),
        license_ids=np.fromiter((position.get(r.license or "", -1) for r in rows), dtype=np.int16, count=len(rows)),
        retracted=np.fromiter((r.retracted for r in rows), dtype=np.bool_, count=len(rows)),
        versions=np.fromiter((r.version for r in rows), dtype=np.int32, count=len(rows)),
        licenses=licenses,
    )


def _read_path(path: Path) -> Iterator[_Row]:
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.suffix.lower() in (".csv", ".json") and p.is_file()):
            yield from _read_path(file)
    elif path.suffix.lower() == ".json":
        row = _json_row(path)
        if row is not None:
            yield row
    else:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            yield from read_filelist_csv(fh, str(path))


def read_filelist_csv(fh: io.TextIOBase, name: str = "file list") -> Iterator[_Row]:
    """Rows of one file list CSV, whatever its flavour; rows without a PMCID are skipped with a warning."""
    reader = csv.reader(fh)
    header = [h.strip().lower() for h in next(reader, [])]
    ids = _column(header, _ID_COLUMNS)
    if ids is None:
        raise ValueError(f"{name}: no AccessionID column in header {header}; is this a PMC file list?")
    license_col = _column(header, ("license",))
    retracted_col = _column(header, ("retracted",))
    skipped = 0
    for cells in reader:
        number = pmc_number(cells[ids]) if len(cells) > ids else None
        if number is None:
            skipped += 1
            continue
        license = _cell(cells, license_col)
        yield _Row(number, license or None, _cell(cells, retracted_col).lower() in ("yes", "y", "true", "1"))
    if skipped:
        log.warning("%s: skipped %d rows without a PMCID", name, skipped)


def _json_row(path: Path) -> _Row | None:
    try:
        meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("%s: not readable as Cloud Service metadata (%s)", path, exc)
        return None
    number = pmc_number(str(meta.get("pmcid") or "")) if isinstance(meta, dict) else None
    if number is None:
        log.warning("%s: no pmcid, not Cloud Service metadata", path)
        return None
    version = meta.get("version")
    return _Row(
        number,
        meta.get("license_code") or None,
        bool(meta.get("is_retracted")),
        version if isinstance(version, int) else 0,
    )


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def _cell(cells: list[str], col: int | None) -> str:
    return cells[col].strip() if col is not None and col < len(cells) else ""
