"""The training loop both stages share: DeepSpeed steps, token-normalized loss, validation, checkpoints, export.

    >>> summary = run(PretrainConfig(model="runs/tiny", out="runs/k", data=PretrainData(path="medc-k/")))
    >>> summary["final_loss"], summary["export"]
    (3.82, 'runs/k/final')

One optimizer step = `grad_accum` micro-batches on every rank. The loss of a step is the sum of token losses over
all of them divided by the number of target tokens in all of them (counted before the first backward and summed
across ranks), so each target token weighs the same whatever the padding, packing or micro-batch it lands in.
DeepSpeed's own division by grad_accum is turned off, and its averaging over ranks is undone by the world size.
"""

from __future__ import annotations

import functools
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from medc.config import to_dict
from trainer.config import PretrainConfig, RunFields, SFTConfig, to_toml
from trainer.packing import IGNORE
from trainer.resume import check_out_dir, check_resume, checkpoint_for, data_key, restore

log = logging.getLogger(__name__)


def run(cfg: RunFields, resume: str | None = None) -> dict[str, Any]:
    """Train `cfg` (a PretrainConfig or SFTConfig) to the end; `resume`: `auto` or a checkpoint path."""
    import torch

    from trainer import engine

    dist = engine.init_distributed(cfg.dist_timeout_min)
    if not dist.is_main:  # every rank sees the same data and settings; rank 0 speaks for all
        logging.getLogger("trainer").setLevel(logging.ERROR)
    _seed(rank_seed(cfg.seed, dist.rank))
    out = Path(cfg.out)
    check_out_dir(out, resume)
    tokenizer = engine.load_tokenizer(cfg.model)
    stream = _prepare_stream(cfg, tokenizer, dist)
    total_steps = cfg.max_steps or stream.total_steps
    key = data_key(cfg, stream, total_steps)
    if resume:  # before the slow model load: a mismatch shows at once
        check_resume(*checkpoint_for(resume, out), key)
    ds_config = engine.deepspeed_config(cfg.engine, cfg.optim, world=dist.world, device=dist.device)
    if getattr(cfg.data, "isolate_documents", False) or getattr(cfg.data, "packing", False):
        from transformers import AutoConfig

        from trainer.attention import check_isolation

        # before the model loads: under ZeRO-3 loading registers a config that would partition the toy model too
        check_isolation(AutoConfig.from_pretrained(cfg.model), cfg.engine.attention, dist.device)
    model = engine.load_model(cfg.model, cfg.engine, ds_config, dist.device)
    if dist.is_main:
        _write_run_files(out, cfg, ds_config, model, tokenizer, stream.summary())
    n_params = _count_params(model)
    ds_engine = engine.build_engine(model, cfg, ds_config, total_steps=total_steps, device=dist.device)
    state = {"step": 0, "tokens_seen": 0, "data_key": key}
    if resume:
        state = restore(ds_engine, stream, resume, out, dist.rank, key)
    log_ = _metrics_log(cfg, model.config, n_params, total_steps, dist, state["step"])
    log.info(
        "Training %s (%.1fM parameters) for %d steps on %d %s process(es), ZeRO-%d, %s",
        cfg.model,
        n_params / 1e6,
        total_steps,
        dist.world,
        dist.device,
        cfg.engine.zero_stage,
        cfg.engine.precision,
    )
    val_batches = stream.validation_batches(cfg.eval_batches) if cfg.eval_every else []
    losses = _loop(ds_engine, stream, cfg, state, total_steps, log_, val_batches, dist, torch)
    log_.close()
    summary = {
        "steps": state["step"],
        "tokens_seen": state["tokens_seen"],
        "losses": losses,
        "final_loss": losses[-1] if losses else None,
        "is_main": dist.is_main,
    }
    if state["step"] >= total_steps:
        from trainer.export import export_model

        summary["export"] = str(export_model(out, cfg.export_dtype, is_main=dist.is_main))
    return summary


def _metrics_log(cfg: RunFields, model_config: Any, n_params: int, total_steps: int, dist: Any, step: int) -> Any:
    from trainer import metrics

    return metrics.MetricsLog(
        cfg.out,
        total_steps=total_steps,
        world=dist.world,
        enabled=dist.is_main,
        flops_per_token=metrics.flops_per_token(model_config, n_params, cfg.data.seq_len),
        peak_flops=metrics.peak_flops(cfg.peak_tflops),
        tensorboard=cfg.tensorboard,
        progress=cfg.progress,
        start_step=step,
    )


