"""Pass one of the MedC-I finalizer: read the text columns of a config's staged records and decide, per row,
whether it is contaminated, an exact or near duplicate, how often it goes to `train`, or whether it goes to
`validation`. Only numbers per row stay in memory (and one MinHash signature per kept row during near-dedup).

    >>> plan = make_plan(staged, "dialogue", AssemblyConfig(), eval_index, near=True, batch_size=5000)
    >>> plan.counts["healthcaremagic"]
    Counter({'staged': 100000, 'train': 97012, 'validation': 1998, 'near_duplicates': 911, 'duplicates': 52, ...})
"""

from __future__ import annotations

import hashlib
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from medc.decontamination.hits import Hit

TRAIN, VALIDATION = "train", "validation"
TEXT_COLUMNS = ["instruction", "input", "output", "source", "sample_id"]


def hash64(seed: int, text: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{seed}\x00{text}".encode(), digest_size=8).digest(), "little")


@dataclass
class Plan:
    """What pass one decided for each staged row of a config (arrays in build order)."""

    sources: list[str]
    source_of: np.ndarray  # int32 index into sources
    repeats: np.ndarray  # int32: times the row goes to train (0: not in train)
    validation: np.ndarray  # bool
    contaminated: dict[int, Hit] = field(default_factory=dict)
    duplicate_of: dict[int, int] = field(default_factory=dict)  # removed row → kept row (exact)
    near_of: dict[int, tuple[int, float]] = field(default_factory=dict)  # removed row → (kept row, similarity)
    counts: dict[str, Counter[str]] = field(default_factory=dict)


def make_plan(staged: Any, config_name: str, config: Any, index: Any, near: bool, batch_size: int) -> Plan:
    """Read `config_name`'s staged text columns once and decide every row (see the module docstring)."""
    seed, sources = config.seed, {}
    # Typed arrays, not lists: 8 bytes a key instead of ~40, for builds of millions of records.
    source_of, dedup_keys, split_keys, pick_keys = array("i"), array("Q"), array("Q"), array("Q")
    contaminated: dict[int, Hit] = {}
    texts: list[str] = []  # near-dedup candidates of the current batch
    from medc.instructions.near_dedup import NearDuplicates  # MinHash: only when a config is near-deduplicated

    finder = NearDuplicates(config.near_threshold) if near else None
    row = 0
    seen_exact: set[int] = set()
    for batch in staged.iter_batches(config_name, columns=TEXT_COLUMNS, batch_size=batch_size):
        cols = {name: batch.column(name).to_pylist() for name in TEXT_COLUMNS}
        for ins, inp, out, src, sid in zip(*(cols[n] for n in TEXT_COLUMNS), strict=False):
            source_of.append(sources.setdefault(src, len(sources)))
            user = inp or ins
            key = hash64(0, f"{' '.join(user.split())}\x00{' '.join(out.split())}")
            dedup_keys.append(key)
            group = sid.split("#", 1)[0]
            split_keys.append(hash64(seed, f"split\x00{group}"))
            pick_keys.append(hash64(seed, f"pick\x00{group}"))
            texts.append(f"{user}\n{out}")
        if index is not None:
            found = index.check(list(zip(cols["instruction"], cols["input"], strict=False)))
            contaminated.update({row + i: hit for i, hit in enumerate(found) if hit})
        if finder is not None:
            for i, text in enumerate(texts):
                # Only the first of exact duplicates and clean rows take part; exact dedup decides the others.
                if row + i not in contaminated and dedup_keys[row + i] not in seen_exact:
                    seen_exact.add(dedup_keys[row + i])
                    finder.add(row + i, text)
        texts.clear()
        row += batch.num_rows
    names = list(sources)
    plan = Plan(names, np.frombuffer(source_of, dtype=np.int32), np.zeros(row, np.int32), np.zeros(row, bool))
    plan.contaminated = contaminated
    plan.near_of = finder.duplicates if finder is not None else {}
    plan.counts = {n: Counter() for n in names}
    keys = (np.frombuffer(k, dtype=np.uint64) for k in (dedup_keys, split_keys, pick_keys))
    decide(plan, config, *keys)
    return plan


def decide(plan: Plan, config: Any, dedup: np.ndarray, split: np.ndarray, pick: np.ndarray) -> None:
    """Exact dedup, then caps and weights, the split and repeats, per source; fills `plan` and its counts."""
    n = len(plan.source_of)
    alive = np.ones(n, dtype=bool)
    alive[list(plan.contaminated)] = False
    if config.dedup and n:
        plan.duplicate_of = first_occurrences(dedup, alive)
        for row, first in list(plan.duplicate_of.items()):
            if first in plan.near_of:  # a copy of a near duplicate is a near duplicate of what that one matched
                plan.near_of[row] = plan.near_of[first]
                del plan.duplicate_of[row]
        alive[list(plan.duplicate_of)] = False
    alive[list(plan.near_of)] = False
    upper = (pick >> np.uint64(32)).astype(np.float64) / 2**32  # for weights below 1 and caps
    lower = (pick & np.uint64(0xFFFFFFFF)).astype(np.float64) / 2**32  # for the fraction of a repeat
    validation = split.astype(np.float64) / 2**64 < config.validation_fraction
    contaminated = np.zeros(n, bool)
    contaminated[list(plan.contaminated)] = True
    near = np.zeros(n, bool)
    near[list(plan.near_of)] = True
    for code, source in enumerate(plan.sources):
        rows = np.flatnonzero(plan.source_of == code)
        counts = plan.counts[source]
        counts["staged"] = len(rows)
        counts["contaminated"] = int(contaminated[rows].sum())
        counts["near_duplicates"] = int(near[rows].sum())
        counts["duplicates"] = int(len(rows) - alive[rows].sum() - counts["contaminated"] - counts["near_duplicates"])
        weight = float(config.weights.get(source, 1.0))
        kept = rows[alive[rows]]
        if weight < 1.0:
            kept = kept[upper[kept] < weight]
        cap = config.caps.get(source)
        if cap is not None and len(kept) > cap:
            kept = np.sort(kept[np.argsort(upper[kept], kind="stable")[:cap]])
        counts["dropped_by_cap_or_weight"] = int(alive[rows].sum() - len(kept))
        val, train = kept[validation[kept]], kept[~validation[kept]]
        plan.validation[val] = True
        times = np.floor(max(weight, 1.0)) + (lower[train] < (max(weight, 1.0) % 1.0))
        plan.repeats[train] = times.astype(np.int32)
        counts[VALIDATION], counts[TRAIN] = len(val), int(plan.repeats[train].sum())


def first_occurrences(keys: np.ndarray, alive: np.ndarray) -> dict[int, int]:
    """{row: first row with the same key} for every live row whose key a live row before it has."""
    rows = np.flatnonzero(alive)
    order = rows[np.argsort(keys[rows], kind="stable")]
    sorted_keys = keys[order]
    starts = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]] if len(order) else np.zeros(0, bool)
    first = order[np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))] if len(order) else order
    return {int(r): int(f) for r, f in zip(order[~starts], first[~starts], strict=False)}
