"""Fixtures shared by the trainer tests: the tiny built corpora, model and tokenizer of `trainer_fixtures`
(a module may define its own `tokenizer`, which then wins)."""

import pytest

from tests.trainer.trainer_fixtures import tiny_assets


@pytest.fixture(scope="module")
def assets(tmp_path_factory):
    return tiny_assets(tmp_path_factory.getbasetemp() / "trainer-assets")


@pytest.fixture(scope="module")
def tokenizer(assets):
    from trainer.engine import load_tokenizer

    return load_tokenizer(str(assets["model"]))
