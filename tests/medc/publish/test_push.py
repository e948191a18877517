"""`medc push` against the test Hub (tests/hub) over HTTP, read back with the real `datasets` client."""

import datasets
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from medc.cli import main
from medc.publish.plan import CommitLimits
from medc.publish.push import PushError, PushOptions, push
from tests.hub import OTHER_TOKEN, READ_TOKEN, TOKEN
from tests.medc.publish.card_builds import medc_k, paper, write_build

# huggingface_hub's LFS upload passes a file as `data=`, which httpx2 deprecates: not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")
SMALL = CommitLimits(max_files=2)


def built_rows(out, config):
    tables = [pq.read_table(p) for p in sorted((out / "data" / config).glob("*.parquet"))]
    return [r for t in tables for r in t.to_pylist()]


def plots(out):
    """The card's plots (medc/report/card_plots.py), uploaded as files the card links to."""
    return [p.relative_to(out).as_posix() for p in sorted((out / "plots").glob("*.png"))]


def published(out):
    """What a push of `out` puts on the Hub: every shard, the card, manifest and reports, byte for byte."""
    names = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".") and ".staging" not in p.parts]
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in names}


def on_main(hub, repo="me/medc-k"):
    return {p: b for p, b in hub.files(repo).items() if p != ".gitattributes"}


def options(repo="me/medc-k", **kw):
    kw.setdefault("backoff", 0.01)
    return PushOptions(repo, **kw)


def test_push_moves_main_in_one_commit_and_load_dataset_returns_the_built_rows(fake_hub, tmp_path):
    out = medc_k(tmp_path / "k", papers=16, books=3, shard_bytes=1024)
    report = push(out, options())
    assert not report.plan.via_pr and len(report.commits) == 1 and report.head == report.commits[0]
    hub = fake_hub.hub
    assert on_main(hub) == published(out)
    uploads = hub.requests("PUT", "/lfs-upload/")
    first_commit = hub.log.index(("POST", "/api/datasets/me/medc-k/commit/main"))
    assert len(uploads) == len(list(out.glob("data/*/*.parquet"))) + len(plots(out))  # every shard and plot, once ...
    assert all(hub.log.index(("PUT", u)) < first_commit for u in uploads)  # ... before main moved
    cache = str(tmp_path / "cache")
    assert datasets.load_dataset("me/medc-k", split="train", cache_dir=cache).to_list() == built_rows(out, "papers")
    for config in ("papers", "books"):
        loaded = datasets.load_dataset("me/medc-k", config, cache_dir=cache)
        assert list(loaded) == ["train"] and loaded["train"].to_list() == built_rows(out, config)
    assert TOKEN in hub.tokens_seen  # HF_TOKEN was used


