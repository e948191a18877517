"""A tiny LLaMA and a small BPE tokenizer trained on the built corpus: the offline model for tests and the demo.

    >>> tokenizer = train_tokenizer(["Aspirin inhibits cyclooxygenase.", ...], vocab_size=512)
    >>> init_tiny_model("runs/tiny-llama", tokenizer, TinyModelSpec(layers=2, hidden=64))
    runs/tiny-llama/{config.json, model.safetensors, tokenizer.json, tokenizer_config.json, generation_config.json}

Nothing is downloaded: the tokenizer is byte-level BPE (every string encodes, no unknown tokens) trained with the
`tokenizers` library, and the model is `LlamaForCausalLM` built from a config with random weights. The tokenizer
carries `<s>`/`</s>`/`<pad>`/`<unk>` and a small ChatML-style chat template, so both SFT templates can be tried.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

BOS, EOS, PAD, UNK = "<s>", "</s>", "<pad>", "<unk>"
# ChatML-like, ending each turn with EOS so that generation stops after an answer.
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}{{ eos_token }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)


@dataclass(frozen=True)
class TinyModelSpec:
    """Shape of the tiny LLaMA (defaults: ~0.1M parameters besides embeddings)."""

    layers: int = 2
    """Transformer blocks."""
    hidden: int = 64
    """Hidden size."""
    heads: int = 4
    """Attention heads (key/value heads: the same)."""
    intermediate: int = 128
    """MLP inner size."""
    max_positions: int = 2048
    """Longest sequence the rotary embedding is configured for."""

    def __post_init__(self) -> None:
        if self.hidden % self.heads:
            raise ValueError(f"hidden ({self.hidden}) must be a multiple of heads ({self.heads})")


def train_tokenizer(texts: Iterable[str], vocab_size: int = 1000, complete_merges: bool = True) -> Any:
    """A byte-level BPE tokenizer trained on `texts`, wrapped as a transformers fast tokenizer. With
    `complete_merges` (the default) its merges are made tiktoken-style, as Llama 3's: see `with_complete_merges`."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[UNK, BOS, EOS, PAD],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(texts, trainer)
    if complete_merges:
        backend = Tokenizer.from_str(json.dumps(with_complete_merges(json.loads(backend.to_str()))))
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, bos_token=BOS, eos_token=EOS, pad_token=PAD, unk_token=UNK
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def with_complete_merges(spec: dict[str, Any]) -> dict[str, Any]:
    """A trained BPE tokenizer's JSON with tiktoken-style merges: every split `(x, y)` of a learned token with `x`
    and `y` in the vocabulary, in the order of the merged token's id, and a piece that is a token taken whole. The
    vocabulary is the trainer's; segmentations follow the ranks, and `trainer.fast_encode` can encode it exactly
    with tiktoken."""
    from trainer.fast_encode import in_vocab_splits, learned_vocab

    spec["model"]["merges"] = [list(pair) for pair in in_vocab_splits(learned_vocab(spec))]
    spec["model"]["ignore_merges"] = True
    return spec


def init_tiny_model(out_dir: str | Path, tokenizer: Any, spec: TinyModelSpec | None = None, seed: int = 0) -> Path:
    """Write a randomly initialized LlamaForCausalLM + `tokenizer` as a HF model directory; returns it."""
    import torch
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    spec = spec or TinyModelSpec()
    out = Path(out_dir)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=spec.hidden,
        intermediate_size=spec.intermediate,
        num_hidden_layers=spec.layers,
        num_attention_heads=spec.heads,
        num_key_value_heads=spec.heads,
        max_position_embeddings=spec.max_positions,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id
    )
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    n = sum(p.numel() for p in model.parameters())
    log.info(
        "Wrote a tiny LLaMA (%d layers, hidden %d, vocab %d, %d parameters) to %s",
        spec.layers,
        spec.hidden,
        len(tokenizer),
        n,
        out,
    )
    return out


def corpus_texts(build_dirs: list[str | Path], limit: int | None = None) -> list[str]:
    """Texts of every config and split of medc build directories: `text` of documents, turn contents of
    instruction records (enough to train a small tokenizer on)."""
    import pyarrow.parquet as pq

    texts: list[str] = []
    for root in build_dirs:
        files = sorted(Path(root).glob("data/*/*.parquet"))
        if not files:
            raise FileNotFoundError(f"{root}: no data/<config>/*.parquet; give a medc build directory")
        for path in files:
            names = pq.ParquetFile(path).schema_arrow.names
            column = "text" if "text" in names else "messages"
            for row in pq.read_table(path, columns=[column]).column(column).to_pylist():
                texts += [row] if column == "text" else [m["content"] for m in row]
                if limit and len(texts) >= limit:
                    return texts[:limit]
    return texts
