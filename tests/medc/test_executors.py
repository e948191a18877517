"""The executors behind one protocol, and the promise that matters: a build's output does not depend on where it
ran. The Ray test starts a real local cluster (2 CPUs) and builds the same PMC inputs as the local pool."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from medc.cli import main
from medc.executors import InProcess, TaskCrashed, TaskTimedOut
from medc.executors.local import LocalPool
from tests.medc import executor_tasks

PMC = Path(__file__).parents[1] / "fixtures" / "pmc"
COMPARED = ("data/papers/train-00000-of-00001.parquet", "rejections.jsonl", "duplicates.jsonl")
COUNTS = ("units", "records", "rejections", "rejections_by_config", "notices", "duplicates", "inputs", "files")


def test_failures_are_normalized_on_the_local_pool():
    with LocalPool(2) as pool:
        assert list(pool.map(executor_tasks.double, range(5))) == [0, 2, 4, 6, 8]
        crashed = pool.submit(executor_tasks.die)
        hung = pool.submit(executor_tasks.sleep, 30, timeout=0.5)
        raised = pool.submit(executor_tasks.fail)
        with pytest.raises(TaskCrashed):
            crashed.result()
        with pytest.raises(TaskTimedOut):
            hung.result()
        with pytest.raises(ValueError, match="task's own"):
            raised.result()
        shared = pool.share({"big": list(range(1000))})
        assert pool.submit(executor_tasks.shared_len, shared).result() == 1000
        assert pool.submit(executor_tasks.double, 21).result() == 42  # replacements for the dead workers


def test_in_process_runs_at_submit():
    ex = InProcess()
    assert ex.submit(executor_tasks.double, 2).result() == 4
    assert isinstance(ex.submit(executor_tasks.fail).exception(), ValueError)


def pmc_inputs(root: Path) -> Path:
    """45 units: every PMC fixture (rejections, notices, an entity bomb, a retraction) in three folders, so the
    exact dedup has copies to remove and the batches of 8 straddle folders."""
    for folder in ("a", "b", "c"):
        shutil.copytree(PMC, root / folder)
    return root


def build_k(out: Path, inputs: Path, *flags: str) -> dict:
    args = ["-q", "build-k", "--pmc", str(inputs), "--out", str(out), "--batch-units", "8"]
    args += ["--set", "filters.min_words=5", "--set", "filters.min_stopword_ratio=0", *flags]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads((out / "manifest.json").read_text())


def assert_same_build(a: Path, b: Path) -> None:
    for name in COMPARED:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ma, mb = (json.loads((d / "manifest.json").read_text()) for d in (a, b))
    assert {k: ma[k] for k in COUNTS} == {k: mb[k] for k in COUNTS}
    assert ma["extra"]["dedup"]["by_config"] == mb["extra"]["dedup"]["by_config"]


def test_a_build_on_a_local_ray_cluster_equals_the_local_pool_build(tmp_path, monkeypatch):
    pytest.importorskip("ray")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)  # start a local cluster of 2 CPUs, not join one
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    inputs = pmc_inputs(tmp_path / "in")
    local = build_k(tmp_path / "local", inputs, "--workers", "2")
    ray_build = build_k(tmp_path / "ray", inputs, "--executor", "ray", "--workers", "2")
    assert ray_build["executor"] == {"name": "ray", "workers": 2}
    assert local["executor"] == {"name": "local", "workers": 2}
    assert (
        sum(local["records"]["papers"].values()) >= 9 and sum(local["duplicates"].values()) >= 18
    )  # copies: versions of one id
    assert_same_build(tmp_path / "local", tmp_path / "ray")  # (in-process: tests/medc/test_build.py)


@pytest.mark.skipif(not os.environ.get("MEDC_TEST_RAY_ADDRESS"), reason="needs a running cluster")
def test_a_build_joining_a_running_cluster_equals_the_local_build(tmp_path, monkeypatch):
    """By hand: `ray start --head --num-cpus 2`, then MEDC_TEST_RAY_ADDRESS=<its address> pytest -k joining."""
    monkeypatch.setenv("RAY_ADDRESS", os.environ["MEDC_TEST_RAY_ADDRESS"])
    inputs = pmc_inputs(tmp_path / "in")
    build_k(tmp_path / "local", inputs, "--workers", "2")
    cluster = build_k(tmp_path / "ray", inputs, "--executor", "ray", "--staging", str(tmp_path / "shared-staging"))
    assert cluster["executor"]["name"] == "ray"
    assert_same_build(tmp_path / "local", tmp_path / "ray")


def test_a_worker_makes_arrow_tables_without_importing_pandas():
    # pyarrow imports pandas on its first conversion (0.15 s a worker); the probe is answered without it, and an
    # explicit conversion to pandas still works. In a subprocess: the test process has pandas loaded already.
    code = (
        "import sys; from medc.executors.arrow_probe import skip_pandas_probe; skip_pandas_probe()\n"
        "from medc.records import PAPERS, Document, PaperMeta, document_schema, to_table\n"
        "doc = Document('pmc:PMC1', PAPERS, 'T', 'text', 'pmc/PMC1.xml', PaperMeta(pmcid='PMC1'))\n"
        "table = to_table([doc], document_schema(PAPERS))\n"
        "assert 'pandas' not in sys.modules, 'pyarrow imported pandas'\n"
        "assert table.to_pandas()['id'].tolist() == ['pmc:PMC1']\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc options")
def test_a_worker_keeps_freed_memory_instead_of_faulting_it_back_in():
    # A document's arrays (here 2 MB, allocated and freed 50 times) come back from the heap, not as fresh pages.
    code = (
        "import resource, sys, numpy as np\n"
        "if sys.argv[1] == 'keep':\n"
        "    from medc.executors.freed_memory import keep_freed_memory; keep_freed_memory()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
        "for size in [2_000_000 + 4096 * i for i in range(50)]: np.ones(size, dtype=np.uint8)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)\n"
    )
    faults = {
        mode: int(subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True, check=True).stdout)
        for mode in ("default", "keep")
    }
    assert faults["keep"] * 4 < faults["default"], faults
