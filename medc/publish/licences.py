"""Licence facts of a build, and which of them forbid publishing it openly.

    >>> facts = licence_facts(read_build("demo-output/medc-i"), Path("demo-output/medc-i"))
    >>> [str(r) for r in facts.restrictions]
    ['UMLS Metathesaurus: 20 records derived from UMLS sources MED-RT (level 0), MSH (level 0); ...',
     'ChatDoctor dialogues: 3 records (chatdoctor_sample: 3); released for non-commercial research only']

Where the facts come from:
- PMC articles: `meta.license` of the `papers` config, counted from that one Parquet column (the card is
  written once per build; one short column is cheap), or `manifest.extra["licenses"]` if a build recorded it.
- UMLS: the MedC-I build records the sources it used (`manifest.extra["umls"]["sabs_used"]`) and their
  restriction levels (`sabs_allowed[SAB]["srl"]`, MRSAB `SRL`). A `umls_kg` config with no such record is
  still UMLS content, of unknown sources.
- Instruction sources: the `source` column of MedC-I configs (or, without the files, the per-source counts the
  assembly recorded in `manifest.extra["instructions"]["sources"]`).

A restriction is a reason why the content may not be redistributed openly:
- PMC articles under a non-commercial licence, or under none;
- UMLS-derived records at any restriction level: the UMLS licence binds every recipient, so each one needs their
  own (level 0 only frees the content from the *extra* per-source terms); sources above level 0 add their own;
- ChatDoctor's dialogues (HealthCareMagic-100k, iCliniq, GenMedGPT-5k), released for non-commercial research.
`medc push` refuses a public, ungated repo while there are any (`medc/publish/guard.py`).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from medc.publish.facts import INSTRUCTION_CONFIGS, BuildFacts

log = logging.getLogger(__name__)

PMC_LICENCE_PAGE = "https://pmc.ncbi.nlm.nih.gov/tools/openftlist/"
UMLS_LICENCE_PAGE = "https://uts.nlm.nih.gov/uts/assets/LicenseAgreement.pdf"
CHATDOCTOR_PAGE = "https://github.com/Kent0n-Li/ChatDoctor"

# PMC licence codes (FORMATS.md §1) → Hub licence ids. PMC codes carry no version; 4.0 is the Hub's id for the
# family, and the card says the version varies per article.
HUB_LICENCE_IDS = {
    "CC0": "cc0-1.0",
    "CC BY": "cc-by-4.0",
    "CC BY-SA": "cc-by-sa-4.0",
    "CC BY-ND": "cc-by-nd-4.0",
    "CC BY-NC": "cc-by-nc-4.0",
    "CC BY-NC-SA": "cc-by-nc-sa-4.0",
    "CC BY-NC-ND": "cc-by-nc-nd-4.0",
}
UNKNOWN = "unknown"
SRL_MEANING = {
    0: "no additional restrictions",
    1: "no translation or derivative works of the single source",
    2: "level 1 plus no operational record-creating use",
    3: "internal research use only; no publishing or derivative works",
    4: "US-only use; distribution only with other UMLS content",
    9: "SNOMED CT affiliate licence",
}
# ChatDoctor's dialogue releases, by a part of the `source` name medc gives them (builders/dialogues.py names a
# source after its file: `HealthCareMagic-100k.json` → `healthcaremagic`, `chatdoctor_sample.json` → itself).
CHATDOCTOR_SOURCES = {
    "healthcaremagic": "HealthCareMagic-100k",
    "icliniq": "iCliniq",
    "genmedgpt": "GenMedGPT-5k",
    "chatdoctor": "ChatDoctor",
}
_CC_URL = re.compile(r"creativecommons\.org/(?:licenses/(?P<kind>[a-z-]+)|publicdomain/(?P<pd>zero|mark))")


@dataclass(frozen=True, slots=True)
class Restriction:
    """Content a public, ungated repo may not carry: who it comes from, what of it the build holds, and what a
    user must hold or agree to (the gated repo's prompt asks for exactly that)."""

    source: str  # "UMLS Metathesaurus", "ChatDoctor dialogues", ...
    detail: str  # what the build holds, with counts
    terms: str  # what each user must hold or agree to, in the first person (a gated repo's checkbox)

    def __str__(self) -> str:
        return f"{self.source}: {self.detail}"


@dataclass(slots=True)
class LicenceFacts:
    pmc: dict[str, int] = field(default_factory=dict)  # normalised PMC licence code → articles
    umls_sabs: dict[str, int] | None = None  # SAB → SRL; None: UMLS content, but no SABs recorded
    umls_records: dict[str, int] = field(default_factory=dict)  # SAB → records built from it, when recorded
    has_umls: bool = False
    has_books: bool = False
    instruction_sources: dict[str, int] = field(default_factory=dict)  # Instruction.source → records
    restrictions: list[Restriction] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def restricted(self) -> bool:
        return bool(self.restrictions)


def normalize_pmc_licence(code: str | None) -> str:
    """`cc_by-nc`, `CC-BY-NC`, `creativecommons.org/licenses/by-nc/4.0` → `CC BY-NC`; none → `unknown`."""
    if not code or not code.strip():
        return UNKNOWN
    text = code.strip()
    url = _CC_URL.search(text.lower())
    if url:
        return "CC0" if url["pd"] else "CC " + url["kind"].upper()
    upper = re.sub(r"[\s_]+", " ", text.upper()).replace("CC-", "CC ")
    upper = re.sub(r"^CC ?BY", "CC BY", upper)
    return upper if upper in HUB_LICENCE_IDS or upper.startswith("CC ") else text


def is_non_commercial(code: str) -> bool:
    return code.startswith("CC ") and "NC" in code.split(" ", 1)[1].split("-")


def hub_licence_id(code: str) -> str:
    return UNKNOWN if code == UNKNOWN else HUB_LICENCE_IDS.get(code, "other")


def chatdoctor_release(source: str) -> str | None:
    """The ChatDoctor release an instruction `source` comes from (`healthcaremagic` → `HealthCareMagic-100k`)."""
    folded = re.sub(r"[^a-z]", "", source.lower())
    return next((name for key, name in CHATDOCTOR_SOURCES.items() if key in folded), None)


def licence_facts(build: BuildFacts, root: Path | None = None) -> LicenceFacts:
    """Licence facts of `build`; `root` is the local directory to count columns in (None: manifest only)."""
    extra = build.manifest.get("extra") or {}
    facts = LicenceFacts(has_books=build.config("books") is not None)
    papers = build.config("papers")
    if isinstance(extra.get("licenses"), dict):
        facts.pmc = {normalize_pmc_licence(k): int(v) for k, v in extra["licenses"].items()}
    elif papers is not None and root is not None:
        facts.pmc = _count_column(root, [s.path for sp in papers.splits for s in sp.shards], "meta.license")
        facts.pmc = _merge({normalize_pmc_licence(k): n for k, n in facts.pmc.items()})
    facts.instruction_sources = _instruction_sources(build, root, extra)
    facts.has_umls = build.config("umls_kg") is not None or "umls" in extra
    facts.umls_sabs = umls_sources(extra)
    used = (extra.get("umls") or {}).get("sabs_used") if isinstance(extra.get("umls"), dict) else None
    facts.umls_records = {str(k): int(v) for k, v in used.items()} if isinstance(used, dict) else {}
    facts.restrictions = _pmc_restrictions(facts) + _umls_restrictions(facts) + _dialogue_restrictions(facts)
    facts.notes = _notes(facts)
    return facts


def _instruction_sources(build: BuildFacts, root: Path | None, extra: dict[str, Any]) -> dict[str, int]:
    configs = [c for c in build.configs if c.name in INSTRUCTION_CONFIGS]
    if root is not None:
        shards = [s.path for c in configs for sp in c.splits for s in sp.shards]
        return _count_column(root, shards, "source") if shards else {}
    recorded = (extra.get("instructions") or {}).get("sources") if isinstance(extra.get("instructions"), dict) else None
    if not configs or not isinstance(recorded, dict):
        return {}
    kept = {
        s: sum(int(c.get(k) or 0) for k in ("train", "validation")) for s, c in recorded.items() if isinstance(c, dict)
    }
    return _merge({s: n for s, n in kept.items() if n})


def umls_sources(extra: dict[str, Any]) -> dict[str, int] | None:
    """SAB → SRL of the UMLS sources a MedC-I build used, as `builders/umls/release.py` and the assembly record
    them: `extra["umls"]["sabs_used"]` ({SAB: records}) with levels from `extra["umls"]["sabs_allowed"]`
    ({SAB: {"srl": 0, ...}}); a plain {SAB: SRL} under `sabs` is read too. None when nothing is recorded."""
    section = extra.get("umls")
    if not isinstance(section, dict):
        return None
    if isinstance(section.get("sabs"), dict):
        return {str(k): _srl(v) for k, v in section["sabs"].items()}
    allowed = section.get("sabs_allowed") if isinstance(section.get("sabs_allowed"), dict) else {}
    used = section.get("sabs_used") if isinstance(section.get("sabs_used"), dict) else allowed
    if not used:
        return None
    return {str(sab): _srl((allowed.get(sab) or {}).get("srl")) for sab in used}


def _srl(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 9  # an unreadable level is treated as the most restrictive one we know


def _pmc_restrictions(facts: LicenceFacts) -> list[Restriction]:
    out = []
    nc = {k: n for k, n in facts.pmc.items() if is_non_commercial(k)}
    if nc:
        out.append(
            Restriction(
                "PMC articles under non-commercial licences",
                f"{sum(nc.values())} PMC articles carry a non-commercial licence ({_counts(nc)})",
                f"I will use the PMC articles under {', '.join(sorted(nc))} for non-commercial purposes only",
            )
        )
    unlicensed = {k: n for k, n in facts.pmc.items() if not k.startswith("CC")}
    if unlicensed:
        out.append(
            Restriction(
                "PMC articles without an open licence",
                f"{sum(unlicensed.values())} PMC articles carry no Creative Commons licence "
                f"({_counts(unlicensed)}); PMC asks to redistribute only articles licensed for it",
                "I have the rights to the PMC articles without an open licence (see each article's own terms)",
            )
        )
    return out


def _umls_restrictions(facts: LicenceFacts) -> list[Restriction]:
    if not facts.has_umls:
        return []
    terms = f"I hold my own UMLS Metathesaurus License (a UTS account; {UMLS_LICENCE_PAGE})"
    if facts.umls_sabs is None:
        held = "the build holds UMLS content, but the manifest does not record its sources (SABs)"
    else:
        levels = ", ".join(f"{sab} (level {srl})" for sab, srl in sorted(facts.umls_sabs.items()))
        records = sum(facts.umls_records.values())
        held = f"{records or 'an unrecorded number of'} records derived from UMLS sources {levels or 'none recorded'}"
    out = [
        Restriction(
            "UMLS Metathesaurus",
            f"{held}; redistributing UMLS content at any restriction level requires each recipient's own UMLS licence",
            terms,
        )
    ]
    above = {sab: srl for sab, srl in sorted((facts.umls_sabs or {}).items()) if srl != 0}
    if above:
        listed = ", ".join(f"{sab} (level {srl})" for sab, srl in above.items())
        out.append(
            Restriction(
                "UMLS sources above restriction level 0",
                f"UMLS sources with restriction level above 0: {listed}",
                f"I hold the additional licences of {', '.join(above)} (e.g. a SNOMED CT affiliate licence)",
            )
        )
    return out


def _dialogue_restrictions(facts: LicenceFacts) -> list[Restriction]:
    found = {s: n for s, n in facts.instruction_sources.items() if chatdoctor_release(s)}
    if not found:
        return []
    releases = sorted({chatdoctor_release(s) or "" for s in found} - {"ChatDoctor"})  # named once, below
    return [
        Restriction(
            "ChatDoctor dialogues",
            f"{sum(found.values())} records ({_counts(found)}), ChatDoctor data"
            + (f" ({', '.join(releases)})" if releases else "")
            + f" released for non-commercial research only ({CHATDOCTOR_PAGE})",
            "I will use the ChatDoctor dialogues (HealthCareMagic-100k, iCliniq, GenMedGPT-5k) for non-commercial "
            "research only",
        )
    ]


def _notes(facts: LicenceFacts) -> list[str]:
    notes = []
    if facts.has_books:
        notes.append("Textbook licences are unknown to medc: publish the books config only with the rights.")
    others = [s for s in facts.instruction_sources if not chatdoctor_release(s) and not s.startswith("umls")]
    if others:
        notes.append(
            f"Other instruction sources keep their own terms ({', '.join(others)}; e.g. MedDialog's licence is "
            "unknown): check each before commercial use."
        )
    return notes


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}: {n}" for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _merge(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _count_column(root: Path, paths: list[str], column: str) -> dict[str, int]:
    """Value counts of one (possibly nested, `meta.license`) column over shards; reads that column only."""
    counts: Counter[str] = Counter()
    for rel in paths:
        try:
            # ParquetFile.read: 5x faster here than pq.read_table (no dataset layer); a nested column
            # comes back inside its struct (`meta: struct<license>`).
            column_data = pq.ParquetFile(root / rel).read(columns=[column]).column(0)
        except (OSError, KeyError, ValueError, pa.ArrowException) as err:
            log.warning("cannot read column %s of %s: %s", column, rel, err)
            continue
        for name in column.split(".")[1:]:
            column_data = pc.struct_field(column_data, name)
        counts[UNKNOWN] += column_data.null_count
        for item in pc.value_counts(column_data.drop_null()).to_pylist():  # vectorised: 5M rows in a second
            counts[item["values"]] += item["counts"]
    counts = Counter({k: n for k, n in counts.items() if n})
    return _merge(dict(counts))
