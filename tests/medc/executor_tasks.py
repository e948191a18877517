"""Module-level tasks the executor tests submit to worker processes."""

from __future__ import annotations

import os
import time
from typing import Any


def double(x: int) -> int:
    return 2 * x


def die() -> None:
    os._exit(139)  # what a segfault in a C extension looks like to the pool


def sleep(seconds: float) -> None:
    time.sleep(seconds)


def fail() -> None:
    raise ValueError("the task's own error")


def shared_len(shared: Any) -> int:
    return len(shared.get()["big"])
