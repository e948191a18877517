"""Numbers about the records of a build, read from its Parquet shards column by column (never whole rows, so a
build of millions of records is summarised without reading its text).

    >>> stats = corpus_stats(Path("out/medc-k"), read_build("out/medc-k"))
    >>> stats["papers"].chars[:3], stats["papers"].quality["alpha_ratio"][:3]
    (array([ 8121, 23410,  5402]), array([0.83, 0.86, 0.79]))
    >>> find_rows(paths, {"pmc:PMC9000002"}, ["id", "text", "origin"])["pmc:PMC9000002"]["origin"]
    'oa_comm_xml.PMC009xxxxxx.baseline.2026-01-01.tar.gz::PMC009xxxxxx/PMC9000002.xml'

MedC-K records carry their measures (`quality`: chars, words, alpha_ratio, ...), so lengths and quality come from
that struct. MedC-I records are measured here: characters and whitespace-separated words of instruction, input and
output, computed by Arrow kernels.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from medc.publish.facts import BuildFacts

log = logging.getLogger(__name__)

QUALITY_MEASURES = ("words", "alpha_ratio", "repeated_line_ratio", "stopword_ratio", "language_score")
INSTRUCTION_TEXT = ("instruction", "input", "output")


@dataclass
class ConfigStats:
    """Per-record numbers of one config, in shard order, with the `source` of each record."""

    name: str
    sources: pa.ChunkedArray  # str per record (kept in Arrow: millions of Python strings would cost gigabytes)
    chars: np.ndarray
    words: np.ndarray
    quality: dict[str, np.ndarray] = field(default_factory=dict)  # MedC-K measures; NaN where not measured
    languages: Counter[str] = field(default_factory=Counter)
    removed: dict[str, dict[str, int]] = field(default_factory=dict)  # rule → chars, count (Document.removed)

    def by_source(self) -> dict[str, tuple[int, int, int]]:
        """source → (records, characters, words)."""
        table = pa.table({"source": self.sources, "chars": self.chars, "words": self.words})
        grouped = table.group_by("source").aggregate([("chars", "count"), ("chars", "sum"), ("words", "sum")])
        rows = sorted(grouped.to_pylist(), key=lambda r: str(r["source"]))
        return {str(r["source"]): (r["chars_count"], int(r["chars_sum"]), int(r["words_sum"])) for r in rows}


def shard_paths(build: BuildFacts, config: str) -> list[str]:
    found = build.config(config)
    return [s.path for split in found.splits for s in split.shards] if found else []


def corpus_stats(root: Path, build: BuildFacts) -> dict[str, ConfigStats]:
    out = {}
    for config in build.configs:
        table = _read(root, shard_paths(build, config.name), _wanted(config.schema))
        if table is None:
            continue
        out[config.name] = _stats(config.name, table)
    return out


def _wanted(schema: pa.Schema) -> list[str]:
    names = set(schema.names)
    return [c for c in ("source", "quality", "removed", *INSTRUCTION_TEXT) if c in names]


def _read(root: Path, paths: list[str], columns: list[str]) -> pa.Table | None:
    tables = []
    for rel in paths:
        try:
            tables.append(pq.ParquetFile(root / rel).read(columns=columns))
        except (OSError, ValueError, pa.ArrowException) as exc:
            log.warning("%s: cannot read columns %s (%s); left out of the report", rel, columns, exc)
    return pa.concat_tables(tables) if tables else None


def _stats(name: str, table: pa.Table) -> ConfigStats:
    n = table.num_rows
    has_source = "source" in table.column_names
    sources = (
        table.column("source").fill_null("") if has_source else pa.chunked_array([pa.array([name] * n, pa.string())])
    )
    if "quality" in table.column_names:
        quality = table.column("quality")
        chars, words = _counts(quality, "chars"), _counts(quality, "words")
        measures = {m: _field(quality, m) for m in QUALITY_MEASURES}
        languages = _language_counts(quality)
    else:
        chars, words = _text_sizes(table)
        measures, languages = {}, Counter()
    removed = _removed(table.column("removed")) if "removed" in table.column_names else {}
    return ConfigStats(name, sources, chars, words, measures, languages, removed)


def _counts(struct: pa.ChunkedArray, name: str) -> np.ndarray:
    if name not in {f.name for f in struct.type}:
        return np.zeros(len(struct), dtype=np.int64)
    return pc.struct_field(struct, name).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)


def _field(struct: pa.ChunkedArray, name: str) -> np.ndarray:
    if name not in {f.name for f in struct.type}:
        return np.full(len(struct), np.nan, dtype=np.float32)
    # float32: five measures of seven million records fit in 140 MB
    return pc.struct_field(struct, name).to_numpy(zero_copy_only=False).astype(np.float32)


def _language_counts(quality: pa.ChunkedArray) -> Counter[str]:
    if "language" not in {f.name for f in quality.type}:
        return Counter()
    counts = pc.value_counts(pc.struct_field(quality, "language").fill_null("not measured")).to_pylist()
    return Counter({row["values"]: row["counts"] for row in counts})


def _text_sizes(table: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """Characters and whitespace-separated words of instruction + input + output, per record."""
    chars = np.zeros(table.num_rows, dtype=np.int64)
    words = np.zeros(table.num_rows, dtype=np.int64)
    for column in INSTRUCTION_TEXT:
        if column not in table.column_names:
            continue
        text = table.column(column).fill_null("")
        chars += pc.utf8_length(text).to_numpy(zero_copy_only=False)
        words += pc.list_value_length(pc.utf8_split_whitespace(text)).to_numpy(zero_copy_only=False)
    return chars, words


def _removed(column: pa.ChunkedArray) -> dict[str, dict[str, int]]:
    """`Document.removed` summed per rule over the records: {rule: {"chars": n, "count": k}}."""
    flat = pc.list_flatten(column)
    if len(flat) == 0 or not pa.types.is_struct(flat.type):
        return {}
    names = {f.name for f in flat.type}
    if "rule" not in names:
        return {}
    table = pa.table(
        {
            "rule": pc.struct_field(flat, "rule"),
            "chars": pc.struct_field(flat, "chars") if "chars" in names else pa.array(np.zeros(len(flat), np.int64)),
            "count": pc.struct_field(flat, "count") if "count" in names else pa.array(np.ones(len(flat), np.int64)),
        }
    )
    grouped = table.group_by("rule").aggregate([("chars", "sum"), ("count", "sum")]).to_pylist()
    return {row["rule"]: {"chars": int(row["chars_sum"] or 0), "count": int(row["count_sum"] or 0)} for row in grouped}


def find_rows(
    root: Path, paths: Iterable[str], ids: set[str], columns: list[str], key: str = "id"
) -> dict[str, dict[str, Any]]:
    """The rows whose `key` column (`id`; MedC-I: `sample_id`) is in `ids`, with `columns`: the key column is
    scanned, then only the row groups that hold a match are read (a few pairs of a big build read a few row
    groups, not the whole text)."""
    found: dict[str, dict[str, Any]] = {}
    for rel in paths:
        if len(found) == len(ids):
            break
        try:
            found.update(_rows_in(pq.ParquetFile(root / rel), ids - set(found), columns, key))
        except (OSError, KeyError, ValueError, pa.ArrowException) as exc:
            log.warning("%s: cannot look up rows (%s)", rel, exc)
    return found


def _rows_in(parquet: pq.ParquetFile, ids: set[str], columns: list[str], key: str) -> dict[str, dict[str, Any]]:
    names = parquet.schema_arrow.names
    if key not in names:
        return {}
    columns = [c for c in dict.fromkeys([key, *columns]) if c in names]
    out = {}
    for group in range(parquet.num_row_groups):
        id_column = parquet.read_row_group(group, columns=[key]).column(0)
        hits = pc.is_in(id_column, value_set=pa.array(sorted(ids), pa.string()))
        if not pc.any(hits).as_py():
            continue
        rows = parquet.read_row_group(group, columns=columns).filter(hits).to_pylist()
        out.update({row[key]: row for row in rows})
    return out
