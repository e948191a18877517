"""What the books builder took out of a kept chapter, summed per rule (`medc.records.Removal`).

>>> tally = Tally()
>>> tally.add("books.running_header", 22)
>>> tally.add("books.running_header", 19)
>>> tally.add("books.citation", 4)
>>> tally.removals()
[Removal(rule='books.citation', chars=4, count=1), Removal(rule='books.running_header', chars=41, count=2)]
"""

from __future__ import annotations

from collections import Counter

from medc.records import Removal


class Tally:
    __slots__ = ("chars", "times")

    def __init__(self) -> None:
        self.chars: Counter[str] = Counter()
        self.times: Counter[str] = Counter()

    def add(self, rule: str, chars: int, times: int = 1) -> None:
        if chars > 0:
            self.chars[rule] += chars
            self.times[rule] += times

    def update(self, other: Tally) -> None:
        self.chars.update(other.chars)
        self.times.update(other.times)

    def __bool__(self) -> bool:
        return bool(self.chars)

    def removals(self) -> list[Removal]:
        return [Removal(rule, chars, self.times[rule]) for rule, chars in sorted(self.chars.items())]
