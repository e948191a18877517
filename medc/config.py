"""Configs are dataclasses: validated on construction, loaded from TOML, overridden by `--set key=value` flags.

    # build.toml
    workers = 8
    [papers]
    keep_captions = false
    [dedup]
    threshold = 0.85

    >>> cfg = load_config(BuildKConfig, Path("build.toml"), ["dedup.num_perm=256", "papers.keep_captions=false"])

Values of `--set` are read as TOML values (`256`, `true`, `'text'`, `["a", "b"]`); a bare word that is not valid
TOML is taken as a string, so `--set books.language=en` works too. Unknown keys are an error that lists the keys
that exist, because a misspelt option silently ignored is a build silently wrong.

Every value is then converted to what its dataclass field is annotated with, or refused with a message that names
the key: `--set dedup.threshold=abc` → `ConfigError("dedup.threshold wants a number, got 'abc'")`, while
`--set optim.lr=.5` (not TOML, so a string) still becomes the float 0.5.
"""

from __future__ import annotations

import dataclasses
import difflib
import sys
import types
import typing
from pathlib import Path
from typing import Any, TypeVar, Union

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

T = TypeVar("T")


class ConfigError(ValueError):
    """A setting, or the file that holds it, is wrong; the message names the key or file and what is expected."""


TRUE_WORDS, FALSE_WORDS = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def load_config(
    cls: type[T],
    path: Path | None = None,
    overrides: list[str] | None = None,
    base: dict[str, Any] | None = None,
    flags: dict[str, Any] | None = None,
) -> T:
    """Build `cls` from `base` (defaults), then the TOML file at `path`, then `flags` (options typed on the
    command line), then `overrides` (`--set`), later winning: what the user typed last wins."""
    data: dict[str, Any] = dict(base or {})
    if path is not None:
        _merge(data, read_toml(Path(path)))
    _merge(data, flags or {})
    for item in overrides or []:
        key, sep, raw = item.partition("=")
        if not sep:
            raise ConfigError(f"--set {item!r}: expected KEY=VALUE, e.g. dedup.threshold=0.85")
        _merge(data, _nest(key.strip().split("."), _parse_value(raw.strip())))
    return from_dict(cls, data)


def read_toml(path: Path) -> dict[str, Any]:
    """The settings in a TOML file; an unreadable or broken file is a `ConfigError` naming it."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not a UTF-8 text file ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror or exc}") from None


def from_dict(cls: type[T], data: dict[str, Any], where: str = "") -> T:
    """Construct the dataclass `cls` from nested dicts, checking keys and converting each value to its field's
    annotation (nested dataclasses from tables)."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    unknown = sorted(set(data) - set(fields))
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(fields), n=1)
        hint = f" (did you mean '{where}{close[0]}'?)" if close else ""
        raise ConfigError(
            f"unknown option '{where}{unknown[0]}'{hint}; {cls.__name__} has: {', '.join(sorted(fields))}"
        )
    kwargs = {name: convert(value, hints[name], f"{where}{name}") for name, value in data.items()}
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where.rstrip('.') or cls.__name__}: {exc}") from None


def convert(value: Any, tp: Any, key: str) -> Any:
    """`value` (from TOML or `--set`) as the annotation `tp` wants it, or a `ConfigError` naming `key`. Types
    this does not know (a class of the builder's own) pass through for the dataclass to check."""
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        return _convert_union(value, typing.get_args(tp), key)
    if origin is typing.Literal:
        return _convert_literal(value, typing.get_args(tp), key)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if isinstance(value, dict):
            return from_dict(tp, value, f"{key}.")
        if isinstance(value, tp):
            return value
        first = next(f.name for f in dataclasses.fields(tp) if f.init)
        raise ConfigError(f"{key} is a table of settings, not one value: set its keys, e.g. {key}.{first}=...")
    if origin in (tuple, list, set, frozenset):
        return _convert_sequence(value, tp, key)
    if origin is dict:
        return _convert_mapping(value, tp, key)
    scalar = _SCALARS.get(tp)
    return value if scalar is None else scalar(value, key)


