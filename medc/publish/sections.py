"""The Markdown body of a dataset card: a list of section functions, one per section of the Hub's dataset card
template, each turning the card's facts into Markdown.

    >>> print(sources_and_processing(card))
    ## Sources and processing
    | input | kind | files | ignored | size | sha256 |
    | `pmc/` | dir | 1000 | 2 | 41.2 MB | `3f2a…` |
    ...
    ### Removed
    | reason | records |
    | `too_short` | 12 |

To add a section, write `def my_section(card: CardContext) -> str` (Markdown starting with its `##` heading, or
"" to leave it out) and put it in `SECTIONS` where it belongs; `card.root` is the build directory, so a section
may read more files there or link to ones it wrote beside the card (`![removals](plots/removals.png)`: `medc push`
uploads every file the card links to).

Each section reads what `manifest.json` holds and says plainly when a fact is missing ("the manifest does not
record ..."), so a card of an older or partial build still renders. Numbers are the manifest's and the Parquet
footers'; nothing here is estimated.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medc.publish.facts import BuildFacts, human_bytes
from medc.publish.licences import PMC_LICENCE_PAGE, SRL_MEANING, UMLS_LICENCE_PAGE, LicenceFacts, is_non_commercial

log = logging.getLogger(__name__)

PMC_LLAMA_BIBTEX = """@article{wu2024pmcllama,
  title   = {PMC-LLaMA: Toward Building Open-source Language Models for Medicine},
  author  = {Wu, Chaoyi and Lin, Weixiong and Zhang, Xiaoman and Zhang, Ya and Xie, Weidi and Wang, Yanfeng},
  journal = {Journal of the American Medical Informatics Association},
  year    = {2024},
  doi     = {10.1093/jamia/ocae045},
  note    = {arXiv:2304.14454 (2023), "PMC-LLaMA: Towards Building Open-source Language Models for Medicine"}
}"""
MEDC_BIBTEX = """@software{medc,
  title = {medc: an open toolkit to rebuild the PMC-LLaMA corpora MedC-K and MedC-I},
  note  = {version {version}}
}"""
DESCRIPTIONS = {
    "papers": "PubMed Central Open Access articles from JATS XML: title, abstract and body as clean text.",
    "books": "Medical textbooks, one record per chapter (or per book without an outline), from the PDF text.",
    "dialogue": "Doctor–patient conversations as instructions (single and multi-turn `messages`).",
    "rationale_qa": "Medical multiple-choice and yes/no questions: the answer, alone or with its rationale.",
    "umls_kg": "Prompts over the UMLS knowledge graph: concept descriptions and relations between concepts.",
}


@dataclass(frozen=True)
class CardContext:
    """Everything a section may use."""

    build: BuildFacts
    licences: LicenceFacts
    examples: dict[str, dict[str, Any]]  # one row per config, long strings cut
    title: str
    root: Path | None = None  # the build directory (None: a build read from the Hub)


Section = Callable[[CardContext], str]


def render_body(card: CardContext, sections: list[Section] | None = None) -> str:
    """The sections in order, blank-line separated; a section that returns "" is left out."""
    parts = [section(card).strip() for section in (SECTIONS if sections is None else sections)]
    return "\n\n".join(p for p in parts if p) + "\n"


def title_and_summary(card: CardContext) -> str:
    return f"# {card.title}\n\n{summary(card.build)}"


def summary(build: BuildFacts) -> str:
    kind = "MedC-K" if build.kind == "medc-k" else "MedC-I"
    what = (
        "the medical knowledge corpus used for continued pretraining"
        if kind == "MedC-K"
        else "the medical instruction-tuning corpus"
    )
    return (
        f"A rebuild of {kind}, {what} in PMC-LLaMA (Wu et al.), made with the open toolkit medc from the "
        f"inputs listed below: {build.num_rows:,} records in {len(build.configs)} config(s)."
    )


def description(card: CardContext) -> str:
    build = card.build
    rows = ["| config | split | records | shards | Parquet size | uncompressed |"]
    rows.append("|---|---|---:|---:|---:|---:|")
    for config in build.configs:
        for split in config.splits:
            rows.append(
                f"| `{config.name}` | {split.name} | {split.num_rows:,} | {len(split.shards)} | "
                f"{human_bytes(split.size)} | {human_bytes(split.num_bytes)} |"
            )
    what = [f"- `{c.name}`: {DESCRIPTIONS.get(c.name, 'records of this config.')}" for c in build.configs]
    first = build.configs[0].name if build.configs else "<config>"
    return (
        "## Dataset Description\n\n" + "\n".join(what) + "\n\n" + "\n".join(rows) + "\n\n"
        f'Load one config with `datasets.load_dataset("<repo id>", "{first}")`.'
    )


def sources_and_processing(card: CardContext) -> str:
    m = card.build.manifest
    parts = ["## Sources and processing"]
    inputs = m.get("inputs")
    if inputs:
        rows = [
            "| config | input | kind | files | ignored | size | sha256 |",
            "|---|---|---|---:|---:|---:|---|",
        ]
        for i in inputs:
            size, sha = human_bytes(i.get("size") or 0), str(i.get("sha256", ""))[:12]
            rows.append(
                f"| {i.get('config', '')} | `{i.get('path')}` | {i.get('kind', '')} | "
                f"{i.get('files', '')} | {i.get('ignored', '')} | {size} | `{sha}` |"
            )
        parts.append("\n".join(rows))
    else:
        parts.append("The manifest does not record the inputs of this build.")
    settings = m.get("settings")
    if settings:
        parts.append(
            "Settings the build ran with (parsing, cleaning, filters, dedup, splits):\n\n```json\n"
            + json.dumps(settings, indent=2, ensure_ascii=False, default=str)
            + "\n```"
        )
    parts.append(
        _counts_table(
            "### Removed, by reason",
            "reason",
            m.get("rejections"),
            "Every removed record is listed with its origin in `rejections.jsonl`.",
        )
    )
    parts.append(
        _counts_table(
            "### Duplicates removed",
            "kind",
            m.get("duplicates"),
            "Each removed duplicate and the record kept instead are in duplicates.jsonl.",
        )
    )
    parts.append(_counts_table("### Notices (kept, but worth knowing)", "notice", m.get("notices"), ""))
    parts.append(build_steps(m.get("extra") or {}))
    parts.append(decontamination_section(m.get("extra") or {}))
    return "\n\n".join(p for p in parts if p)


def build_steps(extra: dict[str, Any]) -> str:
    """What the finalizing steps reported in `manifest.extra`: records per instruction source through assembly
    (staged, duplicates, contaminated, capped, train, validation), dedup, decontamination, the UMLS release."""
    parts = []
    sources = (extra.get("instructions") or {}).get("sources")
    if isinstance(sources, dict) and sources:
        columns = sorted({k for counts in sources.values() if isinstance(counts, dict) for k in counts})
        rows = [
            f"| `{name}` | " + " | ".join(f"{counts.get(c, '')}" for c in columns) + " |"
            for name, counts in sources.items()
            if isinstance(counts, dict)
        ]
        header = "| source | " + " | ".join(columns) + " |\n|---|" + "---:|" * len(columns)
        parts.append("Records per instruction source through assembly:\n\n" + header + "\n" + "\n".join(rows))
    for name in ("dedup", "umls"):
        section = extra.get(name)
        if isinstance(section, dict):
            facts = [f"{k}: {_brief(v)}" for k, v in section.items() if _brief(v) is not None]
            parts.append(f"- {name}: " + "; ".join(facts))
    return "### Build steps\n\n" + "\n\n".join(parts) if parts else ""


def decontamination_section(extra: dict[str, Any]) -> str:
    """Which evaluation sets the build was decontaminated against and what that removed, per benchmark. Older
    manifests (item counts as one number, removals per source) render what they hold."""
    decon = extra.get("decontamination")
    if not isinstance(decon, dict):
        return ""
    items, removed = decon.get("eval_items"), decon.get("removed")
    items = items if isinstance(items, dict) else {"all benchmarks": items} if isinstance(items, int) else {}
    removed = removed if isinstance(removed, dict) else {}
    rows = [f"| {name} | {items.get(name, '')} | {removed.get(name, 0)} |" for name in sorted({*items, *removed})]
    files = ", ".join(f"`{f.get('path')}`" for f in decon.get("eval_files") or [] if isinstance(f, dict))
    methods = decon.get("removed_by_method")
    methods = ", ".join(f"{k} {v}" for k, v in methods.items()) if isinstance(methods, dict) and methods else "none"
    settings = decon.get("settings") if isinstance(decon.get("settings"), dict) else {}
    return (
        "### Decontamination\n\n"
        f"Records carrying an item of these evaluation files were removed: {files or 'not recorded'}.\n\n"
        "| benchmark | evaluation items | records removed |\n|---|---:|---:|\n" + "\n".join(rows) + "\n\n"
        f"By evidence: {methods}. Thresholds: {settings.get('ngram', '?')}-token windows, at least "
        f"{settings.get('min_overlap', '?')} of an item's windows; similarity {settings.get('similarity', '?')}. "
        "Each removal is a `contaminated` line of `rejections.jsonl` naming the benchmark, the item and the evidence."
    )


def _brief(value: Any) -> str | None:
    """A scalar as is, a flat mapping as `a 1, b 2`; nested structures are left to manifest.json."""
    if isinstance(value, (str, int, float, bool)):
        return str(value)
    if isinstance(value, dict) and all(isinstance(v, (str, int, float, bool)) for v in value.values()):
        return ", ".join(f"{k} {v}" for k, v in value.items()) or "none"
    return None


def _counts_table(title: str, key: str, counts: dict[str, int] | None, note: str) -> str:
    if counts is None:
        return f"{title}\n\nThe manifest does not record this."
    if not counts:
        return f"{title}\n\nNone."
    rows = "\n".join(f"| `{k}` | {v:,} |" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
    return f"{title}\n\n| {key} | records |\n|---|---:|\n{rows}\n\n{note}".rstrip()


def plots(card: CardContext) -> str:
    """The build's main plots (records, lengths, rejections, the MedC-I mix, ...) as PNGs in `plots/` beside the
    card, drawn by `medc.report.card_plots`; left out for a build read from the Hub (nothing to draw from)."""
    if card.root is None:
        return ""
    try:
        from medc.report.card_plots import write_card_plots
    except ImportError as exc:  # matplotlib missing from a trimmed install: the card goes on without plots
        log.warning("no plots in the card: %s", exc)
        return ""
    written = write_card_plots(card.root, card.build)
    if not written:
        return ""
    images = "\n\n".join(f"![{title}]({path})" for title, path in written)
    return (
        f"## Plots\n\n{images}\n\n"
        "`medc report <build dir>` writes a page with these and more: quality scores against their thresholds, "
        "rejected records and duplicate pairs with their text."
    )


def structure(card: CardContext) -> str:
    build, examples = card.build, card.examples
    parts = ["## Dataset Structure"]
    for config in build.configs:
        fields = "\n".join(f"| `{f.name}` | `{f.type}` |" for f in config.schema)
        parts.append(f"### `{config.name}`\n\n| field | type |\n|---|---|\n{fields}")
        if config.name in examples:
            example = json.dumps(examples[config.name], indent=2, ensure_ascii=False, default=str)
            parts.append(f"One record (long strings cut):\n\n```json\n{example}\n```")
    splits = sorted({s.name for c in build.configs for s in c.splits})
    parts.append(
        f"Splits: {', '.join(splits)}. Every record keeps its `origin` (input file and archive "
        "member), so it can be traced back to its source."
    )
    return "\n\n".join(parts)


def uses(card: CardContext) -> str:
    return (
        "## Uses\n\n### Direct Use\n\n"
        "Research on medical language models: continued pretraining (MedC-K) and instruction tuning "
        "(MedC-I) as described in PMC-LLaMA, ablations of data mixtures, and studies of the corpus.\n\n"
        "### Out-of-Scope Use\n\n"
        "Not for clinical decision making, diagnosis or treatment of patients: the text is literature, "
        "textbooks and public Q&A, not validated medical advice. Not for commercial use where a source's "
        "licence forbids it (see Licences). Not for re-identifying people in case reports or dialogues."
    )


def licensing(card: CardContext) -> str:
    licences = card.licences
    parts = ["## Licences and redistribution"]
    if licences.pmc:
        rows = "\n".join(
            f"| {code} | {n:,} | {'yes' if is_non_commercial(code) else ''} |" for code, n in licences.pmc.items()
        )
        parts.append(
            "PMC articles by licence (per-article licence in `meta.license`; PMC codes carry no "
            f"version, which varies per article; see {PMC_LICENCE_PAGE}):\n\n"
            f"| licence | articles | non-commercial |\n|---|---:|---|\n{rows}"
        )
    if licences.has_umls:
        if licences.umls_sabs:
            rows = "\n".join(
                f"| {sab} | {srl} | {SRL_MEANING.get(srl, 'unknown level')} | {licences.umls_records.get(sab, '')} |"
                for sab, srl in sorted(licences.umls_sabs.items())
            )
            parts.append(
                "UMLS sources used (SAB, restriction level from MRSAB `SRL`):\n\n"
                f"| SAB | level | restriction | records |\n|---|---:|---|---:|\n{rows}"
            )
        else:
            parts.append("The manifest does not record which UMLS sources were used.")
        parts.append(
            f"UMLS content is licensed by the NLM ({UMLS_LICENCE_PAGE}): whoever receives UMLS-derived records "
            "needs a UMLS licence of their own, whatever the sources' restriction levels; sources above level 0 "
            "add terms of their own."
        )
    if licences.instruction_sources:
        rows = "\n".join(f"| `{s}` | {n:,} |" for s, n in licences.instruction_sources.items())
        parts.append(f"Records by instruction source:\n\n| source | records |\n|---|---:|\n{rows}")
    if licences.restrictions:
        parts.append(
            "**Restrictions found by medc** (`medc push` refuses a public, ungated repo unless allowed):\n\n"
            + "\n".join(f"- {r}" for r in licences.restrictions)
        )
    else:
        parts.append(
            "medc found no content whose licence restricts redistribution (non-commercial or unlicensed PMC "
            "articles, UMLS-derived records, ChatDoctor dialogues)."
        )
    parts += [f"- {n}" for n in licences.notes]
    return "\n\n".join(parts)


def limitations(card: CardContext) -> str:
    return (
        "## Bias, Risks, and Limitations\n\n"
        "- The literature over-represents English-language, high-income-country research and recent years; "
        "the open-access subset is not a random sample of medicine.\n"
        "- Text extraction is imperfect: tables, formulas and figures are reduced or dropped, and PDF "
        "textbooks can carry layout noise; pages without a text layer are not OCR'd (counted as notices).\n"
        "- Quality filters and near-duplicate removal are heuristics with the thresholds listed above; they "
        "remove some good text and keep some bad text.\n"
        "- Dialogues and Q&A come from public websites and exam banks; answers can be wrong or outdated, and "
        "evaluation sets may overlap training data unless decontamination was enabled (see settings).\n"
        "- This rebuild follows the PMC-LLaMA paper's description; it is not the authors' original corpus."
    )


def citation(card: CardContext) -> str:
    version = card.build.manifest.get("medc_version", "unknown")
    return (
        "## Citation\n\nThe corpus design is PMC-LLaMA's:\n\n```bibtex\n" + PMC_LLAMA_BIBTEX + "\n```\n\n"
        "This rebuild was made with medc:\n\n```bibtex\n" + MEDC_BIBTEX.replace("{version}", str(version)) + "\n```"
    )


def provenance(card: CardContext) -> str:
    build = card.build
    m = build.manifest
    if not m:
        return "## How this build was made\n\nThe build has no manifest.json, so its provenance is unknown."
    command = build.command or "not recorded"
    versions = ", ".join(f"{k} {v}" for k, v in (m.get("versions") or {}).items()) or "not recorded"
    return (
        f"## How this build was made\n\n```\n{command}\n```\n\n"
        f"- medc version: {m.get('medc_version', 'not recorded')}\n"
        f"- created: {m.get('created', 'not recorded')}\n"
        f"- wall time: {m.get('wall_seconds', '?')} s\n"
        f"- libraries: {versions}\n\n"
        "`manifest.json` beside this card holds every count above and the full settings."
    )


SECTIONS: list[Section] = [
    title_and_summary,
    description,
    sources_and_processing,
    plots,
    structure,
    uses,
    licensing,
    limitations,
    citation,
    provenance,
]
