"""Checkpoints that resume a run exactly: DeepSpeed's model/optimizer/scheduler state plus, per rank, the RNG
states and the data position.

    runs/x/checkpoints/
      latest                          # tag of the newest complete checkpoint (written last)
      step_00000200/
        mp_rank_00_model_states.pt    # DeepSpeed: module, lr scheduler, client state (+ ZeRO optimizer shards)
        bf16_zero_pp_rank_0_mp_rank_00_optim_states.pt
        medc_rank00000.pt             # this rank's RNG states and data position
        trainer_state.json            # for people: step, tokens seen, data position, loss

`latest` is written only after every rank has finished writing, so a job killed mid-save resumes from the
previous checkpoint instead of a half-written one. DeepSpeed's own `latest` file is not used for that reason.
`latest` itself is replaced atomically (a temporary file, then a rename), so it is never empty or half-written.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import socket
import uuid
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

LATEST = "latest"


def tag_for(step: int) -> str:
    return f"step_{step:08d}"


def rng_state() -> dict[str, Any]:
    import torch

    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    import torch

    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(
    engine: Any,
    root: Path,
    step: int,
    trainer_state: dict[str, Any],
    rank_state: dict[str, Any],
    *,
    rank: int,
    keep: int,
) -> Path:
    """Write checkpoint `step` (collective: every rank calls it)."""
    import torch
    import torch.distributed as dist

    tag = tag_for(step)
    engine.save_checkpoint(str(root), tag=tag, client_state={"medc": trainer_state}, save_latest=False)
    directory = root / tag
    torch.save({"rng": rng_state(), "data": rank_state}, directory / f"medc_rank{rank:05d}.pt")
    dist.barrier()
    if rank == 0:
        write_atomic(directory / "trainer_state.json", json.dumps(trainer_state, indent=1))
        write_atomic(root / LATEST, tag)
        _prune(root, keep)
    dist.barrier()
    log.info("Saved checkpoint %s", directory)
    return directory


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step: readers see the old content or the new, never a partial file.
    The temporary name carries host and a uuid, so processes on several machines sharing the disk never collide."""
    tmp = path.with_name(f".{path.name}.{socket.gethostname()}-{uuid.uuid4().hex[:12]}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _prune(root: Path, keep: int) -> None:
    if keep <= 0:
        return
    for old in sorted(p for p in root.glob("step_*") if p.is_dir())[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def latest_tag(root: Path) -> str | None:
    marker = root / LATEST
    return marker.read_text().strip() if marker.exists() else None


def resolve_resume(resume: str, out: Path) -> tuple[Path, str]:
    """`auto` (the run's latest checkpoint), a checkpoints directory, or one checkpoint's directory."""
    path = out / "checkpoints" if resume == "auto" else Path(resume)
    if (path / LATEST).exists():
        return path, latest_tag(path)  # type: ignore[return-value]
    if path.is_dir() and path.name.startswith("step_") and any(path.glob("medc_rank*.pt")):
        return path.parent, path.name
    raise FileNotFoundError(f"no complete checkpoint at {path} (expected {path / LATEST} or a step_* directory)")


def load_checkpoint(engine: Any, root: Path, tag: str, *, rank: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Restore engine, optimizer, scheduler and this rank's RNG; returns (trainer state, this rank's data state)."""
    import torch

    path, client = engine.load_checkpoint(str(root), tag=tag)
    if path is None:
        raise FileNotFoundError(f"DeepSpeed could not load checkpoint {root / tag}")
    rank_file = root / tag / f"medc_rank{rank:05d}.pt"
    if not rank_file.exists():
        raise FileNotFoundError(f"{rank_file} is missing: was the checkpoint written with a different world size?")
    saved = torch.load(rank_file, weights_only=False)  # our own file: numpy RNG state is not a tensor
    set_rng_state(saved["rng"])
    log.info("Resumed from %s at step %d", root / tag, client["medc"]["step"])
    return client["medc"], saved["data"]
