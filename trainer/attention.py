"""Attention kept inside each packed document, whatever transformers version is installed, and checked at start-up.

    >>> batch = {"input_ids": ..., "position_ids": [[0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 6]]}   # two documents
    >>> inputs = model_inputs(batch, attention="sdpa", dtype=torch.bfloat16, device="cuda")
    >>> inputs["attention_mask"].shape                  # block-diagonal and causal, additive (0 / dtype min)
    torch.Size([1, 1, 12, 12])
    >>> check_isolation(model.config, "sdpa")           # two toy documents packed = each alone, or ValueError

A packed row carries position ids that restart at every document. transformers 5 reads such restarts as packed
sequences by itself; 4.x before that (the project allows >= 4.45) does not, and attention silently crosses
documents. So the boundaries are passed explicitly: for `sdpa` and `eager`, a 4-D additive mask (a 4-D mask is
used as given by every version since 4.38; additive, because 4.x eager adds it to the scores and SDPA accepts a
float mask of the query's dtype); for `flash_attention_2`, the position ids themselves, which its varlen path has
turned into `cu_seqlens` since 4.44 (a 4-D mask is not supported there).

`check_isolation` runs two toy documents through a small model of the training model's own architecture (same
config class, tiny sizes, random weights, this attention kernel), packed with `model_inputs` and each alone,
and refuses to train when the logits differ. Checked on CPU with transformers 4.45.2, 4.57.1, 5.0.0 and 5.25.0
(sdpa and eager); flash_attention_2 only runs on a CUDA GPU and was not checked here.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

TINY = {  # a small copy of any decoder config: only the keys the config has are set
    "num_hidden_layers": 2,
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 16,
    "vocab_size": 128,
    "use_cache": False,
}


def document_mask(position_ids: Any, dtype: Any) -> Any:
    """[B, 1, L, L] additive mask: query i sees key j when j <= i and both are in the same document (documents
    start where the position id is 0; padding continues the last document and has no target anyway)."""
    import torch

    segment = (position_ids == 0).cumsum(-1)
    same = segment[:, :, None] == segment[:, None, :]
    length = position_ids.shape[-1]
    causal = torch.ones(length, length, dtype=torch.bool, device=position_ids.device).tril()
    mask = torch.zeros(same.shape, dtype=dtype, device=position_ids.device)
    return mask.masked_fill_(~(same & causal), torch.finfo(dtype).min)[:, None]


def model_inputs(batch: dict[str, Any], *, attention: str, dtype: Any, device: Any) -> dict[str, Any]:
    """The model's keyword inputs for a batch of numpy arrays; packed rows (position ids, no 2-D mask) get their
    document boundaries explicitly (see the module docstring)."""
    import torch

    inputs = {
        k: torch.as_tensor(batch[k]).to(device) for k in ("input_ids", "position_ids", "attention_mask") if k in batch
    }
    if "position_ids" in inputs and "attention_mask" not in inputs and attention != "flash_attention_2":
        inputs["attention_mask"] = document_mask(inputs["position_ids"], dtype)
    return inputs


def model_dtype(model: Any) -> Any:
    return next(model.parameters()).dtype


def check_isolation(config: Any, attention: str, device: str = "cpu") -> None:
    """Two toy documents packed in one row must give the logits each gives alone (raises ValueError if not)."""
    import torch

    model = tiny_copy(config, attention, device)
    dtype = torch.float32 if device == "cpu" else torch.bfloat16
    model.to(device=device, dtype=dtype)
    vocab = model.config.vocab_size
    a = torch.arange(3, 3 + 5) % vocab
    b = torch.arange(11, 11 + 7) % vocab
    batch = {"input_ids": torch.cat([a, b])[None], "position_ids": torch.cat([torch.arange(5), torch.arange(7)])[None]}
    with torch.no_grad():
        packed = model(**model_inputs(batch, attention=attention, dtype=dtype, device=device)).logits[0].float()
        alone = [model(input_ids=doc[None].to(device)).logits[0].float() for doc in (a, b)]
        crossed = model(input_ids=batch["input_ids"].to(device)).logits[0, 5:].float()
    tolerance = 1e-4 if dtype == torch.float32 else 3e-2
    scale = max(1.0, float(alone[1].abs().max()))
    leak = float((packed[5:] - alone[1]).abs().max()) / scale
    if float((packed[:5] - alone[0]).abs().max()) / scale > tolerance or leak > tolerance:
        import transformers

        raise ValueError(
            f"packed documents attend across their boundaries with transformers {transformers.__version__} and "
            f"attention={attention!r} ({type(model).__name__}: relative logit difference {leak:.2e}); "
            "set data.isolate_documents=false (pretraining) or data.packing=false (SFT), or try another attention"
        )
    if float((crossed - alone[1]).abs().max()) / scale <= tolerance:
        log.warning("Isolation check inconclusive: the toy model ignores earlier documents anyway")
    log.info("Packed documents attend only to themselves (%s, %s)", type(model).__name__, attention)


def tiny_copy(config: Any, attention: str, device: str) -> Any:
    """A randomly initialized small model of `config`'s architecture."""
    import torch
    from transformers import AutoModelForCausalLM

    small = type(config).from_dict({**config.to_dict(), **{k: v for k, v in TINY.items() if hasattr(config, k)}})
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(small, attn_implementation=attention)
    return model.eval()


if __name__ == "__main__":  # python -m trainer.attention: the check on this installation, for a tiny LLaMA
    import transformers
    from transformers import LlamaConfig

    for kernel in ("sdpa", "eager"):
        check_isolation(LlamaConfig(), kernel)
        print(f"transformers {transformers.__version__}: {kernel}: packed documents isolated")
