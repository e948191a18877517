"""A benchmark file read for evaluation: its items, its hash, and what could not be read and why.

    >>> bench = load_benchmark("medmcqa", "dev.json")
    >>> len(bench.items), bench.rejections, bench.sha256[:12]
    (4183, {}, '5c1b0d1e2f3a')

Reading is `medc.qa_formats`; this adds the file handling, the counts by reason (logged, and written into the
summary, so nothing is dropped silently) and `--limit` (the first N readable items, in file order).
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from medc.qa_formats import parse_pubmedqa_ground_truth, read_medmcqa, read_medqa, read_pubmedqa
from medc.records import QAItem, Rejection

log = logging.getLogger(__name__)

# Skips that are the point, not a problem: ori_pqal.json + test_ground_truth.json keeps the 500 test PMIDs.
EXPECTED = {"not_in_ground_truth"}
# PubMedQA's labeled set (PQA-L, ori_pqal.json) has 1,000 items: 500 test, 500 the training fold
# (pubmedqa/preprocess/split_dataset.py). A file with more labeled items than the test set is not a test set.
PUBMEDQA_TEST_ITEMS = 500


@dataclass
class Benchmark:
    task: str
    path: str
    sha256: str
    items: list[QAItem]
    rejections: dict[str, int] = field(default_factory=dict)
    ground_truth_path: str | None = None
    ground_truth_sha256: str | None = None


def load_benchmark(
    task: str,
    path: str | Path,
    *,
    limit: int | None = None,
    cop_base: Literal["auto", 0, 1] = "auto",
    ground_truth: str | Path | None = None,
    all_items: bool = False,
) -> Benchmark:
    """Read `path` in `task`'s native format. `cop_base` is for MedMCQA, `ground_truth` for PubMedQA
    (`test_ground_truth.json`); giving either to another task is a usage error. A PubMedQA file with more than
    the 500 test items and no ground truth holds the training fold too: refused unless `all_items`."""
    if cop_base != "auto" and task != "medmcqa":
        raise ValueError(f"cop_base is a MedMCQA setting; task {task!r} has no `cop` field")
    if ground_truth is not None and task != "pubmedqa":
        raise ValueError(f"A ground-truth file is a PubMedQA setting, not one for task {task!r}")
    data = Path(path).read_bytes()
    origin = str(path)
    truth_bytes = Path(ground_truth).read_bytes() if ground_truth is not None else None
    if task == "medqa":
        records = read_medqa(data, origin)
    elif task == "medmcqa":
        records = read_medmcqa(data, origin, cop_base=cop_base)
    elif task == "pubmedqa":
        truth = parse_pubmedqa_ground_truth(truth_bytes, str(ground_truth)) if truth_bytes else None
        records = read_pubmedqa(data, origin, ground_truth=truth)
    else:
        raise ValueError(f"Unknown task {task!r}; expected medqa, medmcqa or pubmedqa")
    items, reasons = _split(records, origin)
    if task == "pubmedqa" and ground_truth is None and len(items) > PUBMEDQA_TEST_ITEMS and not all_items:
        raise ValueError(
            f"{path}: {len(items)} PubMedQA items, more than the {PUBMEDQA_TEST_ITEMS} of the test set: "
            "ori_pqal.json also holds the 500-item training fold. Give --ground-truth test_ground_truth.json to "
            "score the test items only, or --pubmedqa-all-items to score every item knowingly"
        )
    if not items:
        raise ValueError(f"{path}: no readable {task} items ({dict(reasons) or 'empty'}); is it the right file?")
    if limit is not None:
        items = items[:limit]
    return Benchmark(
        task,
        origin,
        hashlib.sha256(data).hexdigest(),
        items,
        dict(sorted(reasons.items())),
        str(ground_truth) if ground_truth is not None else None,
        hashlib.sha256(truth_bytes).hexdigest() if truth_bytes is not None else None,
    )


def _split(records, origin: str) -> tuple[list[QAItem], Counter[str]]:
    items: list[QAItem] = []
    reasons: Counter[str] = Counter()
    for record in records:
        if isinstance(record, Rejection):
            reasons[record.reason] += 1
            if reasons[record.reason] <= 3 and record.reason not in EXPECTED:
                log.warning("%s: skipped (%s) %s", origin, record.reason, record.detail)
        else:
            items.append(record)
    for reason, count in reasons.items():
        level = logging.INFO if reason in EXPECTED else logging.WARNING
        if count > 3 or reason in EXPECTED:
            log.log(level, "%s: %d items skipped as %s in all", origin, count, reason)
    return items, reasons
