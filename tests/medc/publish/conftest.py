"""Shared by the publishing tests: the test Hub (tests/hub) and the demo's MedC-I, built once."""

import shutil

import pytest
from click.testing import CliRunner

from medc.cli import main
from medc.demo.inputs import samples_dir
from tests.hub import fake_hub  # noqa: F401  (a fixture, used by name)


@pytest.fixture(scope="session")
def demo_medc_i_build(tmp_path_factory):
    """MedC-I as `medc demo` builds it, from the bundled samples: ChatDoctor and MedDialog dialogues, MedQA,
    MedMCQA and PubMedQA items, and UMLS rows (MSH and MED-RT at restriction level 0)."""
    s = samples_dir()
    out = tmp_path_factory.mktemp("demo") / "medc-i"
    args = [
        "build-i",
        "--dialogues", s / "dialogues/chatdoctor_sample.json",
        "--dialogues", s / "dialogues/meddialog_sample.txt",
        "--medqa", s / "qa/medqa_train.jsonl",
        "--medmcqa", s / "qa/medmcqa_train.jsonl",
        "--pubmedqa", s / "qa/pubmedqa_ori_pqal.json",
        "--umls", s / "umls",
        "--decontaminate", s / "qa/medqa_test.jsonl",
        "--validation-fraction", "0.1",
        "--workers", "0",
        "--out", out,
    ]  # fmt: skip
    result = CliRunner().invoke(main, ["-q", *map(str, args)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def demo_medc_i(demo_medc_i_build, tmp_path):
    """A fresh copy per test (a push leaves its hash cache and state beside the build)."""
    return shutil.copytree(demo_medc_i_build, tmp_path / "medc-i")
