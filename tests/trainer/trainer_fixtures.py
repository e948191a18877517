"""Tiny built corpora, tokenizer and model for the trainer tests, generated here (nothing downloaded).

`tiny_assets(base)` writes, once per session (cached by directory):
- `medc-k/data/{papers,books}/train-*.parquet` in the `Document` schema, via the shard writer builds use;
- `medc-i/data/{dialogue,rationale_qa}/{train,validation}-*.parquet` in the `Instruction` schema, one dialogue
  with two assistant turns among them;
- `model/`: a 2-layer, hidden-64 LLaMA with a 512-token byte-level BPE trained on those texts.
"""

from __future__ import annotations

import random
from pathlib import Path

from medc.records import (
    BookMeta,
    Document,
    Instruction,
    Message,
    PaperMeta,
    document_schema,
    instruction_schema,
    to_table,
)
from medc.shards import ShardConfig, ShardWriter

DRUGS = ["aspirin", "metformin", "warfarin", "heparin", "insulin", "ibuprofen", "lisinopril", "atorvastatin"]
ACTIONS = ["inhibits", "activates", "reduces", "increases", "blocks", "modulates"]
TARGETS = ["cyclooxygenase", "platelet aggregation", "blood glucose", "thrombin", "blood pressure", "cholesterol"]
CONTEXTS = ["in adults", "in children", "after surgery", "in chronic kidney disease", "during pregnancy"]


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(DRUGS).capitalize()} {rng.choice(ACTIONS)} {rng.choice(TARGETS)} {rng.choice(CONTEXTS)}."


def document_text(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def papers(n: int, seed: int = 1) -> list[Document]:
    rng = random.Random(seed)
    return [
        Document(
            id=f"pmc:PMC{1000 + i}",
            source="papers",
            title=f"Paper {i}",
            text=document_text(rng, rng.randint(3, 12)),
            origin=f"fixture/PMC{1000 + i}.xml",
            meta=PaperMeta(pmcid=f"PMC{1000 + i}", year=2020),
        )
        for i in range(n)
    ]


def books(n: int, seed: int = 2) -> list[Document]:
    rng = random.Random(seed)
    return [
        Document(
            id=f"book:pharm:{i}",
            source="books",
            title=f"Chapter {i}",
            text=document_text(rng, rng.randint(10, 30)),
            origin="fixture/pharmacology.pdf",
            meta=BookMeta(file_name="pharmacology.pdf", chapter=f"Chapter {i}"),
        )
        for i in range(n)
    ]


def instructions(n: int, seed: int, config: str) -> list[Instruction]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        drug, target = rng.choice(DRUGS), rng.choice(TARGETS)
        question, answer = f"What does {drug} do to {target}?", sentence(rng)
        messages = [Message("user", f"Answer the question.\n\n{question}"), Message("assistant", answer)]
        if config == "dialogue" and i % 3 == 0:  # a two-turn dialogue: both assistant turns are trained
            messages += [Message("user", f"And {rng.choice(CONTEXTS)}?"), Message("assistant", sentence(rng))]
        out.append(
            Instruction(
                instruction="Answer the question.",
                input=question,
                output=answer,
                source=config,
                sample_id=f"{config}:{seed}:{i}",
                messages=messages,
                origin="fixture",
            )
        )
    return out


def write_config(out: Path, config: str, split: str, records: list, schema) -> None:
    with ShardWriter(out, config, split, schema, ShardConfig(max_shard_bytes=4096)) as writer:
        writer.write(to_table(records, schema))


def build_medc_k(out: Path, n_papers: int = 60, n_books: int = 20) -> Path:
    write_config(out, "papers", "train", papers(n_papers), document_schema("papers"))
    write_config(out, "books", "train", books(n_books), document_schema("books"))
    return out


def build_medc_i(out: Path, n_train: int = 48, n_val: int = 8) -> Path:
    for k, config in enumerate(("dialogue", "rationale_qa")):
        write_config(out, config, "train", instructions(n_train, 10 + k, config), instruction_schema())
        write_config(out, config, "validation", instructions(n_val, 20 + k, config), instruction_schema())
    return out


_ASSETS: dict[Path, dict[str, Path]] = {}


def tiny_assets(base: Path) -> dict[str, Path]:
    """medc-k, medc-i and model directories under `base` (made on first use)."""
    if base in _ASSETS:
        return _ASSETS[base]
    from trainer.sft import PREAMBLE, PREAMBLE_INPUT, TURN_INPUT
    from trainer.tiny import TinyModelSpec, init_tiny_model, train_tokenizer

    medc_k, medc_i = build_medc_k(base / "medc-k"), build_medc_i(base / "medc-i")
    texts = [d.text for d in papers(60) + books(20)]
    texts += [m.content for r in instructions(48, 10, "dialogue") for m in r.messages]
    texts += [PREAMBLE_INPUT, PREAMBLE, TURN_INPUT] * 20  # the prompt template is text the tokenizer should know
    tokenizer = train_tokenizer(texts, vocab_size=512)
    model = init_tiny_model(base / "model", tokenizer, TinyModelSpec(layers=2, hidden=64, heads=4, intermediate=128))
    _ASSETS[base] = {"medc_k": medc_k, "medc_i": medc_i, "model": model}
    return _ASSETS[base]


def tiny_llama(seed: int = 0):
    """A 2-layer LlamaForCausalLM with random weights (vocab 64, hidden 32, 64 positions), SDPA attention, eval
    mode: for checks of attention and compilation that need a real model but no tokenizer."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=64,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=64,
        use_cache=False,
    )
    config._attn_implementation = "sdpa"
    return LlamaForCausalLM(config).eval()


CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def chatml_model(assets: dict[str, Path], out: Path) -> Path:
    """The tiny model with a ChatML chat template whose end of turn, `<|im_end|>`, is not its EOS (`</s>`), and a
    base generation config that already stops on two ids (EOS and `<unk>`), as Llama 3.1 Instruct's lists three."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(assets["model"])
    tokenizer.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|im_end|>"]})
    tokenizer.chat_template = CHATML
    model = AutoModelForCausalLM.from_pretrained(assets["model"])
    model.resize_token_embeddings(len(tokenizer))
    model.generation_config.eos_token_id = [tokenizer.eos_token_id, tokenizer.unk_token_id]
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
