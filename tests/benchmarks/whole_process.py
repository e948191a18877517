"""Side-by-side timing of whole processes for the build benchmarks: real input files, one core, alternating runs.

    corpus = devcorpus("jats")                       # the real files, or a skip that says how to get them
    best = alternate({"medc": medc_cmd, "baseline": base_cmd}, rounds=3)

Each contender is a command run as its own process (start-up, imports, reading, writing: what a user waits
for), pinned to one core, and timed by the CPU seconds of that process and everything it waited for (its
workers), read from the kernel (`RUSAGE_CHILDREN`): on a machine shared with other jobs, CPU time moves far
less than wall time. The contenders take turns, in rotating order, and the best round of each counts.

The repository's packages are byte-compiled before the rounds (into their `__pycache__`, which git ignores),
as an installed package is, and the contenders may use the bytecode: an environment that sets
PYTHONDONTWRITEBYTECODE would otherwise charge the code under test, alone, for compiling each of its modules on
every run (its baselines are installed packages, compiled at install).
"""

from __future__ import annotations

import compileall
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Timing:
    cpu: float  # user + system seconds of the process and its children
    wall: float
    stdout: str


def devcorpus(kind: str) -> Path:
    """The folder of real `kind` files (`jats`, `pdf`): `$MEDC_DEVCORPUS/kind`, or `shared/devcorpus/kind` beside
    an ancestor of the repository (the project's layout); the test is skipped when neither exists."""
    roots = [os.environ.get("MEDC_DEVCORPUS")] + [str(p / "shared" / "devcorpus") for p in REPO.parents]
    for root in filter(None, roots):
        if (Path(root) / kind).is_dir():
            return Path(root) / kind
    pytest.skip(f"no real {kind} files: set MEDC_DEVCORPUS to a folder holding {kind}/ (the project's devcorpus)")


def medc_command(*args: str) -> list[str]:
    """`medc ARGS` with the `medc` of this interpreter's environment."""
    script = Path(sys.executable).with_name("medc")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "medc", *args]


def run_pinned(command: list[str], core: int) -> Timing:
    """Run `command` to completion on CPU `core`; its CPU and wall seconds."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=(lambda: os.sched_setaffinity(0, {core})) if hasattr(os, "sched_setaffinity") else None,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(cpu, wall, done.stdout)


def alternate(contenders: dict[str, Callable[[int], list[str]]], rounds: int) -> dict[str, Timing]:
    """Best (least CPU) of `rounds` runs of each contender; `contenders` map a name to the command of round i
    (a fresh output folder each time, say). The contenders take turns in rotating order."""
    core = min(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0
    compileall.compile_dir(REPO / "medc", quiet=1)
    compileall.compile_dir(REPO / "builders", quiet=1)
    best: dict[str, Timing] = {}
    names = list(contenders)
    for i in range(rounds):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            timing = run_pinned(contenders[name](i), core)
            if name not in best or timing.cpu < best[name].cpu:
                best[name] = timing
    return best


def print_table(title: str, unit: str, count: int, timings: dict[str, Timing]) -> None:
    print(f"\n{title}")
    print(f"{'contender':<44}{'CPU s':>9}{'wall s':>9}{unit + '/CPU-s':>16}")
    for name, timing in timings.items():
        print(f"{name:<44}{timing.cpu:>9.2f}{timing.wall:>9.2f}{count / timing.cpu:>16.1f}")
