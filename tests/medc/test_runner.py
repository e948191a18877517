import pytest

from medc.runner import run_units
from medc.sources import WorkUnit
from tests.medc.unit_tasks import parse_note


def units(n, special=None):
    out = [WorkUnit(f"u{i:03d}", f"T{i}\n\nbody {i}".encode()) for i in range(n)]
    for index, word in (special or {}).items():
        out[index] = WorkUnit(out[index].origin, f"T{index}\n\n{word}".encode())
    return out


def summary(results):
    return [(r.origin, [d.id for d in r.records], [j.reason for j in r.rejections]) for r in results]


@pytest.mark.parametrize("workers", [0, 1, 2])
def test_order_is_input_order_for_any_worker_count(workers):
    got = summary(run_units(units(30), parse_note, workers=workers))
    assert got == [(f"u{i:03d}", [f"note:T{i}"], []) for i in range(30)]


def test_a_raising_unit_becomes_a_rejection_and_the_rest_finish():
    got = summary(run_units(units(10, {4: "RAISE"}), parse_note, workers=2))
    assert got[4] == ("u004", [], ["unit_failed"])
    assert [g[1] for g in got if g[0] != "u004"] == [[f"note:T{i}"] for i in range(10) if i != 4]


def test_a_unit_that_kills_its_worker_is_isolated():
    got = summary(run_units(units(12, {5: "SEGFAULT"}), parse_note, workers=2, window_per_worker=3))
    assert got[5] == ("u005", [], ["worker_crashed"])
    assert len(got) == 12 and all(g[1] for i, g in enumerate(got) if i != 5)


def test_a_hung_unit_times_out_and_the_rest_finish():
    got = summary(run_units(units(6, {2: "HANG"}), parse_note, workers=2, unit_timeout=2))
    assert got[2] == ("u002", [], ["timeout"])
    assert len(got) == 6 and all(g[1] for i, g in enumerate(got) if i != 2)


def test_skip_and_walker_problems():
    todo = [*units(3), WorkUnit("broken.tar.gz", b"", problem="corrupt_archive", detail="EOF")]
    got = summary(run_units(todo, parse_note, workers=2, skip={"u001"}))
    assert got == [
        ("u000", ["note:T0"], []),
        ("u002", ["note:T2"], []),
        ("broken.tar.gz", [], ["corrupt_archive"]),
    ]


def test_notices_and_rejections_from_the_task_are_kept_apart():
    (result,) = run_units([WorkUnit("x", b"T\n\nFIXED text")], parse_note, workers=0)
    assert [n.code for n in result.notices] == ["recovered"] and len(result.records) == 1
    (empty,) = run_units([WorkUnit("y", b"  ")], parse_note, workers=0)
    assert [r.reason for r in empty.rejections] == ["empty_file"]
