"""What a dataset is, before anyone downloads it: configs, splits, counts, sizes, licences, sources, provenance and
validation problems, from the card, `manifest.json` and the Parquet footers (plus N sample rows).

    >>> print(render(inspect_dataset("me/medc-k", rows=1)))
    dataset me/medc-k @ 3f1c2a9e0b (Hub)
    kind: medc-k   records: 1,204   Parquet: 41.2 MB   built by: medc 0.1.0 on 2026-11-25T09:00:00+00:00
    config papers (default)   1,204 records
      train       1,204 records   2 shards   40.1 MB   (uncompressed 120.3 MB)
    ...

A local directory is read in place; anything else that looks like `namespace/name[@revision]` is read from the
Hub through `HfFileSystem` (range requests: a footer costs a few kilobytes, a sample row its first row group).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from medc.publish.card import shorten
from medc.publish.facts import BuildFacts, human_bytes, read_build
from medc.publish.licences import LicenceFacts, licence_facts
from medc.publish.validate import Problem, card_metadata, validate_build

HUB_ID = re.compile(r"^(?P<repo>[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*)(?:@(?P<revision>[\w./-]+))?$")


@dataclass
class Inspection:
    location: str
    on_hub: bool
    revision: str | None
    build: BuildFacts
    card: dict[str, Any]
    licences: LicenceFacts
    problems: list[Problem]
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def inspect_dataset(target: str, rows: int = 1) -> Inspection:
    """Inspect a local build directory or a Hub dataset `namespace/name[@revision]`."""
    local = Path(target)
    if local.is_dir():
        build = read_build(local)
        samples = _samples(build, rows, lambda rel: pq.ParquetFile(local / rel))
        return _inspection(str(local), False, None, build, samples, licence_facts(build, local))
    match = HUB_ID.match(target)
    if not match:
        raise ValueError(f"{target!r} is neither a directory nor a Hub dataset id (namespace/name[@revision])")
    return _inspect_hub(match["repo"], match["revision"] or "main", rows)


def _inspect_hub(repo_id: str, revision: str, rows: int) -> Inspection:
    from huggingface_hub import HfApi, HfFileSystem

    sha = HfApi().dataset_info(repo_id, revision=revision).sha  # pin one commit for every read below
    fs = HfFileSystem(skip_instance_cache=True)
    root = f"datasets/{repo_id}@{sha}"
    build = read_build(root, fs=fs)

    def open_shard(rel: str) -> pq.ParquetFile:
        return pq.ParquetFile(fs.open(f"{root}/{rel}", "rb"))

    samples = _samples(build, rows, open_shard)
    return _inspection(repo_id, True, sha, build, samples, licence_facts(build, None))


def _inspection(
    location: str,
    on_hub: bool,
    revision: str | None,
    build: BuildFacts,
    samples: dict[str, list[dict[str, Any]]],
    licences: LicenceFacts,
) -> Inspection:
    card, _ = card_metadata(build.card_text)
    return Inspection(location, on_hub, revision, build, card or {}, licences, validate_build(build), samples)


def _samples(build: BuildFacts, rows: int, open_shard: Any) -> dict[str, list[dict[str, Any]]]:
    """The first `rows` rows of each config (first split, first non-empty shard), long strings cut."""
    out: dict[str, list[dict[str, Any]]] = {}
    if rows <= 0:
        return out
    for config in build.configs:
        shard = next((s for split in config.splits for s in split.shards if s.num_rows), None)
        if shard is not None:
            batch = next(open_shard(shard.path).iter_batches(batch_size=rows))
            out[config.name] = [shorten(r) for r in batch.to_pylist()[:rows]]
    return out


def render(result: Inspection) -> str:
    """The inspection as plain text, one fact per line."""
    b, m = result.build, result.build.manifest
    where = f"{result.location} @ {result.revision[:10]} (Hub)" if result.on_hub else f"{result.location} (local)"
    lines = [
        f"dataset {where}",
        f"kind: {b.kind}   records: {b.num_rows:,}   Parquet: {human_bytes(b.size)}   built by: medc "
        f"{m.get('medc_version', '?')} on {m.get('created', '?')}",
    ]
    default = next((c.get("config_name") for c in result.card.get("configs") or [] if c.get("default")), None)
    for config in b.configs:
        lines.append(
            f"config {config.name}{' (default)' if config.name == default else ''}   {config.num_rows:,} records"
        )
        lines += [
            f"  {s.name:<11} {s.num_rows:>10,} records   {len(s.shards)} shard(s)   {human_bytes(s.size)}"
            f"   (uncompressed {human_bytes(s.num_bytes)})"
            for s in config.splits
        ]
    lines += _licence_lines(result)
    lines += _source_lines(m, result.card)
    lines += _provenance_lines(m, b.command)
    lines += [f"problem: {p}" for p in result.problems] or ["problems: none (card, manifest and files agree)"]
    for config, samples in result.samples.items():
        lines += [
            f"sample {config}[{i}]: {json.dumps(row, ensure_ascii=False, default=str)}" for i, row in enumerate(samples)
        ]
    return "\n".join(lines)


def _licence_lines(result: Inspection) -> list[str]:
    card, facts = result.card, result.licences
    lines = [
        f"license: {card.get('license', 'not stated')}"
        + (f" ({card['license_name']}, {card.get('license_link', 'no link')})" if card.get("license_name") else "")
    ]
    if card.get("license_details"):
        lines.append(f"license details: {card['license_details']}")
    if facts.pmc:
        lines.append("PMC licences: " + ", ".join(f"{k}: {n:,}" for k, n in facts.pmc.items()))
    if facts.umls_sabs:
        lines.append("UMLS sources (level): " + ", ".join(f"{s} ({v})" for s, v in sorted(facts.umls_sabs.items())))
    lines += [f"restriction: {r}" for r in facts.restrictions]
    return lines


def _source_lines(manifest: dict[str, Any], card: dict[str, Any]) -> list[str]:
    lines = [f"source datasets: {', '.join(card['source_datasets'])}"] if card.get("source_datasets") else []
    for i in manifest.get("inputs") or []:
        lines.append(
            f"input: {i.get('path')} ({i.get('kind', '?')}, {i.get('files', '?')} files, "
            f"{human_bytes(i.get('size') or 0)}, sha256 {str(i.get('sha256', ''))[:12]})"
        )
    if manifest.get("rejections"):
        lines.append("removed: " + ", ".join(f"{k} {v:,}" for k, v in manifest["rejections"].items()))
    if manifest.get("duplicates"):
        lines.append("duplicates removed: " + ", ".join(f"{k} {v:,}" for k, v in manifest["duplicates"].items()))
    return lines


def _provenance_lines(manifest: dict[str, Any], command: str | None) -> list[str]:
    if not manifest:
        return ["provenance: no manifest.json"]
    versions = ", ".join(f"{k} {v}" for k, v in (manifest.get("versions") or {}).items())
    return [
        f"command: {command or 'not recorded'}",
        f"versions: {versions or 'not recorded'}",
        f"wall time: {manifest.get('wall_seconds', '?')} s",
    ]