def test_more_changes_than_one_commit_carries_go_through_a_pull_request_merged_at_once(fake_hub, tmp_path):
    out = medc_k(tmp_path / "k", papers=16, books=3, shard_bytes=1024)
    shards = len(list(out.glob("data/*/*.parquet")))
    report = push(out, options(limits=SMALL))
    assert report.plan.via_pr and report.merged and report.pull_request == 1
    last = 3 + len(plots(out))  # card, manifest, rejections and the card's plots
    assert [len(c.uploads) for c in report.plan.commits] == [2] * (shards // 2) + [1] * (shards % 2) + [last]
    repo = fake_hub.hub.repo("me/medc-k")
    merge = repo.commits[repo.refs["main"]]
    assert merge.message == "Merge pull request #1" and repo.commits[merge.parent].message == "initial commit"
    assert report.head == merge.oid and on_main(fake_hub.hub) == published(out)
    again = push(out, options(limits=SMALL))  # nothing changed: nothing uploaded, no pull request
    assert again.plan.commits == [] and not again.merged and len(repo.pulls) == 1


def test_a_failed_push_leaves_main_on_the_previous_build_and_a_rerun_finishes_it(fake_hub, tmp_path):
    a = medc_k(tmp_path / "a", papers=12, books=2, shard_bytes=1024)
    push(a, options(limits=SMALL))
    build_a = on_main(fake_hub.hub)
    b_papers = {"papers": {"train": [paper(i) for i in range(40, 50)]}}
    b = write_build(tmp_path / "b", "medc-k", b_papers, shard_bytes=1024)
    hub = fake_hub.hub
    hub.fail("POST", "/commit/refs%2Fpr%2F2", status=503, times=float("inf"), after=1)  # the Hub goes away
    with pytest.raises(PushError, match="still holds the previous build; rerun the same command"):
        push(b, options(limits=SMALL, retries=1))
    assert on_main(hub) == build_a  # not a byte of build B on main
    assert hub.repo("me/medc-k").pulls[2].status == "open"
    loaded = datasets.load_dataset("me/medc-k", "papers", split="train", cache_dir=str(tmp_path / "c1"))
    assert loaded["id"] == [r["id"] for r in built_rows(a, "papers")]
    hub.faults.clear()
    before = len(hub.log)
    report = push(b, options(limits=SMALL))
    assert report.pull_request == 2 and report.merged and len(hub.repo("me/medc-k").pulls) == 2  # continued
    assert not [p for m, p in hub.log[before:] if m == "PUT"]  # every shard had been uploaded before the failure
    assert on_main(hub) == published(b)  # build A's shards and card are gone, B's are all there
    assert push(b, options(limits=SMALL)).plan.commits == []


def test_rate_limits_and_dropped_connections_are_retried_with_backoff(fake_hub, tmp_path):
    out = medc_k(tmp_path / "k", papers=2, books=1)
    hub = fake_hub.hub
    hub.create_repo("dataset", "me/medc-k", private=False)
    hub.fail("GET", "/api/datasets/me/medc-k", status=503, times=1)  # the repo lookup, once
    hub.fail("POST", "/commit/", status=429, times=1, retry_after="7")  # the commit is rate limited
    hub.fail("POST", "/commit/", status=None, times=1)  # then loses its connection
    slept = []
    report = push(out, options(backoff=0.5), sleep=slept.append)
    assert slept == [0.5, 7.0, 1.0]  # doubling from 0.5, unless the server says how long (Retry-After)
    assert len(report.commits) == 1 and len(hub.requests("POST", "/commit/")) == 3
    assert on_main(hub) == published(out)


def test_dry_run_prints_exactly_what_would_be_uploaded_and_changes_nothing(fake_hub, tmp_path):
    out = medc_k(tmp_path / "k", papers=3, books=1)
    result = CliRunner().invoke(main, ["push", str(out), "me/dry", "--dry-run"])
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
        *plots(out),  # the card's plots: files the card links to
    ]
    assert "upload first: 7 file(s)" in result.output and "commit 1/1 moving main: 7 file(s)" in result.output
    assert "dry run: would upload 7 file(s)" in result.output and "nothing was changed" in result.output
    assert fake_hub.hub.repos == {} and fake_hub.hub.requests("POST", "/api/validate-yaml")  # the Hub was asked
    assert TOKEN not in result.output
    result = CliRunner().invoke(main, ["push", str(out), "me/dry"])
    assert result.exit_code == 0 and "pushed 7 file(s)" in result.output and TOKEN not in result.output
    result = CliRunner().invoke(main, ["push", str(out), "me/dry", "--dry-run"])
    assert "unchanged on the Hub, skipped: 7 file(s)" in result.output and "would upload 0 file(s)" in result.output


def test_push_to_a_branch_and_as_a_pull_request_left_open(fake_hub, tmp_path):
    out = medc_k(tmp_path / "k", papers=12, books=2, shard_bytes=1024)
    hub = fake_hub.hub
    push(out, options(revision="v2"))
    assert "README.md" in hub.files("me/medc-k", "v2") and "README.md" not in hub.files("me/medc-k")
    report = push(out, options(create_pr=True, limits=SMALL))
    assert len(report.commits) > 2 and report.pr_url.endswith("/datasets/me/medc-k/discussions/1")
    assert not report.merged and hub.repo("me/medc-k").pulls[1].status == "open"
    assert hub.files("me/medc-k", "refs/pr/1") == hub.files("me/medc-k", "v2")
    assert set(hub.files("me/medc-k")) == {".gitattributes"}  # main did not move
    assert push(out, options(create_pr=True, limits=SMALL)).plan.commits == []  # the open one is up to date


