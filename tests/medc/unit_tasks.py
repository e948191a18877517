"""Picklable tasks the runner and build tests send to worker processes (real parsing of a tiny text format:
`title\\n\\nbody`; special words make a unit fail in a chosen way)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

from medc.records import Document, Notice, PaperMeta, Rejection
from medc.sources import WorkUnit


def parse_note(unit: WorkUnit) -> Iterator[Document | Rejection | Notice]:
    text = unit.data.decode("utf-8")
    if "RAISE" in text:
        raise ValueError(f"cannot parse {unit.origin}")
    if "SEGFAULT" in text:
        os._exit(139)  # what a crash in a C extension looks like to the pool: the worker just dies
    if "CHANG" in text:  # a hang the soft timeout cannot interrupt, like a loop inside a C library
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(60)
    if "HANG" in text:
        time.sleep(60)
    if "HOG" in text:  # grows its resident memory past any small --worker-memory
        hog = b"x" * (400 << 20)
        time.sleep(2)
        del hog
    if "SLOW" in text:
        time.sleep(0.5)
    if not text.strip():
        yield Rejection(unit.origin, "empty_file", "no text")
        return
    title, _, body = text.partition("\n\n")
    if "FIXED" in text:
        yield Notice(unit.origin, "recovered")
    yield Document(
        id=f"note:{title.strip()}",
        source="papers",
        title=title.strip(),
        text=body.strip(),
        origin=unit.origin,
        meta=PaperMeta(pmcid=title.strip()),
    )
