"""`medc train tokenize`: fill the token cache before the training job, with several worker processes.

    $ medc train tokenize --config pretrain.toml --workers 16 --world-size 64
    source   documents      tokens  tokenized        cache entry
    books       30,112   1,843,211k  all             ~/.cache/medc/tokens/books-5e1f...
    papers   1,062,934   5,201,377k  as planned      ~/.cache/medc/tokens/papers-3f9c...

Each worker runs exactly what a training rank runs (`PretrainStream.prepare` / `SFTStream.prepare`): it claims
units through files in the cache, so workers here, other machines running the same command on a shared cache, and
a job started meanwhile all divide the work, and a rerun after an interruption tokenizes only the units not
finished. The job that follows finds every part in place and opens it without waiting on anyone. The plan needs
the job's world size when it is set by `max_steps` (sequences = steps x micro-batch x grad_accum x world size);
a job with a larger world than told tokenizes the rest itself.
"""

from __future__ import annotations

import logging
import multiprocessing
from typing import Any

from trainer.config import PretrainConfig, RunFields

log = logging.getLogger(__name__)


def prepare(cfg: RunFields, world: int, threads: int | None = None) -> Any:
    """The data stream of `cfg` as rank 0 of `world` would build it (tokenizing what is missing)."""
    from trainer.engine import load_tokenizer
    from trainer.pretrain_data import PretrainStream
    from trainer.sft_data import SFTStream

    tokenizer = load_tokenizer(cfg.model)
    args = {
        "seed": cfg.seed,
        "micro_batch": cfg.engine.micro_batch_size,
        "grad_accum": cfg.engine.grad_accum,
        "world": world,
    }
    if isinstance(cfg, PretrainConfig):
        return PretrainStream.prepare(cfg.data, tokenizer, max_steps=cfg.max_steps, threads=threads, **args)
    return SFTStream.prepare(cfg.data, tokenizer, **args)


def _worker(cfg: RunFields, world: int, threads: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(processName)s %(message)s")
    prepare(cfg, world, threads)


def tokenize(cfg: RunFields, *, workers: int = 1, world: int = 1) -> dict[str, Any]:
    """Tokenize everything the run `cfg` will read, with `workers` processes; returns the data summary."""
    from medc.executors.local import default_workers

    threads = max(1, default_workers() // workers)
    if workers > 1:
        context = multiprocessing.get_context("spawn")  # no inherited tokenizer threads or torch state
        procs = [
            context.Process(target=_worker, args=(cfg, world, threads), name=f"tokenize-{k}") for k in range(workers)
        ]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join()
        failed = [p.name for p in procs if p.exitcode != 0]
        if failed:
            raise RuntimeError(f"tokenizing failed in {', '.join(failed)} (see the log above); rerun to continue")
    return prepare(cfg, world, threads).summary()


def summary_rows(summary: dict[str, Any]) -> list[tuple[str, ...]]:
    """One row per source for the closing table: name, documents (examples), tokens, how much was tokenized."""
    rows = []
    for name, info in summary["sources"].items():
        docs = info.get("documents", info.get("examples", 0))
        done = "all" if info.get("complete", True) else "as planned"
        rows.append((name, f"{docs:,}", f"{info.get('tokens', 0):,}", done))
    return rows
