import pytest

from medc.config import ConfigError, load_config, to_dict
from trainer.config import (
    EngineConfig,
    OptimConfig,
    PretrainConfig,
    PretrainData,
    SFTConfig,
    SFTData,
    describe,
    field_docs,
    to_toml,
)

BASE = {"model": "m", "out": "o", "data": {"path": "medc-k"}}


def test_defaults_follow_the_paper_mix():
    cfg = load_config(PretrainConfig, base=BASE)
    assert cfg.data.mix == {"books": 15.0, "papers": 4.0, "general": 1.0}
    assert cfg.engine.zero_stage == 2 and cfg.engine.precision == "bf16"


def test_toml_file_then_set_overrides(tmp_path):
    path = tmp_path / "pretrain.toml"
    path.write_text(
        'model = "llama"\nout = "runs/k"\n[data]\npath = "medc-k"\nseq_len = 512\n'
        "mix = { books = 1, papers = 1 }\n[engine]\nzero_stage = 3\n"
    )
    cfg = load_config(PretrainConfig, path, ["optim.lr=1e-4", "data.epoch_source=papers"], base={"model": "cli"})
    assert (cfg.model, cfg.data.seq_len, cfg.data.mix, cfg.engine.zero_stage) == (
        "llama",
        512,
        {"books": 1, "papers": 1},
        3,
    )
    assert cfg.optim.lr == 1e-4


def test_written_config_loads_back_identically(tmp_path):
    cfg = load_config(
        SFTConfig,
        overrides=["data.packing=true", "max_steps=7", "data.configs=['dialogue']"],
        base={"model": "m", "out": "o", "data": {"path": "medc-i"}},
    )
    path = tmp_path / "config.toml"
    path.write_text(to_toml(to_dict(cfg)))
    assert load_config(SFTConfig, path) == cfg


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: PretrainData(path="x", epochs=2, token_budget=10), "Can't provide both epochs and token_budget"),
        (lambda: PretrainData(path="x", mix={"books": 0}), "at least one > 0"),
        (lambda: EngineConfig(zero_stage=0, offload=True), "offload needs ZeRO"),
        (lambda: EngineConfig(zero_stage=4), "zero_stage must be 0, 1, 2 or 3, got 4"),
        (lambda: OptimConfig(min_lr_ratio=2), r"min_lr_ratio must be in \[0, 1\], got 2"),
        (lambda: SFTData(path="x", template="vicuna"), "template must be one of"),
        (lambda: PretrainConfig(out="o", data=PretrainData(path="x")), "give --model"),
        (lambda: PretrainConfig(model="m", out="o"), "give --data"),
        (
            lambda: PretrainConfig(model="m", out="o", data=PretrainData(path="x", epoch_source="wiki")),
            "epoch_source 'wiki' is not in data.mix",
        ),
    ],
)
def test_validation_says_what_to_do(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_unknown_key_is_an_error_listing_known_ones():
    with pytest.raises(ConfigError, match=r"unknown option 'engine.zero'.*zero_stage"):
        load_config(PretrainConfig, overrides=["engine.zero=3"], base=BASE)


def test_every_setting_is_documented():
    for cls in (PretrainConfig, SFTConfig):
        rows = describe(cls)
        undocumented = [key for key, doc, _ in rows if not doc]
        assert undocumented == [], undocumented
        assert ("data.seq_len", field_docs(PretrainData)["seq_len"], 2048) in rows or cls is SFTConfig
