import json
import math

import numpy as np
import pytest

from tests.trainer.trainer_fixtures import build_medc_k, papers
from trainer import tokenize_work
from trainer.config import PretrainData
from trainer.data import Source
from trainer.pretrain_data import PretrainStream, pretrain_sources
from trainer.tokenize_work import tokenize_corpus


def test_documents_are_bos_tokens_eos_in_stored_order(assets, tokenizer, tmp_path):
    corpus = tokenize_corpus(Source("papers", str(assets["medc_k"]), "papers"), tokenizer, cache_dir=tmp_path)
    texts = [d.text for d in papers(60)]
    assert corpus.n_docs == len(texts)
    for i in (0, 1, 59):
        doc = corpus.tokens[corpus.doc_starts[i] : corpus.doc_starts[i + 1]].tolist()
        expected = tokenizer(texts[i], add_special_tokens=False)["input_ids"]
        assert doc == [tokenizer.bos_token_id, *expected, tokenizer.eos_token_id]
    assert corpus.tokens.dtype == np.uint16


def test_rerun_reuses_the_cache_and_any_change_invalidates_it(assets, tokenizer, tmp_path, monkeypatch):
    medc_k = build_medc_k(tmp_path / "medc-k", n_papers=12, n_books=3)
    source = Source("papers", str(medc_k), "papers")
    first = tokenize_corpus(source, tokenizer, cache_dir=tmp_path / "cache")

    def no_tokenizing(*args, **kwargs):
        raise AssertionError("tokenized again")

    monkeypatch.setattr(tokenize_work, "write_part", no_tokenizing)
    again = tokenize_corpus(source, tokenizer, cache_dir=tmp_path / "cache")
    assert again.path == first.path and again.tokens[:].tolist() == first.tokens[:].tolist()
    monkeypatch.undo()

    no_bos = tokenize_corpus(source, tokenizer, cache_dir=tmp_path / "cache", add_bos=False)
    build_medc_k(tmp_path / "medc-k", n_papers=13, n_books=3)  # the data changed
    more = tokenize_corpus(source, tokenizer, cache_dir=tmp_path / "cache")
    assert len({first.path, no_bos.path, more.path}) == 3
    assert (no_bos.n_docs, more.n_docs) == (12, 13)
    assert no_bos.n_tokens == first.n_tokens - 12


def test_stream_mixes_by_weight_and_never_trains_on_validation(assets, tokenizer, tmp_path):
    data = PretrainData(
        path=str(assets["medc_k"]), seq_len=32, cache_dir=str(tmp_path), val_sequences=8, mix={"books": 15, "papers": 4}
    )
    stream = PretrainStream.prepare(data, tokenizer, seed=0, micro_batch=4, grad_accum=2)
    counts = {"books": 0, "papers": 0}
    for _ in range(40):
        draws_before = dict(stream.sampler.taken)
        stream.next_step()
        for name in counts:
            counts[name] += stream.sampler.taken[name] - draws_before[name]
    drawn = sum(counts.values())
    assert drawn == 40 * 8
    assert abs(counts["books"] - 15 / 19 * drawn) <= 1 and abs(counts["papers"] - 4 / 19 * drawn) <= 1
    for name, train in stream.packed.items():  # validation is whole documents that training never sees
        val = stream.validation[name]
        assert len(val) > 0 and val.corpus.n_docs > 0
        trained = {tuple(seq) for seq in doc_token_lists(train.corpus)}
        assert not trained & {tuple(seq) for seq in doc_token_lists(val.corpus)}
        assert train.corpus.n_docs + val.corpus.n_docs == stream.corpora[name].n_docs
    # one epoch = one pass over the books' training sequences at their 15/19 share
    books = len(stream.sampler.items["books"])
    assert stream.total_samples == math.ceil(books / (15 / 19))
    assert stream.summary()["sources"]["books"]["share"] == round(15 / 19, 4)


def test_token_budget_sets_the_length(assets, tokenizer, tmp_path):
    data = PretrainData(path=str(assets["medc_k"]), seq_len=32, cache_dir=str(tmp_path), token_budget=32 * 100)
    stream = PretrainStream.prepare(data, tokenizer, seed=0, micro_batch=4, grad_accum=5)
    assert (stream.total_samples, stream.total_steps) == (100, 5)


def test_general_corpus_from_a_local_jsonl_file(assets, tokenizer, tmp_path):
    general = tmp_path / "general.jsonl"
    general.write_text("".join(json.dumps({"text": f"General text number {i}."}) + "\n" for i in range(30)))
    data = PretrainData(path=str(assets["medc_k"]), general=str(general), seq_len=16, cache_dir=str(tmp_path))
    names = [s.name for s in pretrain_sources(data)]
    assert names == ["books", "papers", "general"]
    stream = PretrainStream.prepare(data, tokenizer, seed=0, micro_batch=2, grad_accum=1)
    assert stream.summary()["sources"]["general"]["documents"] == 30


def test_missing_sources_are_reported_not_fatal(assets, caplog):
    data = PretrainData(path=str(assets["medc_k"]))  # default mix names `general`, but none is given
    with caplog.at_level("WARNING"):
        assert [s.name for s in pretrain_sources(data)] == ["books", "papers"]
    assert "general=1 ignored: no data.general given" in caplog.text
    with pytest.raises(ValueError, match="not a source"):
        pretrain_sources(PretrainData(path=str(assets["medc_k"]), mix={"wiki": 1}))


def doc_token_lists(corpus):
    return [corpus.tokens[a:b].tolist() for a, b in zip(corpus.doc_starts[:-1], corpus.doc_starts[1:], strict=True)]
