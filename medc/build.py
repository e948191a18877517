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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import pyarrow as pa

import medc
from medc.executors import Executor, open_executor
from medc.finalize import BuildOutput, Finalizer, copy_to_train, public_schema
from medc.input_counts import count_by_input
from medc.origins import public_command, record_local_inputs
from medc.shards import ShardConfig
from medc.sources import WorkUnit, is_url
from medc.stage.batch import Task
from medc.stage.run import Progress, StageOptions, stage_source
from medc.staging import Staging

log = logging.getLogger(__name__)
STAGING_FORMAT = 2  # batches journaled in segments; a staging of another format is refused (pass --fresh)

# The finalize machinery lives in `medc.finalize`; these names stay importable from here.
__all__ = ["BuildOutput", "Finalizer", "SourceSpec", "copy_to_train", "public_schema", "run_build"]

VERSIONED_PACKAGES = (
    "medc",
    "pyarrow",
    "datasets",
    "huggingface_hub",
    "lxml",
    "pymupdf",
    "ftfy",
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


def run_build(
    out_dir: Path,
    sources: list[SourceSpec],
    *,
    kind: str,
    parse_settings: dict[str, Any],
    finalize_settings: dict[str, Any] | None = None,
    finalizer: Finalizer = copy_to_train,
    executor: str | Executor = "local",
    workers: int | None = None,
    ray_address: str | None = None,
    staging_root: str | None = None,
    stage: StageOptions | None = None,
    fresh: bool = False,
    keep_staging: bool = True,
    shards: ShardConfig | None = None,
    progress: Progress | None = None,
    command: list[str] | None = None,
) -> dict[str, Any]:
    """Build `out_dir` from `sources` and return the manifest (also written to `out_dir/manifest.json`).

    `executor` is "local" (a process pool of `workers`; 0 = in this process), "ray" (the cluster at `ray_address`
    or RAY_ADDRESS, else a local one), or an open `Executor` the caller owns. `staging_root` (default
    `out_dir/.staging`) may be an fsspec URL; on a cluster it must be storage every worker can write."""
    start = time.time()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    schemas = {s.config: s.schema for s in sources}
    fingerprint = {
        "kind": kind,
        "medc": medc.__version__,
        "staging": STAGING_FORMAT,
        "configs": list(schemas),
        "parse": _stable_hash(parse_settings),
    }
    staging = Staging.open(staging_root or out_dir / ".staging", fingerprint, schemas, fresh=fresh)
    with contextlib.ExitStack() as stack:
        if isinstance(executor, str):
            executor = stack.enter_context(open_executor(executor, workers, ray_address))
        if getattr(executor, "nodes", 1) > 1 and not is_url(staging.root):
            log.warning("staging %s is a local path: every node of the cluster must see it there", staging.root)
        input_stats = _stage_all(sources, staging, executor, stage or StageOptions(), progress)
        count_by_input(input_stats, staging)  # records and rejections per input: an input that gave nothing shows
        output = BuildOutput(out_dir, shards or ShardConfig())
        try:
            finalizer(staging, output, executor)
        finally:
            output.close()
    manifest = _manifest(
        kind,
        staging,
        output,
        input_stats,
        parse_settings,
        finalize_settings or {},
        command or public_command(_invocation()),
        time.time() - start,
    )
    manifest["executor"] = {"name": executor.name, "workers": executor.workers}
    _write_json(out_dir / "manifest.json", manifest)
    record_local_inputs(out_dir, [spec.inputs for spec in sources])
    _write_rejections(out_dir / "rejections.jsonl", staging, output)
    if not keep_staging:
        staging.drop_parts()
    from medc.publish.card import write_card  # the card reads what the manifest says

    write_card(out_dir)
    return manifest


def _stage_all(
    sources: list[SourceSpec],
    staging: Staging,
    executor: Executor,
    options: StageOptions,
    progress: Progress | None,
) -> list[dict[str, Any]]:
    done = staging.unit_counts()
    if done:
        log.info("resuming: %d work units already done", sum(done.values()))
    input_stats: list[dict[str, Any]] = []
    for index, spec in enumerate(sources):
        input_stats += stage_source(spec, index, staging, executor, options, progress)
    return input_stats


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
        "removed": _removed_by_rule(staging),
        "duplicates": dict(output.duplicates),
        "extra": output.extra,
        "versions": library_versions(),
        "wall_seconds": round(seconds, 3),
    }


def _removed_by_rule(staging: Staging) -> dict[str, dict[str, int]]:
    """Characters and times each rule removed text from the staged documents (`Document.removed`), summed."""
    import pyarrow.compute as pc

    chars: Counter[str] = Counter()
    times: Counter[str] = Counter()
    for config in staging.configs():
        if "removed" not in staging.schema(config).names:
            continue
        for batch in staging.iter_batches(config, columns=["removed"]):
            flat = pc.list_flatten(batch.column("removed"))
            if not len(flat):
                continue
            table = pa.Table.from_arrays(flat.flatten(), names=[f.name for f in flat.type])
            for row in table.group_by("rule").aggregate([("chars", "sum"), ("count", "sum")]).to_pylist():
                chars[row["rule"]] += row["chars_sum"]
                times[row["rule"]] += row["count_sum"]
    return {rule: {"chars": chars[rule], "count": times[rule]} for rule in sorted(chars)}


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


def _stable_hash(settings: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:16]
