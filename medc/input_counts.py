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
from collections.abc import Callable
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
    return matcher(entry)(origin)


def matcher(entry: dict[str, Any]) -> Callable[[str], bool]:
    """`belongs_to(·, entry)` as a function made once per input (it runs once per work unit of a build)."""
    path = entry["path"]
    if entry.get("kind") == "glob":
        return lambda origin: fnmatch(origin.split("::", 1)[0], path)
    if path in (".", ""):
        return lambda origin: not origin.startswith(("/", "..")) and "://" not in origin
    prefix = path.rstrip("/")
    size = len(prefix)
    return lambda origin: origin.startswith(prefix) and (len(origin) == size or origin[size] in BOUNDARY)


class _InputFinder:
    """The input a unit came from. Units arrive in walk order, so the input of the previous one is tried first."""

    def __init__(self, inputs: list[dict[str, Any]]) -> None:
        self.by_config: dict[str, list[tuple[int, Callable[[str], bool]]]] = {}
        for index, entry in enumerate(inputs):
            self.by_config.setdefault(entry["config"], []).append((index, matcher(entry)))
        self.last: dict[str, tuple[int, Callable[[str], bool]]] = {}

    def find(self, config: str, origin: str) -> int | None:
        last = self.last.get(config)
        if last is not None and last[1](origin):
            return last[0]
        for candidate in self.by_config.get(config, []):
            if candidate[1](origin):
                self.last[config] = candidate
                return candidate[0]
        return None
