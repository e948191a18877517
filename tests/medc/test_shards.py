import os

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from medc.records import Document, PaperMeta, document_schema, to_table
from medc.shards import ShardConfig, ShardWriter


def docs(n, size=200):
    return [
        Document(
            id=f"pmc:PMC{i}",
            source="papers",
            title=f"T{i}",
            text=("word " * size) + str(i),
            origin=f"in/PMC{i}.xml",
            meta=PaperMeta(pmcid=f"PMC{i}"),
        )
        for i in range(n)
    ]


def write(out, records, **cfg):
    schema = document_schema("papers")
    with ShardWriter(out, "papers", "train", schema, ShardConfig(**cfg)) as w:
        for i in range(0, len(records), 7):
            w.write(to_table(records[i : i + 7], schema))
    return w


def test_shards_are_cut_by_size_and_named_for_the_hub(tmp_path):
    w = write(tmp_path, docs(300), max_shard_bytes=64 << 10, row_group_rows=50)
    assert len(w.paths) > 1
    total = len(w.paths)
    assert w.paths == [f"data/papers/train-{i:05d}-of-{total:05d}.parquet" for i in range(total)]
    for path in w.paths:
        meta = pq.ParquetFile(tmp_path / path).metadata
        assert all(meta.row_group(g).num_rows <= 50 for g in range(meta.num_row_groups))
        assert meta.row_group(0).column(0).compression == "ZSTD"
    assert w.rows == 300
    assert sorted(os.listdir(tmp_path / "data/papers")) == sorted(p.split("/")[-1] for p in w.paths)


def test_round_trip_through_load_dataset(tmp_path):
    records = docs(40)
    write(tmp_path, records, max_shard_bytes=16 << 10)
    ds = datasets.load_dataset(
        str(tmp_path),
        data_files={"train": "data/papers/train-*.parquet"},
        split="train",
        cache_dir=str(tmp_path / "cache"),
    )
    assert ds["id"] == [d.id for d in records]
    assert ds[3]["meta"]["pmcid"] == "PMC3"


def test_interrupted_write_leaves_no_final_file(tmp_path):
    schema = document_schema("papers")
    with pytest.raises(RuntimeError), ShardWriter(tmp_path, "papers", "train", schema) as w:
        w.write(to_table(docs(5), schema))
        raise RuntimeError("killed")
    assert list((tmp_path / "data/papers").iterdir()) == []


def test_crash_before_close_leaves_only_hidden_temporaries_that_the_next_writer_removes(tmp_path):
    schema = document_schema("papers")
    w = ShardWriter(tmp_path, "papers", "train", schema, ShardConfig(row_group_rows=1))
    w.write(to_table(docs(3), schema))  # flushed to a temp file, then the process "dies" (no close)
    names = os.listdir(tmp_path / "data/papers")
    assert names and all(n.startswith(".") for n in names)
    write(tmp_path, docs(2))
    assert os.listdir(tmp_path / "data/papers") == ["train-00000-of-00001.parquet"]


def test_rewrite_with_fewer_shards_replaces_old_ones(tmp_path):
    write(tmp_path, docs(300), max_shard_bytes=32 << 10)
    write(tmp_path, docs(3))
    assert os.listdir(tmp_path / "data/papers") == ["train-00000-of-00001.parquet"]
    assert pq.read_table(tmp_path / "data/papers/train-00000-of-00001.parquet").num_rows == 3


def test_empty_split_writes_no_shard_and_removes_old_ones(tmp_path):
    write(tmp_path, docs(3))
    w = write(tmp_path, [])
    assert w.paths == [] and w.rows == 0
    assert os.listdir(tmp_path / "data/papers") == []


def test_schema_is_enforced(tmp_path):
    with (
        pytest.raises((pa.ArrowInvalid, KeyError)),
        ShardWriter(tmp_path, "papers", "train", document_schema("papers")) as w,
    ):
        w.write(pa.table({"id": ["x"]}))


def test_bad_shard_config_says_what_to_do():
    with pytest.raises(ValueError, match="at least 1024"):
        ShardConfig(max_shard_bytes=10)
