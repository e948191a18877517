"""Compose a builder's parse function with per-record steps into one picklable task for the runner.

    >>> task = RecordTask(partial(pmc.parse, options=PmcOptions()), steps=(DocumentSteps(),))
    >>> list(task(WorkUnit("PMC1.xml", data)))
    [Document(id='pmc:PMC1', ...)]                    # or Rejection(reason='too_short', ...) after a step

Steps run in the worker right after parsing (normalizing and scoring are as parallel as parsing). A step returns
the record, possibly changed, or a `Rejection` that ends the record's way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from medc.records import Notice, Rejection
from medc.sources import WorkUnit

Step = Callable[[Any], Any]


@dataclass(frozen=True)
class RecordTask:
    parse: Callable[[WorkUnit], Iterable[Any]]
    steps: tuple[Step, ...] = ()

    def __call__(self, unit: WorkUnit) -> Iterator[Any]:
        for item in self.parse(unit):
            if isinstance(item, (Rejection, Notice)):
                yield item
                continue
            for step in self.steps:
                item = step(item)
                if isinstance(item, Rejection):
                    break
            yield item
