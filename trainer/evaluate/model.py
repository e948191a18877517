"""Load a causal language model and its tokenizer for evaluation: a local directory or a Hub id.

>>> loaded = load_model("axiong/PMC_LLaMA_13B")          # GPU if there is one (bf16), else CPU (fp32)
>>> loaded.device, loaded.dtype
('cuda', 'bfloat16')
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

DTYPES = ("auto", "float32", "bfloat16", "float16")


@dataclass
class LoadedModel:
    model: Any
    tokenizer: Any
    name: str
    device: str
    dtype: str
    revision: str | None = None  # the Hub commit, when the model came from the Hub


def resolve_device(device: str = "auto") -> str:
    import torch

    if device != "auto":
        return device
    return "cuda" if torch.cuda.is_available() else "cpu"


def resolve_dtype(dtype: str, device: str) -> str:
    """`auto`: bfloat16 on a GPU that has it (float16 otherwise), float32 on CPU."""
    import torch

    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {DTYPES}, got {dtype!r}")
    if dtype != "auto":
        return dtype
    if device.startswith("cuda"):
        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    return "float32"


def load_model(name: str, device: str = "auto", dtype: str = "auto", revision: str | None = None) -> LoadedModel:
    """The model in eval mode on `device`, and its tokenizer with a pad token set."""
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device = resolve_device(device)
    dtype = resolve_dtype(dtype, device)
    tokenizer = AutoTokenizer.from_pretrained(name, revision=revision)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token or tokenizer.unk_token
    # transformers renamed `torch_dtype` to `dtype` in 4.56; medc accepts both sides of that change.
    major, minor = (int(p) for p in transformers.__version__.split(".")[:2])
    dtype_kw = "dtype" if (major, minor) >= (4, 56) else "torch_dtype"
    model = AutoModelForCausalLM.from_pretrained(name, revision=revision, **{dtype_kw: getattr(torch, dtype)})
    model.to(device)
    model.eval()
    commit = getattr(model.config, "_commit_hash", None)
    log.info("Loaded %s on %s (%s)", name, device, dtype)
    return LoadedModel(model, tokenizer, name, device, dtype, commit)
