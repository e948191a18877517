"""The MedC-I finalizer: staged `Instruction`s → `train` and `validation` shards of each config.

    >>> finalizer = InstructionFinalizer(AssemblyConfig(caps={"umls_relation": 100_000}), eval_index)
    >>> run_build(out, sources, kind="medc-i", ..., finalizer=finalizer)

In this order, per config, every decision made from hashes so that it is the same on every rerun:
1. decontamination: records overlapping an evaluation item are rejected (`contaminated`), counted per source;
2. exact dedup: a record whose (input, output) (or (instruction, output) when it has no input), whitespace
   collapsed, was seen before in build order is dropped and listed in duplicates.jsonl (`exact`);
3. weights below 1 keep that fraction of a source, caps keep at most that many records of it; both choose by
   hashing (seed, group), where a record's group is its sample id up to `#`: a QA item's rationale and
   answer-only records, or a UMLS row's two prompts, are kept or dropped together;
4. the split: a record goes to `validation` when another hash of (seed, group) falls below
   `validation_fraction`, so a group never straddles train and validation;
5. weights above 1 repeat `train` records (2.5: each twice, half of them three times).
Two passes over the staged records: the first reads only text columns and decides, the second streams whole
batches through `take` into the shard writers, so memory holds a few numbers per record, not the records.
"""

from __future__ import annotations

import hashlib
import logging
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from medc.instructions.decontamination import EvalIndex
from medc.records import Rejection

log = logging.getLogger(__name__)

TRAIN, VALIDATION = "train", "validation"
TEXT_COLUMNS = ["instruction", "input", "output", "source", "sample_id"]


@dataclass(frozen=True)
class AssemblyConfig:
    seed: int = 0
    """Seeds every choice: caps, weights and the split."""
    validation_fraction: float = 0.02
    caps: dict[str, int] = field(default_factory=dict)
    """Most records to keep per source (`healthcaremagic`, `medmcqa`, `umls_relation`, ...)."""
    weights: dict[str, float] = field(default_factory=dict)
    """Per source: below 1 keeps that fraction, above 1 repeats train records (default 1)."""
    dedup: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.validation_fraction < 1.0:
            raise ValueError(f"validation_fraction={self.validation_fraction}: give a fraction in [0, 1)")
        bad_caps = {k: v for k, v in self.caps.items() if not isinstance(v, int) or v < 0}
        if bad_caps:
            raise ValueError(f"caps {bad_caps}: a cap is a record count, 0 or more")
        bad_weights = {k: v for k, v in self.weights.items() if not isinstance(v, (int, float)) or v < 0}
        if bad_weights:
            raise ValueError(f"weights {bad_weights}: a weight is a number, 0 or more")


