import click
import pytest
from click.testing import CliRunner

from medc.cli import main
from medc.cli.build_options import parse_size


@pytest.mark.parametrize(("text", "size"), [("4G", 4 << 30), ("512M", 512 << 20), ("1.5GiB", 3 << 29), ("1000", 1000)])
def test_worker_memory_sizes(text, size):
    assert parse_size(text) == size


def test_a_bad_size_names_the_option_and_the_value(tmp_path):
    with pytest.raises(click.BadParameter, match="'lots' is not a size"):
        parse_size("lots")
    (tmp_path / "a.xml").write_text("<article/>")
    args = ["build-k", "--pmc", str(tmp_path), "--out", str(tmp_path / "o"), "--worker-memory", "-1G"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "--worker-memory" in result.output and "must be positive" in result.output


def test_executor_flags_are_offered_by_both_build_verbs():
    for verb in ("build-k", "build-i"):
        out = CliRunner().invoke(main, [verb, "--help"]).output
        for flag in ("--executor [local|ray]", "--ray-address", "--staging", "--worker-memory", "--batch-units"):
            assert flag in out, (verb, flag)
