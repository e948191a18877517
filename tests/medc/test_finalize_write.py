import itertools
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from medc.executors import InProcess
from medc.executors.local import LocalPool
from medc.finalize import BuildOutput, copy_to_train, write_split
from medc.records import Document, PaperMeta, Removal, document_schema, to_table
from medc.shards import ShardConfig, ShardWriter, row_bytes

SCHEMA = document_schema("papers")


def docs(lengths: list[int]) -> pa.Table:
    return to_table(
        [
            Document(
                id=f"pmc:PMC{i}",
                source="papers",
                title=f"T{i}",
                text="word " * n + str(i),
                origin=f"in/PMC{i}.xml",
                meta=PaperMeta(pmcid=f"PMC{i}", year=None if i % 3 else 2000 + i),
                removed=[Removal("pmc.citation_marker", i, 1)] * (i % 3),
            )
            for i, n in enumerate(lengths)
        ],
        SCHEMA,
    )


def stage(directory: Path, table: pa.Table, cuts: list[int]) -> list[Path]:
    """`table` as staged parts cut at `cuts`."""
    bounds = [0, *sorted({c % (table.num_rows + 1) for c in cuts}), table.num_rows]
    paths = []
    for index, (low, high) in enumerate(itertools.pairwise(bounds)):
        if high > low:
            paths.append(directory / f"part-{index:03d}.parquet")
            pq.write_table(table.slice(low, high - low), paths[-1])
    return paths


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((directory / "data/papers").iterdir())}


def write_both(root: Path, table, parts, keep, settings, executor, batch: int) -> tuple[dict, dict]:
    """The kept rows through the sequential writer (in batches of `batch`) and through `write_split`."""
    kept = table.filter(pa.array(keep))
    with ShardWriter(root / "a", "papers", "train", SCHEMA, settings) as writer:
        for start in range(0, kept.num_rows, batch):
            writer.write(kept.slice(start, batch))
    (root / "b").mkdir()
    output = BuildOutput(root / "b", settings)
    counts = np.cumsum([0] + [pq.ParquetFile(p).metadata.num_rows for p in parts])
    masks = [(p, keep[counts[i] : counts[i + 1]]) for i, p in enumerate(parts)]
    write_split(output, executor, "papers", "train", SCHEMA, masks, row_bytes(kept))
    output.close()
    assert output.records == {"papers": {"train": kept.num_rows}}
    assert output.files["papers"]["train"] == writer.paths
    return files(root / "a") if writer.paths else {}, files(root / "b") if writer.paths else {}


@given(
    lengths=st.lists(st.integers(0, 400), max_size=40),
    cuts=st.lists(st.integers(0, 40), max_size=5),
    keep_seed=st.integers(0, 2**16),
    batch=st.integers(1, 9),
    shard_kb=st.integers(1, 8),
    group_rows=st.integers(1, 6),
    group_bytes=st.integers(200, 5000),
)
def test_parallel_shards_are_byte_identical_to_the_sequential_writer(
    lengths, cuts, keep_seed, batch, shard_kb, group_rows, group_bytes
):
    settings = ShardConfig(max_shard_bytes=shard_kb << 10, row_group_rows=group_rows, row_group_bytes=group_bytes)
    keep = np.random.default_rng(keep_seed).random(len(lengths)) < 0.7
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        table = docs(lengths)
        parts = stage(root, table, cuts)
        sequential, parallel = write_both(root, table, parts, keep, settings, InProcess(), batch)
        assert list(parallel) == list(sequential) and parallel == sequential


def test_shards_from_a_process_pool_are_the_same_bytes(tmp_path):
    # Row groups of several MB that arrive in pieces: Parquet's pages (and so the bytes) would differ
    # with how the rows were chunked, unless each row group is one contiguous chunk.
    settings = ShardConfig(max_shard_bytes=2 << 20, row_group_rows=10, row_group_bytes=8 << 20)
    lengths = [int(n) for n in np.random.default_rng(1).integers(0, 60_000, size=60)]
    table = docs(lengths)
    parts = stage(tmp_path, table, [7, 20, 21, 44])
    keep = np.random.default_rng(2).random(len(lengths)) < 0.7
    with LocalPool(2) as pool:
        sequential, parallel = write_both(tmp_path, table, parts, keep, settings, pool, batch=3)
    assert len(parallel) >= 3 and parallel == sequential


class _Staged:
    def __init__(self, parts):
        self._parts = parts

    def configs(self):
        return ["papers"]

    def schema(self, config):
        return SCHEMA

    def parts(self, config):
        return self._parts


def test_copy_to_train_keeps_every_row_in_build_order_and_replaces_older_shards(tmp_path):
    table = docs([5, 50, 500, 5])
    parts = stage(tmp_path, table, [1, 3])
    (tmp_path / "out/data/papers").mkdir(parents=True)
    (tmp_path / "out/data/papers/train-00000-of-00009.parquet").write_bytes(b"an older build")
    output = BuildOutput(tmp_path / "out", ShardConfig())
    copy_to_train(_Staged(parts), output, InProcess())
    assert output.files == {"papers": {"train": ["data/papers/train-00000-of-00001.parquet"]}}
    assert pq.read_table(tmp_path / "out/data/papers").column("id").to_pylist() == table.column("id").to_pylist()


@pytest.mark.parametrize(("planned", "problem"), [(3, "fewer"), (1, "more")])
def test_a_shard_that_gets_other_rows_than_planned_is_not_written(tmp_path, planned, problem):
    from medc.finalize.write import ShardTask, run_shard_task

    parts = stage(tmp_path, docs([5, 5]), [])
    task = ShardTask(tmp_path / "x.parquet", SCHEMA, ShardConfig(), [(parts[0], np.array([0, 1]))], np.ones(planned))
    with pytest.raises(RuntimeError, match=f"{problem} rows than the shard plan has"):
        run_shard_task(task)
    assert list(tmp_path.glob("*x.parquet*")) == []
