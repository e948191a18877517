"""Where a training step's GPU time goes, for the MFU benchmark's model (issue 8: "say what limits it").

    python -m tests.benchmarks.mfu_profile [--micro 8] [--accum 4] [--eager]

Builds the ~1.1B LLaMA of `test_mfu_llama_1b_on_gpu` (random weights, vocab 32000) on the GPU, wraps it with the
trainer's own DeepSpeed config and engine (ZeRO-2, bf16, fused torch AdamW) and steps it with `trainer.loop.
train_step` on random token batches of sequence 2048. After warm-up (and compile) steps it profiles a few steps
with torch.profiler and prints GPU kernel time by kind (matmul, attention, fused/elementwise, loss, optimizer,
communication, copies), the GPU's idle share of the wall time, and the MFU of the profiled steps. Needs CUDA.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from types import SimpleNamespace

import numpy as np

from tests.benchmarks.test_trainer_bench import MFU_MODEL

SEQ, VOCAB = 2048, 32000
KINDS = (  # first match wins; kernel names of cuBLAS/CUTLASS, PyTorch's flash attention, Inductor, NCCL
    ("attention", ("flash", "fmha", "attention", "sdpa")),
    ("optimizer", ("adam", "multi_tensor", "foreach")),
    ("matmul", ("gemm", "nvjet", "cutlass", "xmma", "sm90_", "cublas", "splitk")),
    ("loss", ("cross_entropy", "log_softmax", "nll_loss")),
    ("communication", ("nccl",)),
    ("copies", ("memcpy", "memset", "copy_", "cat", "fill")),
    ("fused/elementwise", ("triton", "elementwise", "vectorized", "reduce")),
)


def kind_of(name: str) -> str:
    low = name.lower()
    for kind, keys in KINDS:
        if any(k in low for k in keys):
            return kind
    return "other"


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--micro", type=int, default=8)
    args.add_argument("--accum", type=int, default=4)
    args.add_argument("--warm", type=int, default=6)
    args.add_argument("--steps", type=int, default=3)
    args.add_argument("--eager", action="store_true", help="no torch.compile")
    opts = args.parse_args()

    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from trainer.config import EngineConfig, OptimConfig
    from trainer.engine import build_engine, compile_blocks, deepspeed_config, init_distributed
    from trainer.loop import train_step
    from trainer.metrics import flops_per_token, peak_flops

    dist = init_distributed()
    engine_cfg = EngineConfig(zero_stage=2, micro_batch_size=opts.micro, grad_accum=opts.accum, compile=not opts.eager)
    optim = OptimConfig(lr=3e-4, warmup_steps=5)
    ds_config = deepspeed_config(engine_cfg, optim, world=dist.world, device=dist.device)
    config = LlamaConfig(
        vocab_size=VOCAB,
        hidden_size=MFU_MODEL["hidden"],
        intermediate_size=MFU_MODEL["intermediate"],
        num_hidden_layers=MFU_MODEL["layers"],
        num_attention_heads=MFU_MODEL["heads"],
        num_key_value_heads=MFU_MODEL["heads"],
        max_position_embeddings=SEQ,
        tie_word_embeddings=False,
        use_cache=False,
    )
    config._attn_implementation = "sdpa"
    model = LlamaForCausalLM(config).to(torch.bfloat16)
    if engine_cfg.compile:
        compile_blocks(model)
    n_params = sum(p.numel() for p in model.parameters())
    engine = build_engine(
        model, SimpleNamespace(optim=optim), ds_config, total_steps=opts.warm + opts.steps, device=dist.device
    )
    rng = np.random.default_rng(0)

    def batches() -> list[dict]:
        out = []
        for _ in range(opts.accum):
            ids = rng.integers(3, VOCAB, size=(opts.micro, SEQ), dtype=np.int64)
            targets = np.concatenate([ids[:, 1:], np.full((opts.micro, 1), -100)], axis=1)
            out.append({"input_ids": ids, "targets": targets, "n_tokens": ids.size})
        return out

    compiled = engine_cfg.compile
    for _ in range(opts.warm):
        train_step(engine, batches(), dist.world, torch, compiled)
    torch.cuda.synchronize()
    data = [batches() for _ in range(opts.steps)]
    activities = [torch.profiler.ProfilerActivity.CPU, torch.profiler.ProfilerActivity.CUDA]
    with torch.profiler.profile(activities=activities) as prof:
        start = time.perf_counter()
        for step in data:
            train_step(engine, step, dist.world, torch, compiled)
        torch.cuda.synchronize()
        wall = time.perf_counter() - start

    by_kind: dict[str, float] = defaultdict(float)
    top: dict[str, float] = defaultdict(float)
    for event in prof.events():
        if event.device_type == torch.autograd.DeviceType.CUDA:
            us = event.device_time_total if hasattr(event, "device_time_total") else event.cuda_time_total
            by_kind[kind_of(event.name)] += us / 1e6
            top[event.name] += us / 1e6
    busy = sum(by_kind.values())
    tokens = opts.steps * opts.accum * opts.micro * SEQ
    fpt = flops_per_token(config, n_params, SEQ)
    peak = peak_flops()
    print(f"\n{torch.cuda.get_device_name()}: {n_params / 1e9:.2f}B LLaMA, micro-batch {opts.micro} x {opts.accum}, ")
    print(f"seq {SEQ}, ZeRO-2 bf16, {'eager' if opts.eager else 'torch.compile'}; {opts.steps} steps profiled")
    print(f"wall {wall:.3f} s, {tokens / wall:,.0f} tokens/s, MFU {tokens * fpt / wall / peak:.1%} (profiler on)")
    print(f"{'kind':22}{'GPU s':>8}{'share of wall':>15}")
    for kind, seconds in sorted(by_kind.items(), key=lambda kv: -kv[1]):
        print(f"{kind:22}{seconds:8.3f}{seconds / wall:15.1%}")
    print(f"{'GPU idle':22}{max(0.0, wall - busy):8.3f}{max(0.0, wall - busy) / wall:15.1%}")
    matmul_flops = 6 * (n_params - VOCAB * config.hidden_size) * tokens
    attn_flops = 12 * config.num_hidden_layers * config.hidden_size * SEQ * tokens / 2  # causal: half is computed
    if by_kind["matmul"]:
        print(f"matmul kernels run at {matmul_flops / by_kind['matmul'] / 1e12:,.0f} TFLOP/s")
    if by_kind["attention"]:
        print(f"attention kernels run at {attn_flops / by_kind['attention'] / 1e12:,.0f} TFLOP/s (causal FLOPs)")
    print("top kernels:")
    for name, seconds in sorted(top.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {seconds:7.3f} s  {kind_of(name):18} {name[:90]}")


if __name__ == "__main__":
    main()
