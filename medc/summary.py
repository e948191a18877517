"""The table a build ends with: per config, what went in, what was kept, what was dropped and why, and time."""

from __future__ import annotations

from typing import Any


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
