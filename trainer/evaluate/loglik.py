"""Multiple-choice scoring by the log-likelihood of each answer continuation, batched.

For an item with context `Question: ...\\nAnswer:` and choices A-D, the model scores the continuations
`" A"`, `" B"`, ... after the context; the prediction is the choice with the highest summed log-probability
(`acc`), or the highest log-probability divided by the choice's length in characters (`acc_norm`, as
lm-evaluation-harness computes it: `len(choice)`, which is the byte length for ASCII choices).

Tokenization follows the harness: the continuation's tokens are those of `tokenize(context + continuation)`
after the context's tokens. One difference, switchable: by default the tokenizer's own special tokens are
added (a BOS for Llama, as in training), where the harness's HF backend adds none unless given
`add_bos_token=True`; `add_bos=False` (`medc eval --no-bos`) reproduces its default. When every continuation
of a context is a single token (" A", " B", ... and " yes"/" no"/" maybe" for Llama tokenizers), one forward
pass of the context scores all choices at once: the same numbers, a quarter of the work. Sequences longer
than the model's window lose tokens on the left, as in the harness.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ForwardPass:
    """One sequence to run through the model, and the continuations read off its logits: for each, the index
    of the request, the position whose logits predict the continuation's first token, and its token ids."""

    ids: list[int]
    reads: list[tuple[int, int, list[int]]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ChoiceScores:
    """The scores of one item's choices, and what each metric picks."""

    logprobs: list[float]
    lengths: list[int]

    @property
    def pred(self) -> int:
        return argmax(self.logprobs)

    @property
    def pred_norm(self) -> int:
        return argmax([lp / max(n, 1) for lp, n in zip(self.logprobs, self.lengths, strict=True)])


def argmax(values: Sequence[float]) -> int:
    """The first index of the largest value (ties go to the earlier choice, like numpy.argmax)."""
    best = 0
    for i, v in enumerate(values):
        if v > values[best]:
            best = i
    return best


def plan_passes(
    tokenizer: Any,
    requests: Sequence[tuple[str, Sequence[str]]],
    max_length: int,
    share_context: bool = True,
    add_bos: bool = True,
) -> list[ForwardPass]:
    """Forward passes scoring each (context, continuations) request. Scores land in flat slots numbered in
    request order: the continuations of the first request, then those of the second, ..."""
    passes, slot = [], 0
    for context, continuations in requests:
        ctx_ids = _encode(tokenizer, context, add_bos)
        cont_ids = [_continuation_ids(tokenizer, context, ctx_ids, c, add_bos) for c in continuations]
        if share_context and all(len(c) == 1 for c in cont_ids) and len(ctx_ids) <= max_length:
            reads = [(slot + k, len(ctx_ids) - 1, c) for k, c in enumerate(cont_ids)]
            passes.append(ForwardPass(ctx_ids, reads))
        else:
            passes.extend(_own_pass(ctx_ids, c, slot + k, max_length) for k, c in enumerate(cont_ids))
        slot += len(continuations)
    return passes


def _encode(tokenizer: Any, text: str, add_bos: bool) -> list[int]:
    return list(tokenizer(text, add_special_tokens=add_bos)["input_ids"])


def _continuation_ids(tokenizer: Any, context: str, ctx_ids: list[int], continuation: str, add_bos: bool) -> list[int]:
    whole = _encode(tokenizer, context + continuation, add_bos)
    if whole[: len(ctx_ids)] == ctx_ids and len(whole) > len(ctx_ids):
        return whole[len(ctx_ids) :]
    # The tokens merged across the boundary; score the continuation tokenized on its own instead.
    return list(tokenizer(continuation, add_special_tokens=False)["input_ids"])


def _own_pass(ctx_ids: list[int], cont_ids: list[int], slot: int, max_length: int) -> ForwardPass:
    # The last continuation token is only predicted, never fed in, so it is left out of the input.
    ids = (ctx_ids + cont_ids)[:-1]
    dropped = max(0, len(ids) - max_length)
    if len(cont_ids) > max_length:
        raise ValueError(f"A continuation of {len(cont_ids)} tokens does not fit the model's {max_length}")
    return ForwardPass(ids[dropped:], [(slot, len(ctx_ids) - 1 - dropped, cont_ids)])


def run_passes(model: Any, passes: Sequence[ForwardPass], n_slots: int, batch_size: int, pad_id: int) -> list[float]:
    """Summed log-probabilities, one per slot. Longest sequences first (fewer pad tokens, and an
    out-of-memory error shows at once); right padding, so positions need no adjusting."""
    import torch

    device = next(model.parameters()).device
    order = sorted(range(len(passes)), key=lambda i: (-len(passes[i].ids), i))
    scores = [math.nan] * n_slots
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            batch = [passes[i] for i in order[start : start + batch_size]]
            width = max(len(p.ids) for p in batch)
            ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, p in enumerate(batch):
                ids[row, : len(p.ids)] = torch.tensor(p.ids)
                mask[row, : len(p.ids)] = 1
            logits = model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits
            for row, p in enumerate(batch):
                for slot, first, targets in p.reads:
                    scores[slot] = _read(logits[row], first, targets)
    return scores


def _read(logits: Any, first: int, targets: list[int]) -> float:
    import torch

    rows = logits[first : first + len(targets)].float().log_softmax(dim=-1)
    picked = rows.gather(1, torch.tensor(targets, device=rows.device).unsqueeze(1))
    return float(picked.sum())


def score_choices(
    model: Any,
    tokenizer: Any,
    requests: Sequence[tuple[str, Sequence[str]]],
    *,
    batch_size: int = 8,
    max_length: int | None = None,
    share_context: bool = True,
    add_bos: bool = True,
) -> list[ChoiceScores]:
    """`ChoiceScores` for each (context, choices) request; choices are scored as `" " + choice`. `add_bos`:
    encode with the tokenizer's special tokens (a BOS for Llama), as `tokenizer(text)` does by default;
    lm-evaluation-harness's HF backend adds none unless run with `add_bos_token=True`."""
    max_length = max_length or model_max_length(model)
    flat = [(ctx, [" " + c for c in choices]) for ctx, choices in requests]
    passes = plan_passes(tokenizer, flat, max_length, share_context, add_bos)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    scores = run_passes(model, passes, sum(len(c) for _, c in flat), batch_size, pad_id)
    out, slot = [], 0
    for _, choices in requests:
        out.append(ChoiceScores(scores[slot : slot + len(choices)], [len(c) for c in choices]))
        slot += len(choices)
    return out


def model_max_length(model: Any) -> int:
    config = model.config
    for name in ("max_position_embeddings", "n_positions", "seq_length"):
        if isinstance(getattr(config, name, None), int):
            return int(getattr(config, name))
    return 2048
