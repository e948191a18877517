import re
from dataclasses import dataclass, field
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


@dataclass(frozen=True)
class Typed:
    ratio: float = 0.5
    count: int = 1
    flag: bool = False
    name: str = "x"
    names: tuple[str, ...] = ()
    pair: tuple[int, float] = (1, 1.0)
    weights: dict[str, float] = field(default_factory=dict)
    limit: int | None = None
    base: Literal["auto", 0, 1] = "auto"
    inner: Inner | None = None


@pytest.mark.parametrize(
    ("override", "field_name", "value"),
    [
        ("ratio=.25", "ratio", 0.25),  # not TOML, so a string: still a number
        ("ratio=2", "ratio", 2),
        ("count=2.5e3", "count", 2500),
        ("count='7'", "count", 7),
        ("flag=yes", "flag", True),
        ("flag=false", "flag", False),
        ("name=2024", "name", "2024"),
        ("names=en", "names", ("en",)),
        ("names=['en', 'de']", "names", ("en", "de")),
        ("pair=[2, 3]", "pair", (2, 3)),
        ("weights.books=15", "weights", {"books": 15}),
        ("limit=3", "limit", 3),
        ("base=0", "base", 0),
        ("base='1'", "base", 1),
        ("inner.threshold=0.9", "inner", Inner(threshold=0.9)),
    ],
)
def test_values_are_converted_to_the_field_type(override, field_name, value):
    got = getattr(load_config(Typed, overrides=[override]), field_name)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("ratio=abc", "ratio wants a number, got 'abc'"),
        ("ratio=true", "ratio wants a number, got True"),
        ("count=2.5", "count wants a whole number, got 2.5"),
        ("count=many", "count wants a whole number, got 'many'"),
        ("flag=maybe", "flag wants true or false, got 'maybe'"),
        ("name=1.5", "name wants text, got 1.5"),
        ("names=en,de", "names wants a list, e.g. names=['a', 'b'], got 'en,de'"),
        ("names=[1.5]", "names[0] wants text, got 1.5"),
        ("pair=[1]", "pair wants a list of 2 items, got"),
        ("weights=3", "weights wants a table"),
        ("weights.books=heavy", "weights.books wants a number, got 'heavy'"),
        ("limit=lots", "limit wants a whole number, got 'lots'"),
        ("base=2", "base wants one of 'auto', 0, 1, got 2"),
        ("inner=0.5", "inner is a table of settings"),
        ("inner.threshold=abc", "inner.threshold wants a number, got 'abc'"),
    ],
)
def test_a_wrong_type_names_the_key_the_value_and_what_it_wants(override, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(Typed, overrides=[override])


def test_unknown_key_suggests_the_closest():
    with pytest.raises(ConfigError, match=r"unknown option 'inner.treshold' \(did you mean 'inner.threshold'\?\)"):
        load_config(Outer, overrides=["inner.treshold=0.5"])


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_an_int_written_any_way_reads_back(n):
    for text in (str(n), f"'{n}'", f"{float(n)!r}" if abs(n) < 2**52 else str(n)):
        assert load_config(Typed, overrides=[f"count={text}"]).count == n


def test_unreadable_or_non_utf8_file_is_a_config_error(tmp_path):
    latin = tmp_path / "latin1.toml"
    latin.write_bytes("name = 'français'\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin1\.toml: not a UTF-8 text file"):
        load_config(Typed, latin)
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_config(Typed, tmp_path)  # a directory
