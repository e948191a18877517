from dataclasses import dataclass, field

import pytest

from medc.config import ConfigError, load_config, to_dict


@dataclass(frozen=True)
class Inner:
    threshold: float = 0.8
    names: tuple[str, ...] = ("a",)

    def __post_init__(self):
        if not 0 < self.threshold <= 1:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")


@dataclass(frozen=True)
class Outer:
    workers: int = 1
    inner: Inner = field(default_factory=Inner)


def test_toml_then_overrides(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("workers = 4\n[inner]\nthreshold = 0.5\n")
    cfg = load_config(Outer, path, ["inner.names=['x', 'y']", "inner.threshold=0.9"])
    assert cfg == Outer(workers=4, inner=Inner(threshold=0.9, names=("x", "y")))
    assert to_dict(cfg) == {"workers": 4, "inner": {"threshold": 0.9, "names": ["x", "y"]}}


def test_bare_word_override_is_a_string():
    @dataclass(frozen=True)
    class C:
        language: str = "en"

    assert load_config(C, overrides=["language=de"]).language == "de"


def test_unknown_key_lists_known_ones():
    with pytest.raises(ConfigError, match=r"unknown option 'inner.treshold'.*names, threshold"):
        load_config(Outer, overrides=["inner.treshold=0.5"])


def test_validation_error_names_the_section():
    with pytest.raises(ConfigError, match=r"inner: threshold must be in \(0, 1\], got 2"):
        load_config(Outer, overrides=["inner.threshold=2"])


def test_malformed_override_and_toml(tmp_path):
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        load_config(Outer, overrides=["workers"])
    bad = tmp_path / "bad.toml"
    bad.write_text("workers = [")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(Outer, bad)


def test_command_line_flags_win_over_the_file_and_set_over_both(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("workers = 4\n[inner]\nthreshold = 0.5\n")
    cfg = load_config(
        Outer, path, ["inner.threshold=0.7"], base={"workers": 9}, flags={"workers": 2, "inner": {"threshold": 0.6}}
    )
    assert cfg == Outer(workers=2, inner=Inner(threshold=0.7))
