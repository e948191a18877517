"""Load a causal language model and its tokenizer for evaluation: a local directory or a Hub id.

>>> loaded = load_model("axiong/PMC_LLaMA_13B")          # GPU if there is one (bf16), else CPU (fp32)
>>> loaded.device, loaded.dtype
('cuda', 'bfloat16')
>>> load_model("meta-llama/Llama-2-70b-hf", device_map="auto").device    # spread over every GPU (and CPU)
'map:cuda:0,cuda:1,cuda:2,cuda:3'

A model tuned by `medc train sft --template chat` carries `medc.json` (`template: chat`); `template` and
`stop_ids` (the generation config's EOS ids, the tokenizer's, the chat template's end of turn) tell `generate`
how to ask and when an answer has ended.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from trainer.special_tokens import read_run_info, stop_ids

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
    template: str | None = None  # "chat" when medc tuned it with the tokenizer's chat template
    stop_ids: list[int] | None = None  # generation ends at any of these


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


def load_model(
    name: str, device: str = "auto", dtype: str = "auto", revision: str | None = None, device_map: str | None = None
) -> LoadedModel:
    """The model in eval mode on `device` (or spread by accelerate's `device_map`, e.g. `auto`, for a model larger
    than one device), and its tokenizer with a pad token set."""
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
    kwargs = {dtype_kw: getattr(torch, dtype)}
    if device_map:
        kwargs["device_map"] = device_map
    model = AutoModelForCausalLM.from_pretrained(name, revision=revision, **kwargs)
    if device_map:
        placed = getattr(model, "hf_device_map", None) or {"": next(model.parameters()).device}
        device = "map:" + ",".join(dict.fromkeys(str(d) for d in placed.values()))
    else:
        model.to(device)
    model.eval()
    commit = getattr(model.config, "_commit_hash", None)
    template = read_run_info(name).get("template")
    generation = getattr(model, "generation_config", None)
    stops = stop_ids(
        base_generation_eos=getattr(generation, "eos_token_id", None),
        model_eos=model.config.eos_token_id,
        tokenizer=tokenizer,
        template=template,
    )
    log.info("Loaded %s on %s (%s)%s", name, device, dtype, f", tuned with the {template} template" if template else "")
    return LoadedModel(model, tokenizer, name, device, dtype, commit, template, stops)
