"""What a run reports: loss, learning rate, tokens/s, MFU, validation loss and perplexity.

    >>> m = MetricsLog("runs/x", total_steps=1000, flops_per_token=6.1e9, peak_flops=989e12, world=8)
    >>> m.train(step=10, loss=2.31, lr=2e-5, tokens=262144, seconds=1.9, grad_norm=0.8)
    runs/x/metrics.jsonl  <- {"step": 10, "loss": 2.31, "lr": 2e-05, "tokens_per_s": 137970.5, "mfu": 0.106, ...}

MFU is model FLOPs (6 per parameter per token, plus attention's 12 * layers * hidden * seq_len, the PaLM appendix-B
count; recomputation from gradient checkpointing is not credited) over the peak dense bf16 FLOP/s of the devices.
The peak is looked up from the GPU name; on a CPU it is unknown and MFU is left out unless `peak_tflops` is given.
"""

from __future__ import annotations

import json
import logging
import math
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Peak dense bf16 (fp16 on V100/T4) tensor-core TFLOP/s per device, from the vendors' datasheets.
PEAK_TFLOPS = {
    "h200": 989.0,
    "h100 sxm": 989.0,
    "h100 nvl": 835.0,
    "h100 pcie": 756.0,
    "h100": 989.0,
    "gh200": 989.0,
    "b200": 2250.0,
    "a100": 312.0,
    "a800": 312.0,
    "l40s": 362.0,
    "l40": 181.0,
    "a6000": 155.0,
    "l4": 121.0,
    "a10g": 125.0,
    "a10": 125.0,
    "4090": 165.0,
    "3090": 71.0,
    "v100": 125.0,
    "t4": 65.0,
    "mi300x": 1307.0,
    "mi250x": 383.0,
}


def peak_flops(override_tflops: float | None = None) -> float | None:
    """Peak FLOP/s of one device of this machine, or None when unknown (CPUs, unlisted GPUs)."""
    if override_tflops:
        return override_tflops * 1e12
    import torch

    if not torch.cuda.is_available():
        return None
    name = torch.cuda.get_device_name().lower()
    for key, tflops in PEAK_TFLOPS.items():  # longest names first within a family ("h100 pcie" before "h100")
        if key in name:
            return tflops * 1e12
    log.warning("Peak FLOP/s of %r unknown; give peak_tflops to get MFU", name)
    return None


def flops_per_token(model_config: Any, n_params: int, seq_len: int) -> float:
    """Training FLOPs per token: 6N for the matmuls (forward + backward) plus attention scores and values."""
    layers = getattr(model_config, "num_hidden_layers", 0)
    hidden = getattr(model_config, "hidden_size", 0)
    # An embedding lookup is not a matmul; with tied weights the same matrix is the output matmul, so it counts.
    tied = getattr(model_config, "tie_word_embeddings", False)
    embedding = 0 if tied else getattr(model_config, "vocab_size", 0) * hidden
    return 6 * (n_params - embedding) + 12 * layers * hidden * seq_len


class MetricsLog:
    """Appends one JSON line per logged step or evaluation to `out/metrics.jsonl` (rank 0 only), and mirrors it
    to TensorBoard and a progress bar when asked."""

    def __init__(
        self,
        out: str | Path,
        *,
        total_steps: int,
        flops_per_token: float,
        peak_flops: float | None,
        world: int,
        enabled: bool = True,
        tensorboard: bool = False,
        progress: bool = False,
        start_step: int = 0,
    ) -> None:
        self.path = Path(out) / "metrics.jsonl"
        self.enabled, self.total_steps, self.world = enabled, total_steps, world
        self.flops_per_token, self.peak = flops_per_token, peak_flops
        self.writer = _tensorboard(Path(out) / "tensorboard") if enabled and tensorboard else None
        self.bar = _progress_bar(total_steps, start_step) if enabled and progress else None
        self.started = time.time()
        if enabled:
            self._forget_after(start_step)

    def _forget_after(self, step: int) -> None:
        """A resumed run repeats the steps after its checkpoint; drop their old lines so that the file holds one
        curve, as an uninterrupted run would have written it."""
        if not self.path.exists():
            return
        lines = self.path.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if line.strip() and json.loads(line).get("step", 0) <= step]
        if len(kept) != len(lines):
            self.path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")

    def train(
        self,
        *,
        step: int,
        loss: float,
        lr: float,
        tokens: int,
        seconds: float,
        grad_norm: float | None,
        tokens_seen: int,
        update_bar: int = 0,
    ) -> dict[str, Any]:
        """Record the training metrics of the steps since the last call (`tokens` real tokens in `seconds`)."""
        rate = tokens / seconds if seconds > 0 else 0.0
        row: dict[str, Any] = {
            "step": step,
            "loss": round(loss, 6),
            "lr": lr,
            "tokens_per_s": round(rate, 1),
            "tokens_seen": tokens_seen,
            "elapsed_s": round(time.time() - self.started, 2),
        }
        if grad_norm is not None and math.isfinite(grad_norm):
            row["grad_norm"] = round(float(grad_norm), 6)
        if self.peak:
            row["mfu"] = round(rate * self.flops_per_token / (self.peak * self.world), 4)
        self._write(row, "train")
        if self.bar is not None:
            self.bar.update(update_bar)
            self.bar.set_postfix(loss=f"{loss:.4f}", lr=f"{lr:.2e}", tok_s=f"{rate:,.0f}")
        return row

    def validation(self, *, step: int, loss: float, tokens: int) -> dict[str, Any]:
        row = {
            "step": step,
            "val_loss": round(loss, 6),
            "val_ppl": round(math.exp(min(loss, 50.0)), 4),
            "val_tokens": tokens,
        }
        self._write(row, "val")
        log.info("step %d: validation loss %.4f, perplexity %.2f", step, loss, row["val_ppl"])
        return row

    def _write(self, row: dict[str, Any], group: str) -> None:
        if not self.enabled:
            return
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(row) + "\n")
        if self.writer is not None:
            for key, value in row.items():
                if key != "step" and isinstance(value, (int, float)):
                    self.writer.add_scalar(f"{group}/{key}", value, row["step"])

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        if self.writer is not None:
            self.writer.close()


def _tensorboard(path: Path) -> Any:
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        log.warning("tensorboard is not installed (pip install tensorboard); metrics go to metrics.jsonl only")
        return None
    return SummaryWriter(str(path))


def _progress_bar(total: int, start: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=start, unit="step", dynamic_ncols=True)
