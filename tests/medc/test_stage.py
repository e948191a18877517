"""The parse half on a real process pool: batches in order, failures isolated by bisection, parts and results."""

import pyarrow.parquet as pq
import pytest

from medc.build import SourceSpec
from medc.executors import InProcess
from medc.executors.local import LocalPool
from medc.records import document_schema
from medc.sources import WorkUnit
from medc.stage.run import StageOptions, make_batches, stage_source
from medc.staging import Staging
from tests.medc.unit_tasks import parse_note


def notes(n, special=None):
    out = [WorkUnit(f"u{i:03d}", f"T{i}\n\nbody {i}".encode()) for i in range(n)]
    for index, word in (special or {}).items():
        out[index] = WorkUnit(out[index].origin, f"T{index}\n\n{word}".encode())
    return out


def stage(tmp_path, units, executor, **options):
    schema = document_schema("papers", internal=True)
    staging = Staging.open(tmp_path / "staging", {"v": 1}, {"papers": schema}, fresh=True)
    spec = SourceSpec("papers", parse_note, schema, units=units)
    options.setdefault("batch_units", 4)
    options.setdefault("batch_seconds", None)
    stage_source(spec, 0, staging, executor, StageOptions(**options))
    return staging


def summary(staging):
    """(origin, record ids, rejection reasons) per unit, in build order, read back from the staged parts."""
    ids = [i for part in staging.parts("papers") for i in pq.read_table(part, columns=["id"])["id"].to_pylist()]
    rejected = {r.origin: r.reason for _, r in staging.rejections()}
    units = [u for r in staging.results for u in r.units]
    out, position = [], 0
    for unit in units:
        out.append((unit.origin, ids[position : position + unit.records], rejected.get(unit.origin)))
        position += unit.records
    return out


@pytest.fixture(scope="module")
def pool():
    with LocalPool(2) as pool:
        yield pool


def test_order_is_input_order_in_process_and_on_a_pool(tmp_path, pool):
    expected = [(f"u{i:03d}", [f"note:T{i}"], None) for i in range(30)]
    assert summary(stage(tmp_path / "a", notes(30), InProcess())) == expected
    assert summary(stage(tmp_path / "b", notes(30), pool)) == expected


def test_a_raising_unit_is_rejected_and_its_batch_goes_on(tmp_path, pool):
    got = summary(stage(tmp_path, notes(10, {4: "RAISE"}), pool))
    assert got[4] == ("u004", [], "unit_failed")
    assert [g[1] for g in got if g[0] != "u004"] == [[f"note:T{i}"] for i in range(10) if i != 4]


def test_a_unit_that_kills_its_worker_is_isolated_by_bisection(tmp_path, pool):
    staging = stage(tmp_path, notes(12, {5: "SEGFAULT"}), pool, batch_units=8)
    got = summary(staging)
    assert got[5] == ("u005", [], "worker_crashed")
    assert len(got) == 12 and all(g[1] for i, g in enumerate(got) if i != 5)
    # the batch [0..7] failed; its halves [0..3], [4..7], then [4,5], [5] ran again; [8..11] was untouched
    assert [(r.first, len(r.units)) for r in staging.results] == [(0, 4), (4, 1), (5, 1), (6, 2), (8, 4)]


def test_a_hung_unit_times_out_softly_and_the_rest_of_its_batch_finishes(tmp_path, pool):
    got = summary(stage(tmp_path, notes(6, {2: "HANG"}), pool, unit_timeout=1))
    assert got[2] == ("u002", [], "timeout")
    assert len(got) == 6 and all(g[1] for i, g in enumerate(got) if i != 2)


def test_a_hang_the_soft_timeout_cannot_reach_is_killed_and_isolated(tmp_path, pool):
    got = summary(stage(tmp_path, notes(4, {1: "CHANG"}), pool, unit_timeout=0.2, timeout_slack=1.0, batch_units=2))
    assert got[1] == ("u001", [], "timeout")
    assert [g[1] for g in got] == [["note:T0"], [], ["note:T2"], ["note:T3"]]


def test_a_unit_over_the_memory_limit_is_rejected(tmp_path):
    with LocalPool(2) as pool:  # its own pool: the watchdog stays in the workers it starts in
        got = summary(stage(tmp_path, notes(4, {2: "HOG"}), pool, worker_memory=250 << 20))
    assert got[2] == ("u002", [], "memory_limit")
    assert [g[1] for g in got if g[0] != "u002"] == [["note:T0"], ["note:T1"], ["note:T3"]]


def test_walker_problems_and_notices_are_kept_apart(tmp_path):
    units = [*notes(2), WorkUnit("broken.tar.gz", b"", problem="corrupt_archive", detail="EOF")]
    units.append(WorkUnit("fixed", b"T\n\nFIXED text"))
    staging = stage(tmp_path, units, InProcess())
    assert [(c, r.origin, r.reason) for c, r in staging.rejections()] == [
        ("papers", "broken.tar.gz", "corrupt_archive")
    ]
    assert [n.code for _, n in staging.notices()] == ["recovered"]


def test_batches_are_bounded_by_units_and_bytes():
    from medc.sources import UnitRef

    refs = [UnitRef(f"r{i}", i, f"r{i}", size) for i, size in enumerate([10, 10, 50, 10, 10, 10])]
    batches = make_batches(refs, 0, StageOptions(batch_units=3, batch_bytes=40))
    assert [[r.index for r in b.refs] for b in batches] == [[0, 1], [2], [3, 4, 5]]


def test_batches_of_slow_units_are_small_and_of_fast_units_large(tmp_path):
    from medc.stage.run import BatchSizer

    sizer = BatchSizer(StageOptions(batch_units=64, batch_seconds=1.0))
    assert sizer() == 1  # nothing known yet: the first window spreads over the workers
    staging = stage(tmp_path, notes(40), InProcess(), batch_units=64, batch_seconds=1.0)
    assert len(staging.results[-1].units) > 4  # parse_note takes microseconds: batches grow to the cap
    sizer.units, sizer.seconds = 4, 2.0  # half a second a unit
    assert sizer() == 2
