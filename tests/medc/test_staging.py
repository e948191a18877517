"""Staging: parts in build order whatever order they were committed in, and batches that do not depend on how the
parse was batched (so shards are the same bytes on any executor)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from medc.records import Document, PaperMeta, document_schema
from medc.stage.batch import BatchResult, UnitDone, part_name
from medc.staging import Staging

SCHEMA = document_schema("papers", internal=True)


def doc(i: int) -> Document:
    return Document(f"d{i}", "papers", "", f"text {i}", f"u{i}", PaperMeta())


def staged(root, sizes: list[int]) -> Staging:
    staging = Staging.open(root, {"v": 1}, {"papers": SCHEMA}, fresh=True)
    first = 0
    for size in sizes:
        staging.stage_records("papers", [doc(first + i) for i in range(size)], origin=f"u{first}")
        first += size
    return staging


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(0, 7), min_size=1, max_size=8), batch_size=st.integers(1, 9))
def test_batches_have_exactly_batch_size_rows_whatever_the_parts(tmp_path_factory, sizes, batch_size):
    staging = staged(tmp_path_factory.mktemp("s"), sizes)
    batches = list(staging.iter_batches("papers", columns=["id"], batch_size=batch_size))
    assert [b.num_rows for b in batches[:-1]] == [batch_size] * (len(batches) - 1)
    ids = [i for b in batches for i in b.column("id").to_pylist()]
    assert ids == [f"d{i}" for i in range(sum(sizes))]


def test_parts_sort_into_build_order_and_the_journal_survives_reopening(tmp_path):
    staging = Staging.open(tmp_path, {"v": 1}, {"papers": SCHEMA})
    for first in (8, 0, 4):  # committed out of order, as after a bisection or a resume
        part = part_name("papers", 0, first)
        staging.store.write_table(part, _table(first))
        unit = UnitDone(f"u{first}", first, 1, "1", "ab", 1, 0.0)
        staging.commit(BatchResult("papers", 0, first, part, [unit]))
    staging.flush()
    staging.store.write_table(part_name("papers", 0, 12), _table(12))  # an orphan: no journal entry names it
    reopened = Staging.open(tmp_path, {"v": 1}, {"papers": SCHEMA})
    assert [p.rsplit("-", 1)[-1] for p in reopened.parts("papers")] == [f"{i:012d}.parquet" for i in (0, 4, 8)]
    assert not (tmp_path / part_name("papers", 0, 12)).exists()
    assert reopened.done("u4").sha256 == "ab" and reopened.unit_counts() == {"papers": 3}


def _table(first: int):
    from medc.records import to_table

    return to_table([doc(first)], SCHEMA)
