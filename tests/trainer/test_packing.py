import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.trainer.trainer_fixtures import tiny_llama
from trainer.packing import IGNORE, PackedSequences
from trainer.token_cache import TokenizedCorpus

PAD = 3


def corpus_of(docs: list[list[int]]) -> TokenizedCorpus:
    tokens = np.array([t for d in docs for t in d], dtype=np.uint16)
    starts = np.concatenate([[0], np.cumsum([len(d) for d in docs])]).astype(np.int64)
    return TokenizedCorpus("test", tokens, starts)


def test_docstring_example():
    seqs = PackedSequences(corpus_of([[1, 10, 11, 2], [1, 12, 2]]), seq_len=4, pad_id=PAD, isolate=True)
    assert len(seqs) == 2
    first, tail = seqs[0], seqs[1]
    assert first.input_ids.tolist() == [1, 10, 11, 2] and first.targets.tolist() == [10, 11, 2, IGNORE]
    assert tail.input_ids.tolist() == [1, 12, 2, PAD] and tail.targets.tolist() == [12, 2, IGNORE, IGNORE]
    assert tail.n_real == 3


docs_strategy = st.lists(st.lists(st.integers(4, 500), min_size=1, max_size=40), min_size=1, max_size=25)


@settings(max_examples=150, deadline=None)
@given(docs=docs_strategy, seq_len=st.integers(1, 50))
def test_packing_keeps_every_token(docs, seq_len):
    corpus = corpus_of(docs)
    stream = corpus.tokens.astype(np.int64)
    seqs = PackedSequences(corpus, seq_len=seq_len, pad_id=PAD)
    inputs = np.concatenate([seqs[i].input_ids[: seqs[i].n_real] for i in range(len(seqs))]) if len(seqs) else []
    targets = np.concatenate([seqs[i].targets for i in range(len(seqs))]) if len(seqs) else np.array([])
    # Every token but the last is an input exactly once, in order (the last is only ever a target) ...
    assert list(inputs) == list(stream[: len(inputs)]) and len(inputs) >= len(stream) - 1
    # ... and every token but the first is a target exactly once, in order; nothing else is a target.
    assert targets[targets != IGNORE].tolist() == stream[1:].tolist()
    assert all((seqs[i].input_ids[seqs[i].n_real :] == PAD).all() for i in range(len(seqs)))


@settings(max_examples=150, deadline=None)
@given(docs=docs_strategy, seq_len=st.integers(1, 50))
def test_isolation_drops_only_targets_that_cross_documents(docs, seq_len):
    corpus = corpus_of(docs)
    seqs = PackedSequences(corpus, seq_len=seq_len, pad_id=PAD, isolate=True)
    doc_of = np.repeat(np.arange(len(docs)), [len(d) for d in docs])
    kept = []
    for i in range(len(seqs)):
        s = seqs[i]
        for j in range(seq_len):
            src = i * seq_len + j  # stream index of input j
            if s.targets[j] != IGNORE:
                assert doc_of[src] == doc_of[src + 1], "a target crosses into the next document"
                kept.append(src + 1)
            if j < s.n_real:  # position = offset from the document start, or from the sequence start
                doc_start = corpus.doc_starts[doc_of[src]]
                assert s.position_ids[j] == src - max(doc_start, i * seq_len)
    same_doc = [k for k in range(1, len(doc_of)) if doc_of[k] == doc_of[k - 1]]
    assert kept == same_doc


@pytest.mark.parametrize("attention", ["sdpa", "eager"])
def test_isolated_documents_attend_only_to_themselves(attention):
    """A document packed after another gets the same logits as alone, through the explicit block mask that
    `model_inputs` builds from the restarting position ids (transformers 4.45 ignores restarts by themselves:
    checked by `python -m trainer.attention` under 4.45.2, 4.57.1, 5.0.0, 5.25.0)."""
    torch = pytest.importorskip("torch")
    from trainer.attention import model_inputs

    model = tiny_llama()
    model.config._attn_implementation = attention
    a, b = [1, 5, 6, 7, 2], [1, 8, 9, 10, 11, 2]
    seq = PackedSequences(corpus_of([a, b]), seq_len=11, pad_id=0, isolate=True)[0]
    batch = {"input_ids": seq.input_ids[None], "position_ids": seq.position_ids[None]}
    inputs = model_inputs(batch, attention=attention, dtype=torch.float32, device="cpu")
    assert inputs["attention_mask"].shape == (1, 1, 11, 11)
    with torch.no_grad():
        packed = model(**inputs, use_cache=False).logits[0]
        alone = model(input_ids=torch.tensor([b]), use_cache=False).logits[0]
        mixed = model(input_ids=torch.from_numpy(seq.input_ids[None]), use_cache=False).logits[0]
    assert torch.allclose(packed[len(a) :], alone, atol=1e-5)
    assert not torch.allclose(mixed[len(a) :], alone, atol=1e-3)  # without the mask, b sees a


def test_the_start_up_check_passes_and_catches_a_mask_that_lets_documents_mix(monkeypatch):
    pytest.importorskip("torch")
    from transformers import LlamaConfig

    from trainer import attention

    for kernel in ("sdpa", "eager"):
        attention.check_isolation(LlamaConfig(), kernel)
    causal_only = attention.document_mask

    def leaky(position_ids, dtype):  # one document per row: plain causal attention across the packed documents
        import torch

        return causal_only(torch.arange(position_ids.shape[-1]).expand_as(position_ids), dtype)

    monkeypatch.setattr(attention, "document_mask", leaky)
    with pytest.raises(ValueError, match="attend across their boundaries"):
        attention.check_isolation(LlamaConfig(), "sdpa")
