"""The resumable middle of a build: staged Parquet parts plus a journal of the work units they cover.

    out/.staging/
      fingerprint.json                 what was parsed, and how (a resume with other parse settings is refused)
      journal.jsonl                    one line per checkpoint: config, part file, units done (with the records each
                                       staged), rejections, notices
      parts/papers/part-000007.parquet records of the units of that checkpoint, in build order

A checkpoint is committed by writing its part file atomically and then appending its journal line; a part file
without a journal line (the build died in between) is deleted on the next start, and its units are parsed again.
Because the runner yields results in input order, the committed units always form a prefix of each source's walk,
so resuming keeps the same record order as an uninterrupted build.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from medc.records import Notice, Rejection, to_table
from medc.runner import UnitResult

log = logging.getLogger(__name__)


class StagingMismatch(Exception):
    """The output directory holds a build made with other parse settings."""


@dataclass(slots=True)
class Checkpoint:
    config: str
    part: str | None
    units: list[str]
    rejections: list[Rejection]
    notices: list[Notice]
    seconds: float = 0.0
    unit_records: list[int] | None = None  # records staged per unit, as `units`; None in journals made before


@dataclass
class Staging:
    """Staged parts of one output directory. Create with `Staging.open`."""

    root: Path
    schemas: dict[str, pa.Schema]
    checkpoints: list[Checkpoint] = field(default_factory=list)

    @classmethod
    def open(
        cls, out_dir: Path, fingerprint: dict[str, Any], schemas: dict[str, pa.Schema], fresh: bool = False
    ) -> Staging:
        root = Path(out_dir) / ".staging"
        if fresh and root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True, exist_ok=True)
        _check_fingerprint(root / "fingerprint.json", fingerprint)
        staging = cls(root, schemas, _read_journal(root / "journal.jsonl"))
        staging._rewrite_journal()
        staging._remove_orphans()
        return staging

    def done_units(self) -> set[str]:
        return {u for cp in self.checkpoints for u in cp.units}

    def commit(self, config: str, results: list[UnitResult]) -> Checkpoint:
        """Persist the records of `results` (all of one config) as one part, then journal it."""
        records = [r for res in results for r in res.records]
        part = None
        if records:
            part = f"parts/{config}/part-{len(self.checkpoints):06d}.parquet"
            _write_atomic(self.root / part, to_table(records, self.schemas[config]))
        cp = Checkpoint(
            config,
            part,
            [r.origin for r in results],
            [x for r in results for x in r.rejections],
            [x for r in results for x in r.notices],
            sum(r.seconds for r in results),
            [len(r.records) for r in results],
        )
        with open(self.root / "journal.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(_checkpoint_json(cp), ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        self.checkpoints.append(cp)
        return cp

    def configs(self) -> list[str]:
        """Configs in the order they were declared, including those that staged no record."""
        return list(self.schemas)

    def schema(self, config: str) -> pa.Schema:
        return self.schemas[config]

    def parts(self, config: str) -> list[Path]:
        return [self.root / cp.part for cp in self.checkpoints if cp.config == config and cp.part]

    def iter_batches(
        self, config: str, columns: list[str] | None = None, batch_size: int = 1000
    ) -> Iterator[pa.RecordBatch]:
        """The staged records of `config` in build order, as record batches (streamed, part by part)."""
        for path in self.parts(config):
            yield from pq.ParquetFile(path).iter_batches(batch_size=batch_size, columns=columns)

    def rejections(self) -> Iterator[tuple[str, Rejection]]:
        for cp in self.checkpoints:
            for rej in cp.rejections:
                yield cp.config, rej

    def notices(self) -> Iterator[tuple[str, Notice]]:
        for cp in self.checkpoints:
            for notice in cp.notices:
                yield cp.config, notice

    def unit_records(self) -> Iterator[tuple[str, str, int | None]]:
        """(config, unit origin, records it staged) for every unit done; None where an old journal did not say."""
        for cp in self.checkpoints:
            counts = cp.unit_records or [None] * len(cp.units)
            for origin, count in zip(cp.units, counts, strict=True):
                yield cp.config, origin, count

    def unit_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for cp in self.checkpoints:
            counts[cp.config] = counts.get(cp.config, 0) + len(cp.units)
        return counts

    def drop_parts(self) -> None:
        shutil.rmtree(self.root / "parts", ignore_errors=True)

    def _rewrite_journal(self) -> None:
        # Drops a line cut short by a crash, so that new checkpoints are not appended after garbage.
        temp = self.root / ".journal.jsonl.tmp"
        with open(temp, "w", encoding="utf-8") as fh:
            for cp in self.checkpoints:
                fh.write(json.dumps(_checkpoint_json(cp), ensure_ascii=False) + "\n")
        os.replace(temp, self.root / "journal.jsonl")

    def _remove_orphans(self) -> None:
        known = {cp.part for cp in self.checkpoints if cp.part}
        for path in (self.root / "parts").glob("*/*"):
            if path.relative_to(self.root).as_posix() not in known:
                log.info("removing %s, left by an interrupted build", path)
                path.unlink()


def _check_fingerprint(path: Path, fingerprint: dict[str, Any]) -> None:
    if path.exists():
        old = json.loads(path.read_text())
        if old != fingerprint:
            changed = sorted(k for k in set(old) | set(fingerprint) if old.get(k) != fingerprint.get(k))
            raise StagingMismatch(
                f"{path.parent.parent} holds a build made with other parse settings (differs in: "
                f"{', '.join(changed)}). Use another --out, or pass --fresh to start over."
            )
    else:
        path.write_text(json.dumps(fingerprint, indent=1, sort_keys=True))


def _write_atomic(path: Path, table: pa.Table) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, temp, compression="zstd")
    os.replace(temp, path)


def _checkpoint_json(cp: Checkpoint) -> dict[str, Any]:
    return {
        "config": cp.config,
        "part": cp.part,
        "units": cp.units,
        "seconds": round(cp.seconds, 4),
        "unit_records": cp.unit_records,
        "rejections": [[r.origin, r.reason, r.detail, r.record_id] for r in cp.rejections],
        "notices": [[n.origin, n.code, n.count, n.detail] for n in cp.notices],
    }


def _read_journal(path: Path) -> list[Checkpoint]:
    if not path.exists():
        return []
    checkpoints = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                raw = json.loads(line)
            except json.JSONDecodeError:
                break  # a line cut short by a crash: it and anything after it never committed
            checkpoints.append(
                Checkpoint(
                    raw["config"],
                    raw["part"],
                    raw["units"],
                    [Rejection(*r) for r in raw["rejections"]],
                    [Notice(*n) for n in raw["notices"]],
                    raw.get("seconds", 0.0),
                    raw.get("unit_records"),
                )
            )
    return checkpoints
