"""What a finished build holds, read from `manifest.json` and the Parquet footers only (never the data pages).

    >>> facts = read_build("out/")
    >>> [(c.name, [(s.name, s.num_rows, len(s.shards)) for s in c.splits]) for c in facts.configs]
    [('papers', [('train', 1204, 2)]), ('books', [('train', 31, 1)])]

The layout is the one `medc/build.py` writes and the Hub understands:
`data/<config>/<split>-00000-of-00002.parquet` beside `manifest.json` and `README.md`. One reader serves a
local directory and a Hub repo (any fsspec filesystem; `HfFileSystem` reads a footer with range requests), so
the card, the validator, `medc inspect` and `medc push` all see the same facts. What does not fit the layout
is listed in `problems`, not raised. Files the card links to by a relative path (`![removals](plots/x.png)`)
belong to the build too: `medc push` uploads them with the card.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

log = logging.getLogger(__name__)

# `train-00000-of-00002.parquet`: the split is the part before the shard counter (what `datasets` expects).
SHARD_NAME = re.compile(r"^(?P<split>\w+?)-(?P<index>\d{5})-of-(?P<total>\d{5})\.parquet$")
SPLIT_ORDER = ("train", "validation", "test")
MANIFEST = "manifest.json"
CARD = "README.md"
INSTRUCTION_CONFIGS = ("dialogue", "rationale_qa", "umls_kg")
CONFIG_ORDER = ("papers", "books", *INSTRUCTION_CONFIGS)  # the card's first config is the default one
# A Markdown link or image target, or an HTML src/href: `](plots/a.png)`, `src="plots/a.png"`.
CARD_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)|\b(?:src|href)=[\"']([^\"']+)[\"']")


@dataclass(slots=True)
class Shard:
    path: str  # relative to the build root, with `/`
    num_rows: int
    num_bytes: int  # uncompressed data size summed over row groups (`num_bytes` in `dataset_info`)
    size: int  # bytes of the file itself
    num_row_groups: int


@dataclass(slots=True)
class Split:
    name: str
    shards: list[Shard] = field(default_factory=list)

    @property
    def num_rows(self) -> int:
        return sum(s.num_rows for s in self.shards)

    @property
    def num_bytes(self) -> int:
        return sum(s.num_bytes for s in self.shards)

    @property
    def size(self) -> int:
        return sum(s.size for s in self.shards)


@dataclass(slots=True)
class Config:
    name: str
    schema: pa.Schema
    splits: list[Split] = field(default_factory=list)

    @property
    def num_rows(self) -> int:
        return sum(s.num_rows for s in self.splits)

    @property
    def num_bytes(self) -> int:
        return sum(s.num_bytes for s in self.splits)

    @property
    def size(self) -> int:
        return sum(s.size for s in self.splits)

    def split(self, name: str) -> Split | None:
        return next((s for s in self.splits if s.name == name), None)


@dataclass(slots=True)
class BuildFacts:
    location: str  # what the user named: a directory or `hf://datasets/<repo>@<revision>`
    manifest: dict[str, Any]
    configs: list[Config]
    card_text: str | None = None  # README.md as it is now, if there is one
    problems: list[str] = field(default_factory=list)
    card_files: list[str] = field(default_factory=list)  # files the card links to that exist (plots, say)
    missing_links: list[str] = field(default_factory=list)  # ... and those that do not

    def config(self, name: str) -> Config | None:
        return next((c for c in self.configs if c.name == name), None)

    @property
    def kind(self) -> str:
        """`medc-k` or `medc-i`, from the manifest or, lacking one, from the config names."""
        kind = self.manifest.get("kind")
        if kind in ("medc-k", "medc-i"):
            return kind
        return "medc-i" if any(c.name in INSTRUCTION_CONFIGS for c in self.configs) else "medc-k"

    @property
    def num_rows(self) -> int:
        return sum(c.num_rows for c in self.configs)

    @property
    def size(self) -> int:
        return sum(c.size for c in self.configs)

    @property
    def command(self) -> str | None:
        """The command that made the build, as a user would type it (`python -m medc` and the installed script
        both record a path as argv[0])."""
        argv = self.manifest.get("command")
        if isinstance(argv, str) or not argv:
            return argv or None
        first = posixpath.basename(str(argv[0]))
        return shlex.join(["medc" if first in ("medc", "__main__.py") else str(argv[0]), *map(str, argv[1:])])


def read_build(location: str | Path, fs: fsspec.AbstractFileSystem | None = None) -> BuildFacts:
    """Facts about the build at `location` (a local directory unless `fs` says otherwise)."""
    if fs is None:
        fs = fsspec.filesystem("file")
        root = Path(location).resolve().as_posix()
    else:
        root = str(location).rstrip("/")
    problems: list[str] = []
    manifest = _read_manifest(fs, root, problems)
    card_text = _read_text(fs, posixpath.join(root, CARD))
    configs = _read_configs(fs, root, problems)
    if not configs:
        problems.append(f"no Parquet shards under {root}/data/<config>/<split>-NNNNN-of-NNNNN.parquet")
    links = card_links(card_text or "")
    present = [link for link in links if fs.isfile(posixpath.join(root, link))]
    missing = [link for link in links if link not in present]
    return BuildFacts(str(location), manifest, configs, card_text, problems, present, missing)


def card_links(text: str) -> list[str]:
    """Relative paths the card links to, inside the build (no URLs, anchors, absolute paths or `..`)."""
    out: list[str] = []
    prose = re.sub(r"```.*?```", "", text, flags=re.S)  # example rows in code blocks are data, not links
    for match in CARD_LINK.finditer(prose):
        target = (match[1] or match[2]).split("#")[0].split("?")[0]
        if not target or re.match(r"^[a-zA-Z][\w+.-]*:|^/", target) or ".." in target.split("/"):
            continue
        if target not in out:
            out.append(target.removeprefix("./"))
    return out


def _read_manifest(fs: fsspec.AbstractFileSystem, root: str, problems: list[str]) -> dict[str, Any]:
    text = _read_text(fs, posixpath.join(root, MANIFEST))
    if text is None:
        problems.append(f"{MANIFEST} is missing: counts, sources and provenance cannot be checked")
        return {}
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as err:
        problems.append(f"{MANIFEST} is not valid JSON ({err})")
        return {}
    if not isinstance(manifest, dict):
        problems.append(f"{MANIFEST} holds a {type(manifest).__name__}, expected an object")
        return {}
    return manifest


def _read_text(fs: fsspec.AbstractFileSystem, path: str) -> str | None:
    try:
        with fs.open(path, "rb") as f:
            return f.read().decode("utf-8")
    except FileNotFoundError:
        return None


def _read_configs(fs: fsspec.AbstractFileSystem, root: str, problems: list[str]) -> list[Config]:
    by_config: dict[str, dict[str, list[Shard]]] = {}
    schemas: dict[str, pa.Schema] = {}
    for full in sorted(fs.glob(f"{root}/data/*/*.parquet")):
        rel = _relative(full)
        config, name = rel.split("/")[1:3]
        if name.startswith("."):  # a temporary file of an interrupted write
            continue
        match = SHARD_NAME.match(name)
        if not match:
            problems.append(f"{rel}: not named <split>-NNNNN-of-NNNNN.parquet, so no split can be told")
            continue
        shard, schema = _read_footer(fs, full, rel, problems)
        if shard is None:
            continue
        if config in schemas and not schemas[config].equals(schema):
            problems.append(f"{rel}: its schema differs from the other shards of config {config!r}")
        schemas.setdefault(config, schema)
        by_config.setdefault(config, {}).setdefault(match["split"], []).append(shard)
    _check_shard_counters(by_config, problems)
    configs = [
        Config(name, schemas[name], [Split(s, splits[s]) for s in sorted(splits, key=_split_key)])
        for name, splits in by_config.items()
    ]
    return sorted(configs, key=_config_key)


def _relative(full: str) -> str:
    """`data/<config>/<file>`, whatever prefix the filesystem puts first (`/abs/`, `datasets/a/b@main/`)."""
    return "data/" + "/".join(full.split("/")[-2:])


def _read_footer(
    fs: fsspec.AbstractFileSystem, full: str, rel: str, problems: list[str]
) -> tuple[Shard | None, pa.Schema | None]:
    try:
        with fs.open(full, "rb") as f:
            meta = pq.ParquetFile(f).metadata
            schema = meta.schema.to_arrow_schema()
        size = fs.size(full)
    except (OSError, pa.ArrowException) as err:
        problems.append(f"{rel}: unreadable Parquet footer ({err})")
        return None, None
    num_bytes = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    return Shard(rel, meta.num_rows, num_bytes, size, meta.num_row_groups), schema


def _check_shard_counters(by_config: dict[str, dict[str, list[Shard]]], problems: list[str]) -> None:
    """`-00001-of-00003` names promise three shards; a missing one means rows are silently missing."""
    for config, splits in by_config.items():
        for split, shards in splits.items():
            names = [SHARD_NAME.match(posixpath.basename(s.path)) for s in shards]
            totals = {int(m["total"]) for m in names}
            indexes = sorted(int(m["index"]) for m in names)
            if len(totals) != 1 or indexes != list(range(next(iter(totals)))):
                expected = f"00000-of-{max(totals):05d}"
                problems.append(f"data/{config}/{split}: shards {indexes} do not form a complete {expected} set")


def _config_key(config: Config) -> tuple[int, str]:
    known = CONFIG_ORDER.index(config.name) if config.name in CONFIG_ORDER else len(CONFIG_ORDER)
    return (known, config.name)


def _split_key(name: str) -> tuple[int, str]:
    return (SPLIT_ORDER.index(name) if name in SPLIT_ORDER else len(SPLIT_ORDER), name)


def data_files_pattern(config: str, split: str) -> str:
    """The `data_files` glob a card uses for one split (matches every shard of it and nothing else)."""
    return f"data/{config}/{split}-*.parquet"


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"
