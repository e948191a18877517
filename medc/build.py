"""Run a whole build: walk and parse every source into staging, finalize into shards, write manifest and card.

    >>> spec = SourceSpec("papers", task=partial(parse_article, options=PmcOptions()),
    ...                   schema=document_schema("papers", internal=True), inputs=["pmc/"], accept=accepts)
    >>> manifest = run_build(Path("out"), [spec], kind="medc-k", parse_settings={...}, finalizer=DedupFinalizer())
    >>> manifest["records"]
    {'papers': {'train': 1830}}

The two halves are deliberately apart. Parsing (slow, parallel, resumable) lands in `.staging/`; finalizing
(dedup, splits, decontamination: global decisions) reads the staged records back and writes `data/`. A rerun
skips units already staged, and since the fingerprint covers only parse settings, changing a finalize setting
(a dedup threshold, say) re-finalizes without re-parsing anything.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

import medc
from medc.input_counts import count_by_input
from medc.records import Rejection
from medc.runner import Task, UnitResult, run_units
from medc.shards import ShardConfig, ShardWriter
from medc.sources import InputStats, InputWalker, WorkUnit
from medc.staging import Staging

log = logging.getLogger(__name__)

VERSIONED_PACKAGES = (
    "medc",
    "pyarrow",
    "datasets",
    "huggingface_hub",
    "lxml",
    "pymupdf",
    "ftfy",
    "datasketch",
    "numpy",
)


@dataclass
class SourceSpec:
    """One source of a build: where its work units come from, the task that parses them, the config it fills.

    Units come from walking `inputs` (files, directories, archives, URLs) with `accept`, or, for sources that are
    not one-file-per-unit (UMLS relation chunks), from `units` directly."""

    config: str
    task: Task
    schema: pa.Schema
    inputs: list[str] = field(default_factory=list)
    accept: Callable[[str], bool] | None = None
    units: Iterable[WorkUnit] | None = None
    sidecars: Callable[[str], list[str]] | None = None  # sibling files a unit carries (see `InputWalker`)
    name: str = ""  # shown in progress; defaults to the config

    def __post_init__(self) -> None:
        if (self.units is None) == (self.accept is None):
            raise ValueError(f"source {self.config!r}: give either `inputs` with `accept`, or `units`")
        self.name = self.name or self.config


class Finalizer(Protocol):
    def __call__(self, staged: Staging, output: BuildOutput) -> None: ...


class BuildOutput:
    """What a finalizer writes to: shards per config and split, late rejections, duplicates, manifest extras."""

    def __init__(self, out_dir: Path, shards: ShardConfig) -> None:
        self.out_dir, self.shards = out_dir, shards
        self.files: dict[str, dict[str, list[str]]] = {}
        self.records: dict[str, dict[str, int]] = {}
        self.rejections: list[tuple[str, Rejection]] = []
        self.duplicates: Counter[str] = Counter()
        self.extra: dict[str, Any] = {}
        self._dup_file = open(out_dir / "duplicates.jsonl", "w", encoding="utf-8")  # noqa: SIM115

    def shard_writer(self, config: str, split: str, schema: pa.Schema) -> ShardWriter:
        writer = _RecordingShardWriter(self.out_dir, config, split, schema, self.shards)
        writer.on_close = lambda w: self._record(w)
        return writer

    def _record(self, writer: ShardWriter) -> None:
        self.files.setdefault(writer.config, {})[writer.split] = writer.paths
        self.records.setdefault(writer.config, {})[writer.split] = writer.rows

    def reject(self, rejection: Rejection, config: str = "") -> None:
        self.rejections.append((config, rejection))

    def add_duplicates(self, kind: str, rows: list[dict[str, Any]]) -> None:
        """Record removed duplicates, e.g. `{"kept": id, "removed": id, "similarity": 0.91}`, under `kind`."""
        self.duplicates[kind] += len(rows)
        for row in rows:
            self._dup_file.write(json.dumps({"kind": kind, **row}, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self._dup_file.close()


class _RecordingShardWriter(ShardWriter):
    on_close: Callable[[ShardWriter], None]

    def close(self) -> list[str]:
        paths = super().close()
        self.on_close(self)
        return paths


def copy_to_train(staged: Staging, output: BuildOutput) -> None:
    """The simplest finalizer: every staged record of each config goes to its `train` split, in build order."""
    for config in staged.configs():
        schema = public_schema(staged.schema(config))
        with output.shard_writer(config, "train", schema) as writer:
            for batch in staged.iter_batches(config, columns=schema.names):
                writer.write(batch)


def public_schema(schema: pa.Schema) -> pa.Schema:
    """The schema without internal (`_`-prefixed) columns."""
    return pa.schema([f for f in schema if not f.name.startswith("_")])


Progress = Callable[[str, UnitResult], None]


def run_build(
    out_dir: Path,
    sources: list[SourceSpec],
    *,
    kind: str,
    parse_settings: dict[str, Any],
    finalize_settings: dict[str, Any] | None = None,
    finalizer: Finalizer = copy_to_train,
    workers: int | None = None,
    fresh: bool = False,
    keep_staging: bool = True,
    unit_timeout: float | None = None,
    shards: ShardConfig | None = None,
    checkpoint_records: int = 2000,
    progress: Progress | None = None,
    command: list[str] | None = None,
) -> dict[str, Any]:
    """Build `out_dir` from `sources` and return the manifest (also written to `out_dir/manifest.json`)."""
    start = time.time()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    schemas = {s.config: s.schema for s in sources}
    fingerprint = {
        "kind": kind,
        "medc": medc.__version__,
        "configs": list(schemas),
        "parse": _stable_hash(parse_settings),
    }
    staging = Staging.open(out_dir, fingerprint, schemas, fresh=fresh)
    done = staging.done_units()
    if done:
        log.info("resuming: %d work units already done", len(done))
    input_stats: list[dict[str, Any]] = []
    for spec in sources:
        units, walker = _units_of(spec)
        results = run_units(units, spec.task, workers=workers, skip=done, unit_timeout=unit_timeout)
        _stage(staging, spec.config, results, checkpoint_records, progress, spec.name)
        if walker is not None:
            input_stats += [{"config": spec.config, "source": spec.name, **_stats_json(s)} for s in walker.stats]
    count_by_input(input_stats, staging)  # records and rejections per input: an input that gave nothing shows
    output = BuildOutput(out_dir, shards or ShardConfig())
    try:
        finalizer(staging, output)
    finally:
        output.close()
    manifest = _manifest(
        kind,
        staging,
        output,
        input_stats,
        parse_settings,
        finalize_settings or {},
        command or _invocation(),
        time.time() - start,
    )
    _write_json(out_dir / "manifest.json", manifest)
    _write_rejections(out_dir / "rejections.jsonl", staging, output)
    if not keep_staging:
        staging.drop_parts()
    from medc.publish.card import write_card  # the card reads what the manifest says

    write_card(out_dir)
    return manifest


def _units_of(spec: SourceSpec) -> tuple[Iterable[WorkUnit], InputWalker | None]:
    if spec.units is not None:
        return spec.units, None
    walker = InputWalker(spec.inputs, spec.accept, sidecars=spec.sidecars)  # type: ignore[arg-type]
    return walker, walker


def _stage(
    staging: Staging,
    config: str,
    results: Iterator[UnitResult],
    every: int,
    progress: Progress | None,
    name: str,
) -> None:
    buffer: list[UnitResult] = []
    buffered = 0
    last = time.monotonic()
    for result in results:
        if progress:
            progress(name, result)
        buffer.append(result)
        buffered += len(result.records) + 1
        if buffered >= every or time.monotonic() - last > 60:
            staging.commit(config, buffer)
            buffer, buffered, last = [], 0, time.monotonic()
    if buffer:
        staging.commit(config, buffer)


def _manifest(
    kind: str,
    staging: Staging,
    output: BuildOutput,
    inputs: list[dict[str, Any]],
    parse_settings: dict[str, Any],
    finalize_settings: dict[str, Any],
    command: list[str],
    seconds: float,
) -> dict[str, Any]:
    by_reason: Counter[str] = Counter()
    by_config: dict[str, Counter[str]] = {}
    for config, rej in [*staging.rejections(), *output.rejections]:
        by_reason[rej.reason] += 1
        by_config.setdefault(config, Counter())[rej.reason] += 1
    notices: Counter[str] = Counter()
    for _, notice in staging.notices():
        notices[notice.code] += notice.count
    return {
        "medc_version": medc.__version__,
        "kind": kind,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "settings": {"parse": parse_settings, "finalize": finalize_settings},
        "inputs": inputs,
        "units": staging.unit_counts(),
        "records": output.records,
        "files": output.files,
        "rejections": dict(sorted(by_reason.items())),
        "rejections_by_config": {c: dict(sorted(v.items())) for c, v in by_config.items()},
        "notices": dict(sorted(notices.items())),
        "duplicates": dict(output.duplicates),
        "extra": output.extra,
        "versions": library_versions(),
        "wall_seconds": round(seconds, 3),
    }


def _invocation() -> list[str]:
    """The command line as the user typed it: `medc build-k ...`, also when run as `python -m medc`."""
    if Path(sys.argv[0]).name in ("medc", "__main__.py"):
        return ["medc", *sys.argv[1:]]
    return list(sys.argv)


def library_versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0]}
    for name in VERSIONED_PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return versions


def _write_rejections(path: Path, staging: Staging, output: BuildOutput) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    with open(temp, "w", encoding="utf-8") as fh:
        for config, rej in [*staging.rejections(), *output.rejections]:
            row = {"config": config, "origin": rej.origin, "reason": rej.reason, "detail": rej.detail}
            if rej.record_id:
                row["record_id"] = rej.record_id
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    temp.replace(path)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    temp.replace(path)


def _stats_json(stats: InputStats) -> dict[str, Any]:
    return {
        "path": stats.path,
        "kind": stats.kind,
        "files": stats.files,
        "ignored": stats.ignored,
        "size": stats.size,
        "sha256": stats.sha256,
    }


def _stable_hash(settings: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:16]
