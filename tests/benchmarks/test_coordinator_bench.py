"""The coordinator of issues 16 and 17, measured as whole processes, side by side with the runner it replaced.

    make bench     # or: .venv/bin/python -m pytest -q -s -m benchmark tests/benchmarks/test_coordinator_bench.py

- dispatch: 20,000 one-line files, a no-op parser, 2 workers. Target: at least 10,000 units/s dispatched and
  recorded, wall clock, on this 2-core machine (the coordinator and both workers share the two cores). Also
  shown: units per CPU second of the coordinator process (what 64 workers would ask of it) and the workers' CPU
  per unit (reading, hashing, recording, the pool's own cost). Baseline: the runner before this change,
  extracted from git (BASELINE, override MEDC_BENCH_BASELINE).
- crash recovery: 16 units of 0.5 s on 4 workers, one of which kills its worker (the issue's case: 8.6 s instead
  of about 4 s); the window's parallel time is the same run without the crash.
- scale: `medc build-k` on generated JATS articles (`pmc_corpus.py`; generated, not real), N and 10 N, 2 workers:
  wall time and peak memory (PSS of the process tree).
- local vs Ray: the same `medc build-k` with the local pool and on a local Ray cluster of 2 CPUs (start-up
  included), alternating runs; the outputs must be identical.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from tests.benchmarks.pmc_corpus import generate_article
from tests.benchmarks.test_medc_i_bench import peak_memory

pytestmark = pytest.mark.benchmark

ROOT = Path(__file__).parents[2]
BASELINE = os.environ.get("MEDC_BENCH_BASELINE", "4173c28")  # the last commit with medc/runner.py
DISPATCH_UNITS = int(os.environ.get("MEDC_BENCH_DISPATCH_UNITS", 20_000))
SCALE_ARTICLES = int(os.environ.get("MEDC_BENCH_SCALE_ARTICLES", 300))
PY = sys.executable


def baseline_code(tmp: Path) -> Path | None:
    """The medc of BASELINE, unpacked under `tmp`; None when git cannot produce it (e.g. a shallow clone)."""
    target = tmp / "baseline"
    target.mkdir()
    archive = subprocess.run(["git", "archive", BASELINE, "medc", "builders"], cwd=ROOT, capture_output=True)
    if archive.returncode != 0:
        return None
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def run(task: str, inputs: Path, out: Path, workers: int, code: Path | None = None) -> dict:
    cmd = [PY, "-m", "tests.benchmarks.coordinator_run", task, str(inputs), str(out), "--workers", str(workers)]
    if code is not None:
        cmd += ["--code", str(code)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_dispatch_rate_with_a_noop_parser(tmp_path):
    inputs = tmp_path / "in"
    for i in range(DISPATCH_UNITS):
        folder = inputs / f"d{i // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"u{i:06d}.xml").write_text(f"unit {i}")
    old_code = baseline_code(tmp_path)
    rows = []
    for turn in range(2):  # alternate, so load from elsewhere hits both alike
        for name, code in (("new", None), ("old", old_code)):
            if name == "old" and code is None:
                continue
            got = run("noop", inputs, tmp_path / f"out-{name}", 2, code)
            rows.append((name, turn, got["units"], got["stage"], got["cpu"], got.get("workers_cpu")))
    print(f"\ndispatch, {DISPATCH_UNITS:,} units, no-op parser, 2 workers:")
    for name, turn, units, stage, cpu, workers in rows:
        per_unit = f"   workers {workers / units * 1e6:5.0f} us CPU per unit" if workers else ""
        print(
            f"  {name} run {turn}: {units / stage:8,.0f} units/s wall"
            f"   {units / cpu:8,.0f} units/s per coordinator CPU s{per_unit}"
        )
    new = [(units / stage, units / cpu) for name, _, units, stage, cpu, _ in rows if name == "new"]
    assert max(wall for wall, _ in new) >= 10_000
    assert max(capacity for _, capacity in new) >= 10_000


def test_crash_recovery_costs_at_most_twice_the_window(tmp_path):
    for name, crash in (("clean", False), ("crash", True)):
        (tmp_path / name).mkdir()
        for i in range(16):
            (tmp_path / name / f"u{i:02d}.xml").write_text("CRASH" if crash and i == 5 else f"unit {i}")
    old_code = baseline_code(tmp_path)
    got: dict[str, float] = {}
    for version, code in (("new", None), ("old", old_code)):
        if version == "old" and code is None:
            continue
        for name in ("clean", "crash"):
            result = run("sleepy", tmp_path / name, tmp_path / f"out-{version}-{name}", 4, code)
            assert result.get("worker_crashed", 0) == (name == "crash")
            got[f"{version} {name}"] = result["stage"]
    print("\ncrash recovery, 16 units of 0.5 s, 4 workers (seconds until the last unit is recorded):")
    for key, seconds in got.items():
        print(f"  {key:12s} {seconds:6.2f} s")
    assert got["new crash"] <= 2 * got["new clean"]


def write_articles(root: Path, n: int) -> Path:
    rng = random.Random(16)
    for i in range(n):
        folder = root / f"PMC{i // 500:04d}xxx"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"PMC{i:07d}.xml").write_bytes(generate_article(rng, i))
    return root


def build_k(inputs: Path, out: Path, *flags: str) -> tuple[float, float]:
    cmd = [PY, "-m", "medc", "-q", "build-k", "--pmc", str(inputs), "--out", str(out), "--fresh", *flags]
    peak, seconds, _ = peak_memory(cmd)
    return seconds, peak


def test_scale_ten_times_the_input(tmp_path):
    small = write_articles(tmp_path / "small", SCALE_ARTICLES)
    large = write_articles(tmp_path / "large", 10 * SCALE_ARTICLES)
    t_small, m_small = build_k(small, tmp_path / "o-small", "--workers", "2")
    t_large, m_large = build_k(large, tmp_path / "o-large", "--workers", "2")
    print(f"\nscale (generated JATS), 2 workers: {SCALE_ARTICLES:,} articles {t_small:.1f} s, peak {m_small:.0f} MiB;")
    print(f"  {10 * SCALE_ARTICLES:,} articles {t_large:.1f} s, peak {m_large:.0f} MiB: time x{t_large / t_small:.2f}")
    assert t_large <= 10.5 * t_small
    assert m_large <= 1.5 * m_small  # flat per document: the window, not the input, sets the memory


def test_local_pool_versus_ray(tmp_path, monkeypatch):
    pytest.importorskip("ray")
    inputs = write_articles(tmp_path / "in", SCALE_ARTICLES)
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    times: dict[str, list[float]] = {"local": [], "ray": []}
    for _ in range(2):
        times["local"].append(build_k(inputs, tmp_path / "local", "--workers", "2")[0])
        times["ray"].append(build_k(inputs, tmp_path / "ray", "--executor", "ray", "--workers", "2")[0])
    shard = "data/papers/train-00000-of-00001.parquet"
    assert (tmp_path / "local" / shard).read_bytes() == (tmp_path / "ray" / shard).read_bytes()
    print(f"\n{SCALE_ARTICLES} generated articles, 2 CPUs: local pool {min(times['local']):.1f} s, Ray (local cluster,")
    print(f"  start-up included) {min(times['ray']):.1f} s; all runs: {times}")
