"""The sha256 the manifest gives a directory, glob or prefix input, computed from the digests workers report.

    >>> digests = InputDigests()
    >>> digests.add(result.units)               # as results arrive, in any order
    >>> digests.stats_json(stats, 0, archives)["sha256"]
    '6c0e…'

A directory's digest is the sum, modulo 2**256, of sha256("<origin>\\t<sha256 of the file>") over its files (and
archives): it does not depend on the order units finish or on how a resumed build split the work, and the
coordinator never reads a file to compute it. A single file's digest is the file's own sha256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from medc.sources import InputStats
from medc.stage.batch import UnitDone

_MODULUS = 1 << 256


class InputDigests:
    def __init__(self) -> None:
        self._sums: dict[int, int] = {}
        self._single: dict[int, str] = {}
        self._sizes: dict[int, int] = {}

    def add(self, units: Iterable[UnitDone]) -> None:
        for unit in units:
            if not unit.inline:
                self._sizes[unit.input] = self._sizes.get(unit.input, 0) + max(unit.size, 0)
            if not unit.inline and unit.sha256:
                self._add(unit.input, unit.origin, unit.sha256)

    def _add(self, index: int, origin: str, sha256: str) -> None:
        entry = int.from_bytes(hashlib.sha256(f"{origin}\t{sha256}".encode()).digest(), "big")
        self._sums[index] = (self._sums.get(index, 0) + entry) % _MODULUS
        self._single[index] = sha256

    def stats_json(self, stats: InputStats, index: int, archives: list[dict[str, Any]]) -> dict[str, Any]:
        """The manifest's entry of input `index`, with its digest."""
        if stats.kind != "archive":
            for archive in archives:
                if archive["input"] == index:
                    self._add(index, archive["path"], archive["sha256"])
        if stats.kind == "file":
            sha256 = self._single.get(index, "")
        elif stats.kind == "archive":
            sha256 = stats.sha256 or next((a["sha256"] for a in archives if a["path"] == stats.path), "")
        else:
            sha256 = f"{self._sums.get(index, 0):064x}"
        return {
            "path": stats.path,
            "kind": stats.kind,
            "files": stats.files,
            "ignored": stats.ignored,
            "size": stats.size + self._sizes.get(index, 0),
            "sha256": sha256,
        }
