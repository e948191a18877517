"""The table a build ends with: per config, what went in, what was kept, what was dropped and why, and time;
and the inputs that gave nothing at all (`empty_inputs`), which fail the build unless `--allow-empty`:

    --medmcqa US/train.jsonl: no record from it; 10178 rejected, mostly missing_field (10178): line 1: no `opa`;
    this looks like MedQA; use --medqa
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from medc.input_counts import belongs_to


def print_summary(manifest: dict[str, Any], out_dir: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=False)
    table = Table(title=f"{manifest['kind']} build → {out_dir}  ({manifest['wall_seconds']:.1f} s)")
    for column in ("config", "work units", "kept", "rejected", "duplicates"):
        table.add_column(column, justify="left" if column == "config" else "right")
    dup_by_config = _duplicates_by_config(manifest)
    for config in manifest["records"] or manifest["units"]:
        kept = sum(manifest["records"].get(config, {}).values())
        rejected = sum(manifest["rejections_by_config"].get(config, {}).values())
        dups = dup_by_config.get(config, "")
        table.add_row(config, str(manifest["units"].get(config, 0)), str(kept), str(rejected), str(dups))
    table.add_row(
        "total",
        str(sum(manifest["units"].values())),
        str(sum(sum(s.values()) for s in manifest["records"].values())),
        str(sum(manifest["rejections"].values())),
        str(sum(manifest["duplicates"].values())),
        style="bold",
    )
    console.print(table)
    _print_counts(console, "Rejected, by reason", manifest["rejections"])
    _print_counts(console, "Duplicates removed, by kind", manifest["duplicates"])
    _print_counts(console, "Notices (kept, but worth knowing)", manifest["notices"])
    removed = {rule: v["chars"] for rule, v in manifest.get("removed", {}).items()}
    _print_counts(console, "Characters removed from kept documents, by rule (medc explain shows them)", removed)


def _duplicates_by_config(manifest: dict[str, Any]) -> dict[str, int]:
    """Documents the MedC-K dedup removed per config (`extra.dedup.by_config`); empty when not recorded."""
    by_config = manifest.get("extra", {}).get("dedup", {}).get("by_config", {})
    return {c: v["documents"] - v["kept"] for c, v in by_config.items() if {"documents", "kept"} <= set(v)}


def _print_counts(console: Any, title: str, counts: dict[str, int]) -> None:
    from rich.table import Table

    if not counts:
        return
    table = Table(title=title, show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(key, str(value))
    console.print(table)


def empty_inputs(
    manifest: dict[str, Any],
    out_dir: Path,
    options: Mapping[str, str] | None = None,
    hint: Callable[[str, str], str] | None = None,
) -> list[str]:
    """One line for each input that yielded no record at all, and for each config that kept none though it
    rejected some (UMLS, or every record decontaminated); empty when every input gave something.

    `options` maps a source name (`papers`, `rationale_qa (medmcqa)`) to the option that named its inputs
    (`--pmc`, `--medmcqa`); `hint(option, origin)` may say what the file at `origin` (one that was rejected, or the
    input itself) looks like instead."""
    lines, explained = [], set()
    for entry in manifest.get("inputs", []):
        if entry.get("records") != 0:
            continue
        explained.add(entry["config"])
        option = (options or {}).get(entry.get("source", entry["config"]), entry["config"])
        reason, count, origin, detail = _dominant(entry.get("rejected", {}), out_dir, entry)
        line = f"{option} {entry['path']}: " + _what_happened(entry, reason, count, detail)
        extra = hint(option, origin or entry["path"]) if hint else ""
        lines.append(line + (f"; {extra}" if extra else ""))
    for config, rejected in manifest.get("rejections_by_config", {}).items():
        if config in explained or sum(manifest["records"].get(config, {}).values()) or not rejected:
            continue
        reason, count, _, detail = _dominant(rejected, out_dir, {"config": config})
        lines.append(f"{config}: no record kept; {_rejected(sum(rejected.values()), reason, count)}{detail}")
    return lines


def _what_happened(entry: dict[str, Any], reason: str, count: int, detail: str) -> str:
    total = sum(entry.get("rejected", {}).values())
    if total:
        return f"no record from it; {_rejected(total, reason, count)}{detail}"
    if entry.get("files", 0) == 0 and entry.get("kind") == "file":
        return f"not a file {entry['config']} are read from (by its name)"
    if entry.get("files", 0) == 0:
        ignored = entry.get("ignored", 0)
        return (
            f"no file in it is one {entry['config']} are read from ({ignored} ignored)" if ignored else "no file in it"
        )
    return "no record from it, and nothing rejected"


def _rejected(total: int, reason: str, count: int) -> str:
    return f"{total} rejected, " + (f"all {reason}" if count == total else f"mostly {reason} ({count})")


def _dominant(rejected: dict[str, int], out_dir: Path, entry: dict[str, Any]) -> tuple[str, int, str, str]:
    """The most common reason, its count, and the origin and detail of its first rejection (from
    rejections.jsonl; `: detail` ready to append, or '')."""
    if not rejected:
        return "", 0, "", ""
    reason, count = max(rejected.items(), key=lambda kv: (kv[1], kv[0]))
    try:
        with open(out_dir / "rejections.jsonl", encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                if row["reason"] == reason and _from(row, entry):
                    return reason, count, row["origin"], f": {_short(row.get('detail', ''))}"
    except (OSError, json.JSONDecodeError, KeyError):
        pass
    return reason, count, "", ""


def _from(row: dict[str, Any], entry: dict[str, Any]) -> bool:
    return row["config"] == entry["config"] and ("path" not in entry or belongs_to(row["origin"], entry))


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
