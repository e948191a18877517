"""Deterministic, resumable mixing of several sources by weight.

    >>> s = MixtureSampler({"books": np.arange(3), "papers": np.arange(100)}, {"books": 15, "papers": 4}, seed=0)
    >>> [next(s) for _ in range(5)]
    [('books', 2), ('books', 1), ('papers', 74), ('books', 0), ('books', 2)]
    >>> s.state_dict()                # the exact data position: how many drawn, and from each source
    {'drawn': 5, 'taken': {'books': 4, 'papers': 1}}

At draw t, among the sources with `share * t - taken >= c`, where `c = 1 / (2k - 2)` for k sources, the one whose
next item is due earliest is taken: smallest `(taken + 1 - c) / share`, ties to the first listed (Tijdeman's
solution of the chairman assignment problem).
After any number of draws each source's count is then within `1 - c` (less than one item) of its share: weights
hold on every prefix, not just on average. (Taking the source furthest behind its share does not: 79:79:79:0.375:
0.375 drifts past one item.) A source is walked in a fresh permutation on every pass (seeded
by the seed, the source's name and the pass number), so repeating a small source (books at 15:4:1) does not repeat
its order. The state is two integers per source; restoring it continues the identical sequence.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np


class MixtureSampler:
    """Yields `(source, item)` forever; `item` is an element of that source's `items` array."""

    def __init__(self, items: dict[str, np.ndarray], weights: dict[str, float], seed: int) -> None:
        self.items = {name: ids for name, ids in items.items() if len(ids) and weights.get(name, 0) > 0}
        if not self.items:
            raise ValueError(f"nothing to sample: no source has both items and a positive weight ({weights})")
        total = sum(weights[name] for name in self.items)
        self.shares = {name: weights[name] / total for name in self.items}
        self._slack = 1 / (2 * len(self.items) - 2) if len(self.items) > 1 else 0.0
        self.seed = seed
        self.drawn = 0
        self.taken = dict.fromkeys(self.items, 0)
        self._order_cache: dict[str, tuple[int, np.ndarray]] = {}

    def __iter__(self) -> MixtureSampler:
        return self

    def __next__(self) -> tuple[str, int]:
        t, c = self.drawn + 1, self._slack
        due = [n for n in self.items if self.shares[n] * t - self.taken[n] >= c - 1e-12] or list(self.items)
        name = min(due, key=lambda n: (self.taken[n] + 1 - c) / self.shares[n])
        item = self.item_at(name, self.taken[name])
        self.taken[name] += 1
        self.drawn += 1
        return name, item

    def item_at(self, name: str, k: int) -> int:
        """The item drawn `k`-th from source `name` (0-based, across passes)."""
        ids = self.items[name]
        epoch, offset = divmod(k, len(ids))
        cached = self._order_cache.get(name)
        if cached is None or cached[0] != epoch:
            rng = np.random.default_rng([self.seed, zlib.crc32(name.encode()), epoch])
            cached = (epoch, rng.permutation(len(ids)))
            self._order_cache[name] = cached
        return int(ids[cached[1][offset]])

    def state_dict(self) -> dict[str, Any]:
        return {"drawn": self.drawn, "taken": dict(self.taken)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if set(state["taken"]) != set(self.taken):
            raise ValueError(f"checkpoint mixes sources {sorted(state['taken'])}, this run has {sorted(self.taken)}")
        self.drawn = int(state["drawn"])
        self.taken = {name: int(n) for name, n in state["taken"].items()}

    def passes(self) -> dict[str, float]:
        """How many times each source has been gone through."""
        return {name: self.taken[name] / len(ids) for name, ids in self.items.items()}


def holdout_documents(doc_lens: np.ndarray, target_tokens: int, seed: int, name: str) -> np.ndarray:
    """Documents held out for validation, whole (ascending ids): random ones, seeded, until they hold
    `target_tokens`, but at most a tenth of the documents, so small sources still train. Holding out packed
    windows instead would leave the rest of a held-out window's documents in training."""
    n = len(doc_lens)
    if target_tokens <= 0 or n < 10:
        return np.zeros(0, np.int64)
    rng = np.random.default_rng([seed, zlib.crc32(name.encode()), 1 << 20])
    order = rng.permutation(n)[: n // 10]
    take = int(np.searchsorted(np.cumsum(doc_lens[order]), target_tokens)) + 1
    return np.sort(order[:take]).astype(np.int64)
