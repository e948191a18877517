"""`medc report DIR...`: one page per directory, its path printed; clear errors for what it cannot describe."""

from click.testing import CliRunner

from medc.cli import main


def test_report_writes_one_page_per_directory_and_prints_paths(run_dir, eval_dir):
    result = CliRunner().invoke(main, ["-q", "report", str(run_dir), str(eval_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [str(run_dir / "report.html"), str(eval_dir / "report.html")]


def test_out_and_kind(eval_dir, tmp_path):
    out = tmp_path / "pages" / "eval.html"
    result = CliRunner().invoke(main, ["-q", "report", str(eval_dir), "--kind", "eval", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_a_directory_that_is_none_of_the_three_is_refused_by_name(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    result = CliRunner().invoke(main, ["-q", "report", str(tmp_path)])
    assert result.exit_code == 2  # a wrong argument, like any other
    assert f"{tmp_path}: not a build (manifest.json, data/), a training run" in result.output
    missing = CliRunner().invoke(main, ["-q", "report", str(tmp_path / "nope")])
    assert missing.exit_code != 0 and "nope" in missing.output


def test_out_names_one_page(run_dir, eval_dir, tmp_path):
    result = CliRunner().invoke(main, ["report", str(run_dir), str(eval_dir), "--out", str(tmp_path / "x.html")])
    assert result.exit_code == 2 and "give one directory" in result.output
