"""One document per id: the newest version stays, else the later input; the finalizer writes no id twice."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import strategies as st

from medc.build import SourceSpec, run_build
from medc.dedup import DedupConfig, DedupFinalizer
from medc.dedup.versions import resolve_versions
from medc.filters import DocumentSteps, FilterConfig
from medc.pipeline import RecordTask
from medc.records import Document, PaperMeta, document_schema
from medc.sources import WorkUnit


def test_highest_version_wins_then_the_later_row() -> None:
    ids = pa.array(["pmc:PMC1", "pmc:PMC2", "pmc:PMC1", "pmc:PMC1", "pmc:PMC2", "doi:10.1/x"])
    versions = np.array([1, -1, 2, -1, -1, 3])
    removed, kept = resolve_versions(ids, versions)
    assert removed.tolist() == [0, 1, 3] and kept.tolist() == [2, 4, 2]


def test_no_rows_no_removals() -> None:
    removed, kept = resolve_versions(pa.array([], pa.string()), np.array([], dtype=np.int64))
    assert len(removed) == len(kept) == 0


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(-1, 3)), max_size=60))
def test_each_id_keeps_exactly_its_best_row(rows: list[tuple[int, int]]) -> None:
    ids = pa.chunked_array(
        [pa.array([f"id{i}" for i, _ in rows[:7]], pa.string()), pa.array([f"id{i}" for i, _ in rows[7:]], pa.string())]
    )
    versions = np.array([v for _, v in rows], dtype=np.int64)
    removed, kept = resolve_versions(ids, versions)
    left = sorted(set(range(len(rows))) - set(removed.tolist()))
    assert len({rows[r][0] for r in left}) == len(left) == len({i for i, _ in rows})  # every id once
    for row in left:
        rivals = [r for r in range(len(rows)) if rows[r][0] == rows[row][0]]
        assert max(rivals, key=lambda r: (rows[r][1], r)) == row
    for gone, winner in zip(removed.tolist(), kept.tolist(), strict=True):
        assert rows[gone][0] == rows[winner][0] and winner in left


def _parse(unit: WorkUnit):
    for raw in json.loads(unit.data):
        meta = PaperMeta(pmcid=raw["id"].split(":")[1], version=raw["version"])
        yield Document(raw["id"], "papers", raw["id"], raw["text"], unit.origin, meta)


def test_finalizer_keeps_the_new_version_even_when_the_old_one_is_longer(tmp_path: Path) -> None:
    # A bulk baseline (version 1, longer) and an incremental package (version 2), as two inputs.
    text = " ".join(
        f"In trial {i} the patients of the ward were given aspirin and it was well tolerated." for i in range(8)
    )
    units = [
        WorkUnit(origin, json.dumps([{"id": "pmc:PMC1", "version": version, "text": body}]).encode())
        for origin, version, body in (
            ("baseline.tar.gz::PMC1.xml", 1, text + " and more words"),
            ("incr.tar.gz::PMC1.xml", 2, text),
        )
    ]
    steps = DocumentSteps(filters=FilterConfig(languages=()))
    spec = SourceSpec("papers", RecordTask(_parse, (steps,)), document_schema("papers", internal=True), units=units)
    run_build(tmp_path, [spec], kind="medc-k", parse_settings={}, finalizer=DedupFinalizer(DedupConfig()), workers=0)
    rows = pq.read_table(tmp_path / "data" / "papers").to_pylist()
    assert [(r["id"], r["meta"]["version"]) for r in rows] == [("pmc:PMC1", 2)]
    (line,) = [json.loads(x) for x in (tmp_path / "duplicates.jsonl").read_text().splitlines()]
    assert line == {
        "kind": "version",
        "kept": "pmc:PMC1",
        "removed": "pmc:PMC1",
        "kept_version": 2,
        "removed_version": 1,
        "kept_origin": "incr.tar.gz::PMC1.xml",
        "removed_origin": "baseline.tar.gz::PMC1.xml",
    }
