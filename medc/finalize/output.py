"""What a finalizer writes to: shards per config and split, late rejections, duplicates, manifest extras.

    >>> output = BuildOutput(Path("out"), ShardConfig())
    >>> output.add_duplicates("near", [{"kept": "pmc:PMC1", "kept_origin": "a/PMC1.xml",
    ...                                 "removed": "pmc:PMC2", "removed_origin": "b/PMC2.xml", "similarity": 0.91}])
    # out/duplicates.jsonl
    {"kind": "near", "kept": "pmc:PMC1", "kept_origin": "a/PMC1.xml", "removed": "pmc:PMC2", ...}

It lives in the coordinator: shard tasks write their files themselves and the finalizer records them here
(`record_split`), so nothing in it is ever pickled to a worker.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from medc.records import Rejection
from medc.shards import ShardConfig, ShardWriter


class BuildOutput:
    """Shards, rejections and duplicates a finalizer produced, for the manifest (`medc.build`)."""

    def __init__(self, out_dir: Path, shards: ShardConfig) -> None:
        self.out_dir, self.shards = Path(out_dir), shards
        self.files: dict[str, dict[str, list[str]]] = {}
        self.records: dict[str, dict[str, int]] = {}
        self.rejections: list[tuple[str, Rejection]] = []
        self.duplicates: Counter[str] = Counter()
        self.extra: dict[str, Any] = {}
        self._dup_file = open(self.out_dir / "duplicates.jsonl", "w", encoding="utf-8")  # noqa: SIM115

    def shard_writer(self, config: str, split: str, schema: pa.Schema) -> ShardWriter:
        """A sequential writer of one split, recorded when it closes (`medc.finalize.write_split` is the
        parallel one)."""
        writer = _RecordingShardWriter(self.out_dir, config, split, schema, self.shards)
        writer.on_close = lambda w: self.record_split(w.config, w.split, w.paths, w.rows)
        return writer

    def record_split(self, config: str, split: str, paths: list[str], rows: int) -> None:
        self.files.setdefault(config, {})[split] = paths
        self.records.setdefault(config, {})[split] = rows

    def reject(self, rejection: Rejection, config: str = "") -> None:
        """A record removed in finalize: `rejection` names its input (`origin`) and its id (`record_id`)."""
        self.rejections.append((config, rejection))

    def add_duplicates(self, kind: str, rows: list[dict[str, Any]]) -> None:
        """Record removed duplicates under `kind`, e.g. `{"kept": id, "kept_origin": origin, "removed": id,
        "removed_origin": origin, "similarity": 0.91}`."""
        self.duplicates[kind] += len(rows)
        for row in rows:
            self._dup_file.write(json.dumps({"kind": kind, **row}, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self._dup_file.close()


class _RecordingShardWriter(ShardWriter):
    on_close: Callable[[ShardWriter], None]

    def close(self) -> list[str]:
        paths = super().close()
        self.on_close(self)
        return paths