def _hash64(seed: int, text: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{seed}\x00{text}".encode(), digest_size=8).digest(), "little")


@dataclass
class Plan:
    """What pass one decided for each staged row of a config (arrays in build order)."""

    sources: list[str]
    source_of: np.ndarray  # int32 index into sources
    repeats: np.ndarray  # int32: times the row goes to train (0: not in train)
    validation: np.ndarray  # bool
    contaminated: dict[int, tuple[str, str]]  # row → (method, evaluation item id)
    duplicate_of: dict[int, int]  # removed row → kept row
    counts: dict[str, Counter[str]]


class InstructionFinalizer:
    def __init__(
        self,
        config: AssemblyConfig,
        eval_index: EvalIndex | None = None,
        extra: dict[str, Any] | None = None,
        batch_size: int = 5000,
    ) -> None:
        self.config, self.eval_index, self.batch_size = config, eval_index, batch_size
        self.extra = extra or {}

    def __call__(self, staged: Any, output: Any, executor: Any = None) -> None:  # runs in the coordinator
        stats: dict[str, dict[str, int]] = {}
        removed: Counter[str] = Counter()
        duplicates: dict[str, int] = {}
        sabs: Counter[str] = Counter()
        for config in staged.configs():
            plan = self._plan(staged, config)
            self._write(staged, config, plan, output, sabs)
            for source, counts in plan.counts.items():
                stats[source] = dict(sorted(counts.items()))
                removed[source] += counts["contaminated"]
            duplicates[config] = len(plan.duplicate_of)
        output.extra.update(self.extra)
        output.extra["instructions"] = {
            "seed": self.config.seed,
            "validation_fraction": self.config.validation_fraction,
            "caps": self.config.caps,
            "weights": self.config.weights,
            "sources": stats,
        }
        output.extra["duplicates_by_config"] = duplicates
        if self.eval_index is not None:
            decon = output.extra.setdefault("decontamination", {})
            decon["removed"] = {k: v for k, v in sorted(removed.items()) if v}
        if sabs or "umls" in output.extra:
            output.extra.setdefault("umls", {})["sabs_used"] = dict(sorted(sabs.items()))
        unknown = sorted((set(self.config.caps) | set(self.config.weights)) - set(stats))
        if unknown:
            log.warning("caps/weights name sources no record has: %s (known: %s)", unknown, sorted(stats))

    # --- pass one: decide ---------------------------------------------------------------------------------

    def _plan(self, staged: Any, config: str) -> Plan:
        seed, sources, index = self.config.seed, {}, self.eval_index
        # Typed arrays, not lists: 8 bytes a key instead of ~40, for builds of millions of records.
        source_of, dedup_keys, split_keys, pick_keys = array("i"), array("Q"), array("Q"), array("Q")
        contaminated: dict[int, tuple[str, str]] = {}
        row = 0
        for batch in staged.iter_batches(config, columns=TEXT_COLUMNS, batch_size=self.batch_size):
            cols = {name: batch.column(name).to_pylist() for name in TEXT_COLUMNS}
            for ins, inp, out, src, sid in zip(*(cols[n] for n in TEXT_COLUMNS), strict=False):
                source_of.append(sources.setdefault(src, len(sources)))
                question = " ".join((inp or ins).split())
                dedup_keys.append(_hash64(0, f"{question}\x00{' '.join(out.split())}"))
                group = sid.split("#", 1)[0]
                split_keys.append(_hash64(seed, f"split\x00{group}"))
                pick_keys.append(_hash64(seed, f"pick\x00{group}"))
            if index is not None:
                found = index.check(list(zip(cols["instruction"], cols["input"], strict=False)))
                contaminated.update({row + i: hit for i, hit in enumerate(found) if hit})
            row += batch.num_rows
        names = list(sources)
        plan = Plan(
            names,
            np.frombuffer(source_of, dtype=np.int32),
            np.zeros(row, np.int32),
            np.zeros(row, bool),
            contaminated,
            {},
            {n: Counter() for n in names},
        )
        self._decide(plan, *(np.frombuffer(keys, dtype=np.uint64) for keys in (dedup_keys, split_keys, pick_keys)))
        return plan

    def _decide(self, plan: Plan, dedup: np.ndarray, split: np.ndarray, pick: np.ndarray) -> None:
        n = len(plan.source_of)
        alive = np.ones(n, dtype=bool)
        alive[list(plan.contaminated)] = False
        if self.config.dedup and n:
            plan.duplicate_of = _first_occurrences(dedup, alive)
            alive[list(plan.duplicate_of)] = False
        upper = (pick >> np.uint64(32)).astype(np.float64) / 2**32  # for weights below 1 and caps
        lower = (pick & np.uint64(0xFFFFFFFF)).astype(np.float64) / 2**32  # for the fraction of a repeat
        validation = split.astype(np.float64) / 2**64 < self.config.validation_fraction
        for code, source in enumerate(plan.sources):
            rows = np.flatnonzero(plan.source_of == code)
            counts = plan.counts[source]
            counts["staged"] = len(rows)
            counts["contaminated"] = sum(r in plan.contaminated for r in rows.tolist()) if plan.contaminated else 0
            counts["duplicates"] = int(len(rows) - alive[rows].sum() - counts["contaminated"])
            weight = float(self.config.weights.get(source, 1.0))
            kept = rows[alive[rows]]
            if weight < 1.0:
                kept = kept[upper[kept] < weight]
            cap = self.config.caps.get(source)
            if cap is not None and len(kept) > cap:
                kept = np.sort(kept[np.argsort(upper[kept], kind="stable")[:cap]])
            counts["dropped_by_cap_or_weight"] = int(alive[rows].sum() - len(kept))
            val = kept[validation[kept]]
            train = kept[~validation[kept]]
            plan.validation[val] = True
            times = np.floor(max(weight, 1.0)) + (lower[train] < (max(weight, 1.0) % 1.0))
            plan.repeats[train] = times.astype(np.int32)
            counts[VALIDATION], counts[TRAIN] = len(val), int(plan.repeats[train].sum())

    # --- pass two: write ----------------------------------------------------------------------------------

    def _write(self, staged: Any, config: str, plan: Plan, output: Any, sabs: Counter[str]) -> None:
        from medc.finalize import public_schema

        schema = public_schema(staged.schema(config))
        wanted = set(plan.duplicate_of.values())
        kept_ids: dict[int, str] = {}
        start = 0
        with (
            output.shard_writer(config, TRAIN, schema) as train,
            output.shard_writer(config, VALIDATION, schema) as validation,
        ):
            for batch in staged.iter_batches(config, columns=schema.names, batch_size=self.batch_size):
                end = start + batch.num_rows
                reps = plan.repeats[start:end]
                train.write(batch.take(pa.array(np.repeat(np.arange(batch.num_rows), reps))))
                validation.write(batch.filter(pa.array(plan.validation[start:end])))
                self._report(batch, start, plan, output, config, wanted, kept_ids)
                _count_sabs(batch, reps + plan.validation[start:end], sabs)
                start = end

    def _report(
        self,
        batch: pa.RecordBatch,
        start: int,
        plan: Plan,
        output: Any,
        config: str,
        wanted: set[int],
        kept_ids: dict[int, str],
    ) -> None:
        ids = batch.column("sample_id").to_pylist()
        origins = batch.column("origin").to_pylist() if "origin" in batch.schema.names else [""] * len(ids)
        duplicates = []
        for i, sample_id in enumerate(ids):
            row = start + i
            if row in wanted:
                kept_ids[row] = sample_id
            if row in plan.duplicate_of:
                duplicates.append(
                    {"config": config, "kept": kept_ids.get(plan.duplicate_of[row], ""), "removed": sample_id}
                )
            if row in plan.contaminated:
                method, item = plan.contaminated[row]
                output.reject(Rejection(origins[i], "contaminated", f"{method} overlap with {item}", sample_id), config)
        if duplicates:
            output.add_duplicates("exact", duplicates)


def _first_occurrences(keys: np.ndarray, alive: np.ndarray) -> dict[int, int]:
    """{row: first row with the same key} for every live row whose key a live row before it has."""
    rows = np.flatnonzero(alive)
    order = rows[np.argsort(keys[rows], kind="stable")]
    sorted_keys = keys[order]
    starts = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]] if len(order) else np.zeros(0, bool)
    first = order[np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))] if len(order) else order
    return {int(r): int(f) for r, f in zip(order[~starts], first[~starts], strict=False)}


def _count_sabs(batch: pa.RecordBatch, written: np.ndarray, sabs: Counter[str]) -> None:
    """UMLS sample ids carry their source vocabulary (`umls:rel:MSH:R123#relation`): count what was published."""
    for sample_id, times in zip(batch.column("sample_id").to_pylist(), written.tolist(), strict=False):
        if times and sample_id.startswith("umls:"):
            sabs[sample_id.split(":", 3)[2]] += times
