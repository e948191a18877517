"""Packed SFT rows, planned ahead: examples drawn in windows and packed best-fit, so epochs are real passes.

    >>> plan = PackPlan(sampler, {"dialogue": lengths}, seq_len=2048, draws=3 * 1800)   # epochs = 3
    >>> plan.planned_rows, plan.fill                    # rows that hold exactly 3 passes, and how full they are
    (2391, 0.981)
    >>> plan.row(0)                                     # (source, example) pairs of row 0
    [('dialogue', 812), ('dialogue', 17), ('dialogue', 1203)]

The sampler's draws are cut into windows of `WINDOW` examples; each window is packed best-fit decreasing (longest
example first, into the fullest row it still fits, else a new row). Next-fit packing (fill a row until the next
example does not fit) left rows 72.5% full on MedC-I, so a plan that assumed 90% trained 2.42 passes for
`epochs = 3`; here the number of rows of the planned draws is counted, not assumed. A window keeps packing local
to the mix order (every window is a slice of the sampler's sequence). Rows beyond the plan (a run longer than its
epochs) come from further windows, drawn as needed. The data position of a packed run is one number: rows taken.
"""

from __future__ import annotations

import bisect
from typing import Any

import numpy as np

from trainer.sampler import MixtureSampler

WINDOW = 2048


def best_fit_rows(lengths: np.ndarray, capacity: int) -> list[list[int]]:
    """Indices of `lengths` packed into rows of `capacity`, best-fit decreasing; rows in the order they opened."""
    rows: list[list[int]] = []
    free: list[tuple[int, int]] = []  # (room left, row), ascending: bisect finds the tightest row that fits
    for i in sorted(range(len(lengths)), key=lambda k: (-int(lengths[k]), k)):
        need = int(lengths[i])
        at = bisect.bisect_left(free, (need, -1))
        if at < len(free):
            room, row = free.pop(at)
            rows[row].append(i)
            bisect.insort(free, (room - need, row))
        else:
            rows.append([i])
            bisect.insort(free, (capacity - need, len(rows) - 1))
    return rows


class PackPlan:
    """The rows of a packed run: row k is a list of (source, example index)."""

    def __init__(self, sampler: MixtureSampler, lengths: dict[str, np.ndarray], seq_len: int, draws: int) -> None:
        self.sampler, self.lengths, self.seq_len = sampler, lengths, seq_len
        self.names = list(lengths)
        self._rows: list[np.ndarray] = []  # per row: [[source index, example index], ...]
        self.drawn = 0
        while self.drawn < draws:
            self._extend(min(WINDOW, draws - self.drawn))
        self.planned_rows, self.planned_examples = len(self._rows), draws
        used = sum(int(self.lengths[self.names[s]][i]) for r in self._rows for s, i in r)
        self.fill = used / max(1, self.planned_rows * seq_len)

    def _extend(self, n: int) -> None:
        draws = [next(self.sampler) for _ in range(n)]
        src = np.array([self.names.index(name) for name, _ in draws], np.int64)
        idx = np.array([i for _, i in draws], np.int64)
        lens = np.array([self.lengths[name][i] for name, i in draws], np.int64)
        for row in best_fit_rows(lens, self.seq_len):
            self._rows.append(np.stack([src[row], idx[row]], axis=1))
        self.drawn += n

    def row(self, k: int) -> list[tuple[str, int]]:
        while k >= len(self._rows):
            self._extend(WINDOW)
        return [(self.names[int(s)], int(i)) for s, i in self._rows[k]]

    def describe(self) -> dict[str, Any]:
        return {"planned_rows": self.planned_rows, "examples": self.planned_examples, "fill": round(self.fill, 4)}
