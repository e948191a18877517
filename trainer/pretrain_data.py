"""Stage 1 data: MedC-K sources tokenized (cached), packed, mixed by weight, served as micro-batches per rank.

    >>> stream = PretrainStream.prepare(cfg.data, tokenizer, seed=42, micro_batch=4, grad_accum=8, world=1, rank=0)
    >>> stream.summary()["sources"]["books"]
    {'documents': 120, 'tokens': 1843211, 'sequences': 900, 'validation': 16, 'share': 0.75}
    >>> batches = stream.next_step()    # grad_accum micro-batches: input_ids, targets [4, 2048]

The stream is global and identical on every rank: each draw of `micro_batch * world` sequences is split by rank,
so the sampler state (`drawn`, `taken` per source) is the exact data position of the whole job.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np

from trainer.config import PretrainData
from trainer.data import Source, has_split
from trainer.packing import IGNORE, PackedSequences
from trainer.sampler import MixtureSampler, split_holdout
from trainer.token_cache import TokenizedCorpus, tokenize_corpus

log = logging.getLogger(__name__)

MEDC_K_CONFIGS = ("papers", "books")


def pretrain_sources(data: PretrainData) -> list[Source]:
    """The sources named in `data.mix` with a positive weight that exist; absent ones are reported, not fatal."""
    candidates = {name: Source(name, data.path, name) for name in MEDC_K_CONFIGS}
    if data.general:
        candidates["general"] = Source("general", data.general, data.general_name, data.general_split)
    unknown = sorted(set(data.mix) - set(candidates) - {"general"})
    if unknown:
        raise ValueError(f"data.mix names {unknown}, which is not a source; sources are papers, books and general")
    sources = []
    for name, weight in data.mix.items():
        source = candidates.get(name)
        if weight <= 0:
            continue
        if source is None or not has_split(source):
            where = "no data.general given" if source is None else f"nothing at {source.describe()}"
            log.warning("Mix weight %s=%g ignored: %s", name, weight, where)
            continue
        sources.append(source)
    if not sources:
        raise ValueError(f"no training data: none of {sorted(data.mix)} was found at {data.path}")
    return sources


def collate(sequences: list[Any], isolate: bool = False) -> dict[str, Any]:
    """Stacked sequences. Position ids only when documents are isolated: otherwise they are 0..L-1, which the
    model makes itself (and passing them would make transformers test every batch for packed sequences)."""
    batch = {
        "input_ids": np.stack([s.input_ids for s in sequences]),
        "targets": np.stack([s.targets for s in sequences]),
        "n_tokens": sum(s.n_real for s in sequences),
    }
    if isolate:
        batch["position_ids"] = np.stack([s.position_ids for s in sequences])
    return batch


class PretrainStream:
    """Micro-batches of packed sequences for one rank, with the exact (global) data position."""

    def __init__(
        self,
        packed: dict[str, PackedSequences],
        holdout: dict[str, np.ndarray],
        sampler: MixtureSampler,
        *,
        micro_batch: int,
        grad_accum: int,
        world: int,
        rank: int,
        total_samples: int,
    ) -> None:
        self.packed, self.holdout, self.sampler = packed, holdout, sampler
        self.micro_batch, self.grad_accum, self.world, self.rank = micro_batch, grad_accum, world, rank
        self.total_samples = total_samples
        self._isolate = any(p.isolate for p in packed.values())
        self.total_steps = max(1, math.ceil(total_samples / (micro_batch * grad_accum * world)))

    @classmethod
    def prepare(
        cls,
        data: PretrainData,
        tokenizer: Any,
        *,
        seed: int,
        micro_batch: int,
        grad_accum: int,
        world: int = 1,
        rank: int = 0,
    ) -> PretrainStream:
        corpora = {
            s.name: tokenize_corpus(
                s, tokenizer, column=data.text_column, add_bos=data.add_bos, cache_dir=data.cache_dir
            )
            for s in pretrain_sources(data)
        }
        return cls.from_corpora(
            corpora,
            data,
            pad_id=pad_id(tokenizer),
            seed=seed,
            micro_batch=micro_batch,
            grad_accum=grad_accum,
            world=world,
            rank=rank,
        )

    @classmethod
    def from_corpora(
        cls,
        corpora: dict[str, TokenizedCorpus],
        data: PretrainData,
        *,
        pad_id: int,
        seed: int,
        micro_batch: int,
        grad_accum: int,
        world: int = 1,
        rank: int = 0,
    ) -> PretrainStream:
        packed = {n: PackedSequences(c, data.seq_len, pad_id, data.isolate_documents) for n, c in corpora.items()}
        train, holdout = {}, {}
        for name, seqs in packed.items():
            train[name], holdout[name] = split_holdout(len(seqs), data.val_sequences, seed, name)
        sampler = MixtureSampler(train, data.mix, seed)
        total = planned_samples(data, {n: len(ids) for n, ids in sampler.items.items()}, sampler.shares)
        return cls(
            packed,
            holdout,
            sampler,
            micro_batch=micro_batch,
            grad_accum=grad_accum,
            world=world,
            rank=rank,
            total_samples=total,
        )

    def next_micro_batch(self) -> dict[str, np.ndarray]:
        draws = [next(self.sampler) for _ in range(self.micro_batch * self.world)]
        mine = draws[self.rank * self.micro_batch : (self.rank + 1) * self.micro_batch]
        return collate([self.packed[name][i] for name, i in mine], self._isolate)

    def next_step(self) -> list[dict[str, np.ndarray]]:
        return [self.next_micro_batch() for _ in range(self.grad_accum)]

    def validation_batches(self, max_batches: int) -> list[dict[str, Any]]:
        """This rank's share of the held-out sequences, all sources interleaved, in micro-batches."""
        held = [(name, int(i)) for name, ids in self.holdout.items() for i in ids]
        mine = rank_share(held, self.rank, self.world, max_batches * self.micro_batch)
        batches = []
        for k in range(0, len(mine), self.micro_batch):
            seqs = [self.packed[n][i] for (n, i), _ in mine[k : k + self.micro_batch]]
            for seq, (_, counted) in zip(seqs, mine[k : k + self.micro_batch], strict=True):
                if not counted:
                    seq.targets[:] = IGNORE
                    seq.n_real = 0
            batches.append(collate(seqs, self._isolate))
        return batches

    def state_dict(self) -> dict[str, Any]:
        return {"sampler": self.sampler.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.sampler.load_state_dict(state["sampler"])

    def summary(self) -> dict[str, Any]:
        sources = {}
        for name, seqs in self.packed.items():
            corpus = seqs.corpus
            sources[name] = {
                "documents": corpus.n_docs,
                "tokens": corpus.n_tokens,
                "sequences": len(seqs),
                "validation": len(self.holdout[name]),
                "share": round(self.sampler.shares.get(name, 0), 4),
            }
        return {"sources": sources, "total_samples": self.total_samples, "total_steps": self.total_steps}


def rank_share(items: list[Any], rank: int, world: int, limit: int) -> list[tuple[Any, bool]]:
    """Items `rank, rank + world, ...` (at most `limit`), as (item, counted). Every rank gets the same number, so
    collective forward passes (ZeRO-3 gathers parameters in each) stay in step: ranks that run out repeat items
    with counted=False, which the caller blanks (no targets)."""
    if not items:
        return []
    per_rank = min(limit, -(-len(items) // world))
    picks = [rank + k * world for k in range(per_rank)]
    return [(items[p % len(items)], p < len(items)) for p in picks]


def planned_samples(data: PretrainData, sizes: dict[str, int], shares: dict[str, float]) -> int:
    """Sequences the run trains on: token_budget / seq_len, or `epochs` passes over `epoch_source` at its share
    of the mix (all data once per epoch when that source is absent)."""
    if data.token_budget is not None:
        return math.ceil(data.token_budget / data.seq_len)
    epochs = data.epochs if data.epochs is not None else 1.0
    ref = data.epoch_source
    if ref in sizes:
        return math.ceil(epochs * sizes[ref] / shares[ref])
    log.warning("epoch_source %r has no data; one epoch = one pass over all sources", ref)
    return math.ceil(epochs * sum(sizes.values()))


def pad_id(tokenizer: Any) -> int:
    """Padding never has a target, so any id works; the tokenizer's pad, else unk, else eos."""
    for candidate in (tokenizer.pad_token_id, tokenizer.unk_token_id, tokenizer.eos_token_id):
        if candidate is not None:
            return int(candidate)
    return 0
