"""Small builds for the card, hub and inspect tests, written with the real shard writer, a manifest in the shape
`medc/build.py` writes, and the real card."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from medc.publish.card import write_card
from medc.records import (
    BookMeta,
    Document,
    Instruction,
    Message,
    PaperMeta,
    document_schema,
    instruction_schema,
    to_table,
)
from medc.shards import ShardConfig, ShardWriter

COMMAND = ["medc", "build-k", "--pmc", "pmc/", "--out", "out"]


def paper(i: int, licence: str | None = "CC BY") -> Document:
    return Document(
        id=f"pmc:PMC{i}",
        source="papers",
        title=f"Article {i}",
        text=f"Aspirin study {i}. " * 30,
        origin=f"pmc.tar.gz::PMC{i}.xml",
        meta=PaperMeta(pmcid=f"PMC{i}", year=2020, license=licence),
    )


def book(i: int) -> Document:
    return Document(
        id=f"book:abc:{i}",
        source="books",
        title=f"Chapter {i}",
        text=f"Cardiology chapter {i}.",
        origin="cardio.pdf",
        meta=BookMeta(file_name="cardio.pdf", chapter=f"Chapter {i}", page_count=3),
    )


def instruction(i: int, source: str) -> Instruction:
    return Instruction(
        instruction="Answer the question.",
        input=f"Question {i}?",
        output=f"Answer {i}.",
        source=source,
        sample_id=f"{source}:{i}",
        messages=[Message("user", f"Question {i}?"), Message("assistant", f"Answer {i}.")],
    )


def write_build(
    out: Path,
    kind: str,
    splits: dict[str, dict[str, list[Any]]],
    *,
    extra: dict | None = None,
    shard_bytes: int = 1 << 20,
    manifest: dict | None = None,
) -> Path:
    """Shards for `splits` ({config: {split: records}}), a manifest, and the card."""
    files: dict[str, dict[str, list[str]]] = {}
    records: dict[str, dict[str, int]] = {}
    for config, by_split in splits.items():
        schema = instruction_schema() if kind == "medc-i" else document_schema(config)
        for split, items in by_split.items():
            with ShardWriter(
                out, config, split, schema, ShardConfig(max_shard_bytes=shard_bytes, row_group_rows=4)
            ) as writer:
                writer.write(to_table(items, schema))
            files.setdefault(config, {})[split] = writer.paths
            records.setdefault(config, {})[split] = len(items)
    base = {
        "medc_version": "0.1.0",
        "kind": kind,
        "created": "2026-11-25T09:00:00+00:00",
        "command": COMMAND,
        "settings": {"parse": {"papers": {"min_chars": 200}}, "finalize": {"dedup": {"threshold": 0.85}}},
        "inputs": [
            {
                "config": "papers",
                "path": "pmc/",
                "kind": "directory",
                "files": 12,
                "ignored": 1,
                "size": 48_000,
                "sha256": "ab" * 32,
            }
        ],
        "records": records,
        "files": files,
        "rejections": {"too_short": 2},
        "rejections_by_config": {},
        "notices": {},
        "duplicates": {"exact": 1, "near": 3},
        "extra": extra or {},
        "versions": {"python": "3.11", "pyarrow": "26"},
        "wall_seconds": 1.5,
    }
    (out / "manifest.json").write_text(json.dumps(manifest if manifest is not None else base, indent=2))
    (out / "rejections.jsonl").write_text('{"config": "papers", "origin": "pmc/x.xml", "reason": "too_short"}\n')
    write_card(out)
    return out


def medc_k(out: Path, papers: int = 10, books: int = 3, nc: int = 0, shard_bytes: int = 1 << 20) -> Path:
    docs = [paper(i, "CC BY-NC" if i < nc else "CC BY") for i in range(papers)]
    dedup = {"documents": papers + books + 4, "exact_removed": 1, "near_removed": 3, "kept": papers + books}
    splits = {"papers": {"train": docs}, "books": {"train": [book(i) for i in range(books)]}}
    return write_build(out, "medc-k", splits, shard_bytes=shard_bytes, extra={"dedup": dedup})


def medc_i(out: Path, sabs: dict[str, int] | None = None) -> Path:
    splits = {
        "dialogue": {
            "train": [instruction(i, "healthcaremagic") for i in range(6)],
            "validation": [instruction(i, "healthcaremagic") for i in range(6, 8)],
        },
        "rationale_qa": {
            "train": [instruction(i, "medqa") for i in range(5)],
            "validation": [instruction(5, "medmcqa")],
        },
        "umls_kg": {"train": [instruction(i, "umls") for i in range(4)], "validation": [instruction(4, "umls")]},
    }
    # the shape builders/umls/release.py and medc/instructions/assembly.py record
    allowed = {sab: {"version": f"{sab}2024", "srl": srl, "name": sab} for sab, srl in (sabs or {}).items()}
    used = {sab: 2 + i for i, sab in enumerate(sabs or {})}
    extra = {"umls": {"max_srl": max((sabs or {0: 0}).values()), "sabs_allowed": allowed, "sabs_used": used}}
    extra = extra if sabs is not None else {}
    extra["instructions"] = {"seed": 0, "sources": {"medqa": {"staged": 7, "contaminated": 1, "train": 5}}}
    extra["decontamination"] = {"eval_items": {"medqa": 5}, "removed": {"medqa": 1}, "removed_by_method": {"ngram": 1}}
    return write_build(out, "medc-i", splits, extra=extra)
