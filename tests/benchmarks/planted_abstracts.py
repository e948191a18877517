"""PubMedQA items made from the abstracts of real JATS articles, for measuring MedC-K decontamination.

    >>> eval_file, planted = plant_pubmedqa_items(Path("jats/"), Path("base-build/"), Path("eval/"), per_kind=5)
    >>> planted
    {'pmc_PMC13179431.xml': 'pmid', 'pmc_PMC2386533.xml': 'text', ...}

The abstract is read here with lxml, independently of medc's parser: its sections, without the conclusions
(PubMedQA's CONTEXTS leave them out), become an item's contexts. `per_kind` articles that have a PMID are keyed by
it; `per_kind` others by a made-up PMID, so only their text can find them. Only articles that a build without
decontamination kept are used (`base-build/`), and generated items fill the file to PubMedQA's 1,000.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from lxml import etree

from tests.benchmarks.synthetic_eval_sets import EvalSetGenerator


def abstract_sections(path: Path) -> tuple[str | None, list[str]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True)
    root = etree.parse(str(path), parser).getroot()
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]
    pmid = next((_text(e) for e in root.iter("article-id") if e.get("pub-id-type") == "pmid"), None)
    abstract = next((a for a in root.iter("abstract") if a.get("abstract-type") in (None, "structured")), None)
    if abstract is None:
        return pmid, []
    sections = []
    for sec in abstract.findall("sec") or [abstract]:
        title = (sec.findtext("title") or "").lower()
        if "conclu" not in title and "interpretation" not in title:
            sections += [t for t in (_text(p) for p in sec.iter("p")) if t]
    return pmid, sections


def plant_pubmedqa_items(jats: Path, base: Path, out: Path, per_kind: int) -> tuple[Path, dict[str, str]]:
    shards = sorted((base / "data").rglob("*.parquet"))
    kept = {origin.rsplit("/", 1)[-1] for p in shards for origin in pq.read_table(p).column("origin").to_pylist()}
    usable = {}
    for path in sorted(jats.glob("*.xml")):
        pmid, sections = abstract_sections(path)
        if path.name in kept and sum(len(s.split()) for s in sections) >= 40:
            usable[path.name] = (pmid, sections)
    by_pmid = [n for n, (pmid, _) in usable.items() if pmid][:per_kind]
    by_text = [n for n in usable if n not in by_pmid][:per_kind]
    items = {}
    for n in by_pmid:
        items[usable[n][0]] = _item(usable[n][1], "yes")
    for k, n in enumerate(by_text):
        items[str(39_000_000 + k)] = _item(usable[n][1], "no")
    gen = EvalSetGenerator(1)
    for k in range(1000 - len(items)):
        items[str(20_000_000 + k)] = gen.pubmedqa_item()
    out.mkdir(parents=True, exist_ok=True)
    (out / "ori_pqal.json").write_text(json.dumps(items, indent=1), encoding="utf-8")
    planted = {n: "pmid" for n in by_pmid} | {n: "text" for n in by_text}
    return out / "ori_pqal.json", planted


def _item(contexts: list[str], decision: str) -> dict:
    return {"QUESTION": "Does this study support its hypothesis?", "CONTEXTS": contexts, "final_decision": decision}


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split())
