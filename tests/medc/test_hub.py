"""`medc push` against the in-process fake Hub (tests/hub_server.py), read back with the real `datasets` client."""

import json
import math

import datasets
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from medc.cli import main
from medc.hub import PushError, PushOptions, PushRefused, push
from medc.hub_plan import CommitLimits
from tests import hub_server
from tests.medc.card_builds import medc_k, paper, write_build

# huggingface_hub's LFS upload passes a file as `data=`, which httpx2 deprecates: not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")
fake_hub = hub_server.fake_hub  # the fixture: a running fake Hub, clients pointed at it
TOKEN = hub_server.TOKEN
SMALL = CommitLimits(max_files=2)


def rows(path):
    return sorted(pq.read_table(path).to_pylist(), key=lambda r: r["id"]) if path else []


def built_rows(out, config):
    tables = [pq.read_table(p) for p in sorted((out / "data" / config).glob("*.parquet"))]
    return [r for t in tables for r in t.to_pylist()]


def options(repo="me/medc-k", **kw):
    kw.setdefault("limits", SMALL)
    kw.setdefault("backoff", 0.01)
    return PushOptions(repo, **kw)


def test_push_then_load_dataset_returns_exactly_the_built_rows(fake_hub, tmp_path):
    out = medc_k(tmp_path / "k", papers=16, books=3, shard_bytes=1024)
    shards = sorted(p.relative_to(out).as_posix() for p in out.glob("data/*/*.parquet"))
    assert len(shards) >= 4
    report = push(out, options())
    assert [len(c.uploads) for c in report.plan.commits][:-1] == [2] * (len(shards) // 2) + (
        [1] if len(shards) % 2 else []
    )
    assert [f.path for f in report.plan.commits[-1].uploads] == ["README.md", "manifest.json", "rejections.jsonl"]
    assert len(report.commits) == len(report.plan.commits) and not report.private
    stored = fake_hub.hub.files("me/medc-k")
    for path in [*shards, "README.md", "manifest.json"]:
        assert stored[path] == (out / path).read_bytes(), path
    cache = str(tmp_path / "cache")
    default = datasets.load_dataset("me/medc-k", split="train", cache_dir=cache)
    assert default.to_list() == built_rows(out, "papers")
    for config in ("papers", "books"):
        loaded = datasets.load_dataset("me/medc-k", config, cache_dir=cache)
        assert list(loaded) == ["train"]
        assert loaded["train"].to_list() == built_rows(out, config)
    assert TOKEN in fake_hub.hub.tokens_seen  # HF_TOKEN was used ...


def test_interrupted_push_resumes_uploading_only_the_rest(fake_hub, tmp_path):
    out = medc_k(tmp_path / "k", papers=16, books=3, shard_bytes=1024)
    shards = len(list(out.glob("data/*/*.parquet")))
    hub = fake_hub.hub
    hub.fail("PUT", "/lfs-upload/", status=503, times=math.inf, after=3)  # the server goes away mid-push
    with pytest.raises(PushError, match="Rerun the same command to resume"):
        push(out, options(retries=2))
    assert len(hub.lfs) == 3  # three shards reached the server before it went away ...
    assert len(hub.files("me/medc-k")) == 1 + 2  # ... two of them committed (and .gitattributes)
    hub.faults.clear()
    before = len(hub.log)
    report = push(out, options())
    resumed = [p for m, p in hub.log[before:] if m == "PUT"]
    assert len(report.plan.unchanged) == 2
    assert len(resumed) == shards - 3  # the third shard reached LFS before the outage and is not sent again
    assert set(hub.files("me/medc-k")) >= {p.relative_to(out).as_posix() for p in out.glob("data/*/*.parquet")}
    again = push(out, options())
    assert again.plan.commits == [] and again.commits == [] and len(again.plan.unchanged) == shards + 3
    cached = json.loads((out / ".push-sha256.json").read_text())
    assert len(cached) == shards  # shards hashed once; a rerun trusts size + mtime (small files: git oid)
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "created": "2026-12-01T00:00:00+00:00"}))
    changed = push(out, options())
    assert [f.path for f in changed.plan.uploads] == ["manifest.json"] and len(changed.commits) == 1


def test_rate_limit_and_dropped_connection_are_retried_with_backoff(fake_hub, tmp_path):
    out = medc_k(tmp_path / "k", papers=2, books=1)
    hub = fake_hub.hub
    hub.create_repo("dataset", "me/medc-k", private=False)
    hub.fail("GET", "/api/datasets/me/medc-k", status=503, times=1)  # the repo lookup, once
    hub.fail("POST", "/commit/", status=429, times=1, retry_after="7")  # the first commit is rate limited
    hub.fail("POST", "/commit/", status=None, times=1, after=1)  # the second loses its connection
    slept = []
    report = push(out, options(limits=CommitLimits(), backoff=0.5), sleep=slept.append)
    assert slept == [0.5, 7.0, 0.5]  # doubling from 0.5, unless the server says how long (Retry-After)
    assert len(report.commits) == 2 and len(hub.requests("POST", "/commit/")) == 4
    assert hub.files("me/medc-k")["README.md"] == (out / "README.md").read_bytes()


