"""Licence facts of a build, and whether they forbid publishing it in a public repository.

    >>> facts = licence_facts(read_build("out/"))
    >>> facts.pmc
    {'CC BY': 812, 'CC BY-NC': 188}
    >>> facts.restrictions
    ['188 PMC articles carry a non-commercial licence (CC BY-NC: 188)']

Where the facts come from:
- PMC articles: `meta.license` of the `papers` config, counted from that one Parquet column (the card is
  written once per build; one short column is cheap), or `manifest.extra["licenses"]` if a build recorded it.
- UMLS: the MedC-I build records the sources it used (`manifest.extra["umls"]["sabs_used"]`) and their
  restriction levels (`sabs_allowed[SAB]["srl"]`, MRSAB `SRL`). A `umls_kg` config with no such record is
  treated as restricted: nobody can tell it is level 0 only.
- Instruction sources: the `source` column of MedC-I configs, counted the same way (for the card).

A restriction is a reason why the content may not be redistributed openly: PMC articles under a non-commercial
licence or none, UMLS sources with restriction level above 0 (FORMATS.md §4: only level 0 sources may go
into a published derived dataset). `medc push` refuses a public repo while there are any, unless told to.
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

from medc.build_facts import INSTRUCTION_CONFIGS, BuildFacts

log = logging.getLogger(__name__)

PMC_LICENCE_PAGE = "https://pmc.ncbi.nlm.nih.gov/tools/openftlist/"
UMLS_LICENCE_PAGE = "https://uts.nlm.nih.gov/uts/assets/LicenseAgreement.pdf"

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
_CC_URL = re.compile(r"creativecommons\.org/(?:licenses/(?P<kind>[a-z-]+)|publicdomain/(?P<pd>zero|mark))")


@dataclass(slots=True)
class LicenceFacts:
    pmc: dict[str, int] = field(default_factory=dict)  # normalised PMC licence code → articles
    umls_sabs: dict[str, int] | None = None  # SAB → SRL; None: UMLS content, but no SABs recorded
    umls_records: dict[str, int] = field(default_factory=dict)  # SAB → records built from it, when recorded
    has_umls: bool = False
    has_books: bool = False
    instruction_sources: dict[str, int] = field(default_factory=dict)  # Instruction.source → records
    restrictions: list[str] = field(default_factory=list)
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
    if root is not None:
        configs = [c for c in build.configs if c.name in INSTRUCTION_CONFIGS]
        shards = [s.path for c in configs for sp in c.splits for s in sp.shards]
        facts.instruction_sources = _count_column(root, shards, "source") if shards else {}
    facts.has_umls = build.config("umls_kg") is not None or "umls" in extra
    facts.umls_sabs = umls_sources(extra)
    used = (extra.get("umls") or {}).get("sabs_used") if isinstance(extra.get("umls"), dict) else None
    facts.umls_records = {str(k): int(v) for k, v in used.items()} if isinstance(used, dict) else {}
    facts.restrictions = _restrictions(facts)
    facts.notes = _notes(facts)
    return facts


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


def _restrictions(facts: LicenceFacts) -> list[str]:
    out = []
    nc = {k: n for k, n in facts.pmc.items() if is_non_commercial(k)}
    if nc:
        out.append(f"{sum(nc.values())} PMC articles carry a non-commercial licence ({_counts(nc)})")
    unlicensed = {k: n for k, n in facts.pmc.items() if not k.startswith("CC")}
    if unlicensed:
        out.append(
            f"{sum(unlicensed.values())} PMC articles carry no Creative Commons licence "
            f"({_counts(unlicensed)}); PMC asks to redistribute only articles licensed for it"
        )
    if facts.has_umls and facts.umls_sabs is None:
        out.append("the build holds UMLS content, but the manifest does not record its sources (SABs)")
    elif facts.umls_sabs:
        above = {sab: srl for sab, srl in sorted(facts.umls_sabs.items()) if srl != 0}
        if above:
            listed = ", ".join(f"{sab} (level {srl})" for sab, srl in above.items())
            out.append(f"UMLS sources with restriction level above 0: {listed}")
    return out


def _notes(facts: LicenceFacts) -> list[str]:
    notes = []
    if facts.has_books:
        notes.append("Textbook licences are unknown to medc: publish the books config only with the rights.")
    if facts.has_umls:
        notes.append("UMLS-derived records stay under the UMLS Metathesaurus License Agreement (users need a licence).")
    if facts.instruction_sources:
        notes.append(
            "Instruction sources keep their own terms (e.g. ChatDoctor data is research-only and "
            "non-commercial; MedDialog's licence is unknown): check each before commercial use."
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
