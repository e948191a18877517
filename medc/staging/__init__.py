"""The resumable middle of a build: staged Parquet parts plus a journal of the work units they cover.

    out/.staging/                          (or --staging s3://bucket/build/staging, or a shared-FS path)
      fingerprint.json                     what was parsed, and how (a resume with other parse settings is refused)
      journal/segment-00000000.jsonl       one entry per batch: config, part, units done, rejections, notices
      parts/papers/part-00-000000000064.parquet   records of the batch of source 0 that starts at unit 64

Workers write parts; only the coordinator writes the journal, in batch order, a segment at a time. A part that no
committed entry names (the build died before its segment was written) is an orphan: deleted at open, its units
parsed again. Because entries are committed in order, the committed units form a prefix of each source's walk,
and parts sort into build order by name, so a resumed build has the same records in the same order as an
uninterrupted one, whatever the batching was. A resume trusts the journal: a unit journaled with the same origin,
size and stamp (mtime or ETag) is skipped without being read.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from medc.records import Notice, Rejection, to_table
from medc.stage.batch import BatchResult, UnitDone, part_name
from medc.staging.journal import decode_segment, encode_segment, result_json, result_of, segment_name, segment_number
from medc.staging.store import StagingStore, iter_part_batches

log = logging.getLogger(__name__)

__all__ = ["Staging", "StagingMismatch", "StagingStore", "iter_part_batches"]


class StagingMismatch(Exception):
    """The staging root holds a build made with other parse settings, or of inputs that changed since."""


class Staging:
    """Staged parts of one build. Create with `Staging.open`."""

    def __init__(self, store: StagingStore, schemas: dict[str, pa.Schema]) -> None:
        self.store, self.schemas = store, schemas
        self.results: list[BatchResult] = []  # committed, in build order once sorted (see `_ordered`)
        self.archives: dict[str, dict[str, Any]] = {}
        self._done: dict[str, UnitDone] = {}
        self._pending: list[dict[str, Any]] = []
        self._segment = 0
        self._sorted = True

    @classmethod
    def open(
        cls, root: str | Path, fingerprint: dict[str, Any], schemas: dict[str, pa.Schema], fresh: bool = False
    ) -> Staging:
        store = StagingStore(root)
        if fresh:
            store.remove_tree()
        store.make_root()
        _check_fingerprint(store, fingerprint)
        staging = cls(store, schemas)
        staging._read_journal()
        staging._remove_orphans()
        return staging

    @property
    def root(self) -> str:
        return self.store.root

    # -- the coordinator's side ------------------------------------------------------------------------------
    def done(self, origin: str) -> UnitDone | None:
        """The journal's entry of a unit committed by this or an earlier run."""
        return self._done.get(origin)

    def completed_archive(self, path: str, size: int, stamp: str) -> dict[str, Any] | None:
        entry = self.archives.get(path)
        return entry if entry and entry["size"] == size and entry["stamp"] == stamp else None

    def commit(self, result: BatchResult) -> None:
        """Journal one batch (written at the next `flush`); call in batch order."""
        if self.results and (result.source, result.first) < (self.results[-1].source, self.results[-1].first):
            self._sorted = False
        self.results.append(result)
        for unit in result.units:
            self._done[unit.origin] = unit
        self._pending.append(result_json(result))

    def complete_archive(self, entry: dict[str, Any]) -> None:
        if self.archives.get(entry["path"]) != entry:
            self.archives[entry["path"]] = entry
            self._pending.append({"archive": entry["path"], **{k: v for k, v in entry.items() if k != "path"}})

    def flush(self) -> None:
        """Write the entries committed since the last flush as one segment."""
        if self._pending:
            self.store.write_bytes(f"journal/{segment_name(self._segment)}", encode_segment(self._pending))
            self._segment += 1
            self._pending = []

    def stage_records(self, config: str, records: list[Any], origin: str = "records") -> BatchResult:
        """Stage `records` as one committed part of one unit, as a worker would (tests, in-process tools)."""
        first = sum(len(r.units) for r in self.results)
        result = BatchResult(config, 0, first, part_name(config, 0, first) if records else None)
        result.units.append(UnitDone(origin, first, 0, "", "", len(records), 0.0, inline=True))
        if records:
            self.store.write_table(result.part, to_table(records, self.schemas[config]))  # type: ignore[arg-type]
        self.commit(result)
        self.flush()
        return result

    # -- the read API finalizers use --------------------------------------------------------------------------
    def configs(self) -> list[str]:
        """Configs in the order they were declared, including those that staged no record."""
        return list(self.schemas)

    def schema(self, config: str) -> pa.Schema:
        return self.schemas[config]

    def parts(self, config: str) -> list[str]:
        """Paths (or URLs) of the staged parts of `config`, in build order."""
        return [self.store.url(r.part) for r in self._ordered() if r.config == config and r.part]

    def iter_batches(
        self, config: str, columns: list[str] | None = None, batch_size: int = 1000
    ) -> Iterator[pa.RecordBatch]:
        """The staged records of `config` in build order, streamed part by part, as batches of exactly
        `batch_size` rows (the last one shorter): the same batches whatever the batching of the parse was, so the
        shards written from them are the same bytes on any executor."""
        pending: list[pa.RecordBatch] = []
        rows = 0
        for part in self.parts(config):
            for batch in iter_part_batches(part, columns, batch_size):
                while batch.num_rows:
                    take = min(batch_size - rows, batch.num_rows)
                    pending.append(batch.slice(0, take))
                    rows, batch = rows + take, batch.slice(take)
                    if rows == batch_size:
                        yield _joined(pending)
                        pending, rows = [], 0
        if pending:
            yield _joined(pending)

    def rejections(self) -> Iterator[tuple[str, Rejection]]:
        for result in self._ordered():
            for rej in result.rejections:
                yield result.config, rej

    def notices(self) -> Iterator[tuple[str, Notice]]:
        for result in self._ordered():
            for notice in result.notices:
                yield result.config, notice

    def unit_records(self) -> Iterator[tuple[str, str, int | None]]:
        """(config, unit origin, records it staged) for every unit done."""
        for result in self._ordered():
            for unit in result.units:
                yield result.config, unit.origin, unit.records

    def unit_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for result in self.results:
            counts[result.config] = counts.get(result.config, 0) + len(result.units)
        return counts

    def drop_parts(self) -> None:
        self.store.remove_tree("parts")

    # -- opening ----------------------------------------------------------------------------------------------
    def _ordered(self) -> list[BatchResult]:
        if not self._sorted:
            self.results.sort(key=lambda r: (r.source, r.first))
            self._sorted = True
        return self.results

    def _read_journal(self) -> None:
        names = sorted((n, name) for name in self.store.list("journal") if (n := segment_number(name)) is not None)
        for position, (number, name) in enumerate(names):
            entries = decode_segment(self.store.read_bytes(f"journal/{name}"))
            if entries is None:
                log.warning(
                    "journal/%s is not a valid segment: it and %d after it are dropped", name, len(names) - 1 - position
                )
                for _, later in names[position:]:
                    self.store.remove(f"journal/{later}")
                break
            for entry in entries:
                if "archive" in entry:
                    path = entry.pop("archive")
                    self.archives[path] = {"path": path, **entry}
                else:
                    self.commit(result_of(entry))
            self._segment = number + 1
        self._pending = []

    def _remove_orphans(self) -> None:
        known = {r.part for r in self.results if r.part}
        for name in self.store.list("parts"):
            if f"parts/{name}" not in known:
                log.info("removing parts/%s, left by an interrupted build", name)
                self.store.remove(f"parts/{name}")


def _joined(batches: list[pa.RecordBatch]) -> pa.RecordBatch:
    if len(batches) == 1:
        return batches[0]
    return pa.Table.from_batches(batches).combine_chunks().to_batches()[0]


def _check_fingerprint(store: StagingStore, fingerprint: dict[str, Any]) -> None:
    if store.exists("fingerprint.json"):
        old = json.loads(store.read_bytes("fingerprint.json"))
        if old != fingerprint:
            changed = sorted(k for k in set(old) | set(fingerprint) if old.get(k) != fingerprint.get(k))
            raise StagingMismatch(
                f"{store.root} holds a build made with other parse settings (differs in: "
                f"{', '.join(changed)}). Use another --out, or pass --fresh to start over."
            )
    else:
        store.write_bytes("fingerprint.json", json.dumps(fingerprint, indent=1, sort_keys=True).encode())
