"""Builds, a run and an evaluation shared by the report tests (built once per session: a build takes seconds)."""

import pytest

from tests.report.builds import build_medc_i, build_medc_k, write_eval, write_run


@pytest.fixture(scope="session")
def medc_k(tmp_path_factory):
    return build_medc_k(tmp_path_factory.mktemp("report-k"))


@pytest.fixture(scope="session")
def medc_i(tmp_path_factory):
    return build_medc_i(tmp_path_factory.mktemp("report-i"))


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory):
    return write_run(tmp_path_factory.mktemp("report-run") / "run")


@pytest.fixture(scope="session")
def eval_dir(tmp_path_factory):
    return write_eval(tmp_path_factory.mktemp("report-eval") / "eval")
