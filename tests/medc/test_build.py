import json

import datasets
import pytest

from medc.build import SourceSpec, run_build
from medc.records import document_schema
from medc.stage.run import StageOptions
from medc.staging import StagingMismatch
from tests.medc.unit_tasks import parse_note


def make_inputs(root, n=25, special=None):
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        word = (special or {}).get(i, f"body {i}")
        (root / f"n{i:03d}.xml").write_text(f"T{i}\n\n{word}" if word else "")
    return root


def spec(inputs):
    return SourceSpec(
        "papers",
        parse_note,
        document_schema("papers", internal=True),
        [str(inputs)],
        lambda name: name.endswith(".xml"),
    )


def build(out, inputs, **kw):
    kw.setdefault("workers", 2)
    kw.setdefault("stage", StageOptions(batch_units=4, batch_seconds=None, checkpoint_records=8))
    return run_build(
        out,
        [spec(inputs)],
        kind="medc-k",
        parse_settings={"v": 1},
        command=["medc", "build-k"],
        **kw,
    )


class Interrupt(Exception):
    pass


def test_build_writes_shards_manifest_rejections_and_card(tmp_path):
    inputs = make_inputs(tmp_path / "in", special={3: "RAISE", 7: ""})
    m = build(tmp_path / "out", inputs)
    assert m["records"] == {"papers": {"train": 23}}
    assert m["rejections"] == {"empty_file": 1, "unit_failed": 1}
    assert m["units"] == {"papers": 25}
    assert m["inputs"][0]["files"] == 25 and len(m["inputs"][0]["sha256"]) == 64
    assert m["versions"]["pyarrow"] and m["command"] == ["medc", "build-k"]
    assert json.loads((tmp_path / "out/manifest.json").read_text())["records"] == m["records"]
    rejected = [json.loads(line) for line in (tmp_path / "out/rejections.jsonl").read_text().splitlines()]
    assert [(r["origin"].rsplit("/", 1)[-1], r["reason"]) for r in rejected] == [
        ("n003.xml", "unit_failed"),
        ("n007.xml", "empty_file"),
    ]
    assert "ValueError" in rejected[0]["detail"]
    ds = datasets.load_dataset(str(tmp_path / "out"), "papers", split="train", cache_dir=str(tmp_path / "c"))
    assert ds["id"] == [f"note:T{i}" for i in range(25) if i not in (3, 7)]


def test_same_output_with_one_and_two_workers(tmp_path):
    inputs = make_inputs(tmp_path / "in")
    build(tmp_path / "a", inputs, workers=1)
    build(tmp_path / "b", inputs, workers=2)
    a = (tmp_path / "a/data/papers/train-00000-of-00001.parquet").read_bytes()
    assert a == (tmp_path / "b/data/papers/train-00000-of-00001.parquet").read_bytes()


def test_interrupted_build_resumes_without_reparsing_done_units(tmp_path):
    inputs = make_inputs(tmp_path / "in", n=40, special={5: "RAISE"})
    seen = []

    def die_after_20(name, result):
        seen.extend(u.origin for u in result.units)
        if len(seen) == 20:
            raise Interrupt

    with pytest.raises(Interrupt):
        build(tmp_path / "out", inputs, progress=die_after_20)
    assert not (tmp_path / "out/manifest.json").exists()
    resumed = []
    m = build(tmp_path / "out", inputs, progress=lambda name, r: resumed.extend(u.origin for u in r.units))
    # a batch of 4 units is 8 records + units: every batch is a checkpoint, but the 5th died before its own
    assert resumed == seen[16:20] + sorted(set(o for o in resumed) - set(seen))
    assert m["records"] == {"papers": {"train": 39}} and m["rejections"] == {"unit_failed": 1}
    fresh = build(tmp_path / "ref", inputs)
    assert fresh["records"] == m["records"]
    ref = (tmp_path / "ref/data/papers/train-00000-of-00001.parquet").read_bytes()
    assert (tmp_path / "out/data/papers/train-00000-of-00001.parquet").read_bytes() == ref


def test_complete_build_rerun_parses_nothing(tmp_path):
    inputs = make_inputs(tmp_path / "in", n=5)
    build(tmp_path / "out", inputs)
    again = []
    m = build(tmp_path / "out", inputs, progress=lambda name, r: again.append(r))
    assert again == [] and m["records"] == {"papers": {"train": 5}}
    assert m["inputs"] == build(tmp_path / "ref", inputs)["inputs"]  # digests come from the journal


def test_resume_with_other_parse_settings_is_refused(tmp_path):
    inputs = make_inputs(tmp_path / "in", n=3)
    build(tmp_path / "out", inputs)
    with pytest.raises(StagingMismatch, match="--fresh"):
        run_build(tmp_path / "out", [spec(inputs)], kind="medc-k", parse_settings={"v": 2})
    m = run_build(tmp_path / "out", [spec(inputs)], kind="medc-k", parse_settings={"v": 2}, fresh=True)
    assert m["records"] == {"papers": {"train": 3}}


def test_a_damaged_journal_segment_is_dropped_and_its_units_reparsed(tmp_path):
    inputs = make_inputs(tmp_path / "in", n=10)
    build(tmp_path / "out", inputs)
    segments = sorted((tmp_path / "out/.staging/journal").iterdir())
    assert len(segments) == 3  # batches of 4 units: 4 + 4 + 2
    segments[-1].write_text(segments[-1].read_text()[:40])
    redone = []
    m = build(tmp_path / "out", inputs, progress=lambda name, r: redone.extend(u.origin for u in r.units))
    assert [o.rsplit("/", 1)[-1] for o in redone] == ["n008.xml", "n009.xml"]
    assert m["records"] == {"papers": {"train": 10}}


def test_a_resume_refuses_inputs_that_changed_under_it(tmp_path):
    inputs = make_inputs(tmp_path / "in", n=6)
    build(tmp_path / "out", inputs)
    (inputs / "n002.xml").write_text("T2\n\nedited since")
    with pytest.raises(StagingMismatch, match=r"n002\.xml changed since it was staged"):
        build(tmp_path / "out", inputs)


def test_walker_problems_and_units_in_build_order_with_any_batching(tmp_path):
    inputs = make_inputs(tmp_path / "in", n=9, special={4: "RAISE"})
    (inputs / "n005.xml.gz").write_bytes(b"\x1f\x8bnot gzip")
    a = build(tmp_path / "a", inputs, workers=0)
    b = build(tmp_path / "b", inputs, stage=StageOptions(batch_units=3, batch_bytes=20, batch_seconds=1e-4))
    assert a["rejections"] == b["rejections"] == {"corrupt_gzip": 1, "unit_failed": 1}
    for name in ("rejections.jsonl", "data/papers/train-00000-of-00001.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_a_finished_archive_is_skipped_on_resume_without_being_read(tmp_path, monkeypatch):
    import io
    import tarfile

    inputs = make_inputs(tmp_path / "in", n=3)
    with tarfile.open(inputs / "more.tar.gz", "w:gz") as tar:
        for i in range(5):
            data = f"A{i}\n\narchived {i}".encode()
            info = tarfile.TarInfo(f"a{i}.xml")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    first = build(tmp_path / "out", inputs)
    assert first["records"] == {"papers": {"train": 8}}

    def no_reading(*args, **kwargs):
        raise AssertionError("a finished archive was read again")

    monkeypatch.setattr("medc.sources.walk.ArchiveReader", no_reading)
    again = build(tmp_path / "out", inputs)
    assert again["inputs"] == first["inputs"] and again["records"] == first["records"]
