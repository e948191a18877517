"""`medc inspect` on a local build and on a Hub repo (the in-process fake Hub), from card + footers + samples."""

import pytest
from click.testing import CliRunner

from medc.cli import main
from medc.publish.inspect import inspect_dataset, render
from medc.publish.push import PushOptions, push
from tests.medc.publish.card_builds import medc_i, medc_k

# huggingface_hub's LFS upload passes a file as `data=`, which httpx2 deprecates: not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def test_inspect_local_build_shows_configs_counts_licences_sources_and_provenance(tmp_path):
    out = medc_k(tmp_path / "k", papers=6, books=2, nc=2)
    result = inspect_dataset(str(out), rows=2)
    assert not result.on_hub and result.problems == []
    assert [len(v) for v in result.samples.values()] == [2, 2]
    text = render(result)
    assert f"dataset {out} (local)" in text
    assert "kind: medc-k   records: 8" in text
    assert "config papers (default)   6 records" in text and "config books   2 records" in text
    assert "license: other (pmc-open-access-mixed, https://pmc.ncbi.nlm.nih.gov/tools/openftlist/)" in text
    assert "PMC licences: CC BY: 4, CC BY-NC: 2" in text
    assert "restriction: PMC articles under non-commercial licences: 2 PMC articles carry a non-commercial" in text
    assert "input: pmc/ (directory, 12 files, 48.0 KB, sha256 abababababab)" in text
    assert "removed: too_short 2" in text and "duplicates removed: exact 1, near 3" in text
    assert "command: medc build-k --pmc pmc/ --out out" in text
    assert "problems: none" in text
    assert 'sample papers[1]: {"id": "pmc:PMC1"' in text


def test_inspect_lists_validation_problems(tmp_path):
    out = medc_i(tmp_path / "i", sabs={"MSH": 0})
    card = out / "README.md"
    card.write_text(card.read_text().replace("num_examples: 6", "num_examples: 7", 1))
    text = render(inspect_dataset(str(out), rows=0))
    assert "problem: count_mismatch: dataset_info dialogue/train says 7 examples" in text
    assert "UMLS sources (level): MSH (0)" in text and "sample" not in text
    assert "validation" in text


def test_inspect_a_pushed_hub_repo_reads_card_footers_and_one_row_group(fake_hub, tmp_path):
    out = medc_k(tmp_path / "k", papers=16, books=2, shard_bytes=1024)
    report = push(out, PushOptions("me/medc-k", private=True))
    local = render(inspect_dataset(str(out), rows=1))
    before = len(fake_hub.hub.downloads)
    result = inspect_dataset("me/medc-k", rows=1)
    assert result.on_hub and result.revision == report.commits[-1] and result.problems == []
    text = render(result)
    assert text.splitlines()[0] == f"dataset me/medc-k @ {report.commits[-1][:10]} (Hub)"
    assert text.splitlines()[1:] == [line for line in local.splitlines()[1:] if not line.startswith("PMC ")]
    parquet = [(p, r) for p, r in fake_hub.hub.downloads[before:] if p.endswith(".parquet")]
    assert {p for p, _ in parquet} == {s.path for c in result.build.configs for sp in c.splits for s in sp.shards}
    assert all(r and r.startswith("bytes=") for _, r in parquet)  # footers and samples by range, never whole
    cli = CliRunner().invoke(main, ["inspect", "me/medc-k@main", "--rows", "0"])
    assert cli.exit_code == 0, cli.output
    assert "config papers (default)   16 records" in cli.stdout and "problems: none" in cli.stdout
    missing = CliRunner().invoke(main, ["inspect", "me/nothing-here"])
    assert missing.exit_code == 1 and "no such directory, and no such dataset on the Hub" in missing.output


def test_inspect_refuses_what_is_neither_a_directory_nor_a_repo_id(tmp_path):
    with pytest.raises(ValueError, match="neither a directory nor a Hub dataset id"):
        inspect_dataset(str(tmp_path / "missing" / "deep" / "dir"))
    result = CliRunner().invoke(main, ["inspect", "not a repo"])
    assert result.exit_code == 2 and "neither a directory" in result.output
