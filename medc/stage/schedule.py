"""The coordinator's loop: keep a window of batches in flight on an executor, and yield their results in batch order.

    >>> for result in schedule(batches, submit=lambda b: ex.submit(run_batch, job, b, timeout=hard(b)),
    ...                        lost=rejected_batch, window=8):
    ...     journal.append(result)                   # in order: committed units stay a prefix of each source

When a batch fails (its worker died: a segfault, the memory watchdog; or its hard timeout fired), a batch of one
unit becomes that unit's rejection (`lost(batch, error)`); a larger batch is split in two halves, both submitted
at once. The other batches in flight are untouched (pebble and Ray fail only the task whose worker died), so the
innocent units are re-run in parallel and the culprit is isolated in log2(batch size) rounds.
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait

from medc.executors.base import TaskFailed
from medc.stage.batch import Batch, BatchResult

log = logging.getLogger(__name__)


class _Slot:
    __slots__ = ("batch", "future", "result")

    def __init__(self, batch: Batch, future: Future[BatchResult]) -> None:
        self.batch, self.future = batch, future
        self.result: BatchResult | None = None


def schedule(
    batches: Iterable[Batch],
    submit: Callable[[Batch], Future[BatchResult]],
    lost: Callable[[Batch, TaskFailed], BatchResult],
    window: int,
) -> Iterator[BatchResult]:
    """Results of every batch, in batch order. At most `window` batches run at once, and at most `4 * window`
    finished results wait for a slow head, so memory stays bounded on any input size."""
    todo = iter(batches)
    order: collections.deque[_Slot] = collections.deque()
    running: dict[Future[BatchResult], _Slot] = {}
    exhausted = False
    while True:
        while not exhausted and len(running) < window and len(order) < 4 * window:
            batch = next(todo, None)
            if batch is None:
                exhausted = True
                break
            slot = _Slot(batch, submit(batch))
            order.append(slot)
            running[slot.future] = slot
        if order and order[0].result is not None:
            yield order.popleft().result  # type: ignore[misc]
            continue
        if not order:
            return
        done, _ = wait(list(running), return_when=FIRST_COMPLETED)
        for future in done:
            _settle(running.pop(future), order, running, submit, lost)


def _settle(
    slot: _Slot,
    order: collections.deque[_Slot],
    running: dict[Future[BatchResult], _Slot],
    submit: Callable[[Batch], Future[BatchResult]],
    lost: Callable[[Batch, TaskFailed], BatchResult],
) -> None:
    try:
        slot.result = slot.future.result()
        return
    except TaskFailed as exc:
        error = exc
    if len(slot.batch.refs) == 1:
        log.warning("%s: %s", slot.batch.refs[0].origin, error)
        slot.result = lost(slot.batch, error)
        return
    left, right = slot.batch.halves()
    log.info(
        "a batch of %d units from %s failed (%s): retrying it in halves",
        len(slot.batch.refs),
        slot.batch.refs[0].origin,
        error,
    )
    position = order.index(slot)
    order.remove(slot)
    for offset, half in enumerate((left, right)):
        child = _Slot(half, submit(half))
        order.insert(position + offset, child)
        running[child.future] = child
