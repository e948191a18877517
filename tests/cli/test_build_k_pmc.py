"""`medc build-k --pmc` on a Cloud Service mirror without a file list, end to end, and `medc explain` on it.

The mirror stands for the layout of FORMATS.md §1.1 (`PMCxxx.N/PMCxxx.N.{xml,json,txt}`): two versions of one
article, and a retracted article whose XML does not say so (only its JSON does)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner

from medc.cli import main

ARTICLE = """<?xml version="1.0" encoding="UTF-8"?>
<article xmlns="https://jats.nlm.nih.gov/ns/archiving/1.4/" article-type="research-article" dtd-version="1.4">
<front><article-meta><article-id pub-id-type="pmcid">{pmcid}</article-id>
<title-group><article-title>{title}</article-title></title-group></article-meta></front>
<body><sec><title>Results</title><p>{text}</p></sec>
<sec><title>Funding</title><p>The Foundation funded version {version}.</p></sec></body>
<back><ref-list><ref><mixed-citation>A cited article of version {version}.</mixed-citation></ref></ref-list></back>
</article>"""
SENTENCE = "Weight loss after surgery changed the gut microbiota of most patients within six months."


def _version(mirror: Path, pmcid: str, version: int, retracted: bool = False) -> None:
    folder = mirror / f"{pmcid}.{version}"
    folder.mkdir(parents=True)
    text = " ".join([SENTENCE] * 5) + f" Stable [{version}]."  # over the 50 words of the quality filter
    xml = ARTICLE.format(pmcid=pmcid, title=f"Microbiota, {pmcid} v{version}", text=text, version=version)
    (folder / f"{pmcid}.{version}.xml").write_text(xml)
    (folder / f"{pmcid}.{version}.txt").write_text(text)
    meta = {"pmcid": pmcid, "version": version, "license_code": "CC BY-NC", "is_retracted": retracted}
    meta |= {"is_manuscript": version == 1, "is_historical_ocr": False, "pmid": None, "doi": None}
    (folder / f"{pmcid}.{version}.json").write_text(json.dumps(meta))


def test_cloud_service_mirror_without_file_list(tmp_path: Path) -> None:
    mirror, out = tmp_path / "mirror", tmp_path / "out"
    _version(mirror, "PMC10009416", 1)
    _version(mirror, "PMC10009416", 2)
    _version(mirror, "PMC10009417", 1, retracted=True)
    result = CliRunner().invoke(main, ["build-k", "--pmc", str(mirror), "--out", str(out), "--workers", "0"])
    assert result.exit_code == 0, result.output

    rows = pq.read_table(out / "data" / "papers").to_pylist()
    assert [(r["id"], r["meta"]["version"], r["meta"]["license"], r["meta"]["manuscript"]) for r in rows] == [
        ("pmc:PMC10009416", 2, "CC BY-NC", False)  # one document per article: the newest version
    ]
    (version_line,) = [json.loads(line) for line in (out / "duplicates.jsonl").read_text().splitlines()]
    assert version_line["kind"] == "version" and version_line["removed_version"] == 1
    assert version_line["removed_origin"].endswith("PMC10009416.1/PMC10009416.1.xml")
    assert version_line["kept_origin"].endswith("PMC10009416.2/PMC10009416.2.xml")
    (rejection,) = [json.loads(line) for line in (out / "rejections.jsonl").read_text().splitlines()]
    assert rejection["reason"] == "retracted" and rejection["origin"].endswith("PMC10009417.1.xml")
    assert "PMC10009417.1.json" in rejection["detail"]

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["duplicates"] == {"version": 1}
    assert manifest["removed"]["pmc.section.funding"]["count"] == 2  # both staged versions lost their Funding
    assert manifest["removed"]["pmc.citation_marker"]["count"] == 2
    assert manifest["notices"]["section_dropped"] == 2

    explained = CliRunner().invoke(main, ["explain", str(out), "pmc:PMC10009416"])
    assert explained.exit_code == 0, explained.output
    assert "PMC10009416.2/PMC10009416.2.xml" in explained.output
    assert 'pmc.section.funding  "Funding The Foundation funded version 2."' in explained.output
    assert 'pmc.back_matter  "A cited article of version 2."' in explained.output
    assert 'pmc.citation_marker  "[2]"' in explained.output
    only = CliRunner().invoke(main, ["explain", str(out), "pmc:PMC10009416", "--rule", "pmc.section"])
    assert "pmc.section.funding" in only.output and "pmc.citation_marker" not in only.output
    missing = CliRunner().invoke(main, ["explain", str(out), "pmc:PMC1"])
    assert missing.exit_code != 0 and "no document 'pmc:PMC1'" in missing.output
