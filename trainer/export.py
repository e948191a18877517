"""Turn a DeepSpeed checkpoint into a Hugging Face model directory that `from_pretrained` loads anywhere.

    >>> export_checkpoint(Path("runs/k"))                   # the run's latest checkpoint
    PosixPath('runs/k/final')
    runs/k/final/{config.json, model.safetensors, generation_config.json, tokenizer.json, tokenizer_config.json, ...}
    >>> AutoModelForCausalLM.from_pretrained("runs/k/final")

ZeRO shards (stages 1-3) are consolidated into full fp32 weights with DeepSpeed's `zero_to_fp32` (the optimizer's
master copy, more precise than the bf16 weights the GPUs computed with), then cast to `dtype`. ZeRO-1 in bf16 with
fp32 gradient accumulation runs DeepSpeed's BF16_Optimizer, whose checkpoints `zero_to_fp32` does not read
("not a zero checkpoint"): those fp32 partitions are joined here (`bf16_optimizer_state_dict`). A stage-0
checkpoint holds the module weights whole. The model config, tokenizer and generation config come from the run's
`base/` directory, with pad/bos/eos ids set from the tokenizer so generation stops and pads correctly.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from trainer.checkpoint import latest_tag
from trainer.special_tokens import RUN_INFO, as_list

log = logging.getLogger(__name__)

DTYPES = ("bfloat16", "float16", "float32")


def consolidated_state_dict(root: Path, tag: str) -> dict[str, Any]:
    """Full weights of checkpoint `root/tag`, whatever the ZeRO stage it was written with."""
    import torch

    directory = root / tag
    shards = sorted(directory.glob("*zero_pp_rank_*optim_states.pt"), key=_rank_of)
    if shards and "single_partition_of_fp32_groups" in _optimizer_state(shards[0]):
        return bf16_optimizer_state_dict(directory, shards)
    if shards:
        from deepspeed.utils.zero_to_fp32 import get_fp32_state_dict_from_zero_checkpoint

        return get_fp32_state_dict_from_zero_checkpoint(str(root), tag=tag)
    states = torch.load(directory / "mp_rank_00_model_states.pt", map_location="cpu", weights_only=False)
    return {k: v.float() for k, v in states["module"].items()}


def _rank_of(path: Path) -> int:
    return int(path.name.split("zero_pp_rank_")[1].split("_")[0])


def _optimizer_state(path: Path) -> dict[str, Any]:
    import torch

    return torch.load(path, map_location="cpu", weights_only=False)["optimizer_state_dict"]


def bf16_optimizer_state_dict(directory: Path, shards: list[Path]) -> dict[str, Any]:
    """Full fp32 weights from a BF16_Optimizer checkpoint: per parameter group, every rank holds one slice of the
    group's flat fp32 master copy (ranks in order, the last padded); parameters lie in it back to back in the
    order of the model file's `param_shapes`."""
    import torch

    model = torch.load(directory / "mp_rank_00_model_states.pt", map_location="cpu", weights_only=False)
    states = [_optimizer_state(p) for p in shards]
    weights: dict[str, Any] = {}
    for g, shapes in enumerate(model["param_shapes"]):
        flat = torch.cat([s["single_partition_of_fp32_groups"][g] for s in states]).float()
        offset = 0
        for name, shape in shapes.items():
            n = int(torch.Size(shape).numel())
            weights[name] = flat[offset : offset + n].view(shape).clone()
            offset += n
        if flat.numel() - offset != sum(s["group_paddings"][g] for s in states):
            raise ValueError(f"{directory}: group {g} holds {flat.numel()} values for {offset} parameter values")
    for name, source in (model.get("shared_params") or {}).items():
        weights[name] = weights[source]
    return weights


def export_checkpoint(run_dir: Path, out: Path | None = None, tag: str | None = None, dtype: str = "bfloat16") -> Path:
    """Write the HF model directory for checkpoint `tag` (default: latest) of the run at `run_dir`."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {DTYPES}, got {dtype!r}")
    root, base = run_dir / "checkpoints", run_dir / "base"
    tag = tag or latest_tag(root)
    if tag is None or not (root / tag).is_dir():
        raise FileNotFoundError(f"no checkpoint to export under {root}")
    if not (base / "config.json").exists():
        raise FileNotFoundError(f"{base}/config.json is missing; export needs the run directory medc train wrote")
    out = out or run_dir / "final"
    state = consolidated_state_dict(root, tag)
    _leave_zero3_loading()
    config = AutoConfig.from_pretrained(base)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config, dtype=getattr(torch, dtype))
    result = model.load_state_dict(state, strict=False, assign=True)
    _check_keys(model, result)
    model.tie_weights()
    model.to(getattr(torch, dtype))
    tokenizer = AutoTokenizer.from_pretrained(base)
    model.generation_config = generation_config(base, tokenizer)
    _set_special_ids(model.config, tokenizer)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    if (base / RUN_INFO).exists():
        shutil.copyfile(base / RUN_INFO, out / RUN_INFO)
    log.info("Exported %s/%s to %s (%s, safetensors)", root, tag, out, dtype)
    return out


def _leave_zero3_loading() -> None:
    # Training with ZeRO-3 registers a global DeepSpeed config that makes transformers partition every model it
    # builds; the exported model is a plain, whole one.
    from transformers.integrations import deepspeed as hf_deepspeed

    if hasattr(hf_deepspeed, "unset_hf_deepspeed_config"):
        hf_deepspeed.unset_hf_deepspeed_config()


def _check_keys(model: Any, result: Any) -> None:
    tied = {k for k in result.missing_keys if "lm_head" in k} if model.config.tie_word_embeddings else set()
    missing = sorted(set(result.missing_keys) - tied)
    if missing or result.unexpected_keys:
        raise ValueError(
            f"checkpoint does not match the model: missing {missing[:5]}, "
            f"unexpected {sorted(result.unexpected_keys)[:5]}"
        )


def generation_config(base: Path, tokenizer: Any) -> Any:
    """The run's generation config (sampling defaults kept): its EOS ids are the union `medc train` wrote (base
    model's, tokenizer's, the chat template's end of turn), plus the tokenizer's EOS should it be missing; never
    replaced by the tokenizer's single EOS (Llama 3.1 Instruct stops on three)."""
    from transformers import GenerationConfig

    try:
        config = GenerationConfig.from_pretrained(base)
    except OSError:
        config = GenerationConfig()
    eos = list(dict.fromkeys(as_list(config.eos_token_id) + as_list(tokenizer.eos_token_id)))
    config.bos_token_id = tokenizer.bos_token_id
    config.eos_token_id = eos[0] if len(eos) == 1 else eos
    config.pad_token_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    return config


def _set_special_ids(config: Any, tokenizer: Any) -> None:
    config.bos_token_id = tokenizer.bos_token_id
    if config.eos_token_id is None:  # the base model's own (one id or several) stays
        config.eos_token_id = tokenizer.eos_token_id
    config.pad_token_id = tokenizer.pad_token_id


def export_model(run_dir: Path, dtype: str, *, is_main: bool) -> Path:
    """Export at the end of training, from the checkpoint just written (its save ended with a barrier, so every
    rank's shards are on disk). Rank 0 works alone and no rank waits for it in a collective: consolidating a 70B
    model can take longer than any barrier timeout, and the other ranks have nothing left to do."""
    out = run_dir / "final"
    if is_main:
        export_checkpoint(run_dir, out, dtype=dtype)
    return out
