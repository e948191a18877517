"""PMC file lists and Cloud Service metadata: licence, retraction and version per PMCID, used to filter articles."""

from __future__ import annotations

import json
import pickle
from functools import partial
from pathlib import Path

import pytest

from builders.pmc import PmcOptions, parse, with_filelists
from builders.pmc.filelist import FileListEntry, license_group, load_filelists
from medc.records import Document, Rejection
from medc.sources import WorkUnit

FIXTURES = Path(__file__).parents[2] / "fixtures" / "pmc"
BULK_HEADER = "Article File,Article Citation,AccessionID,LastUpdated (YYYY-MM-DD HH:MM:SS),PMID,License,Retracted\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("license", "group"),
    [
        ("CC BY", "commercial"),
        ("CC0", "commercial"),
        ("CC BY-ND", "commercial"),
        ("https://creativecommons.org/licenses/by-sa/4.0/", "commercial"),
        ("http://creativecommons.org/publicdomain/zero/1.0/", "commercial"),
        ("CC BY-NC-ND", "noncommercial"),
        ("http://creativecommons.org/licenses/by-nc/3.0", "noncommercial"),
        ("NO-CC CODE", "other"),
        ("TDM", "other"),
        ("open-access", "other"),
        (None, "other"),
    ],
)
def test_license_group(license: str | None, group: str) -> None:
    assert license_group(license) == group


def test_bulk_and_oa_package_and_aws_lists_read_by_column_name(tmp_path: Path) -> None:
    bulk = write(
        tmp_path / "oa_comm_xml.incr.2024-06-18.filelist.csv",
        BULK_HEADER + 'PMC006xxxxxx/PMC6908519.xml,"Front Oncol. 2019 Dec 6; 9:1306",PMC6908519,'
        '"2024-02-07 23:35:31",31867269,"CC BY",no\n'
        'PMC006xxxxxx/PMC6908520.xml,"X. 2019",PMC6908520,"2024-02-07 23:35:31",,"CC BY",yes\n',
    )
    package = write(
        tmp_path / "oa_file_list.csv",
        "File,Article Citation,Accession ID,Last Updated (YYYY-MM-DD HH:MM:SS),PMID,License\n"
        'oa_package/08/e0/PMC13900.tar.gz,"Breast Cancer Res. 2001; 3(1):55-60",PMC13900,'
        "2019-11-05 11:56:12,11250746,NO-CC CODE\n",
    )
    aws = write(
        tmp_path / "oa_noncomm.filelist.csv",
        "Key,ETag,Article Citation,AccessionID,Last Updated UTC (YYYY-MM-DD HH:MM:SS),PMID,License,Retracted\n"
        'oa_noncomm/xml/all/PMC7000001.xml,"abc",Cit,PMC7000001,2024-01-01 00:00:00,1,CC BY-NC,no\n',
    )
    index = load_filelists([bulk, package, aws])
    assert len(index) == 4
    assert index.get("PMC6908519") == FileListEntry("CC BY", False, None)
    assert index.get("PMC6908520") == FileListEntry("CC BY", True, None)
    assert index.get("pmc13900") == FileListEntry("NO-CC CODE", False, None)
    assert index.get("PMC7000001") == FileListEntry("CC BY-NC", False, None)
    assert index.get("PMC1") is None
    assert pickle.loads(pickle.dumps(index)).get("PMC6908520") == FileListEntry("CC BY", True, None)


def test_a_later_list_updates_an_earlier_one(tmp_path: Path) -> None:
    baseline = write(tmp_path / "a.filelist.csv", BULK_HEADER + "x,c,PMC5,d,1,CC BY,no\n")
    incremental = write(tmp_path / "b.filelist.csv", BULK_HEADER + "x,c,PMC5,d,1,CC BY,yes\n")
    assert load_filelists([baseline, incremental]).get("PMC5") == FileListEntry("CC BY", True, None)


def test_a_csv_that_is_not_a_file_list_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no AccessionID column"):
        load_filelists([write(tmp_path / "other.csv", "name,value\na,1\n")])


def test_file_list_licence_and_retraction_filter_articles(tmp_path: Path) -> None:
    # The article says CC BY; the list (the authority for the bulk packages) says CC BY-NC, then retracted.
    data = (FIXTURES / "research_article.nxml").read_bytes()
    unit = WorkUnit("PMC009xxxxxx/PMC9100001.xml", data)
    lists = write(tmp_path / "l.filelist.csv", BULK_HEADER + "x,c,PMC9100001,d,35550001,CC BY-NC,no\n")
    options = with_filelists(PmcOptions(license_groups=["commercial"]), load_filelists([lists]))
    (rejection,) = parse(unit, options)
    assert rejection == Rejection(
        unit.origin,
        "license_excluded",
        "licence 'CC BY-NC' is in group 'noncommercial'; license_groups keeps commercial",
        "pmc:PMC9100001",
    )
    (doc,) = [r for r in parse(unit, with_filelists(PmcOptions(), load_filelists([lists]))) if isinstance(r, Document)]
    assert doc.meta.license == "CC BY-NC"  # type: ignore[union-attr]
    retracted = write(tmp_path / "r.filelist.csv", BULK_HEADER + "x,c,PMC9100001,d,35550001,CC BY,yes\n")
    task = partial(parse, options=with_filelists(PmcOptions(), load_filelists([retracted])))
    (rejection,) = pickle.loads(pickle.dumps(task))(unit)  # the task the runner sends to its workers
    assert rejection.reason == "retracted"  # type: ignore[union-attr]


def test_cloud_service_metadata_gives_licence_retraction_and_latest_version(tmp_path: Path) -> None:
    metadata = tmp_path / "metadata"
    metadata.mkdir()
    for version, retracted in ((1, False), (2, True)):
        write(
            metadata / f"PMC10009416.{version}.json",
            json.dumps(
                {
                    "pmcid": "PMC10009416",
                    "version": version,
                    "pmid": 36900001,
                    "doi": "10.1/x",
                    "is_retracted": retracted,
                    "license_code": "CC BY-NC",
                    "xml_url": f"s3://pmc-oa-opendata/PMC10009416.{version}/x.xml?md5=0",
                }
            ),
        )
    write(metadata / "broken.json", "{not json")
    assert load_filelists([metadata]).get("PMC10009416") == FileListEntry("CC BY-NC", True, 2)
