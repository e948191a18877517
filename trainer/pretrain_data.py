"""Stage 1 data: MedC-K sources tokenized (cached), packed, mixed by weight, served as micro-batches per rank.

    >>> stream = PretrainStream.prepare(cfg.data, tokenizer, seed=42, micro_batch=4, grad_accum=8, world=1, rank=0)
    >>> stream.summary()["sources"]["books"]
    {'documents': 120, 'tokens': 1843211, 'sequences': 893, 'validation': 16, 'validation_documents': 2, ...}
    >>> batches = stream.next_step()    # grad_accum micro-batches: input_ids, targets [4, 2048]

The stream is global and identical on every rank: each draw of `micro_batch * world` sequences is split by rank,
so the sampler state (`drawn`, `taken` per source) is the exact data position of the whole job.

Validation holds out whole documents (`sampler.holdout_documents`), packed apart from the training documents, so
no held-out text is ever trained on. What is tokenized, and how far, is `trainer.pretrain_plan`'s business.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np

from trainer.config import PretrainData
from trainer.data import Source, has_split
from trainer.packing import IGNORE, PackedSequences, select_documents
from trainer.sampler import MixtureSampler, holdout_documents
from trainer.token_cache import TokenizedCorpus

log = logging.getLogger(__name__)

MEDC_K_CONFIGS = ("papers", "books")


def streamed(data: PretrainData, location: str) -> bool:
    """Whether a source at `location` is streamed: `data.stream`, or by default when it is not on this machine
    (a Hub id: streamed, so only the rows the plan needs are ever downloaded)."""
    from pathlib import Path

    return data.stream if data.stream is not None else not Path(location).exists()


def pretrain_sources(data: PretrainData) -> list[Source]:
    """The sources named in `data.mix` with a positive weight that exist; absent ones are reported, not fatal."""
    k_stream = streamed(data, data.path)
    candidates = {name: Source(name, data.path, name, stream=k_stream) for name in MEDC_K_CONFIGS}
    if data.general:
        g_stream = streamed(data, data.general)
        candidates["general"] = Source("general", data.general, data.general_name, data.general_split, g_stream)
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
        validation: dict[str, PackedSequences],
        sampler: MixtureSampler,
        *,
        micro_batch: int,
        grad_accum: int,
        world: int,
        rank: int,
        total_samples: int,
        corpora: dict[str, TokenizedCorpus] | None = None,
    ) -> None:
        self.packed, self.validation, self.sampler = packed, validation, sampler
        self.micro_batch, self.grad_accum, self.world, self.rank = micro_batch, grad_accum, world, rank
        self.total_samples = total_samples
        self.corpora = corpora or {}
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
        max_steps: int | None = None,
        threads: int | None = None,
    ) -> PretrainStream:
        """Tokenize what the plan needs (shared with other ranks through the cache, no collective), then build."""
        from trainer.pretrain_plan import tokenize_for_plan

        batch = micro_batch * grad_accum * world
        corpora = tokenize_for_plan(
            data, tokenizer, seed=seed, global_batch=batch, max_steps=max_steps, threads=threads
        )
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
        train, validation = {}, {}
        for name, corpus in corpora.items():
            train[name], validation[name] = split_documents(corpus, data, pad_id, seed)
        sampler = MixtureSampler({n: np.arange(len(s)) for n, s in train.items()}, data.mix, seed)
        total = planned_samples(data, {n: len(ids) for n, ids in sampler.items.items()}, sampler.shares)
        return cls(
            train,
            validation,
            sampler,
            micro_batch=micro_batch,
            grad_accum=grad_accum,
            world=world,
            rank=rank,
            total_samples=total,
            corpora=corpora,
        )

    def next_micro_batch(self) -> dict[str, np.ndarray]:
        draws = [next(self.sampler) for _ in range(self.micro_batch * self.world)]
        mine = draws[self.rank * self.micro_batch : (self.rank + 1) * self.micro_batch]
        return collate([self.packed[name][i] for name, i in mine], self._isolate)

    def next_step(self) -> list[dict[str, np.ndarray]]:
        return [self.next_micro_batch() for _ in range(self.grad_accum)]

    def validation_batches(self, max_batches: int) -> list[dict[str, Any]]:
        """This rank's share of the held-out sequences, all sources interleaved, in micro-batches."""
        held = [(name, i) for name, seqs in self.validation.items() for i in range(len(seqs))]
        mine = rank_share(held, self.rank, self.world, max_batches * self.micro_batch)
        batches = []
        for k in range(0, len(mine), self.micro_batch):
            seqs = [self.validation[n][i] for (n, i), _ in mine[k : k + self.micro_batch]]
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

    def fingerprints(self) -> dict[str, str]:
        """Per source, the cache entry (data, tokenizer and settings) and how much of it this run uses."""
        return {name: corpus.key for name, corpus in self.corpora.items()}

    def summary(self) -> dict[str, Any]:
        sources = {}
        for name, seqs in self.packed.items():
            corpus, val = self.corpora.get(name, seqs.corpus), self.validation[name]
            sources[name] = {
                "documents": corpus.n_docs,
                "tokens": corpus.n_tokens,
                "complete": getattr(corpus, "complete", True),
                "sequences": len(seqs),
                "validation": len(val),
                "validation_documents": val.corpus.n_docs,
                "share": round(self.sampler.shares.get(name, 0), 4),
            }
        return {"sources": sources, "total_samples": self.total_samples, "total_steps": self.total_steps}


def split_documents(
    corpus: TokenizedCorpus, data: PretrainData, pad_id: int, seed: int
) -> tuple[PackedSequences, PackedSequences]:
    """(training, validation) packed sequences of `corpus`; validation is whole held-out documents, at most
    `data.val_sequences` sequences of them."""
    doc_lens = np.diff(corpus.doc_starts)
    held = holdout_documents(doc_lens, data.val_sequences * data.seq_len, seed, corpus.name)
    keep = np.ones(len(doc_lens), bool)
    keep[held] = False
    train = PackedSequences(
        select_documents(corpus, np.flatnonzero(keep)), data.seq_len, pad_id, data.isolate_documents
    )
    val = PackedSequences(
        select_documents(corpus, held), data.seq_len, pad_id, data.isolate_documents, limit=data.val_sequences
    )
    return train, val


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
