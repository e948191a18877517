"""The sections of a build report that read the manifest's accounting: licences, the MedC-I mix per source,
decontamination, text removed per rule, notices, provenance.

    >>> mix_sections(read_build("out/medc-i"))[0].title
    'Mix per source'

Each returns None (section left out) or a Note when the build does not record its facts: older builds, and
fields other parts of medc are still adding (`manifest["removed"]`, MedC-K decontamination counts).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from medc.publish.facts import BuildFacts, human_bytes
from medc.publish.licences import is_non_commercial, licence_facts
from medc.report import plots
from medc.report.corpus import ConfigStats
from medc.report.page import Figure, Note, Section, Table
from medc.report.readers import as_dict, decontamination, instruction_sources, removed_per_rule

# How a MedC-I source's staged records ended up, in the order the assembly decides (medc/instructions/assembly.py).
MIX_LAYERS = ("train", "validation", "duplicates", "contaminated", "dropped_by_cap_or_weight")


def licences_section(root: Path, build: BuildFacts) -> Section | None:
    facts = licence_facts(build, root)
    blocks: list = []
    if facts.pmc:
        rows = [[code, n, "yes" if is_non_commercial(code) else ""] for code, n in facts.pmc.items()]
        blocks += [
            Figure(plots.bars("licences", "PMC articles by licence", facts.pmc, xlabel="articles")),
            Table(["licence", "articles", "non-commercial"], rows),
        ]
    if facts.has_books and build.config("books"):
        blocks.append(Note(f"{build.config('books').num_rows:,} textbook records: each under its publisher's terms."))  # type: ignore[union-attr]
    if facts.instruction_sources:
        rows = [[s, n] for s, n in sorted(facts.instruction_sources.items(), key=lambda kv: -kv[1])]
        blocks.append(Table(["instruction source", "records"], rows, "Each source keeps its own terms."))
    if facts.umls_sabs:
        rows = [[sab, srl, facts.umls_records.get(sab, "")] for sab, srl in sorted(facts.umls_sabs.items())]
        blocks.append(Table(["UMLS source (SAB)", "restriction level", "records"], rows))
    for restriction in facts.restrictions:
        blocks.append(Note(f"Restricted: {restriction}"))
    return Section("Licences", blocks) if blocks else None


def mix_sections(build: BuildFacts) -> list[Section]:
    return [s for s in (mix_section(build), decontamination_section(build)) if s is not None]


def mix_section(build: BuildFacts) -> Section | None:
    sources = instruction_sources(build.manifest)
    if not sources:
        return None
    names = sorted(sources, key=lambda s: -sources[s].get("staged", 0))
    layers = {k: [sources[s].get(k, 0) for s in names] for k in MIX_LAYERS if any(sources[s].get(k) for s in names)}
    rows = [[s, sources[s].get("staged", 0), *(sources[s].get(k, 0) for k in MIX_LAYERS)] for s in names]
    title = "What became of each source's records"
    blocks: list = [
        Figure(plots.stacked_bars("mix", title, names, layers, xlabel="records")),
        Table(["source", "staged", *MIX_LAYERS], rows),
    ]
    assembly = as_dict(as_dict(build.manifest.get("extra")).get("instructions"))
    limits = {k: as_dict(assembly.get(k)) for k in ("caps", "weights")}
    if any(limits.values()):
        rows = [
            [s, limits["caps"].get(s, ""), limits["weights"].get(s, "")] for s in sorted(set().union(*limits.values()))
        ]
        blocks.append(Table(["source", "cap", "weight"], rows, "The caps and weights the build was given."))
    return Section(
        "Mix per source",
        blocks,
        "Records per instruction source through assembly: staged, then removed (duplicates, contaminated, over a "
        "cap or weight) or kept in train / validation (a weight above 1 repeats train records).",
    )


def decontamination_section(build: BuildFacts) -> Section | None:
    decon = decontamination(build.manifest)
    if not decon:
        return None
    blocks: list = []
    files = [f for f in decon.get("eval_files") or [] if isinstance(f, dict)]
    if files:
        rows = [
            [f.get("path", ""), f.get("items", ""), f.get("rejected", ""), str(f.get("sha256", ""))[:16]] for f in files
        ]
        blocks.append(Table(["evaluation file", "items", "unreadable", "sha256"], rows))
    removed = {str(k): v for k, v in as_dict(decon.get("removed")).items() if isinstance(v, (int, float))}
    if removed:
        blocks.append(
            Figure(plots.bars("decontamination", "Records removed as contaminated", removed, xlabel="records"))
        )
    else:
        blocks.append(Note("Decontamination removed nothing: no record overlapped an evaluation item."))
    settings = {
        k: v for k, v in decon.items() if k not in ("eval_files", "removed") and not isinstance(v, (dict, list))
    }
    if settings:
        blocks.append(Table(["setting", "value"], [[k, v] for k, v in settings.items()]))
    nested = {k: v for k, v in decon.items() if k not in ("eval_files", "removed") and isinstance(v, (dict, list))}
    if nested:
        blocks.append(Note("Also recorded: " + json.dumps(nested, ensure_ascii=False, default=str)[:600]))
    return Section(
        "Decontamination",
        blocks,
        "Records that overlap an evaluation item are removed before dedup; each is a `contaminated` rejection "
        "(see Rejections) naming the item and the evidence.",
    )


def removed_section(build: BuildFacts, stats: dict[str, ConfigStats]) -> Section | None:
    rules = removed_per_rule(build.manifest)
    where = "manifest.json"
    if rules is None:
        merged: dict[str, dict[str, int]] = {}
        for st in stats.values():
            for rule, v in st.removed.items():
                m = merged.setdefault(rule, {"chars": 0, "count": 0})
                m["chars"] += v["chars"]
                m["count"] += v["count"]
        rules, where = (merged or None), "the records' `removed` column"
    if rules is None:
        if build.kind != "medc-k":
            return None
        return Section(
            "Text removed inside kept records",
            [Note("This build does not record text removed per rule (builds before per-rule accounting).")],
        )
    ordered = sorted(rules.items(), key=lambda kv: -kv[1]["chars"])
    return Section(
        "Text removed inside kept records",
        [
            Figure(
                plots.bars(
                    "removed_per_rule",
                    "Characters removed per rule",
                    {r: v["chars"] for r, v in ordered},
                    xlabel="characters",
                )
            ),
            Table(
                ["rule", "characters", "times"],
                [[r, v["chars"], v["count"]] for r, v in ordered],
                f"From {where}.",
            ),
        ],
        "Sections, markers, headers and other text taken out of documents that were kept, summed per rule.",
    )


def notices_section(build: BuildFacts) -> Section | None:
    notices = as_dict(build.manifest.get("notices"))
    if not notices:
        return None
    rows = [[k, v] for k, v in sorted(notices.items(), key=lambda kv: -(kv[1] if isinstance(kv[1], int) else 0))]
    return Section("Notices", [Table(["notice", "count"], rows)], "Counted, but nothing was dropped for them.")


def provenance_section(build: BuildFacts) -> Section:
    m = build.manifest
    rows: list[list[Any]] = [
        ["command", build.command or "not recorded"],
        ["medc version", m.get("medc_version", "not recorded")],
        ["created", m.get("created", "not recorded")],
        ["wall time (s)", m.get("wall_seconds", "not recorded")],
    ]
    blocks: list = [Table(["", ""], rows)]
    inputs = [i for i in m.get("inputs") or [] if isinstance(i, dict)]
    if inputs:
        blocks.append(
            Table(
                ["config", "input", "kind", "files", "ignored", "size"],
                [
                    [
                        i.get("config", ""),
                        i.get("path", ""),
                        i.get("kind", ""),
                        i.get("files", ""),
                        i.get("ignored", ""),
                        human_bytes(i.get("size") or 0),
                    ]
                    for i in inputs
                ],
            )
        )
    return Section("How this build was made", blocks)