def test_a_smaller_rebuild_deletes_stale_shards_so_the_globs_match_only_new_rows(fake_hub, tmp_path):
    out = write_build(tmp_path / "k", "medc-k", {"papers": {"train": [paper(i) for i in range(12)]}}, shard_bytes=4096)
    push(out, options())
    old = {p for p in fake_hub.hub.files("me/medc-k") if p.startswith("data/")}
    smaller = write_build(tmp_path / "k2", "medc-k", {"papers": {"train": [paper(i) for i in range(50, 52)]}})
    report = push(smaller, options())
    assert report.plan.deletions == sorted(old) and len(report.commits) == 1
    assert on_main(fake_hub.hub) == published(smaller)
    loaded = datasets.load_dataset("me/medc-k", "papers", split="train", cache_dir=str(tmp_path / "c"))
    assert loaded["id"] == ["pmc:PMC50", "pmc:PMC51"]


def test_without_xet_on_the_server_uploads_are_plain_lfs_and_the_switch_is_put_back(fake_hub, tmp_path, monkeypatch):
    import huggingface_hub.constants as hc

    monkeypatch.delenv("HF_HUB_DISABLE_XET")
    monkeypatch.setattr(hc, "HF_HUB_DISABLE_XET", False)  # as if hf_xet were to be used
    out = medc_k(tmp_path / "k", papers=2, books=1)
    push(out, options())
    assert fake_hub.hub.requests("GET", "/xet-write-token/main")
    assert len(fake_hub.hub.requests("PUT", "/lfs-upload/")) == 2 + len(plots(out))
    assert hc.HF_HUB_DISABLE_XET is False  # the push switched Xet off for itself only


def test_the_hub_refuses_writes_without_a_token_with_a_read_token_or_to_another_namespace(
    fake_hub, tmp_path, monkeypatch
):
    out = medc_k(tmp_path / "k", papers=2, books=1)
    monkeypatch.delenv("HF_TOKEN")
    with pytest.raises(PushError, match=r"HTTP 401.*hf auth login"):
        push(out, options())
    monkeypatch.setenv("HF_TOKEN", READ_TOKEN)
    with pytest.raises(PushError, match=r"HTTP 403: You don't have the rights to create a dataset"):
        push(out, options())
    fake_hub.hub.create_repo("dataset", "someone-else/data", private=False)
    monkeypatch.setenv("HF_TOKEN", OTHER_TOKEN)
    push(out, options("someone-else/data"))
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    with pytest.raises(PushError, match=r"HTTP 403: You don't have the rights to upload files"):
        push(medc_k(tmp_path / "k2", papers=3, books=1), options("someone-else/data"))
    monkeypatch.setenv("HF_TOKEN", "hf_not_a_token")
    with pytest.raises(PushError, match=r"HTTP 401: Invalid credentials"):
        push(out, options("me/medc-k"))
    assert set(fake_hub.hub.repos) == {("dataset", "someone-else/data")}


def test_a_stale_card_is_never_pushed(fake_hub, tmp_path):
    out = medc_k(tmp_path / "k", papers=2, books=1)
    (out / "data/books/train-00000-of-00001.parquet").unlink()
    with pytest.raises(PushError, match="data_files_missing"):
        push(out, options())
    assert fake_hub.hub.repos == {} and fake_hub.hub.log == []


def test_options_say_what_to_fix():
    with pytest.raises(ValueError, match="namespace/name"):
        PushOptions("medc-k")
    with pytest.raises(ValueError, match="commit limits must be positive"):
        CommitLimits(max_files=0)
    with pytest.raises(ValueError, match="choose --private or --gated, not both"):
        PushOptions("me/x", private=True, gated="auto")
    with pytest.raises(ValueError, match=r"gated='yes'; choose one of \['auto', 'manual'\]"):
        PushOptions("me/x", gated="yes")


def test_dry_run_offline_shows_the_plan_and_a_refusal(tmp_path):
    from huggingface_hub import HfApi

    out = medc_k(tmp_path / "k", papers=3, books=1, nc=1)
    report = push(out, options(dry_run=True), api=HfApi(endpoint="http://127.0.0.1:9"))
    assert report.refused and not report.repo_exists and len(report.plan.uploads) == 5 + len(plots(out))
    assert "http://127.0.0.1:9 could not be reached (ConnectError)" in report.notes[-2]
    assert "card validator at http://127.0.0.1:9 could not be asked" in report.notes[-1]
    with pytest.raises(PushError, match=r"could not be reached \(ConnectError\): check the network"):
        push(out, options(), api=HfApi(endpoint="http://127.0.0.1:9"))
