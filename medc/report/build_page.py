"""The report of a build (MedC-K or MedC-I): what it holds, how long and how good its records are, and what it
removed and why, with examples.

    >>> page = build_page(Path("out/medc-k"))
    >>> [s.title for s in page.sections]
    ['Records', 'Lengths', 'Quality scores', 'Rejections', 'Duplicates', 'Licences', 'Text removed inside kept
     records', 'Notices', 'How this build was made']

Counts are the manifest's and the Parquet files'; sections whose facts the build does not record are left out or
say so. The card's plots (`card_plots`) are drawn by the same functions.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from medc.publish.facts import BuildFacts, human_bytes, read_build
from medc.report import plots
from medc.report.build_extras import (
    licences_section,
    mix_sections,
    notices_section,
    provenance_section,
    removed_section,
)
from medc.report.corpus import ConfigStats, corpus_stats
from medc.report.page import Figure, Note, Page, Pairs, Section, Table
from medc.report.readers import filter_thresholds, read_duplicates, read_rejections
from medc.report.removals import (
    DuplicateSummary,
    RecordTexts,
    RejectionSummary,
    duplicate_pairs,
    rejection_examples,
    summarise_duplicates,
    summarise_rejections,
)

# quality measure → (FilterConfig threshold, rejection reason, label)
MEASURES = {
    "words": ("min_words", "too_short", "words per record"),
    "alpha_ratio": ("min_alpha_ratio", "low_alpha", "letters / non-space characters"),
    "repeated_line_ratio": ("max_repeated_line_ratio", "repeated_lines", "share of text in repeated lines"),
    "stopword_ratio": ("min_stopword_ratio", "non_language", "share of words that are function words"),
    "language_score": ("min_language_score", "wrong_language", "language identifier's confidence"),
}


def build_page(root: Path) -> Page:
    build = read_build(root)
    stats = corpus_stats(root, build)
    rejections = summarise_rejections(read_rejections(root))
    duplicates = summarise_duplicates(read_duplicates(root))
    texts = RecordTexts(root, build)
    name = "MedC-K" if build.kind == "medc-k" else "MedC-I"
    sections = [
        records_section(build, stats),
        lengths_section(stats),
        quality_section(build, stats, rejections),
        rejections_section(texts, rejections),
        duplicates_section(build, texts, duplicates),
        licences_section(root, build),
        *mix_sections(build),
        removed_section(build, stats),
        notices_section(build),
        provenance_section(build),
    ]
    return Page(
        f"{name} build report",
        str(root.resolve()),
        headline(build, rejections, duplicates),
        [s for s in sections if s is not None and s.blocks],
        footer=f"Written by `medc report` from {root.name}/manifest.json, rejections.jsonl, duplicates.jsonl and the "
        "Parquet shards. Nothing on this page is fetched from the network.",
    )


def headline(build: BuildFacts, rejections: RejectionSummary, duplicates: DuplicateSummary) -> list[tuple[str, str]]:
    wall = build.manifest.get("wall_seconds")
    facts = [
        ("records", f"{build.num_rows:,}"),
        ("configs", ", ".join(c.name for c in build.configs) or "none"),
        ("Parquet size", human_bytes(build.size)),
        ("rejected", f"{sum(rejections.counts.values()):,}"),
        ("duplicates removed", f"{sum(duplicates.counts.values()):,}"),
    ]
    if isinstance(wall, (int, float)):
        facts.append(("build time", f"{wall:,.1f} s"))
    return facts


def records_section(build: BuildFacts, stats: dict[str, ConfigStats]) -> Section:
    splits = [[c.name, s.name, s.num_rows, len(s.shards), human_bytes(s.size)] for c in build.configs for s in c.splits]
    blocks: list = [Table(["config", "split", "records", "shards", "Parquet size"], splits)]
    rows, per_source = [], {}
    for config, st in stats.items():
        for source, (n, chars, words) in st.by_source().items():
            rows.append([config, source, n, chars, words, round(words / n) if n else 0])
            per_source[source if source == config else f"{config} / {source}"] = n
    if rows:
        blocks.append(
            Table(
                ["config", "source", "records", "characters", "words", "words per record"],
                rows,
                "Words are whitespace-separated tokens (a tokenizer's count is in a training run's report). MedC-I "
                "counts instruction, input and output; validation records included.",
            )
        )
        blocks.append(Figure(plots.bars("records", "Records per source", per_source, xlabel="records")))
    return Section("Records", blocks)


def lengths_section(stats: dict[str, ConfigStats]) -> Section:
    groups = {name: st.chars[st.chars > 0] for name, st in stats.items()}
    if not any(len(v) for v in groups.values()):
        return Section("Lengths", [])
    rows = [
        [n, len(v), *(int(np.percentile(v, q)) for q in (5, 50, 95)), int(v.max())] for n, v in groups.items() if len(v)
    ]
    plot = plots.histogram("lengths", "Record length", groups, xlabel="characters (log scale)", log_x=True)
    return Section(
        "Lengths",
        [
            Figure(plot),
            Table(["config", "records", "5th pct", "median", "95th pct", "longest"], rows),
        ],
        "Characters per record, kept records of every split.",
    )


def quality_section(build: BuildFacts, stats: dict[str, ConfigStats], rejections: RejectionSummary) -> Section | None:
    measured = {n: st for n, st in stats.items() if st.quality}
    if not measured:
        return None
    thresholds = filter_thresholds(build.manifest)
    blocks: list = []
    for measure, (setting, reason, label) in MEASURES.items():
        groups = {n: st.quality[measure][~np.isnan(st.quality[measure])] for n, st in measured.items()}
        if not any(len(v) for v in groups.values()):
            continue
        threshold = thresholds.get(setting)
        threshold = (
            float(threshold) if isinstance(threshold, (int, float)) and not isinstance(threshold, bool) else None
        )
        shown = plots.format_number(threshold) if threshold is not None else "not recorded"
        caption = (
            f"Kept records only. {rejections.counts.get(reason, 0):,} record(s) were rejected as `{reason}` "
            f"({setting} = {shown}) and are not in this histogram."
        )
        if measure == "language_score":
            caption += " The score is the confidence in the language found; another language is dropped only above it."
        blocks.append(
            Figure(
                plots.histogram(
                    f"quality_{measure}",
                    f"{measure}: {label}",
                    groups,
                    xlabel=measure,
                    log_x=measure == "words",
                    threshold=threshold,
                    threshold_label=f"{setting} = {plots.format_number(threshold)}" if threshold is not None else "",
                    caption=caption,
                )
            )
        )
    languages = sum((st.languages for st in measured.values()), start=Counter())
    if languages:
        blocks.append(Table(["language", "records"], [[k, v] for k, v in languages.most_common()]))
    return Section("Quality scores", blocks, "Each score the quality filters measure, with the threshold that decides.")


def rejections_section(texts: RecordTexts, summary: RejectionSummary) -> Section:
    if not summary.counts:
        return Section(
            "Rejections", [Note("Nothing was rejected: every input unit and record was kept or deduplicated.")]
        )
    configs = sorted(summary.by_config)
    rows = [
        [reason, n, *(summary.by_config[c].get(reason, 0) for c in configs)]
        for reason, n in summary.counts.most_common()
    ]
    blocks: list = [
        Figure(plots.bars("rejections", "Rejections by reason", dict(summary.counts), xlabel="records")),
        Table(["reason", "records", *(c or "(no config)" for c in configs)], rows),
    ]
    blocks += rejection_examples(texts, summary)
    return Section(
        "Rejections",
        blocks,
        "Every rejected input or record, by its stable reason code, with a few real examples each.",
    )


def duplicates_section(build: BuildFacts, texts: RecordTexts, summary: DuplicateSummary) -> Section:
    if not summary.counts:
        return Section("Duplicates", [Note("No duplicates were removed.")])
    blocks: list = [Table(["kind", "pairs"], [[k, n] for k, n in summary.counts.most_common()])]
    dedup = (build.manifest.get("settings") or {}).get("finalize", {}).get("dedup") or {}
    threshold = dedup.get("threshold") if isinstance(dedup, dict) else None
    near = {k: v for k, v in summary.similarities.items() if len(v) and v.min() < 1.0}
    if near:
        blocks.append(
            Figure(
                plots.histogram(
                    "similarity",
                    "Estimated similarity of removed near duplicates",
                    near,
                    xlabel="Jaccard similarity (MinHash estimate)",
                    threshold=threshold if isinstance(threshold, (int, float)) else None,
                    threshold_label=f"threshold = {threshold}",
                )
            )
        )
    blocks.append(Pairs(duplicate_pairs(texts, summary)))
    return Section(
        "Duplicates",
        blocks,
        "Pairs of records judged the same: the one kept and the one removed, side by side (least similar first).",
    )
