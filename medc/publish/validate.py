"""Check a build's card against its files and against the Hub: the YAML parses, every config points at files that
exist, every shard is reachable from a config, the counts, sizes and features the card states are the Parquet
footers' own, the licence, size and task values are ones the Hub accepts, and the files the card links to exist.

    >>> [str(p) for p in validate_build(read_build("out/"))]
    ['count_mismatch: dataset_info papers/train says 1204 examples, the Parquet files hold 1203',
     'hub_metadata: "license" must be one of [apache-2.0, mit, ...]']

A card that disagrees with its data makes `datasets.load_dataset` fail (split sizes are verified) or, worse, load
a different set of rows than the card describes; a card with a value outside the Hub's vocabularies makes the
Hub refuse the commit (400 `Invalid metadata in README.md`). `medc card` and `medc push` run this before anything
is written or uploaded, and `medc inspect` lists what it finds. While planning a push, `ask_hub` also sends the
card to the Hub's own validator, which knows values added after medc's copy of the vocabularies.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from medc.publish.facts import BuildFacts, Config
from medc.publish.vocabulary import hub_value_problems

# The Hub's own pattern for the front matter (huggingface_hub.repocard.REGEX_YAML_BLOCK).
YAML_BLOCK = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))")


@dataclass(frozen=True, slots=True)
class Problem:
    code: str  # stable: no_card, yaml_invalid, data_files_missing, count_mismatch, ... (see the checks below)
    detail: str

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


def validate_build(build: BuildFacts) -> list[Problem]:
    """Every problem found in `build` (an empty list: the card and the files agree)."""
    problems = [Problem("layout", p) for p in build.problems]
    meta, card_problems = card_metadata(build.card_text)
    problems += card_problems
    if meta is not None:
        problems += _check_configs(build, meta.get("configs"))
        problems += _check_dataset_info(build, meta.get("dataset_info"))
        problems += _check_licence(meta)
        problems += [Problem("hub_metadata", p) for p in hub_value_problems(meta)]
    problems += _check_manifest(build)
    problems += [
        Problem("card_link_missing", f"README.md links to {p}, which is not in the build") for p in build.missing_links
    ]
    return problems


def card_metadata(text: str | None) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The card's YAML as a dict, or None and why not."""
    if text is None:
        return None, [Problem("no_card", "README.md is missing; run `medc card DIR` to write it")]
    match = YAML_BLOCK.search(text)
    if not match:
        return None, [Problem("no_metadata", "README.md has no YAML front matter between '---' lines")]
    try:
        meta = yaml.safe_load(match.group(2))
    except yaml.YAMLError as err:
        return None, [Problem("yaml_invalid", f"the YAML front matter does not parse: {err}")]
    if not isinstance(meta, dict):
        return None, [Problem("yaml_invalid", f"the YAML front matter is a {type(meta).__name__}, not a mapping")]
    return meta, []


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A `data_files` glob as the Hub reads it: `*` stays within a folder, `**` crosses folders."""
    parts = re.split(r"(\*\*/?|\*|\?)", pattern)
    table = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(table.get(p, re.escape(p)) for p in parts) + r"\Z")


def _check_configs(build: BuildFacts, configs: Any) -> list[Problem]:
    if not isinstance(configs, list) or not configs:
        return [Problem("no_configs", "the card lists no `configs`, so the Hub must guess configs and splits")]
    problems: list[Problem] = []
    listed: set[str] = set()
    for entry in configs:
        name = entry.get("config_name", "default") if isinstance(entry, dict) else None
        if name is None or not isinstance(entry.get("data_files"), list):
            problems.append(Problem("config_invalid", f"config entry {entry!r} has no list of data_files"))
            continue
        config = build.config(name)
        for item in entry["data_files"]:
            split, patterns = _split_patterns(item)
            hits = [s.path for s in _shards(config) if any(glob_regex(p).match(s.path) for p in patterns)]
            listed.update(hits)
            if not hits:
                problems.append(Problem("data_files_missing", f"{name}/{split}: {patterns} match no shard"))
            elif config and {p.rsplit("/", 1)[-1].split("-", 1)[0] for p in hits} != {split}:
                problems.append(Problem("data_files_wrong_split", f"{name}/{split}: {patterns} match {hits}"))
    for config in build.configs:
        for shard in _shards(config):
            if shard.path not in listed:
                problems.append(Problem("file_not_in_card", f"{shard.path} is in no config of the card"))
    return problems


def _split_patterns(item: Any) -> tuple[str, list[str]]:
    if isinstance(item, dict):
        path = item.get("path", [])
        return str(item.get("split", "train")), [path] if isinstance(path, str) else list(path)
    return "train", [str(item)]


def _shards(config: Config | None) -> list:
    return [] if config is None else [s for split in config.splits for s in split.shards]


def _check_dataset_info(build: BuildFacts, info: Any) -> list[Problem]:
    if info is None:
        return [Problem("no_dataset_info", "the card has no `dataset_info` (features and split sizes)")]
    entries = info if isinstance(info, list) else [info]
    by_name = {e.get("config_name", "default"): e for e in entries if isinstance(e, dict)}
    problems = []
    for config in build.configs:
        entry = by_name.get(config.name)
        if entry is None:
            problems.append(Problem("no_dataset_info", f"dataset_info has no entry for config {config.name!r}"))
            continue
        problems += _check_splits(config, entry.get("splits") or [])
        problems += _check_features(config, entry)
    return problems


def _check_splits(config: Config, splits: list[dict[str, Any]]) -> list[Problem]:
    problems = []
    stated = {s.get("name"): s for s in splits if isinstance(s, dict)}
    for split in config.splits:
        card = stated.get(split.name)
        where = f"dataset_info {config.name}/{split.name}"
        if card is None:
            problems.append(Problem("split_not_in_card", f"{where} is missing"))
        elif card.get("num_examples") != split.num_rows:
            problems.append(
                Problem(
                    "count_mismatch",
                    f"{where} says {card.get('num_examples')} examples, the Parquet files hold {split.num_rows}",
                )
            )
        elif card.get("num_bytes") != split.num_bytes:
            problems.append(
                Problem(
                    "bytes_mismatch",
                    f"{where} says {card.get('num_bytes')} bytes, the Parquet footers say {split.num_bytes}",
                )
            )
    for name in set(stated) - {s.name for s in config.splits}:
        problems.append(Problem("split_without_files", f"dataset_info {config.name}/{name} has no shards"))
    return problems


def _check_features(config: Config, entry: dict[str, Any]) -> list[Problem]:
    """The card's features, read the way `datasets` reads them, against the Parquet schema."""
    from datasets import Features
    from datasets.info import DatasetInfosDict
    from huggingface_hub import DatasetCardData

    try:
        infos = DatasetInfosDict.from_dataset_card_data(DatasetCardData(dataset_info=[entry]))
        stated = infos[config.name].features
    except (KeyError, TypeError, ValueError) as err:
        return [Problem("features_invalid", f"dataset_info {config.name} features do not parse: {err}")]
    if stated != Features.from_arrow_schema(config.schema):
        return [Problem("features_mismatch", f"dataset_info {config.name} features differ from the Parquet schema")]
    return []