def _wants(key: str, expected: str, value: Any) -> ConfigError:
    return ConfigError(f"{key} wants {expected}, got {value!r}")


def _to_bool(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    word = value.strip().lower() if isinstance(value, str) else None
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise _wants(key, "true or false", value)


def _to_int(value: Any, key: str) -> int:
    if isinstance(value, bool):
        raise _wants(key, "a whole number", value)
    if isinstance(value, int):
        return value
    number = value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            number = _float_or_none(value)
    if isinstance(number, float) and number.is_integer():  # 2.5e8 bytes is a whole number written short
        return int(number)
    raise _wants(key, "a whole number", value)


def _float_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _to_float(value: Any, key: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value  # an int stays an int: a setting written as 15 is recorded as 15, as before
    number = _float_or_none(value) if isinstance(value, str) else None
    if number is None:
        raise _wants(key, "a number", value)
    return number


def _to_str(value: Any, key: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):  # `--set data.general_split=2024` reads as 2024
        return str(value)
    raise _wants(key, "text", value)


def _to_path(value: Any, key: str) -> Path:
    if isinstance(value, (str, Path)):
        return Path(value)
    raise _wants(key, "a path", value)


_SCALARS: dict[Any, Any] = {bool: _to_bool, int: _to_int, float: _to_float, str: _to_str, Path: _to_path}
_EXPECTED = {bool: "true or false", int: "a whole number", float: "a number", str: "text", Path: "a path"}


def _convert_union(value: Any, args: tuple[Any, ...], key: str) -> Any:
    if value is None and type(None) in args:
        return None
    options = [a for a in args if a is not type(None)]
    errors = []
    for option in options:
        try:
            return convert(value, option, key)
        except ConfigError as exc:
            errors.append(exc)
    if len(errors) == 1:
        raise errors[0]
    raise _wants(key, " or ".join(_EXPECTED.get(a, getattr(a, "__name__", str(a))) for a in options), value)


def _convert_literal(value: Any, choices: tuple[Any, ...], key: str) -> Any:
    for choice in choices:
        if value == choice and type(value) is type(choice):
            return choice
    for choice in choices:  # `--set qa.cop_base='1'` or a TOML string "1" means the choice 1
        if isinstance(value, str) and value.strip() == str(choice):
            return choice
    raise _wants(key, f"one of {', '.join(map(repr, choices))}", value)


def _convert_sequence(value: Any, tp: Any, key: str) -> Any:
    kind, args = typing.get_origin(tp), typing.get_args(tp)
    if isinstance(value, str):
        if "," in value:
            raise ConfigError(f"{key} wants a list, e.g. {key}=['a', 'b'], got {value!r}")
        value = [value]  # `--set papers.languages=en` means the list of one
    if not isinstance(value, (list, tuple, set, frozenset)):
        raise _wants(key, "a list", value)
    if kind is tuple and args and args[-1] is not Ellipsis:
        if len(value) != len(args):
            raise _wants(key, f"a list of {len(args)} items", value)
        types_ = list(args)
    else:
        types_ = [args[0] if args else Any] * len(value)
    return kind(convert(v, t, f"{key}[{i}]") for i, (v, t) in enumerate(zip(value, types_, strict=True)))


def _convert_mapping(value: Any, tp: Any, key: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{key} wants a table of NAME = VALUE, e.g. {key}.NAME=VALUE, got {value!r}")
    key_type, value_type = typing.get_args(tp) or (Any, Any)
    return {convert(k, key_type, key): convert(v, value_type, f"{key}.{k}") for k, v in value.items()}


def to_dict(config: Any) -> dict[str, Any]:
    """The config as plain JSON-able data (for manifests and cache keys)."""
    out = {}
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        if dataclasses.is_dataclass(value):
            value = to_dict(value)
        elif isinstance(value, (tuple, frozenset, set)):
            value = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        elif isinstance(value, Path):
            value = str(value)
        out[f.name] = value
    return out


def _parse_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _nest(keys: list[str], value: Any) -> dict[str, Any]:
    for key in reversed(keys):
        value = {key: value}
    return value


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
