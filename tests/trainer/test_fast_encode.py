import json
import logging
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.trainer.trainer_fixtures import document_text
from trainer import fast_encode
from trainer.fast_encode import batch_encoder, incompatibility, tiktoken_encoder
from trainer.tiny import train_tokenizer

# Llama 3's piece regex (case-insensitive contractions, letters with one leading non-letter, 1-3 digit groups).
LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"
    r"|\s+(?!\S)|\s+"
)
TRICKY = [
    "Aspirin 81 mg/day reduced MI risk by 12.5% (p<0.001).",
    "  leading and   inner spaces\n\n\ttabs\r\nand CRLF  ",
    "Ünïcödé — “quotes”, µg/kg, β-blockers, 10,000.75 IU",
    "e\u0301 combining accent vs é precomposed",
    "emoji 🧬🧪 and CJK 阿司匹林 and Greek αβγ",
    "it's they're we've I'm you'll he'd IT'S",
    "special tokens as text: <s> and </s> and <pad>",
    "",
    "unseenwordxyzzyquux" * 20,
]


@pytest.fixture(scope="module")
def texts():
    rng = random.Random(7)
    return [document_text(rng, rng.randint(2, 20)) for _ in range(300)]


@pytest.fixture(scope="module")
def tokenizer(texts):
    return train_tokenizer(texts, vocab_size=600)


def hf_ids(tokenizer, batch):
    return [e.ids for e in tokenizer.backend_tokenizer.encode_batch_fast(batch, add_special_tokens=False)]


def variant(tokenizer, edit):
    """The tokenizer with its JSON edited by `edit`, as a transformers fast tokenizer."""
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    spec = json.loads(tokenizer.backend_tokenizer.to_str())
    edit(spec)
    return PreTrainedTokenizerFast(tokenizer_object=Tokenizer.from_str(json.dumps(spec)), eos_token="</s>")


def llama3_style(spec):
    spec["normalizer"] = {"type": "NFC"}
    spec["pre_tokenizer"] = {
        "type": "Sequence",
        "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": LLAMA3_PATTERN}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
        ],
    }


def test_tiny_tokenizer_is_encoded_by_tiktoken_with_the_same_ids(tokenizer, texts):
    fast = tiktoken_encoder(tokenizer)
    assert fast is not None
    assert fast(texts) == hf_ids(tokenizer, texts)
    assert fast(TRICKY) == hf_ids(tokenizer, TRICKY)
    special = fast(["a </s> b"])[0]
    assert tokenizer.eos_token_id in special  # split out as `tokenizers` does, not spelled in bytes


def test_llama3_style_split_and_nfc_normalizer_are_exact(tokenizer, texts):
    llama3 = variant(tokenizer, llama3_style)
    fast = tiktoken_encoder(llama3)
    assert fast is not None
    batch = texts[:50] + TRICKY + ["12345678 digits", "CAFE\u0301 cafe\u0301"]
    assert fast(batch) == hf_ids(llama3, batch)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(st.characters(exclude_categories=("Cs",)), max_size=60), min_size=1, max_size=8))
def test_any_text_gets_the_same_ids(tokenizer, batch):
    assert tiktoken_encoder(tokenizer)(batch) == hf_ids(tokenizer, batch)


def edit_model(**fields):
    def edit(spec):
        spec["model"].update(fields)

    return edit


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (edit_model(merges=[]), "merges are not every in-vocabulary split"),
        (edit_model(ignore_merges=False), "ignore_merges"),
        (edit_model(dropout=0.1), "dropout"),
        (edit_model(byte_fallback=True), "byte fallback"),
        (lambda s: s.update(normalizer={"type": "Lowercase"}), "normalizer Lowercase"),
        (lambda s: s.update(pre_tokenizer={"type": "Metaspace", "replacement": "▁"}), "not byte-level"),
        (lambda s: s["model"]["vocab"].pop("Ġ"), "byte symbols missing"),
    ],
)
def test_tokenizers_not_in_tiktoken_form_are_left_to_tokenizers(tokenizer, edit, reason):
    spec = json.loads(tokenizer.backend_tokenizer.to_str())
    edit(spec)
    assert reason in incompatibility(spec)


def test_trainer_only_merges_fall_back_to_tokenizers(texts):
    plain = train_tokenizer(texts, vocab_size=600, complete_merges=False)
    assert tiktoken_encoder(plain) is None
    assert batch_encoder(plain)(texts[:20]) == hf_ids(plain, texts[:20])


def test_a_disagreement_on_the_first_batch_turns_the_fast_path_off(tokenizer, texts, monkeypatch, caplog):
    monkeypatch.setattr(fast_encode, "tiktoken_encoder", lambda tok, threads=None: lambda b: [[0] for _ in b])
    encode = batch_encoder(tokenizer)
    with caplog.at_level(logging.WARNING, logger="trainer.fast_encode"):
        assert encode(texts[:10]) == hf_ids(tokenizer, texts[:10])
    assert "disagree" in caplog.text
    assert encode(texts[10:20]) == hf_ids(tokenizer, texts[10:20])
