"""PMC inputs end to end through the shared walker: a local mirror of the Cloud Service layout, a legacy bulk
baseline package with its file list, and a per-article `oa_package` tarball."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

from builders.pmc import PmcOptions, accepts, load_filelists, parse, sidecars, with_filelists
from medc.records import Document, Notice, Rejection
from medc.sources import InputWalker, read_units

FIXTURES = Path(__file__).parents[2] / "fixtures" / "pmc"
CLOUD_ARTICLE = """<?xml version="1.0" encoding="UTF-8"?>
<article xmlns="https://jats.nlm.nih.gov/ns/archiving/1.4/" xmlns:xlink="http://www.w3.org/1999/xlink"
    article-type="research-article" dtd-version="1.4"><front><article-meta>
  <article-id pub-id-type="pmcid">PMC10009416</article-id>
  <article-id pub-id-type="pmcid-ver">PMC10009416.{version}</article-id>
  <title-group><article-title>Gut microbiota after bariatric surgery</article-title></title-group>
</article-meta></front><body><p>{text}</p></body></article>
"""


def build(inputs: list[str], options: PmcOptions) -> list[Document | Rejection]:
    walker = InputWalker(inputs, accepts)
    out = []
    for _, unit, _ in read_units(list(walker), walker.max_unit_bytes):
        out.extend(r for r in parse(unit, options) if isinstance(r, (Document, Rejection)))
    return out


def test_cloud_service_mirror(tmp_path: Path) -> None:
    mirror = tmp_path / "pmc-oa-opendata"
    for version, text in ((1, "Author manuscript text."), (2, "Published text.")):
        folder = mirror / f"PMC10009416.{version}"
        folder.mkdir(parents=True)
        (folder / f"PMC10009416.{version}.xml").write_text(CLOUD_ARTICLE.format(version=version, text=text))
        (folder / f"PMC10009416.{version}.txt").write_text(text)
        (folder / f"PMC10009416.{version}.pdf").write_bytes(b"%PDF-1.7")
        (folder / f"PMC10009416.{version}.json").write_text(
            json.dumps({"pmcid": "PMC10009416", "version": version, "license_code": "CC BY", "is_retracted": False})
        )
        (folder / "fig-g001.jpg").write_bytes(b"\xff\xd8")
    walker = InputWalker([str(mirror)], accepts)
    assert [u.origin.removeprefix(mirror.name) for u in walker] == [
        "/PMC10009416.1/PMC10009416.1.xml",
        "/PMC10009416.2/PMC10009416.2.xml",
    ]
    assert walker.stats[0].ignored == 8  # .txt, .json, .pdf and media are left alone

    without_list = build([str(mirror)], PmcOptions())
    assert [d.text for d in without_list] == [  # type: ignore[union-attr]
        "Gut microbiota after bariatric surgery\n\nAuthor manuscript text.",
        "Gut microbiota after bariatric surgery\n\nPublished text.",
    ]
    # With the versions' metadata JSON as the file list, only the latest version is kept.
    first, second = build([str(mirror)], with_filelists(PmcOptions(), load_filelists([str(mirror)])))
    assert isinstance(first, Rejection) and first.reason == "superseded_version"
    assert isinstance(second, Document) and second.meta.license == "CC BY"  # type: ignore[union-attr]


def _tar(path: Path, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_bulk_baseline_package_with_its_file_list(tmp_path: Path) -> None:
    package = tmp_path / "oa_comm_xml.PMC009xxxxxx.baseline.2025-06-18.tar.gz"
    _tar(
        package,
        {
            "PMC009xxxxxx/PMC9100001.xml": (FIXTURES / "research_article.nxml").read_bytes(),
            "PMC009xxxxxx/PMC9200002.xml": (FIXTURES / "math_formulas.xml").read_bytes(),
            "PMC009xxxxxx/PMC9300003.xml": (FIXTURES / "oai_getrecord.xml").read_bytes(),
        },
    )
    filelist = tmp_path / "oa_comm_xml.PMC009xxxxxx.baseline.2025-06-18.filelist.csv"
    filelist.write_text(
        "Article File,Article Citation,AccessionID,LastUpdated (YYYY-MM-DD HH:MM:SS),PMID,License,Retracted\n"
        "PMC009xxxxxx/PMC9100001.xml,c,PMC9100001,2025-06-01 00:00:00,35550001,CC BY,no\n"
        "PMC009xxxxxx/PMC9200002.xml,c,PMC9200002,2025-06-01 00:00:00,,CC BY,yes\n"
        "PMC009xxxxxx/PMC9300003.xml,c,PMC9300003,2025-06-01 00:00:00,37770003,CC BY-NC-ND,no\n"
    )
    options = with_filelists(PmcOptions(license_groups=["commercial"]), load_filelists([str(filelist)]))
    found = build([str(package)], options)
    assert [r.id if isinstance(r, Document) else r.reason for r in found] == [
        "pmc:PMC9100001",
        "retracted",
        "license_excluded",
    ]
    assert found[0].origin == f"{package.name}::PMC009xxxxxx/PMC9100001.xml"


def test_oa_package_tarball(tmp_path: Path) -> None:
    package = tmp_path / "oa_package" / "3f" / "a1" / "PMC8600031.tar.gz"
    package.parent.mkdir(parents=True)
    _tar(
        package,
        {
            "PMC8600031/sleep-delirium.nxml": (FIXTURES / "sub_articles.nxml").read_bytes(),
            "PMC8600031/sleep-delirium.pdf": b"%PDF-1.4",
            "PMC8600031/sleep-delirium-g001.jpg": b"\xff\xd8",
        },
    )
    (doc,) = build([str(tmp_path / "oa_package")], PmcOptions())
    assert isinstance(doc, Document) and doc.id == "pmc:PMC8600031"


def test_sidecars_name_the_cloud_service_json() -> None:
    assert sidecars("PMC10009416.2.xml") == ["PMC10009416.2.json"]
    assert sidecars("PMC10009416.nxml") == ["PMC10009416.json"]
    assert sidecars("article.xml") == []


def walk_with_sidecars(root: Path) -> list:
    walker = InputWalker([str(root)], accepts, sidecars=sidecars)
    return [unit for _, unit, _ in read_units(list(walker), walker.max_unit_bytes, sidecars)]


def test_cloud_service_json_travels_with_its_article(tmp_path: Path) -> None:
    # Stands for the Cloud Service layout (FORMATS.md §1.1): the JSON decides licence, retraction, flags.
    folder = tmp_path / "PMC10009416.1"
    folder.mkdir()
    (folder / "PMC10009416.1.xml").write_text(CLOUD_ARTICLE.format(version=1, text="Manuscript text."))
    meta = {"pmcid": "PMC10009416", "version": 1, "license_code": "CC BY-NC", "is_retracted": False}
    (folder / "PMC10009416.1.json").write_text(json.dumps(meta | {"is_manuscript": True, "is_historical_ocr": True}))
    (unit,) = walk_with_sidecars(tmp_path)
    assert set(unit.sidecars) == {"PMC10009416.1.json"}
    (doc,) = parse(unit, PmcOptions())
    assert isinstance(doc, Document)
    assert (doc.meta.license, doc.meta.version, doc.meta.manuscript, doc.meta.historical_ocr) == (  # type: ignore[union-attr]
        "CC BY-NC",
        1,
        True,
        True,
    )
    (folder / "PMC10009416.1.json").write_text(json.dumps(meta | {"is_retracted": True}))
    (unit,) = walk_with_sidecars(tmp_path)
    (rejection,) = parse(unit, PmcOptions())
    assert isinstance(rejection, Rejection) and rejection.reason == "retracted"
    assert "Cloud Service metadata (PMC10009416.1.json)" in rejection.detail
    (folder / "PMC10009416.1.json").write_text("{not json")
    (unit,) = walk_with_sidecars(tmp_path)
    notice, doc = parse(unit, PmcOptions())
    assert isinstance(notice, Notice) and notice.code == "sidecar_unreadable" and "PMC10009416.1.json" in notice.detail
    assert isinstance(doc, Document) and doc.meta.license is None  # type: ignore[union-attr]