def test_restricted_content_is_refused_for_a_public_repo_unless_allowed(fake_hub, tmp_path):
    out = medc_k(tmp_path / "k", papers=4, books=0, nc=1)
    with pytest.raises(PushRefused, match=r"1 PMC articles carry a non-commercial licence \(CC BY-NC: 1\)"):
        push(out, options())
    assert fake_hub.hub.repos == {}  # nothing was created
    assert push(out, options(private=True)).private
    assert fake_hub.hub.repos[("dataset", "me/medc-k")].private
    public = push(out, options("me/public", allow_restricted=True))
    assert not public.private and len(public.commits) == 2
    with pytest.raises(PushRefused):  # an existing public repo stays public, whatever --private says
        push(out, options("me/public", private=True))


def test_dry_run_prints_exactly_what_would_be_uploaded_and_changes_nothing(fake_hub, tmp_path):
    out = medc_k(tmp_path / "k", papers=3, books=1)
    result = CliRunner().invoke(main, ["push", str(out), "me/dry", "--dry-run", "--max-commit-files", "1"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Token: from the HF_TOKEN environment variable"
    assert lines[1].endswith("→ dataset me/dry @ main: repo will be created, public")
    uploads = [line.split()[1] for line in lines if line.startswith("  upload  ")]
    assert uploads == [
        "data/papers/train-00000-of-00001.parquet",
        "data/books/train-00000-of-00001.parquet",
        "README.md",
        "manifest.json",
        "rejections.jsonl",
    ]
    assert "commit 3/3: 3 file(s)" in result.output
    assert "dry run: would upload 5 file(s)" in result.output and "nothing was changed" in result.output
    assert fake_hub.hub.repos == {} and not fake_hub.hub.requests("POST", "/commit/")
    assert TOKEN not in result.output
    result = CliRunner().invoke(main, ["push", str(out), "me/dry"])
    assert result.exit_code == 0 and "pushed 5 file(s)" in result.output and TOKEN not in result.output
    result = CliRunner().invoke(main, ["push", str(out), "me/dry", "--dry-run"])
    assert "unchanged on the Hub, skipped: 5 file(s)" in result.output
    assert "would upload 0 file(s)" in result.output


def test_push_to_a_branch_and_as_a_pull_request(fake_hub, tmp_path):
    out = medc_k(tmp_path / "k", papers=12, books=2, shard_bytes=1024)
    hub = fake_hub.hub
    push(out, options(revision="v2"))
    assert "README.md" in hub.files("me/medc-k", "v2") and "README.md" not in hub.files("me/medc-k")
    report = push(out, options(create_pr=True))
    assert len(report.commits) > 2 and report.pr_url.endswith("/datasets/me/medc-k/discussions/1")
    assert hub.repos[("dataset", "me/medc-k")].prs == 1  # later commits went into the same pull request
    assert hub.files("me/medc-k", "refs/pr/1") == {**hub.files("me/medc-k", "v2")}
    assert set(hub.files("me/medc-k")) == {".gitattributes"}


def test_a_smaller_rebuild_deletes_stale_shards_so_the_globs_match_only_new_rows(fake_hub, tmp_path):
    out = write_build(tmp_path / "k", "medc-k", {"papers": {"train": [paper(i) for i in range(12)]}}, shard_bytes=4096)
    push(out, options())
    old = {p for p in fake_hub.hub.files("me/medc-k") if p.startswith("data/")}
    smaller = write_build(tmp_path / "k2", "medc-k", {"papers": {"train": [paper(i) for i in range(50, 52)]}})
    report = push(smaller, options())
    assert report.plan.deletions == sorted(old)
    assert {p for p in fake_hub.hub.files("me/medc-k") if p.startswith("data/")} == {
        "data/papers/train-00000-of-00001.parquet"
    }
    loaded = datasets.load_dataset("me/medc-k", "papers", split="train", cache_dir=str(tmp_path / "c"))
    assert loaded["id"] == ["pmc:PMC50", "pmc:PMC51"]


def test_server_without_xet_gets_plain_lfs_uploads(fake_hub, tmp_path, monkeypatch):
    import huggingface_hub.constants as hc

    monkeypatch.delenv("HF_HUB_DISABLE_XET")
    monkeypatch.setattr(hc, "HF_HUB_DISABLE_XET", False)  # as if hf_xet were to be used
    out = medc_k(tmp_path / "k", papers=2, books=1)
    push(out, options())
    assert fake_hub.hub.requests("GET", "/xet-write-token/main") and hc.HF_HUB_DISABLE_XET
    assert len(fake_hub.hub.requests("PUT", "/lfs-upload/")) == 2


def test_a_stale_card_is_never_pushed(fake_hub, tmp_path):
    out = medc_k(tmp_path / "k", papers=2, books=1)
    (out / "data/books/train-00000-of-00001.parquet").unlink()
    with pytest.raises(PushError, match="data_files_missing"):
        push(out, options())
    assert fake_hub.hub.repos == {}


def test_options_say_what_to_fix():
    with pytest.raises(ValueError, match="namespace/name"):
        PushOptions("medc-k")
    with pytest.raises(ValueError, match="commit limits must be positive"):
        CommitLimits(max_files=0)


def test_dry_run_offline_shows_the_plan_and_a_refusal(tmp_path):
    from huggingface_hub import HfApi

    out = medc_k(tmp_path / "k", papers=3, books=1, nc=1)
    report = push(out, options(dry_run=True), api=HfApi(endpoint="http://127.0.0.1:9"))
    assert report.refused and not report.repo_exists and len(report.plan.uploads) == 5
    assert "http://127.0.0.1:9 could not be reached (ConnectError)" in report.notes[-1]
    with pytest.raises(PushError, match=r"could not be reached \(ConnectError\): check the network"):
        push(out, options(), api=HfApi(endpoint="http://127.0.0.1:9"))
