import json

import datasets
import pytest

from medc.build import SourceSpec, run_build
from medc.records import document_schema
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
    return run_build(
        out,
        [spec(inputs)],
        kind="medc-k",
        parse_settings={"v": 1},
        checkpoint_records=8,
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
        seen.append(result.origin)
        if len(seen) == 20:
            raise Interrupt

    with pytest.raises(Interrupt):
        build(tmp_path / "out", inputs, progress=die_after_20)
    assert not (tmp_path / "out/manifest.json").exists()
    resumed = []
    m = build(tmp_path / "out", inputs, progress=lambda name, r: resumed.append(r.origin))
    assert 0 < len(resumed) < 40 and set(resumed).isdisjoint(seen[:16])  # checkpoints commit every 8 records
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


def test_resume_with_other_parse_settings_is_refused(tmp_path):
    inputs = make_inputs(tmp_path / "in", n=3)
    build(tmp_path / "out", inputs)
    with pytest.raises(StagingMismatch, match="--fresh"):
        run_build(tmp_path / "out", [spec(inputs)], kind="medc-k", parse_settings={"v": 2})
    m = run_build(tmp_path / "out", [spec(inputs)], kind="medc-k", parse_settings={"v": 2}, fresh=True)
    assert m["records"] == {"papers": {"train": 3}}


def test_torn_journal_line_is_dropped_and_its_units_reparsed(tmp_path):
    inputs = make_inputs(tmp_path / "in", n=10)
    build(tmp_path / "out", inputs)
    journal = tmp_path / "out/.staging/journal.jsonl"
    lines = journal.read_text().splitlines()
    journal.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][: len(lines[-1]) // 2])
    redone = []
    m = build(tmp_path / "out", inputs, progress=lambda name, r: redone.append(r.origin))
    assert redone and m["records"] == {"papers": {"train": 10}}
