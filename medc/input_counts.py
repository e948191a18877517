"""What each top-level input of a build yielded: records staged and rejections by reason, for the manifest.

    >>> count_by_input(inputs, staging)   # inputs: the manifest's entries, one per --pmc/--medqa/... value
    >>> inputs[0]
    {'config': 'rationale_qa', 'source': 'rationale_qa (medmcqa)', 'path': 'US/train.jsonl', 'kind': 'file',
     'files': 1, ..., 'records': 0, 'rejected': {'missing_field': 10178}}

This is how a build notices an input that gave nothing at all (`medc.summary.empty_inputs`): a MedQA file given
as --medmcqa, a folder of PDFs given as --pmc. A unit belongs to the input whose path its origin starts with
(`pmc/` → `pmc/a/PMC1.xml`, `a.tar.gz` → `a.tar.gz::PMC1.xml`); records are counted as staged (before dedup and
decontamination), so the count says what parsing made of the input.
"""

from __future__ import annotations

from collections import Counter
from fnmatch import fnmatch
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from medc.staging import Staging

# What may follow an input's path in the origin of something read from it: a directory's files, an archive's
# members, a line or page marker.
BOUNDARY = "/\\:#@["


def count_by_input(inputs: list[dict[str, Any]], staging: Staging) -> None:
    """Add `records` (None when an old journal did not record them) and `rejected` to each entry of `inputs`."""
    finder = _InputFinder(inputs)
    records: list[int | None] = [0] * len(inputs)
    rejected: list[Counter[str]] = [Counter() for _ in inputs]
    for config, origin, count in staging.unit_records():
        index = finder.find(config, origin)
        if index is not None:
            known = records[index]
            records[index] = None if known is None or count is None else known + count
    for config, rejection in staging.rejections():
        index = finder.find(config, rejection.origin)
        if index is not None:
            rejected[index][rejection.reason] += 1
    for entry, count, reasons in zip(inputs, records, rejected, strict=True):
        entry["records"] = count
        entry["rejected"] = dict(sorted(reasons.items()))


def belongs_to(origin: str, entry: dict[str, Any]) -> bool:
    """Whether something with `origin` was read from the input `entry` (a manifest input)."""
    path = entry["path"]
    if entry.get("kind") == "glob":
        return fnmatch(origin.split("::", 1)[0], path)
    if path in (".", ""):
        return not origin.startswith(("/", "..")) and "://" not in origin
    path = path.rstrip("/")
    return origin.startswith(path) and (len(origin) == len(path) or origin[len(path)] in BOUNDARY)


class _InputFinder:
    """The input a unit came from. Units arrive in walk order, so the input of the previous one is tried first."""

    def __init__(self, inputs: list[dict[str, Any]]) -> None:
        self.by_config: dict[str, list[int]] = {}
        for index, entry in enumerate(inputs):
            self.by_config.setdefault(entry["config"], []).append(index)
        self.inputs = inputs
        self.last: dict[str, int] = {}

    def find(self, config: str, origin: str) -> int | None:
        candidates = self.by_config.get(config, [])
        last = self.last.get(config)
        if last is not None and belongs_to(origin, self.inputs[last]):
            return last
        for index in candidates:
            if belongs_to(origin, self.inputs[index]):
                self.last[config] = index
                return index
        return None