def _loop(
    ds_engine: Any,
    stream: Any,
    cfg: RunFields,
    state: dict[str, Any],
    total_steps: int,
    log_: Any,
    val_batches: list[Any],
    dist: Any,
    torch: Any,
) -> list[float]:
    from trainer import checkpoint

    losses: list[float] = []
    compiled = cfg.engine.compile  # type: ignore[attr-defined]
    window_tokens, window_start, window_steps = 0, time.perf_counter(), 0
    while state["step"] < total_steps:
        lr = ds_engine.get_lr()[0]  # the rate this step's update uses
        loss, tokens = train_step(ds_engine, stream.next_step(), dist.world, torch, compiled)
        state["step"] += 1
        state["tokens_seen"] += tokens
        losses.append(loss)
        window_tokens, window_steps = window_tokens + tokens, window_steps + 1
        step = state["step"]
        if step % cfg.log_every == 0 or step == total_steps:
            grad_norm = ds_engine.get_global_grad_norm()
            log_.train(
                step=step,
                loss=loss,
                lr=lr,
                tokens=window_tokens,
                seconds=time.perf_counter() - window_start,
                grad_norm=_as_float(grad_norm),
                tokens_seen=state["tokens_seen"],
                update_bar=window_steps,
            )
            window_tokens, window_start, window_steps = 0, time.perf_counter(), 0
        if val_batches and (step % cfg.eval_every == 0 or step == total_steps):
            val_loss, val_tokens = evaluate(ds_engine, val_batches, torch, compiled)
            log_.validation(step=step, loss=val_loss, tokens=val_tokens)
        if step % cfg.save_every == 0 or step == total_steps:
            trainer_state = {**state, "loss": loss, "data": stream.state_dict()}
            checkpoint.save_checkpoint(
                ds_engine,
                Path(cfg.out) / "checkpoints",
                step,
                trainer_state,
                stream.state_dict(),
                rank=dist.rank,
                keep=cfg.keep_checkpoints,
            )
            window_start = time.perf_counter()  # saving is not training time
    return losses


def train_step(
    ds_engine: Any, batches: list[dict[str, Any]], world: int, torch: Any, compiled: bool = False
) -> tuple[float, int]:
    """Forward/backward over one step's micro-batches and the optimizer update; returns (mean loss per target
    token, real tokens processed), both over all ranks."""
    import torch.distributed as tdist

    device = ds_engine.device  # NCCL reduces only tensors on the GPU
    targets = sum(int((b["targets"] != IGNORE).sum()) for b in batches)
    counts = torch.tensor([float(targets), float(sum(b["n_tokens"] for b in batches))], device=device)
    tdist.all_reduce(counts)  # sum (the default op of gloo and NCCL)
    n_targets = max(1.0, counts[0].item())
    total = torch.zeros((), dtype=torch.float64, device=device)
    for batch in batches:
        loss_sum = token_loss_sum(ds_engine, batch, torch, compiled)
        ds_engine.backward(loss_sum * (world / n_targets), scale_wrt_gas=False)
        ds_engine.step()
        total += loss_sum.detach().double()
    tdist.all_reduce(total)
    return total.item() / n_targets, int(counts[1].item())


def token_loss_sum(model: Any, batch: dict[str, Any], torch: Any, compiled: bool = False) -> Any:
    """Summed cross-entropy over the batch's target tokens (computed in fp32; with `compiled`, the fp32 cast and
    the loss are one fused kernel, so the fp32 logits are never written out)."""
    from trainer.attention import model_dtype, model_inputs

    device = model.device
    module = getattr(model, "module", model)
    attention = getattr(module.config, "_attn_implementation", "sdpa")
    inputs = model_inputs(batch, attention=attention, dtype=model_dtype(module), device=device)
    targets = torch.from_numpy(batch["targets"]).to(device)
    logits = model(**inputs, use_cache=False).logits
    return (compiled_cross_entropy() if compiled else summed_cross_entropy)(logits, targets)


