"""Tokenizing into the cache: shared between processes through claimed units, never inside a collective, capped
at what the plan needs, streams resumed from their saved state."""

import json
import os
import socket
import threading
import time

import numpy as np
import pytest

from tests.trainer.trainer_fixtures import build_medc_k
from trainer import claims, tokenize_work
from trainer import data as data_module
from trainer.config import PretrainData
from trainer.data import Source
from trainer.token_cache import finished_parts, write_part
from trainer.tokenize_work import corpus_entry, tokenize_corpus


@pytest.fixture
def medc_k(tmp_path):
    """A MedC-K build whose papers shard has row groups of 5 papers: 8 work units."""
    import pyarrow.parquet as pq

    root = build_medc_k(tmp_path / "medc-k", n_papers=40, n_books=8)
    for shard in (root / "data" / "papers").glob("*.parquet"):
        pq.write_table(pq.read_table(shard), shard, row_group_size=5)
    return root


def test_units_claimed_by_another_process_are_awaited_not_redone(medc_k, tokenizer, tmp_path):
    """Unit 0 is held by another process (a live claim): this one tokenizes every other unit, then polls until
    the other finishes unit 0, and its corpus is the whole source, in order."""
    source = Source("papers", str(medc_k), "papers")
    entry = corpus_entry(source, tokenizer, column="text", add_bos=True, cache_dir=tmp_path / "cache")
    n_units = len(data_module.units(source))
    assert n_units > 3
    other = claims.Claim.take(entry / "claims" / "000000")
    result = {}
    worker = threading.Thread(
        target=lambda: result.setdefault("corpus", tokenize_corpus(source, tokenizer, cache_dir=tmp_path / "cache"))
    )
    worker.start()
    deadline = time.monotonic() + 60
    while len(finished_parts(entry)) < n_units - 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(finished_parts(entry)) == list(range(1, n_units))  # everything but the claimed unit
    assert worker.is_alive()  # waiting (by polling files) for unit 0
    unit = data_module.units(source)[0]
    texts = (b["text"] for b in data_module.iter_unit(source, unit, ["text"]))
    write_part(entry, 0, texts, tokenizer, add_bos=True, extra={"worker": other.owner})
    other.release()
    worker.join(60)
    corpus = result["corpus"]
    assert corpus.complete and corpus.n_docs == 40
    markers = finished_parts(entry)
    assert markers[0]["worker"] == other.owner and markers[1]["worker"] != other.owner
    expected = tokenizer(next(data_module.iter_columns(source, ["text"]))["text"][0], add_special_tokens=False)
    assert corpus.tokens[0 : corpus.doc_starts[1]].tolist() == [1, *expected["input_ids"], 2]


def test_no_collective_runs_while_ranks_tokenize(medc_k, tokenizer, tmp_path, monkeypatch):
    """Rank 1 of 2 prepares its stream on a cache nobody filled yet: it tokenizes, and no barrier, all-reduce or
    broadcast is called (each would raise here)."""
    import torch.distributed as tdist

    from trainer.config import PretrainConfig
    from trainer.engine import DistInfo
    from trainer.loop import _prepare_stream

    def collective(*args, **kwargs):
        raise AssertionError("a collective was called while tokenizing")

    for name in ("barrier", "all_reduce", "broadcast", "all_gather", "monitored_barrier"):
        monkeypatch.setattr(tdist, name, collective)
    cfg = PretrainConfig(
        model="unused",
        out=str(tmp_path / "run"),
        data=PretrainData(path=str(medc_k), seq_len=32, cache_dir=str(tmp_path / "cache"), val_sequences=2),
    )
    stream = _prepare_stream(cfg, tokenizer, DistInfo(rank=1, world=2, local_rank=1, device="cpu"))
    assert stream.rank == 1 and stream.summary()["sources"]["papers"]["documents"] > 0


