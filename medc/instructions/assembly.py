"""The MedC-I finalizer: staged `Instruction`s → `train` and `validation` shards of each config.

    >>> finalizer = InstructionFinalizer(AssemblyConfig(caps={"umls_relation": 100_000}), eval_index)
    >>> run_build(out, sources, kind="medc-i", ..., finalizer=finalizer)

In this order, per config, every decision made from hashes so that it is the same on every rerun:
1. decontamination: records carrying an evaluation item are rejected (`contaminated`, the detail names the
   benchmark, the item and the evidence), counted per benchmark, method and source;
2. exact dedup: a record whose (input, output) (or (instruction, output) when it has no input), whitespace
   collapsed, was seen before in build order is dropped and listed in duplicates.jsonl (`exact`);
3. near dedup (dialogue and QA configs, not the templated UMLS prompts): a record whose user turn plus answer
   has an estimated Jaccard similarity of `near_threshold` with an earlier kept one (`near`, `near_dedup.py`);
4. weights below 1 keep that fraction of a source, caps keep at most that many records of it; both choose by
   hashing (seed, group), where a record's group is its sample id up to `#`: a QA item's rationale and
   answer-only records, or a UMLS row's two prompts, are kept or dropped together;
5. the split: a record goes to `validation` when another hash of (seed, group) falls below
   `validation_fraction`, so a group never straddles train and validation;
6. weights above 1 repeat `train` records (2.5: each twice, half of them three times).
Two passes over the staged records: the first reads only text columns and decides (`plan.py`), the second
streams whole batches through `take` into the shard writers. Each removed duplicate is a duplicates.jsonl line
with the ids and origins of both records (and the similarity for near duplicates).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from medc.instructions.plan import TRAIN, VALIDATION, Plan, make_plan
from medc.records import Rejection

log = logging.getLogger(__name__)


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
    near_dedup: bool = True
    """Remove near duplicates (user turn plus answer) in the configs not listed in `near_dedup_skip`."""
    near_threshold: float = 0.8
    """Estimated Jaccard similarity of word 5-grams at which a record is a near duplicate of an earlier one."""
    near_dedup_skip: tuple[str, ...] = ("umls_kg",)
    """Configs of templated prompts, where near duplicates are different facts ("X is a Y" / "X is a Z")."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.validation_fraction < 1.0:
            raise ValueError(f"validation_fraction={self.validation_fraction}: give a fraction in [0, 1)")
        if not 0.0 < self.near_threshold <= 1.0:
            raise ValueError(f"near_threshold={self.near_threshold}: give a Jaccard similarity in (0, 1]")
        bad_caps = {k: v for k, v in self.caps.items() if not isinstance(v, int) or v < 0}
        if bad_caps:
            raise ValueError(f"caps {bad_caps}: a cap is a record count, 0 or more")
        bad_weights = {k: v for k, v in self.weights.items() if not isinstance(v, (int, float)) or v < 0}
        if bad_weights:
            raise ValueError(f"weights {bad_weights}: a weight is a number, 0 or more")


class InstructionFinalizer:
    def __init__(
        self,
        config: AssemblyConfig,
        eval_index: Any | None = None,
        extra: dict[str, Any] | None = None,
        batch_size: int = 5000,
    ) -> None:
        self.config, self.eval_index, self.batch_size = config, eval_index, batch_size
        self.extra = extra or {}

    def __call__(self, staged: Any, output: Any, executor: Any = None) -> None:  # runs in the coordinator
        stats: dict[str, dict[str, int]] = {}
        decon: dict[str, Counter[str]] = {"removed": Counter(), "removed_by_method": Counter()}
        decon["removed_by_source"] = Counter()
        duplicates: dict[str, int] = {}
        sabs: Counter[str] = Counter()
        for config in staged.configs():
            near = self.config.near_dedup and config not in self.config.near_dedup_skip
            plan = make_plan(staged, config, self.config, self.eval_index, near, self.batch_size)
            self._write(staged, config, plan, output, sabs)
            for source, counts in plan.counts.items():
                stats[source] = dict(sorted(counts.items()))
            for row, hit in plan.contaminated.items():
                decon["removed"][hit.benchmark] += 1
                decon["removed_by_method"][hit.method] += 1
                decon["removed_by_source"][plan.sources[plan.source_of[row]]] += 1
            duplicates[config] = len(plan.duplicate_of) + len(plan.near_of)
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
            found = output.extra.setdefault("decontamination", {})
            found.update({key: dict(sorted(counts.items())) for key, counts in decon.items()})
        if sabs or "umls" in output.extra:
            output.extra.setdefault("umls", {})["sabs_used"] = dict(sorted(sabs.items()))
        unknown = sorted((set(self.config.caps) | set(self.config.weights)) - set(stats))
        if unknown:
            log.warning("caps/weights name sources no record has: %s (known: %s)", unknown, sorted(stats))

    def _write(self, staged: Any, config: str, plan: Plan, output: Any, sabs: Counter[str]) -> None:
        from medc.finalize import public_schema

        schema = public_schema(staged.schema(config))
        report = _Report(plan, output, config)
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
                report.batch(batch, start)
                _count_sabs(batch, reps + plan.validation[start:end], sabs)
                start = end


class _Report:
    """Pass two's bookkeeping: contaminated rejections, and duplicates.jsonl lines naming both records."""

    def __init__(self, plan: Plan, output: Any, config: str) -> None:
        self.plan, self.output, self.config = plan, output, config
        self.wanted = set(plan.duplicate_of.values()) | {kept for kept, _ in plan.near_of.values()}
        self.kept: dict[int, tuple[str, str]] = {}  # kept row → (sample id, origin), for rows duplicates point to

    def batch(self, batch: pa.RecordBatch, start: int) -> None:
        ids = batch.column("sample_id").to_pylist()
        origins = batch.column("origin").to_pylist() if "origin" in batch.schema.names else [""] * len(ids)
        exact, near = [], []
        for i, (sample_id, origin) in enumerate(zip(ids, origins, strict=True)):
            row = start + i
            if row in self.wanted:
                self.kept[row] = (sample_id, origin)
            if row in self.plan.duplicate_of:
                exact.append(self._line(self.plan.duplicate_of[row], sample_id, origin))
            elif row in self.plan.near_of:
                kept, similarity = self.plan.near_of[row]
                near.append({**self._line(kept, sample_id, origin), "similarity": similarity})
            hit = self.plan.contaminated.get(row)
            if hit is not None:
                self.output.reject(Rejection(origin, "contaminated", hit.detail(), sample_id), self.config)
        if exact:
            self.output.add_duplicates("exact", exact)
        if near:
            self.output.add_duplicates("near", near)

    def _line(self, kept_row: int, sample_id: str, origin: str) -> dict[str, str]:
        kept_id, kept_origin = self.kept.get(kept_row, ("", ""))
        return {
            "config": self.config,
            "kept": kept_id,
            "removed": sample_id,
            "kept_origin": kept_origin,
            "removed_origin": origin,
        }


def _count_sabs(batch: pa.RecordBatch, written: np.ndarray, sabs: Counter[str]) -> None:
    """UMLS sample ids carry their source vocabularies (`umls:rel:MSH:R123#relation`, `umls:obj:MSH+NCI:...`):
    count what was published."""
    for sample_id, times in zip(batch.column("sample_id").to_pylist(), written.tolist(), strict=False):
        if times and sample_id.startswith("umls:"):
            for sab in sample_id.split(":", 3)[2].split("+"):
                sabs[sab] += times
