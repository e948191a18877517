"""The DeepSpeed side: process group, model and tokenizer loading, the DeepSpeed config, the engine.

    >>> dist = init_distributed()              # launched by `deepspeed`/torchrun, or a single process
    >>> ds_config = deepspeed_config(cfg.engine, cfg.optim, world=dist.world)
    >>> ds_config["zero_optimization"]
    {'stage': 2, 'overlap_comm': True, 'contiguous_gradients': True, 'reduce_bucket_size': 50000000, ...}
    >>> engine = build_engine(load_model(cfg.model, cfg.engine, ds_config), cfg, ds_config, total_steps=1000)

The DeepSpeed JSON is generated from the trainer's config, never written by hand, so the two cannot disagree.
The learning-rate schedule (linear warmup from lr/warmup, cosine to lr*min_lr_ratio) is a LambdaLR that DeepSpeed
steps and checkpoints; DeepSpeed's own WarmupCosineLR starts at lr 0, wasting the first step.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trainer.config import EngineConfig, OptimConfig, RunFields

log = logging.getLogger(__name__)

SINGLE_PROCESS_ENV = {
    "MASTER_ADDR": "127.0.0.1",
    "RANK": "0",
    "WORLD_SIZE": "1",
    "LOCAL_RANK": "0",
}


@dataclass(frozen=True)
class DistInfo:
    rank: int
    world: int
    local_rank: int
    device: str  # "cuda" | "cpu" | other accelerator names

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def init_distributed(timeout_min: float = 30.0) -> DistInfo:
    """Join the process group the launcher set up, or make a single-process one (gloo on CPU). Every collective
    of the group times out after `timeout_min` minutes (DeepSpeed's default is 10 minutes with NCCL)."""
    from datetime import timedelta

    import deepspeed
    from deepspeed.accelerator import get_accelerator

    accelerator = get_accelerator()
    launched = "RANK" in os.environ
    added = [] if launched else _single_process_env()
    try:
        rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
        if accelerator.device_name() == "cpu" and world == 1:
            _skip_shared_memory_allreduce()
        deepspeed.init_distributed(
            dist_backend=accelerator.communication_backend_name(),
            verbose=False,
            timeout=timedelta(minutes=timeout_min),
        )
    finally:
        # The group exists now; left in the environment, these would make a `medc train` started from this
        # process (a test, a notebook) believe it was launched, and join this group's port.
        for key in added:
            os.environ.pop(key, None)
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if accelerator.device_name() == "cuda":
        accelerator.set_device(local_rank)
    return DistInfo(rank, world, local_rank, accelerator.device_name())


def _single_process_env() -> list[str]:
    """Environment for a one-process group on a free local port; returns the keys to remove afterwards
    (LOCAL_RANK stays: DeepSpeed's engine reads it later)."""
    port = os.environ.get("MEDC_MASTER_PORT") or str(_free_port())
    added = []
    for key, value in {**SINGLE_PROCESS_ENV, "MASTER_PORT": port}.items():
        if key not in os.environ:
            os.environ[key] = value
            if key != "LOCAL_RANK":
                added.append(key)
    return added


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _skip_shared_memory_allreduce() -> None:
    # On CPU DeepSpeed JIT-compiles a shared-memory all-reduce kernel (about a minute, once per machine) when
    # the process group starts. A single process never all-reduces with anyone, so it is not needed.
    import importlib

    ds_torch = importlib.import_module("deepspeed.comm.torch")  # `import ... as` would find the torch package
    if hasattr(ds_torch, "build_shm_op"):
        ds_torch.build_shm_op = lambda: None


def use_deepspeed_optimizer(optim: OptimConfig, engine: EngineConfig, device: str) -> bool:
    """DeepSpeed's CPUAdam pays off when optimizer states live in CPU memory next to a GPU; otherwise torch's
    AdamW (fused on a GPU) is as fast and needs no JIT-compiled op (FusedAdam would need nvcc at first use)."""
    if optim.optimizer == "auto":
        return engine.offload and device != "cpu"
    return optim.optimizer == "deepspeed"


def deepspeed_config(engine: EngineConfig, optim: OptimConfig, *, world: int, device: str = "cuda") -> dict[str, Any]:
    """The DeepSpeed config for these settings (see https://www.deepspeed.ai/docs/config-json/)."""
    zero: dict[str, Any] = {"stage": engine.zero_stage}
    if engine.zero_stage > 0:
        zero.update(
            overlap_comm=device != "cpu",
            contiguous_gradients=True,
            reduce_bucket_size=50_000_000,
            allgather_bucket_size=50_000_000,
        )
    if engine.offload:
        zero["offload_optimizer"] = {"device": "cpu", "pin_memory": device != "cpu"}
        if engine.zero_stage == 3:
            zero["offload_param"] = {"device": "cpu", "pin_memory": device != "cpu"}
    if engine.zero_stage == 3:
        zero.update(stage3_gather_16bit_weights_on_model_save=False, stage3_param_persistence_threshold=100_000)
    config: dict[str, Any] = {
        "train_micro_batch_size_per_gpu": engine.micro_batch_size,
        "gradient_accumulation_steps": engine.grad_accum,
        "train_batch_size": engine.micro_batch_size * engine.grad_accum * world,
        "gradient_clipping": optim.grad_clip,
        "bf16": {"enabled": engine.precision == "bf16"},
        "fp16": {"enabled": engine.precision == "fp16", "loss_scale": 0, "initial_scale_power": 16},
        "zero_optimization": zero,
        **grad_dtypes(engine),
        "zero_allow_untested_optimizer": True,
        "steps_per_print": 1 << 30,
        "wall_clock_breakdown": False,
    }
    if use_deepspeed_optimizer(optim, engine, device):
        config["optimizer"] = {
            "type": "AdamW",
            "params": {
                "lr": optim.lr,
                "betas": [optim.beta1, optim.beta2],
                "eps": optim.eps,
                "weight_decay": optim.weight_decay,
            },
        }
    else:
        config["zero_force_ds_cpu_optimizer"] = False
    return config


def grad_dtypes(engine: EngineConfig) -> dict[str, Any]:
    """Accumulate and reduce gradients in fp32 when asked (and training in bf16/fp16). DeepSpeed 0.19 honours
    `data_types.grad_accum_dtype` in ZeRO-1 (its BF16_Optimizer: fp32 gradient buffers), ZeRO-2 (a separate fp32
    accumulation partition) and ZeRO-3; `communication_data_type` sets the dtype of the reduce-scatter /
    all-reduce. ZeRO-0 (plain data parallel) refuses a grad_accum_dtype other than the model's (NotImplementedError
    in `_do_optimizer_sanity_check`), so there gradients stay in the training precision, with a warning."""
    if engine.grad_accum_dtype != "fp32" or engine.precision == "fp32":
        return {}
    if engine.zero_stage == 0:
        log.warning(
            "ZeRO-0: DeepSpeed accumulates and reduces %s gradients in %s (it has fp32 accumulation only with "
            "ZeRO); use zero_stage >= 1 for fp32, or set engine.grad_accum_dtype='precision' to silence this",
            engine.precision,
            engine.precision,
        )
        return {}
    return {"data_types": {"grad_accum_dtype": "fp32"}, "communication_data_type": "fp32"}


def load_tokenizer(ref: str) -> Any:
    """A fast tokenizer with a usable pad token (the tokenizer's own, else unk, else eos; padding never has a
    target, so which id it is only matters for generation)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(ref)
    if not getattr(tokenizer, "is_fast", False):
        raise ValueError(f"{ref}: needs a fast tokenizer (tokenizer.json); convert it with transformers first")
    if tokenizer.eos_token is None:
        raise ValueError(f"{ref}: the tokenizer has no eos_token; set one in tokenizer_config.json")
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.unk_token or tokenizer.eos_token
        log.info("Tokenizer has no pad token; using %r", tokenizer.pad_token)
    return tokenizer


def torch_dtype(precision: str) -> Any:
    import torch

    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[precision]


def load_model(ref: str, engine: EngineConfig, ds_config: dict[str, Any], device: str) -> Any:
    """The causal LM, in the training precision, with the chosen attention kernel (ZeRO-3: partitioned as it
    loads, so no process ever holds the whole model)."""
    from transformers import AutoModelForCausalLM

    check_device_support(engine, device)
    keep_alive = None
    if engine.zero_stage == 3:
        from transformers.integrations import HfDeepSpeedConfig

        keep_alive = HfDeepSpeedConfig(ds_config)  # makes from_pretrained use deepspeed.zero.Init
    model = AutoModelForCausalLM.from_pretrained(
        ref, dtype=torch_dtype(engine.precision), attn_implementation=engine.attention
    )
    model._medc_ds_config = keep_alive
    model.config.use_cache = False
    if engine.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    if engine.compile:
        compile_blocks(model)
    return model


def compile_blocks(model: Any) -> None:
    """`torch.compile` each decoder layer in place (state_dict keys keep their names; one graph serves every layer).
    Not the whole model: traced by dynamo, transformers builds the causal mask as a 4-D tensor instead of letting
    SDPA take `is_causal`, and the masked attention kernels ran 3.5x slower (backward) on an H100. Built eagerly,
    the mask stays out (plain causal) or is the document mask (isolated documents)."""
    layers = getattr(getattr(model, "model", None), "layers", None)
    if layers is None:
        model.compile()
        return
    for layer in layers:
        layer.compile()


def check_device_support(engine: EngineConfig, device: str) -> None:
    if engine.precision == "fp16" and device == "cpu":
        raise ValueError("fp16 does not train on CPU; use precision = 'bf16' or 'fp32'")
    if engine.attention == "flash_attention_2":
        try:
            import flash_attn  # noqa: F401
        except ImportError:
            raise ValueError("attention = 'flash_attention_2' needs the flash-attn package; use 'sdpa'") from None


def lr_lambda(optim: OptimConfig, total_steps: int) -> Callable[[int], float]:
    """Factor on the peak lr for the update after `step` updates: warmup (first update at 1/warmup), then cosine
    from 1 to min_lr_ratio at the last update."""
    warmup = min(optim.warmup_steps, max(0, total_steps - 1))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, total_steps - 1 - warmup))
        return optim.min_lr_ratio + (1 - optim.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress))

    return factor


def param_groups(model: Any, weight_decay: float) -> list[dict[str, Any]]:
    """Decay matrices only; norms and biases (1-D parameters) keep their scale."""
    params = [p for p in model.parameters() if p.requires_grad]
    return [
        {"params": [p for p in params if p.ndim >= 2], "weight_decay": weight_decay},
        {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0},
    ]


def build_engine(model: Any, cfg: RunFields, ds_config: dict[str, Any], *, total_steps: int, device: str) -> Any:
    """`deepspeed.initialize` with the optimizer and schedule the config asks for."""
    import deepspeed
    import torch

    optim: OptimConfig = cfg.optim  # type: ignore[attr-defined]
    groups = param_groups(model, optim.weight_decay)
    client_optimizer = None
    if "optimizer" not in ds_config:
        client_optimizer = torch.optim.AdamW(
            groups, lr=optim.lr, betas=(optim.beta1, optim.beta2), eps=optim.eps, fused=device == "cuda"
        )
    schedule = lr_lambda(optim, total_steps)
    engine, *_ = deepspeed.initialize(
        model=model,
        model_parameters=groups if client_optimizer is None else None,
        optimizer=client_optimizer,
        lr_scheduler=lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, schedule),
        config=ds_config,
    )
    return engine