def test_a_killed_workers_stale_claim_is_taken_over_and_finished_units_are_kept(
    medc_k, tokenizer, tmp_path, monkeypatch
):
    source = Source("papers", str(medc_k), "papers")
    entry = corpus_entry(source, tokenizer, column="text", add_bos=True, cache_dir=tmp_path / "cache")
    tokenize_corpus(source, tokenizer, cache_dir=tmp_path / "cache", need_tokens=1)  # unit 0 only
    assert sorted(finished_parts(entry)) == [0]
    dead = entry / "claims" / "000001"  # a job killed while on unit 1: its claim and a half-written file remain
    dead.write_text("{}")
    os.utime(dead, (time.time() - 3600, time.time() - 3600))
    (entry / "parts" / ".000001.bin.deadhost-1-abc.tmp").write_bytes(b"\0" * 10)
    calls = []
    real = tokenize_work.write_part
    monkeypatch.setattr(tokenize_work, "write_part", lambda e, i, *a, **k: calls.append(i) or real(e, i, *a, **k))
    corpus = tokenize_corpus(source, tokenizer, cache_dir=tmp_path / "cache")
    assert 0 not in calls and 1 in calls and corpus.complete and corpus.n_docs == 40
    assert (entry / "meta.json").exists() and not list((entry / "claims").iterdir())


def test_temporary_names_carry_host_and_a_uuid(tmp_path):
    a, b = claims.tmp_name(tmp_path / "x.bin"), claims.tmp_name(tmp_path / "x.bin")
    assert a != b and socket.gethostname() in a.name and str(os.getpid()) in a.name


def test_sources_are_tokenized_only_as_far_as_the_plan_draws(medc_k, tokenizer, tmp_path):
    """One epoch over the books at 15:4 draws far fewer paper sequences than the papers hold: papers are
    tokenized up to that need (whole units), and the planned run never draws a paper sequence twice."""
    from trainer.pretrain_data import PretrainStream
    from trainer.pretrain_plan import need_tokens

    data = PretrainData(
        path=str(medc_k), seq_len=16, cache_dir=str(tmp_path / "cache"), val_sequences=2, mix={"books": 15, "papers": 4}
    )
    stream = PretrainStream.prepare(data, tokenizer, seed=0, micro_batch=2, grad_accum=1)
    papers, books = stream.corpora["papers"], stream.corpora["books"]
    assert books.complete and not papers.complete
    full = tokenize_corpus(Source("papers", str(medc_k), "papers"), tokenizer, cache_dir=tmp_path / "cache")
    need = need_tokens(data, stream.sampler.shares["papers"], stream.total_samples)
    assert need <= papers.n_tokens < full.n_tokens
    for _ in range(stream.total_samples):
        next(stream.sampler)
    assert stream.sampler.taken["papers"] <= len(stream.sampler.items["papers"])  # never a second pass


def test_a_streamed_source_reads_only_what_is_needed_and_continues_from_its_saved_state(
    tokenizer, tmp_path, monkeypatch
):
    """stands for a Hub dataset (`--general HuggingFaceFW/fineweb-edu`), streamed: here a local JSONL file read
    through the same `datasets` streaming path."""
    monkeypatch.setattr(data_module, "UNIT_ROWS", 10)
    general = tmp_path / "general.jsonl"
    general.write_text("".join(json.dumps({"text": f"General text number {i}."}) + "\n" for i in range(45)))
    streamed = Source("general", str(general), stream=True)
    cache = tmp_path / "cache"
    first = tokenize_corpus(streamed, tokenizer, cache_dir=cache, need_tokens=1)
    assert first.n_docs == 10 and not first.complete  # one unit of 10 rows, nothing more read
    more = tokenize_corpus(streamed, tokenizer, cache_dir=cache)  # resumes after row 10 from the saved state
    whole = tokenize_corpus(Source("general", str(general)), tokenizer, cache_dir=tmp_path / "other")
    assert more.complete and more.n_docs == 45
    assert np.array_equal(more.tokens[:], whole.tokens[:]) and np.array_equal(more.doc_starts, whole.doc_starts)
