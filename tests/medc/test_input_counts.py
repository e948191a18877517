"""Records and rejections per top-level input in the manifest, and the lines `medc.summary.empty_inputs` writes
for an input that gave nothing (the check behind `medc build-* ... --allow-empty`)."""

import tarfile

import pytest

from medc.build import SourceSpec, run_build
from medc.input_counts import belongs_to
from medc.records import document_schema
from medc.stage.run import StageOptions
from medc.summary import empty_inputs
from tests.medc.unit_tasks import parse_note


def notes(root, bodies):
    root.mkdir(parents=True, exist_ok=True)
    for i, body in enumerate(bodies):
        (root / f"n{i:03d}.xml").write_text(f"T{root.name}{i}\n\n{body}" if body else "")
    return root


def build(out, inputs, **kw):
    spec = SourceSpec(
        "papers", parse_note, document_schema("papers", internal=True), inputs, lambda n: n.endswith(".xml")
    )
    return run_build(out, [spec], kind="medc-k", parse_settings={}, workers=0, stage=SMALL_BATCHES, **kw)


SMALL_BATCHES = StageOptions(batch_units=1, batch_seconds=None, checkpoint_records=4)


@pytest.mark.parametrize(
    ("origin", "path", "kind", "expected"),
    [
        ("pmc/a/PMC1.xml", "pmc", "directory", True),
        ("pmc/a/PMC1.xml", "pmc/", "directory", True),
        ("pmc2/PMC1.xml", "pmc", "directory", False),
        ("oa.tar.gz::PMC001/PMC1.xml", "oa.tar.gz", "archive", True),
        ("oa.tar.gz.bak", "oa.tar.gz", "file", False),
        ("US/train.jsonl", "US/train.jsonl", "file", True),
        ("a/b/PMC1.xml", "a/*/*.xml", "glob", True),
        ("s3://bucket/prefix/PMC1.xml", "s3://bucket/prefix", "url", True),
        ("n001.xml", ".", "directory", True),
    ],
)
def test_an_origin_belongs_to_the_input_it_was_read_from(origin, path, kind, expected):
    assert belongs_to(origin, {"path": path, "kind": kind}) is expected


def test_manifest_counts_records_and_rejections_per_input(tmp_path):
    good = notes(tmp_path / "good", ["body a", "", "body c"])
    bad = notes(tmp_path / "bad", ["", "RAISE"])
    packed = notes(tmp_path / "packed", ["body x", "body y"])
    with tarfile.open(tmp_path / "packed.tar.gz", "w:gz") as tar:
        tar.add(packed, arcname="packed")
    inputs = [str(good), str(bad), str(tmp_path / "packed.tar.gz")]
    manifest = build(tmp_path / "out", inputs)
    counts = [(e["path"], e["records"], e["rejected"]) for e in manifest["inputs"]]
    assert counts == [  # inputs are named as origins are: by their last path component
        ("good", 2, {"empty_file": 1}),
        ("bad", 0, {"empty_file": 1, "unit_failed": 1}),
        ("packed.tar.gz", 2, {}),
    ]
    lines = empty_inputs(manifest, tmp_path / "out", {"papers": "--pmc"})
    assert lines == [
        "--pmc bad: no record from it; 2 rejected, mostly unit_failed (1): ValueError: cannot parse bad/n001.xml"
    ]


def test_counts_survive_an_interrupted_and_resumed_build(tmp_path):
    inputs = [str(notes(tmp_path / "a", ["x"] * 9 + ["", ""])), str(notes(tmp_path / "b", [""] * 3))]
    seen = []

    def stop_after_6(name, result):
        seen.append(result)
        if len(seen) == 6:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build(tmp_path / "out", inputs, progress=stop_after_6)
    resumed = build(tmp_path / "out", inputs)
    fresh = build(tmp_path / "ref", inputs)
    assert [(e["records"], e["rejected"]) for e in resumed["inputs"]] == [
        (9, {"empty_file": 2}),
        (0, {"empty_file": 3}),
    ]
    assert [(e["records"], e["rejected"]) for e in fresh["inputs"]] == [(9, {"empty_file": 2}), (0, {"empty_file": 3})]


def test_an_input_with_no_file_the_source_reads(tmp_path):
    (tmp_path / "pdfs").mkdir()
    (tmp_path / "pdfs" / "book.pdf").write_bytes(b"%PDF-1.7\n")
    manifest = build(tmp_path / "out", [str(tmp_path / "pdfs")])
    lines = empty_inputs(manifest, tmp_path / "out", {"papers": "--pmc"}, lambda option, origin: f"see {origin}")
    assert lines == ["--pmc pdfs: no file in it is one papers are read from (1 ignored); see pdfs"]
