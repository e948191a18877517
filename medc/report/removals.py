"""What a build removed, with real examples: rejections grouped by reason (a few of each with their text and
origin) and duplicate pairs side by side.

    >>> summary = summarise_rejections(read_rejections(root))
    >>> summary.counts
    Counter({'too_short': 1, 'article_type_excluded': 1, 'encrypted': 1})
    >>> groups = rejection_examples(root, build, summary)
    >>> groups[0].examples[0].text
    'Seasonal influenza vaccination ...'

Texts come, in this order, from: the rejection row itself (if a builder recorded the text), the staged record
(`.staging/` keeps every record that reached finalize: decontaminated and duplicate records are there while
the staging is kept), the published shards (the kept side of a pair), or the input file (`excerpts.py`).
Both files are streamed: counts and a few examples are kept, never the whole file.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from medc.publish.facts import BuildFacts
from medc.report.corpus import find_rows
from medc.report.excerpts import EXCERPT_CHARS, OriginReader
from medc.report.page import Example, ExampleGroup, Pair
from medc.report.readers import DuplicateRow, RejectionRow

EXAMPLES_PER_REASON = 3
PAIRS_SHOWN = 6
PAIR_CHARS = 4000  # more of each side of a pair: the place they part is what a reader looks for
TEXT_COLUMNS = ["id", "sample_id", "title", "text", "instruction", "input", "output", "origin"]


@dataclass
class RejectionSummary:
    counts: Counter[str] = field(default_factory=Counter)  # reason → records
    by_config: dict[str, Counter[str]] = field(default_factory=dict)
    examples: dict[str, list[RejectionRow]] = field(default_factory=dict)  # reason → the first few


def summarise_rejections(rows: Iterable[RejectionRow], per_reason: int = EXAMPLES_PER_REASON) -> RejectionSummary:
    summary = RejectionSummary()
    for row in rows:
        summary.counts[row.reason] += 1
        summary.by_config.setdefault(row.config, Counter())[row.reason] += 1
        shown = summary.examples.setdefault(row.reason, [])
        if len(shown) < per_reason:
            shown.append(row)
    return summary


@dataclass
class DuplicateSummary:
    counts: Counter[str] = field(default_factory=Counter)  # kind → pairs
    similarities: dict[str, np.ndarray] = field(default_factory=dict)  # kind → similarity of each pair
    shown: list[DuplicateRow] = field(default_factory=list)


def summarise_duplicates(rows: Iterable[DuplicateRow], shown: int = PAIRS_SHOWN) -> DuplicateSummary:
    """Counts and similarities per kind; the pairs shown are the least similar ones (the borderline decisions
    worth checking by eye), then exact ones."""
    summary = DuplicateSummary()
    values: dict[str, list[float]] = {}
    borderline: list[tuple[float, int, DuplicateRow]] = []  # max-heap by similarity via negation
    exact: list[DuplicateRow] = []
    for i, row in enumerate(rows):
        summary.counts[row.kind] += 1
        if row.similarity is not None:
            values.setdefault(row.kind, []).append(row.similarity)
        if row.similarity is not None and row.similarity < 1.0:
            heapq.heappush(borderline, (-row.similarity, -i, row))
            if len(borderline) > shown:
                heapq.heappop(borderline)
        elif len(exact) < shown:
            exact.append(row)
    near = [row for _, _, row in sorted(borderline, key=lambda t: (-t[0], -t[1]))]
    summary.shown = (near[: max(shown - 2, shown - len(exact))] + exact)[:shown]
    summary.similarities = {k: np.asarray(v) for k, v in values.items()}
    return summary


class RecordTexts:
    """Looks records up by id in the shards and the staging of a build, and reads inputs for the rest."""

    def __init__(self, root: Path, build: BuildFacts) -> None:
        self.root, self.build = root, build
        self.kind = build.kind
        self.key = "sample_id" if self.kind == "medc-i" else "id"
        inputs = [Path(str(i.get("path", ""))) for i in build.manifest.get("inputs") or [] if isinstance(i, dict)]
        self.origins = OriginReader([root.parent, *inputs, *(p.parent for p in inputs)], build_dir=root)
        self.shards = [s.path for c in build.configs for sp in c.splits for s in sp.shards]
        self.staged = sorted(p.relative_to(root).as_posix() for p in (root / ".staging").rglob("*.parquet"))

    def lookup(self, ids: set[str], *, published: bool) -> dict[str, dict[str, Any]]:
        ids = {i for i in ids if i}
        if not ids:
            return {}
        found = find_rows(self.root, self.shards, ids, TEXT_COLUMNS, self.key) if published else {}
        missing = ids - set(found)
        if missing and self.staged:
            found.update(find_rows(self.root, self.staged, missing, TEXT_COLUMNS, self.key))
        return found

    def example(
        self,
        title: str,
        origin: str,
        detail: str,
        row: dict[str, Any] | None,
        excerpt: str | None,
        limit: int = EXCERPT_CHARS,
    ) -> Example:
        origin = origin or (row or {}).get("origin") or ""
        if excerpt:
            return Example(title, origin, detail, _cut(excerpt, limit))
        if row is not None:
            return Example(title, origin, detail, record_text(row, limit))
        found = self.origins.excerpt(origin, detail, whole_file=self.kind == "medc-k")
        return Example(title, origin, detail, found.text, found.missing)


def rejection_examples(texts: RecordTexts, summary: RejectionSummary) -> list[ExampleGroup]:
    ids = {row.record_id for rows in summary.examples.values() for row in rows}
    rows = texts.lookup(ids, published=False)
    groups = []
    for reason, count in summary.counts.most_common():
        examples = [
            texts.example(
                row.record_id or Path(row.origin.split("::")[-1]).name,
                row.origin,
                row.detail,
                rows.get(row.record_id),
                row.excerpt,
            )
            for row in summary.examples.get(reason, [])
        ]
        groups.append(ExampleGroup(reason, count, examples))
    return groups


def duplicate_pairs(texts: RecordTexts, summary: DuplicateSummary) -> list[Pair]:
    kept = texts.lookup({d.kept for d in summary.shown}, published=True)
    removed = texts.lookup({d.removed for d in summary.shown}, published=False)
    pairs = []
    for d in summary.shown:
        kept_row, removed_row = kept.get(d.kept), removed.get(d.removed)
        left = texts.example(d.kept, d.kept_origin or "", "", kept_row, None, PAIR_CHARS)
        if removed_row is None and not d.removed_origin:
            right = Example(d.removed, "", "", None, "the removed record is kept only in .staging/, which is gone")
        else:
            right = texts.example(d.removed, d.removed_origin or "", "", removed_row, None, PAIR_CHARS)
        pairs.append(Pair(d.kind, d.similarity, left, right, _parting(kept_row, removed_row)))
    return pairs


def _parting(kept: dict[str, Any] | None, removed: dict[str, Any] | None) -> str:
    """Where two records' texts stop being the same (what a reader checks first in a near-duplicate pair)."""
    if kept is None or removed is None:
        return ""
    a, b = record_text(kept, None), record_text(removed, None)
    same = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    if a == b:
        return f"identical texts ({len(a):,} characters)"
    return f"identical for the first {same:,} characters (of {len(a):,} kept, {len(b):,} removed)"


def record_text(row: dict[str, Any], limit: int | None = EXCERPT_CHARS) -> str:
    """A record as a reader sees it: title and text (MedC-K), or instruction, input and output (MedC-I); cut
    to `limit` characters (None: whole)."""
    if row.get("text") is not None:
        head, body = row.get("title") or "", str(row["text"])
        text = f"{head}\n\n{body}" if head and not body.startswith(head) else body
    else:
        parts = [(k, row.get(k)) for k in ("instruction", "input", "output")]
        text = "\n\n".join(f"[{k}] {v}" for k, v in parts if v)
    return _cut(text, limit)


def _cut(text: str, limit: int | None = EXCERPT_CHARS) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[:limit].rstrip() + f" … [{len(text) - limit:,} more characters]"