def summed_cross_entropy(logits: Any, targets: Any) -> Any:
    import torch

    return torch.nn.functional.cross_entropy(
        logits.float().flatten(0, 1), targets.flatten(), ignore_index=IGNORE, reduction="sum"
    )


@functools.cache
def compiled_cross_entropy() -> Any:
    import torch

    return torch.compile(summed_cross_entropy)


def evaluate(ds_engine: Any, batches: list[dict[str, Any]], torch: Any, compiled: bool = False) -> tuple[float, int]:
    """Mean loss per target token over the validation batches of every rank."""
    import torch.distributed as tdist

    ds_engine.eval()
    sums = torch.zeros(2, dtype=torch.float64, device=ds_engine.device)
    with torch.no_grad():
        for batch in batches:
            sums[0] += token_loss_sum(ds_engine, batch, torch, compiled).double()
            sums[1] += float((batch["targets"] != IGNORE).sum())
    ds_engine.train()
    tdist.all_reduce(sums)
    return sums[0].item() / max(1.0, sums[1].item()), int(sums[1].item())


def _prepare_stream(cfg: RunFields, tokenizer: Any, dist: Any) -> Any:
    """The data stream of this rank. Data not yet in the cache is tokenized here by every rank together, each
    claiming units through files (`trainer.tokenize_work`); no rank waits in a collective meanwhile, so no
    collective timeout can fire, however long tokenizing takes. `medc train tokenize` does it ahead of the job."""
    import os

    from medc.executors.local import default_workers
    from trainer.pretrain_data import PretrainStream
    from trainer.sft_data import SFTStream

    args = {
        "seed": cfg.seed,
        "micro_batch": cfg.engine.micro_batch_size,
        "grad_accum": cfg.engine.grad_accum,
        "world": dist.world,
        "rank": dist.rank,
    }
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
    threads = max(1, default_workers() // local_world)  # the ranks of a node share its cores
    if isinstance(cfg, PretrainConfig):
        return PretrainStream.prepare(cfg.data, tokenizer, max_steps=cfg.max_steps, threads=threads, **args)
    return SFTStream.prepare(cfg.data, tokenizer, **args)


def _write_run_files(
    out: Path, cfg: RunFields, ds_config: dict[str, Any], model: Any, tokenizer: Any, summary: dict[str, Any]
) -> None:
    """config.toml (reloadable with --config), deepspeed.json, data.json, and base/ (model config, generation
    config and tokenizer: what export needs besides the weights)."""
    import json

    out.mkdir(parents=True, exist_ok=True)
    stage = "pretrain" if isinstance(cfg, PretrainConfig) else "sft" if isinstance(cfg, SFTConfig) else "train"
    (out / "config.toml").write_text(f"# medc train {stage}\n" + to_toml(to_dict(cfg)))
    (out / "deepspeed.json").write_text(json.dumps(ds_config, indent=1))
    (out / "data.json").write_text(json.dumps(summary, indent=1, default=str))
    from transformers import GenerationConfig

    from trainer.special_tokens import stop_ids, write_run_info

    base = out / "base"
    model.config.save_pretrained(base)
    template = getattr(cfg.data, "template", None)
    generation = model.generation_config or GenerationConfig()
    eos = stop_ids(
        base_generation_eos=generation.eos_token_id,
        model_eos=model.config.eos_token_id,
        tokenizer=tokenizer,
        template=template,
    )
    generation.eos_token_id = eos[0] if len(eos) == 1 else eos
    generation.save_pretrained(base)
    tokenizer.save_pretrained(base)
    write_run_info(base, stage=stage, template=template)


def _count_params(model: Any) -> int:
    # Under ZeRO-3 parameters are partitioned placeholders; ds_numel holds the real size.
    return sum(getattr(p, "ds_numel", p.numel()) for p in model.parameters())


def _as_float(value: Any) -> float | None:
    if value is None:
        return None
    return float(value.item() if hasattr(value, "item") else value)


def rank_seed(seed: int, rank: int) -> int:
    """The seed of a rank's own randomness (dropout, sampling in the model): distinct per rank, so ranks do not
    drop the same units. The data order does not use it: it is global, seeded by `seed` alone."""
    return int(np.random.SeedSequence([seed, rank]).generate_state(1)[0])


def _seed(seed: int) -> None:
    import random

    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
