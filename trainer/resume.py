"""Resuming exactly: what a checkpoint's data position is relative to, and refusing anything else.

    >>> check_resume(Path("runs/k/checkpoints"), "step_00000400", data_key(cfg, stream, total_steps))
    ValueError: runs/k/checkpoints/step_00000400 was written under other settings (mix: {'books': 0.75, ...} ->
    {'books': 0.5, ...}; grad_accum: 8 -> 16); an exact resume needs the same data and tokenizer, mix, seed, ...

The key holds the data (each source's cache entry, which names the data and tokenizer fingerprints, and how much of
it the run uses), seq_len, packing, the mix, the seed, micro-batch, grad_accum, world size and the run's total
steps. A sampler restored under another mix or seed draws another sequence than the one its position counts (a
run under a changed mix drew `general` 2,000 times in a row), and another grad_accum or length reshapes the
learning-rate schedule. There is no silent rebase: to change any of them, start a new run from exported weights.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trainer.config import RunFields


def data_key(cfg: RunFields, stream: Any, total_steps: int) -> dict[str, Any]:
    """Everything the data position and the schedule in a checkpoint are relative to. A resume under other values
    is refused (`_check_resume`): a sampler restored under other mix weights or seed draws another sequence, and
    another grad_accum or length reshapes the learning-rate schedule."""
    return {
        "seq_len": cfg.data.seq_len,
        "items": {name: len(items) for name, items in stream.sampler.items.items()},
        "world": stream.world,
        "micro_batch": stream.micro_batch,
        "grad_accum": stream.grad_accum,
        "packing": getattr(cfg.data, "packing", False),
        "mix": {name: round(share, 12) for name, share in stream.sampler.shares.items()},
        "seed": cfg.seed,
        "total_steps": total_steps,
        "data": stream.fingerprints(),
    }


def resume_mismatch(saved: dict[str, Any], key: dict[str, Any]) -> list[str]:
    """The settings that differ between a checkpoint's key and this run's, as `name: saved -> now` (keys a
    checkpoint from an older medc lacks are not compared)."""
    return [
        f"{name}: {saved[name]} -> {value}" for name, value in key.items() if name in saved and saved[name] != value
    ]


def check_out_dir(out: Path, resume: str | None) -> None:
    from trainer.checkpoint import latest_tag

    tag = latest_tag(out / "checkpoints")
    if tag and not resume:
        raise ValueError(
            f"{out} already has checkpoints (latest {tag}); pass --resume to continue that run, or choose another --out"
        )


def restore(ds_engine: Any, stream: Any, resume: str, out: Path, rank: int, key: dict[str, Any]) -> dict[str, Any]:
    from trainer import checkpoint

    root, tag = checkpoint.resolve_resume(resume, out)
    state, data_state = checkpoint.load_checkpoint(ds_engine, root, tag, rank=rank)
    check_resume(root, tag, key, state.get("data_key"))
    stream.load_state_dict(data_state)
    return state


def checkpoint_for(resume: str, out: Path) -> tuple[Path, str]:
    from trainer.checkpoint import resolve_resume

    return resolve_resume(resume, out)


def check_resume(root: Path, tag: str, key: dict[str, Any], saved: dict[str, Any] | None = None) -> None:
    """Refuse to resume checkpoint `root/tag` under settings that differ from its key (read from its
    trainer_state.json unless given)."""
    if saved is None:
        state_file = root / tag / "trainer_state.json"
        saved = json.loads(state_file.read_text()).get("data_key") if state_file.exists() else None
    changed = resume_mismatch(saved or {}, key)
    if changed:
        raise ValueError(
            f"{root / tag} was written under other settings ({'; '.join(changed)}); an exact resume needs the same "
            "data and tokenizer, mix, seed, seq_len, micro-batch, grad_accum, world size and length. To go on "
            "under new settings, start a new run from the checkpoint's weights (medc train export RUN --checkpoint "
            "TAG, then --model that directory)"
        )
