import subprocess
import sys

from click.testing import CliRunner

from medc.cli import VERBS, main


def test_help_lists_every_verb():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    verbs = ["build-k", "build-i", "card", "inspect", "explain", "push", "train", "eval", "report", "demo"]
    for verb in verbs:
        assert verb in result.output
    assert list(VERBS) == verbs


def test_help_imports_no_heavy_library():
    code = (
        "import sys; from medc.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pyarrow', 'torch', 'pymupdf', 'datasets', 'lxml', 'deepspeed', 'matplotlib', 'jinja2')\n"
        "         if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out


def test_every_verb_has_help():
    for verb in VERBS:
        result = CliRunner().invoke(main, [verb, "--help"])
        assert result.exit_code == 0, (verb, result.output, result.exception)
        assert "Usage:" in result.output
