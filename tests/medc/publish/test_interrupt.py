"""A `medc push` killed mid-way (SIGKILL, as a lost SSH session or an OOM kill would): readers of `main` keep the
previous complete build, and the rerun finishes the push without uploading anything twice."""

import os
import signal
import subprocess
import sys

import datasets
import pytest

from medc.publish.plan import CommitLimits
from medc.publish.push import PushOptions, push
from tests.hub import TOKEN
from tests.medc.publish.card_builds import paper, write_build

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def build(out, ids):
    return write_build(out, "medc-k", {"papers": {"train": [paper(i) for i in ids]}}, shard_bytes=1024)


def files_of(out):
    names = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")]
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in names}


def start_push(out, hub_url, home, *args):
    env = {
        **os.environ,
        "HF_ENDPOINT": hub_url,
        "HF_TOKEN": TOKEN,
        "HF_HOME": str(home / "hf-child"),
        "HF_HUB_DISABLE_XET": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
    }
    command = [sys.executable, "-m", "medc", "push", str(out), "me/medc-k", *args]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_a_push_killed_mid_way_leaves_main_on_the_previous_build_and_the_rerun_completes(fake_hub, tmp_path):
    hub = fake_hub.hub
    a = build(tmp_path / "a", range(0, 12))
    push(a, PushOptions("me/medc-k"))
    build_a = {p: b for p, b in hub.files("me/medc-k").items() if p != ".gitattributes"}
    assert build_a == files_of(a)
    b = build(tmp_path / "b", range(100, 116))  # more shards, other rows, another card
    paused = hub.pause("POST", "/commit/refs%2Fpr%2F1")  # the second commit to the pull request
    child = start_push(b, hub.url, tmp_path, "--max-commit-files", "2")
    try:
        assert paused.arrived.wait(timeout=120), child.communicate(timeout=5)[0].decode()[-3000:]
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        paused.release.set()
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    pull = hub.repo("me/medc-k").pulls[1]
    assert pull.status == "open" and len(hub.files("me/medc-k", "refs/pr/1")) > len(build_a)  # half-filled
    assert {p: b for p, b in hub.files("me/medc-k").items() if p != ".gitattributes"} == build_a
    loaded = datasets.load_dataset("me/medc-k", "papers", split="train", cache_dir=str(tmp_path / "c1"))
    assert loaded["id"] == [f"pmc:PMC{i}" for i in range(12)]  # a reader sees build A, whole

    before = len(hub.log)
    report = push(b, PushOptions("me/medc-k", limits=CommitLimits(max_files=2)))
    assert report.pull_request == 1 and report.merged  # the same pull request, continued and merged
    assert not [p for m, p in hub.log[before:] if m == "PUT"]  # every shard was uploaded before the kill
    assert {p: b for p, b in hub.files("me/medc-k").items() if p != ".gitattributes"} == files_of(b)
    loaded = datasets.load_dataset("me/medc-k", "papers", split="train", cache_dir=str(tmp_path / "c2"))
    assert loaded["id"] == [f"pmc:PMC{i}" for i in range(100, 116)]
    assert push(b, PushOptions("me/medc-k")).plan.commits == []  # and a re-push uploads nothing
