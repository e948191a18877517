"""Progress of a build, counted in work units (a batch's worth at a time, as the coordinator journals it): a live
bar on a terminal, a log line every 15 s elsewhere (CI logs, cluster job output), so long builds always show they
are alive."""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from types import TracebackType

from medc.stage.batch import BatchResult

log = logging.getLogger(__name__)


class BuildProgress:
    """Use as the `progress` callback of `medc.build.run_build`, inside a `with` block."""

    def __init__(self, interval: float = 15.0, live: bool | None = None) -> None:
        self.live = sys.stderr.isatty() if live is None else live
        self.interval = interval
        self.units: Counter[str] = Counter()
        self.records: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()
        self._tasks: dict[str, object] = {}
        self._progress = None
        self._start = time.monotonic()
        self._last_log = self._start

    def __enter__(self) -> BuildProgress:
        if self.live:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[status]}"),
                TimeElapsedColumn(),
                transient=False,
            )
            self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def __call__(self, name: str, result: BatchResult) -> None:
        done = len(result.units)
        self.units[name] += done
        self.records[name] += result.records
        self.rejected[name] += len(result.rejections)
        status = f"{self.records[name]} records, {self.rejected[name]} rejected"
        if self._progress is not None:
            if name not in self._tasks:
                self._tasks[name] = self._progress.add_task(name, total=None, status=status)
            self._progress.update(self._tasks[name], advance=done, status=status)
        elif time.monotonic() - self._last_log >= self.interval:
            self._last_log = time.monotonic()
            rate = sum(self.units.values()) / max(self._last_log - self._start, 1e-9)
            log.info("%s: %d units done (%.1f/s), %s", name, self.units[name], rate, status)
