"""Greedy generation in batches: prompts in, the text each prompt's continuation decodes to out.

Prompts are batched by length (longest first, so padding stays small and an out-of-memory error shows at
once), padded on the left as decoder-only generation needs, and decoded without special tokens. Greedy
decoding with a fixed batch order makes a run repeatable. The answers are then read by `answer_parser`.
A prompt that leaves no room for `max_new_tokens` in the model's window loses tokens on the left (as in
lm-evaluation-harness), with a warning that counts them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from trainer.evaluate.loglik import model_max_length

log = logging.getLogger(__name__)


def generate_texts(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[str],
    *,
    batch_size: int = 8,
    max_new_tokens: int = 64,
    add_bos: bool = True,
    stop_ids: Sequence[int] | None = None,
    rendered: bool = False,
) -> list[str]:
    """The greedy continuation of each prompt, in prompt order; it ends at any of `stop_ids` (default: the
    tokenizer's EOS). `rendered`: the prompts come from a chat template, which writes its own BOS (encoded
    without added special tokens; BOS put in front only when `add_bos` and the template did not)."""
    import torch

    device = next(model.parameters()).device
    encoded = _encode_within(tokenizer, prompts, model_max_length(model) - max_new_tokens, add_bos, rendered)
    order = sorted(range(len(prompts)), key=lambda i: (-len(encoded[i]), i))
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    eos_id = list(stop_ids) if stop_ids else tokenizer.eos_token_id
    texts = [""] * len(prompts)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            ids, mask = _left_padded([encoded[i] for i in rows], pad_id)
            out = model.generate(
                input_ids=ids.to(device),
                attention_mask=mask.to(device),
                do_sample=False,
                max_new_tokens=max_new_tokens,
                pad_token_id=pad_id,
                eos_token_id=eos_id,
            )
            new_tokens = out[:, ids.shape[1] :]
            for row, tokens in zip(rows, new_tokens.tolist(), strict=True):
                texts[row] = tokenizer.decode(tokens, skip_special_tokens=True)
    return texts


def _encode_within(
    tokenizer: Any, prompts: Sequence[str], room: int, add_bos: bool, rendered: bool = False
) -> list[list[int]]:
    if room < 1:
        raise ValueError(f"max_new_tokens leaves no room for a prompt in the model's window ({room} tokens left)")
    if rendered:
        bos = tokenizer.bos_token_id
        encoded = [list(tokenizer(p, add_special_tokens=False)["input_ids"]) for p in prompts]
        if add_bos and bos is not None:
            encoded = [ids if ids[:1] == [bos] else [bos, *ids] for ids in encoded]
    else:
        encoded = [list(tokenizer(p, add_special_tokens=add_bos)["input_ids"]) for p in prompts]
    cut = sum(len(ids) > room for ids in encoded)
    if cut:
        log.warning("%d of %d prompts are longer than %d tokens and lose their beginning", cut, len(prompts), room)
    return [ids[-room:] for ids in encoded]


def _left_padded(batch: list[list[int]], pad_id: int) -> tuple[Any, Any]:
    import torch

    width = max(len(x) for x in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, x in enumerate(batch):
        ids[row, width - len(x) :] = torch.tensor(x)
        mask[row, width - len(x) :] = 1
    return ids, mask