def _check_licence(meta: dict[str, Any]) -> list[Problem]:
    if "license" not in meta:
        return [Problem("no_license", "the card states no `license`")]
    if meta["license"] == "other" and not (meta.get("license_name") and meta.get("license_link")):
        return [Problem("license_incomplete", "`license: other` needs `license_name` and `license_link`")]
    return []


def _check_manifest(build: BuildFacts) -> list[Problem]:
    records, files = build.manifest.get("records"), build.manifest.get("files")
    if not isinstance(records, dict):
        return []  # a missing manifest is already a layout problem
    problems = []
    for config in build.configs:
        for split in config.splits:
            stated = (records.get(config.name) or {}).get(split.name)
            if stated != split.num_rows:
                problems.append(
                    Problem(
                        "manifest_mismatch",
                        f"manifest records {config.name}/{split.name} = "
                        f"{stated}, the Parquet files hold {split.num_rows}",
                    )
                )
            listed = ((files or {}).get(config.name) or {}).get(split.name)
            if listed is not None and sorted(listed) != sorted(s.path for s in split.shards):
                problems.append(
                    Problem(
                        "manifest_mismatch",
                        f"manifest files of {config.name}/{split.name} differ from the shards on disk",
                    )
                )
    for config, splits in records.items():
        for split, n in (splits or {}).items():
            if n and (build.config(config) is None or build.config(config).split(split) is None):
                problems.append(
                    Problem("files_missing", f"manifest records {n} rows in {config}/{split}, but there are no shards")
                )
    return problems


@dataclass(frozen=True)
class HubAnswer:
    """What the Hub's validator said about a card: objections (the Hub would refuse the commit) and warnings."""

    errors: list[str]
    warnings: list[str]


def ask_hub(endpoint: str, token: str | bool | None, text: str, sleep: Callable[[float], None]) -> HubAnswer | None:
    """Send the card to the Hub's validator (`POST /api/validate-yaml` with `{"content", "repoType"}`, the route
    huggingface_hub's own `create_commit` asks before committing a README.md). None when the Hub could not be
    asked (offline, unreachable, or an answer that is neither a verdict nor a 400 listing objections)."""
    from huggingface_hub.utils import build_hf_headers, get_session

    from medc.publish.retry import Backoff, retry, transient_reason

    def post() -> Any:
        response = get_session().post(
            f"{endpoint}/api/validate-yaml",
            json={"content": text, "repoType": "dataset"},
            headers=build_hf_headers(token=token),
        )
        if response.status_code == 429 or response.status_code >= 500:
            response.raise_for_status()  # transient: retried
        return response

    try:
        response = retry(post, Backoff(retries=2, first=1.0), "card validation", sleep, only_http=True)
    except Exception as err:
        if transient_reason(err):
            return None
        raise
    if response.status_code not in (200, 400):
        return None
    body = response.json()
    warnings = [str(w.get("message", w)) for w in body.get("warnings") or []]
    errors = [str(e.get("message", e)) for e in body.get("errors") or []]
    if response.status_code == 400:
        return HubAnswer(errors or [str(body.get("error", "no reason given"))], warnings)
    return HubAnswer([], warnings)
