"""Object-store inputs and staging against a real S3 API on localhost (moto's server, through s3fs)."""

from __future__ import annotations

import gzip
import json

import pyarrow.parquet as pq
import pytest

from medc.build import SourceSpec, run_build
from medc.records import document_schema
from medc.sources import InputWalker, read_units
from medc.sources.objects import filesystem, iter_listing
from medc.stage.run import StageOptions
from tests.medc.s3_server import s3_server
from tests.medc.unit_tasks import parse_note

xml = lambda name: name.endswith(".xml")  # noqa: E731


@pytest.fixture(scope="module")
def bucket():
    """s3://medc-in/pmc/ with 23 notes (one gzipped), a Cloud Service style sidecar, and an image."""
    with s3_server():
        fs, _ = filesystem("s3://medc-in")
        fs.mkdir("medc-in")
        for i in range(23):
            data = f"T{i}\n\nbody {i}".encode()
            name = f"medc-in/pmc/n{i:03d}.xml"
            if i == 7:
                fs.pipe(name + ".gz", gzip.compress(data))
            else:
                fs.pipe(name, data)
        fs.pipe("medc-in/pmc/n003.json", json.dumps({"is_retracted": True}).encode())
        fs.pipe("medc-in/pmc/fig.jpg", b"\xff\xd8")
        yield fs


def test_listing_is_streamed_page_by_page_in_key_order(bucket):
    entries = list(iter_listing(bucket, "medc-in/pmc/", page_size=5))  # five pages of five, one of one
    names = [e.path.rsplit("/", 1)[-1] for e in entries]
    assert names == sorted(names) and len(names) == 25
    assert all(e.stamp.startswith('"') for e in entries)  # ETags: what a resume trusts
    walker = InputWalker(["s3://medc-in/pmc/"], xml)
    refs = list(walker)
    assert len(refs) == 23 and all(r.data is None and r.path.startswith("s3://") for r in refs)
    assert (walker.stats[0].files, walker.stats[0].ignored) == (23, 2)


def test_a_worker_reads_its_batch_concurrently_with_sidecars(bucket):
    walker = InputWalker(["s3://medc-in/pmc/"], xml)
    refs = list(walker)
    bucket.rm("medc-in/pmc/n010.xml")  # gone between listing and reading: a rejection, not a crash
    try:
        units = {u.origin.rsplit("/", 1)[-1]: (u, sha) for _, u, sha in read_units(refs, 1 << 20, _json_beside)}
    finally:
        bucket.pipe("medc-in/pmc/n010.xml", b"T10\n\nbody 10")
    assert units["n007.xml.gz"][0].data == b"T7\n\nbody 7"
    assert units["n003.xml"][0].sidecars == {"n003.json": b'{"is_retracted": true}'}
    assert units["n010.xml"][0].problem == "unreadable"
    assert len(units["n000.xml"][1]) == 64


def _json_beside(name: str) -> list[str]:
    return [name.rsplit(".", 1)[0] + ".json"]


def _build(out, inputs, staging_root=None, **kw):
    spec = SourceSpec("papers", parse_note, document_schema("papers", internal=True), inputs, xml)
    return run_build(
        out,
        [spec],
        kind="medc-k",
        parse_settings={"v": 1},
        staging_root=staging_root,
        stage=StageOptions(batch_units=4, batch_seconds=None, checkpoint_records=8),
        command=["medc"],
        **kw,
    )


class Interrupt(Exception):
    pass


def test_build_from_s3_with_staging_on_s3_resumes_and_matches_a_local_build(bucket, tmp_path):
    local = tmp_path / "local-in"
    local.mkdir()
    for path in bucket.find("medc-in/pmc/"):
        name = path.rsplit("/", 1)[-1]
        (local / name).write_bytes(bucket.cat_file(path))
    reference = _build(tmp_path / "ref", [str(local)], workers=0)

    def interrupt(name, result):
        if result.first >= 8:
            raise Interrupt

    with pytest.raises(Interrupt):
        _build(tmp_path / "s3", ["s3://medc-in/pmc/"], "s3://medc-in/staging", workers=2, progress=interrupt)
    assert bucket.ls("medc-in/staging/journal")  # committed batches are journaled on the bucket
    again: list[str] = []
    m = _build(
        tmp_path / "s3",
        ["s3://medc-in/pmc/"],
        "s3://medc-in/staging",
        workers=2,
        progress=lambda name, r: again.extend(u.origin for u in r.units),
    )
    assert again and "s3://medc-in/pmc/n000.xml" not in again  # the journal was trusted, not re-read
    assert m["records"] == reference["records"] == {"papers": {"train": 23}}
    assert m["units"] == reference["units"]
    shard = "data/papers/train-00000-of-00001.parquet"
    got, want = (pq.read_table(tmp_path / name / shard).drop_columns(["origin"]) for name in ("s3", "ref"))
    assert got.equals(want)  # the same rows in the same order; only the origins name another place
