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
"""

from __future__ import annotations

import dataclasses
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
    pass


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
        try:
            _merge(data, tomllib.loads(Path(path).read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    _merge(data, flags or {})
    for item in overrides or []:
        key, sep, raw = item.partition("=")
        if not sep:
            raise ConfigError(f"--set {item!r}: expected KEY=VALUE, e.g. dedup.threshold=0.85")
        _merge(data, _nest(key.strip().split("."), _parse_value(raw.strip())))
    return from_dict(cls, data)


def from_dict(cls: type[T], data: dict[str, Any], where: str = "") -> T:
    """Construct the dataclass `cls` from nested dicts, checking keys and converting nested dataclasses."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(f"unknown option '{where}{unknown[0]}'; {cls.__name__} has: {', '.join(sorted(fields))}")
    kwargs = {}
    for name, value in data.items():
        tp = _dataclass_in(hints[name])
        if tp is not None and isinstance(value, dict):
            value = from_dict(tp, value, f"{where}{name}.")
        elif isinstance(value, list) and typing.get_origin(hints[name]) is tuple:
            value = tuple(value)
        kwargs[name] = value
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where.rstrip('.') or cls.__name__}: {exc}") from None


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


def _dataclass_in(tp: Any) -> type | None:
    if dataclasses.is_dataclass(tp):
        return tp  # type: ignore[return-value]
    if typing.get_origin(tp) in (Union, types.UnionType):
        found = [a for a in typing.get_args(tp) if dataclasses.is_dataclass(a)]
        return found[0] if len(found) == 1 else None
    return None


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
