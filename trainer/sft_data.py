"""Stage 2 data: MedC-I records rendered, tokenized with loss masks (cached), served as micro-batches per rank.

    >>> stream = SFTStream.prepare(cfg.data, tokenizer, seed=42, micro_batch=4, grad_accum=8)
    >>> stream.summary()["sources"]["dialogue"]
    {'examples': 1800, 'tokens': 412339, 'trained_tokens': 203114, 'truncated': 3, 'rejected': {}}
    >>> stream.next_step()[0].keys()    # padded: attention mask; packed (`packing = true`): position ids that restart
    dict_keys(['input_ids', 'targets', 'attention_mask', 'n_tokens'])

Configs are mixed in their natural proportions (weights = sizes), so `epochs` passes see every example `epochs`
times. A record that cannot be rendered, or that has no trained token left after truncation, is counted by reason
and logged, never dropped silently.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from medc.records import Instruction, from_row, instruction_schema
from trainer.claims import POLL_S, Claim, tmp_name
from trainer.config import SFTData
from trainer.data import Source, fingerprint, has_split, iter_columns
from trainer.packing import IGNORE
from trainer.pretrain_data import pad_id, rank_share
from trainer.sampler import MixtureSampler
from trainer.sft import TemplateError, encode_batch, render_segments
from trainer.sft_packing import PackPlan
from trainer.token_cache import cache_key, default_cache_dir, token_dtype, tokenizer_fingerprint

log = logging.getLogger(__name__)

PAD_MULTIPLE = 8  # padded batch lengths are rounded up to this, for friendlier kernels


@dataclass
class SFTCorpus:
    """Tokenized examples of one config, flat: example i is ids[starts[i]:starts[i+1]]."""

    name: str
    ids: np.ndarray
    trained: np.ndarray
    starts: np.ndarray
    info: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.starts) - 1

    def example(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.starts[i], self.starts[i + 1]
        return np.asarray(self.ids[a:b], np.int64), np.asarray(self.trained[a:b], bool)


def tokenize_instructions(source: Source, tokenizer: Any, data: SFTData) -> SFTCorpus:
    """The tokenized examples of `source`, from the cache when there, else rendered and tokenized now."""
    key = cache_key(
        {
            "data": fingerprint(source),
            "tokenizer": tokenizer_fingerprint(tokenizer),
            "kind": "sft",
            "template": data.template,
            "chat_template": getattr(tokenizer, "chat_template", None),
            "add_bos": data.add_bos,
            "seq_len": data.seq_len,
        }
    )
    entry = Path(data.cache_dir or default_cache_dir()) / f"sft-{source.name}-{source.split}-{key}"
    while not (entry / "meta.json").exists():  # one process tokenizes, the others poll: no collective
        claim = Claim.take(entry.with_name(f".{entry.name}.claim"))
        if claim is None:
            time.sleep(POLL_S)
            continue
        try:
            if not (entry / "meta.json").exists():
                log.info("Tokenizing %s into %s", source.describe(), entry)
                _write_sft(entry, source, tokenizer, data, claim.beat)
        finally:
            claim.release()
    return _open_sft(entry, source.name)


def _write_sft(entry: Path, source: Source, tokenizer: Any, data: SFTData, beat: Any = None) -> None:
    dtype = token_dtype(len(tokenizer))
    tmp = tmp_name(entry)
    tmp.mkdir(parents=True)
    lengths, rejected, stats = [], Counter(), Counter()
    columns = instruction_schema().names
    with open(tmp / "ids.bin", "wb") as ids_out, open(tmp / "trained.bin", "wb") as trained_out:
        for batch in iter_columns(source, columns, batch_size=500):
            if beat is not None:
                beat()
            rows = [dict(zip(batch, values, strict=True)) for values in zip(*batch.values(), strict=True)]
            segments = []
            for row in rows:
                try:
                    segments.append(render_segments(from_row(Instruction, row), data.template, tokenizer))
                except TemplateError as exc:
                    rejected[f"template: {exc}"] += 1
            for ex in encode_batch(segments, tokenizer, add_bos=data.add_bos, max_len=data.seq_len):
                stats["truncated"] += ex.truncated
                if not ex.trained[1:].any():
                    rejected["no_trained_token_after_truncation"] += 1
                    continue
                ids_out.write(ex.ids.astype(dtype).tobytes())
                trained_out.write(ex.trained.astype(np.uint8).tobytes())
                lengths.append(len(ex.ids))
                stats["tokens"] += len(ex.ids)
                stats["trained_tokens"] += int(ex.trained[1:].sum())
    np.save(tmp / "starts.npy", np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]))
    info = {
        "source": source.describe(),
        "dtype": dtype.name,
        "examples": len(lengths),
        **stats,
        "rejected": dict(rejected),
    }
    (tmp / "meta.json").write_text(json.dumps(info, indent=1))
    for reason, n in rejected.items():
        log.warning("%s: %d records not trained on (%s)", source.describe(), n, reason)
    if stats["truncated"]:
        log.warning("%s: %d examples truncated to seq_len=%d", source.describe(), stats["truncated"], data.seq_len)
    try:
        tmp.rename(entry)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)


def _open_sft(entry: Path, name: str) -> SFTCorpus:
    info = {**json.loads((entry / "meta.json").read_text()), "entry": entry.name}
    starts = np.load(entry / "starts.npy")
    if starts[-1] == 0:
        return SFTCorpus(name, np.zeros(0, np.int64), np.zeros(0, bool), starts, info)
    ids = np.memmap(entry / "ids.bin", dtype=info["dtype"], mode="r")
    trained = np.memmap(entry / "trained.bin", dtype=np.bool_, mode="r")
    return SFTCorpus(name, ids, trained, starts, info)


def targets_of(ids: np.ndarray, trained: np.ndarray) -> np.ndarray:
    """Next-token targets: position j predicts token j+1 when that token is trained."""
    targets = np.full(len(ids), IGNORE, np.int64)
    targets[:-1] = np.where(trained[1:], ids[1:], IGNORE)
    return targets


def pad_batch(examples: list[tuple[np.ndarray, np.ndarray]], pad: int) -> dict[str, np.ndarray]:
    """One example per row, right-padded to the longest (rounded up to a multiple of 8), with an attention mask."""
    width = max(len(ids) for ids, _ in examples)
    width = -(-width // PAD_MULTIPLE) * PAD_MULTIPLE
    out = {
        "input_ids": np.full((len(examples), width), pad, np.int64),
        "targets": np.full((len(examples), width), IGNORE, np.int64),
        "attention_mask": np.zeros((len(examples), width), np.int64),
    }
    for row, (ids, trained) in enumerate(examples):
        n = len(ids)
        out["input_ids"][row, :n] = ids
        out["targets"][row, :n] = targets_of(ids, trained)
        out["attention_mask"][row, :n] = 1
    out["n_tokens"] = int(out["attention_mask"].sum())
    return out


def sft_sources(data: SFTData, split: str) -> list[Source]:
    sources = [Source(name, data.path, name, split) for name in data.configs]
    found = [s for s in sources if has_split(s)]
    for s in sources:
        if s not in found and split == "train":
            log.warning("MedC-I config %s not found at %s; training without it", s.name, data.path)
    return found


class SFTStream:
    """Micro-batches of instruction examples for one rank; packed rows or one padded example per row."""

    def __init__(
        self,
        corpora: dict[str, SFTCorpus],
        val: dict[str, SFTCorpus],
        data: SFTData,
        *,
        seed: int,
        micro_batch: int,
        grad_accum: int,
        pad: int,
        world: int = 1,
        rank: int = 0,
    ) -> None:
        self.corpora, self.val, self.data, self.pad = corpora, val, data, pad
        self.micro_batch, self.grad_accum, self.world, self.rank = micro_batch, grad_accum, world, rank
        items = {n: np.arange(len(c)) for n, c in corpora.items()}
        self.sampler = MixtureSampler(items, {n: float(len(c)) for n, c in corpora.items()}, seed)
        self.rows_taken = 0  # packed runs: the data position
        self.plan = None
        if data.packing:
            lengths = {n: np.diff(c.starts) for n, c in corpora.items()}
            draws = math.ceil(data.epochs * sum(len(c) for c in corpora.values()))
            self.plan = PackPlan(MixtureSampler(items, self.sampler.shares, seed), lengths, data.seq_len, draws)
        self.total_steps = self._plan_steps()

    @classmethod
    def prepare(
        cls,
        data: SFTData,
        tokenizer: Any,
        *,
        seed: int,
        micro_batch: int,
        grad_accum: int,
        world: int = 1,
        rank: int = 0,
    ) -> SFTStream:
        train = {s.name: tokenize_instructions(s, tokenizer, data) for s in sft_sources(data, "train")}
        if not train:
            raise ValueError(f"no MedC-I training data found at {data.path} (configs {list(data.configs)})")
        val = {s.name: tokenize_instructions(s, tokenizer, data) for s in sft_sources(data, data.val_split)}
        return cls(
            train,
            val,
            data,
            seed=seed,
            micro_batch=micro_batch,
            grad_accum=grad_accum,
            pad=pad_id(tokenizer),
            world=world,
            rank=rank,
        )

    def _plan_steps(self) -> int:
        """Steps for `epochs` passes: examples per step when padded, the plan's counted rows when packed."""
        per_step = self.micro_batch * self.grad_accum * self.world
        if self.plan is not None:
            return max(1, math.ceil(self.plan.planned_rows / per_step))
        examples = sum(len(c) for c in self.corpora.values())
        return max(1, math.ceil(self.data.epochs * examples / per_step))

    def _next_example(self) -> tuple[np.ndarray, np.ndarray]:
        """This rank's next example: every `world`-th draw of the shared sequence, offset by rank."""
        draws = [next(self.sampler) for _ in range(self.world)]
        name, i = draws[self.rank]
        return self.corpora[name].example(i)

    def next_micro_batch(self) -> dict[str, np.ndarray]:
        if self.plan is None:
            return pad_batch([self._next_example() for _ in range(self.micro_batch)], self.pad)
        first = self.rows_taken + self.rank * self.micro_batch
        rows = [self._pack_row(self.plan.row(k)) for k in range(first, first + self.micro_batch)]
        self.rows_taken += self.micro_batch * self.world
        batch = {k: np.stack([r[k] for r in rows]) for k in ("input_ids", "targets", "position_ids")}
        batch["n_tokens"] = sum(r["n_tokens"] for r in rows)
        return batch

    def _pack_row(self, members: list[tuple[str, int]]) -> dict[str, Any]:
        L = self.data.seq_len
        row = {
            "input_ids": np.full(L, self.pad, np.int64),
            "targets": np.full(L, IGNORE, np.int64),
            "position_ids": np.arange(L, dtype=np.int64),
        }
        used = 0
        for name, i in members:
            ids, trained = self.corpora[name].example(i)
            row["input_ids"][used : used + len(ids)] = ids
            row["targets"][used : used + len(ids)] = targets_of(ids, trained)
            row["position_ids"][used : used + len(ids)] = np.arange(len(ids))
            used += len(ids)
        row["position_ids"][used:] = np.arange(L - used) + (row["position_ids"][used - 1] + 1)
        row["n_tokens"] = used
        return row

    def next_step(self) -> list[dict[str, np.ndarray]]:
        return [self.next_micro_batch() for _ in range(self.grad_accum)]

    def validation_batches(self, max_batches: int) -> list[dict[str, np.ndarray]]:
        examples = [(name, i) for name, c in self.val.items() for i in range(len(c))]
        mine = []
        for (name, i), counted in rank_share(examples, self.rank, self.world, max_batches * self.micro_batch):
            ids, trained = self.val[name].example(i)
            mine.append((ids, trained if counted else np.zeros_like(trained)))  # a repeat only keeps ranks in step
        return [pad_batch(mine[k : k + self.micro_batch], self.pad) for k in range(0, len(mine), self.micro_batch)]

    def state_dict(self) -> dict[str, Any]:
        if self.plan is not None:
            return {"rows": self.rows_taken}
        return {"sampler": self.sampler.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if self.plan is not None:
            self.rows_taken = int(state["rows"])
        else:
            self.sampler.load_state_dict(state["sampler"])

    def fingerprints(self) -> dict[str, str]:
        """Per config and split, the cache entry (data, tokenizer, template, settings) and its size."""
        both = [*self.corpora.values(), *self.val.values()]
        return {str(c.info.get("entry", c.name)): str(len(c)) for c in both}

    def summary(self) -> dict[str, Any]:
        sources = {
            n: {k: c.info.get(k, 0) for k in ("examples", "tokens", "trained_tokens", "truncated", "rejected")}
            for n, c in self.corpora.items()
        }
        return {
            "sources": sources,
            "validation_examples": sum(len(c) for c in self.val.values()),
            "total_steps": self.total_steps,
            **({"packing": self.plan.describe()} if self.plan is not None else {}),
        }
