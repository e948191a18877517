"""Child processes of the dedup scale benchmark: stage a generated corpus, or finalize a staged one.

    python -c "from tests.benchmarks.dedup_scale import main; main(['stage', '/tmp/x', '4000'])"
    python -c "from tests.benchmarks.dedup_scale import main; main(['finalize', '/tmp/x', 'new', '0'])"

Each prints one JSON line. The corpus (generated, not real text): 80% papers, 20% book chapters, staged in parts
of 64 documents (a batch of the build's scheduler); one document in ten is a near copy (Jaccard about 0.9) of an
earlier one, one in twenty an exact copy, and a third end in the same boilerplate. Keys are computed as the
build's workers would (`dedup_keys`), so finalizing reads no text until it writes.

Finalizers: `new` is `DedupFinalizer` on an executor (`0` workers: in-process; `N`: a pool of N processes);
`old` is the former one: keys read part after part, the sequential datasketch LSH of the kept documents queried
best rank first (`tests.medc.dedup_reference`), and one `ShardWriter` per config streaming the kept rows.
"""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path
from typing import Any

import numpy as np

from medc.records import BookMeta, Document, PaperMeta, Quality, document_schema
from tests.benchmarks.synthetic_corpus import CorpusGenerator

FINGERPRINT = {"kind": "medc-k-bench"}
PART_DOCS = 64


def main(args: list[str]) -> None:
    if args[0] == "stage":
        print(json.dumps(stage(Path(args[1]), int(args[2]))))
    else:
        print(json.dumps(finalize(Path(args[1]), args[2], int(args[3]))))


def _staging(root: Path):
    from medc.staging import Staging

    schemas = {name: document_schema(name, internal=True) for name in ("papers", "books")}
    return Staging.open(root, FINGERPRINT, schemas)


def stage(root: Path, n: int) -> dict:
    from medc.dedup import DedupConfig, dedup_keys

    gen, config, staging = CorpusGenerator(seed=n), DedupConfig(), _staging(root)
    earlier: list[tuple[list[str], str]] = []
    batches: dict[str, list[Document]] = {"papers": [], "books": []}
    total = 0
    for i in range(n):
        text, tokens = _text(gen, earlier, i)
        earlier.append((tokens, text))
        total += len(text.encode())
        source = "books" if i % 5 == 4 else "papers"
        meta = BookMeta(file_name=f"b{i // 50}.pdf", sha1=f"b{i // 50}") if source == "books" else PaperMeta()
        text_hash, minhash = dedup_keys(text, config)
        batches[source].append(
            Document(
                f"{source}:{i:07d}",
                source,
                "",
                text,
                f"in/{source}/{i:07d}.xml",
                meta,
                Quality(chars=len(text)),
                _text_hash=text_hash,
                _minhash=minhash,
            )
        )
        for name, docs in batches.items():
            if len(docs) >= PART_DOCS or (i == n - 1 and docs):
                staging.stage_records(name, docs, origin=f"{name}-{i}")
                batches[name] = []
    return {"mb": total / 1e6}


def _text(gen: CorpusGenerator, earlier: list[tuple[list[str], str]], i: int) -> tuple[str, list[str]]:
    if i > 10 and i % 20 == 0:  # an exact copy
        tokens, text = earlier[int(gen.rng.integers(0, i))]
        return text, tokens
    if i > 10 and i % 10 == 5:  # a near copy
        tokens = gen.variant(earlier[int(gen.rng.integers(0, i))][0], 0.9)
    elif i % 3 == 0:
        tokens = gen.with_boilerplate(int(gen.rng.integers(300, 900)))
    else:
        tokens = gen.tokens(int(gen.rng.integers(300, 1000)))
    return gen.render(tokens), tokens


def finalize(root: Path, which: str, workers: int) -> dict:
    from medc.dedup import DedupFinalizer
    from medc.executors import InProcess
    from medc.executors.local import LocalPool
    from medc.finalize import BuildOutput
    from medc.shards import ShardConfig

    staging = _staging(root)
    out = root / f"out-{which}-{workers}"
    out.mkdir(exist_ok=True)
    output = BuildOutput(out, ShardConfig())
    if which == "old":
        import datasketch.lsh  # noqa: F401 - the former finalizer imported it before its first document

    start_rss = _rss()
    start = time.perf_counter()
    with InProcess() if workers == 0 else LocalPool(workers) as executor:
        (DedupFinalizer() if which == "new" else old_finalizer)(staging, output, executor)
    seconds = time.perf_counter() - start
    output.close()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
    worker_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    report = output.extra["dedup"]
    return {"seconds": seconds, "start_rss": start_rss, "peak_rss": peak_rss, "worker_rss": worker_rss, **report}


def old_finalizer(staging: Any, output: Any, executor: Any) -> None:
    """The former finalizer, in this process whatever the executor (it had no parallel stage)."""
    from medc.dedup import DedupConfig
    from medc.dedup.exact import exact_duplicates
    from medc.finalize import public_schema
    from tests.medc.dedup_reference import reference_near_duplicates

    config = DedupConfig()
    configs, ids, chars, hashes, signatures = _old_keys(staging, config)
    rank = _old_rank(configs, ids, chars, config)
    keep = np.ones(len(chars), dtype=bool)
    removed, _ = exact_duplicates(hashes, rank)
    keep[removed] = False
    candidates = np.flatnonzero(keep)
    found = reference_near_duplicates(signatures, candidates[np.argsort(rank[candidates], kind="stable")], config)
    keep[found.removed] = False
    row = 0
    for name in staging.configs():
        schema = public_schema(staging.schema(name))
        with output.shard_writer(name, "train", schema) as writer:
            for batch in staging.iter_batches(name, columns=schema.names):
                writer.write(batch.filter(keep[row : row + batch.num_rows]))
                row += batch.num_rows
    output.extra["dedup"] = {"documents": len(chars), "exact_removed": len(removed), "kept": int(keep.sum())}
    output.extra["dedup"]["near_removed"] = len(found.removed)


def _old_keys(staging: Any, config: Any) -> tuple[list[np.ndarray], list, np.ndarray, np.ndarray, np.ndarray]:
    import pyarrow.compute as pc

    from medc.dedup.exact import hashes_to_array
    from medc.dedup.keys import minhasher

    hasher = minhasher(config.ngram, config.num_perm, config.seed)
    configs, ids, chars, hashes, signatures = [], [], [], [], []
    for index, name in enumerate(staging.configs()):
        for batch in staging.iter_batches(name, columns=["id", "quality", "_text_hash", "_minhash"]):
            configs.append(np.full(batch.num_rows, index))
            ids += batch.column("id").to_pylist()
            chars.append(pc.struct_field(batch.column("quality"), "chars").to_numpy())
            hashes.append(hashes_to_array(batch.column("_text_hash").to_pylist()))
            signatures.append(np.stack([hasher.from_bytes(b) for b in batch.column("_minhash").to_pylist()]))
    return configs, ids, np.concatenate(chars), np.concatenate(hashes), np.concatenate(signatures)


def _old_rank(configs: list[np.ndarray], ids: list, chars: np.ndarray, config: Any) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    table = pa.table({"chars": chars, "priority": np.concatenate(configs), "id": ids, "row": np.arange(len(chars))})
    keys = [("chars", "descending"), ("priority", "ascending"), ("id", "ascending"), ("row", "ascending")]
    rank = np.empty(len(chars), dtype=np.int64)
    rank[pc.sort_indices(table, sort_keys=keys).to_numpy()] = np.arange(len(chars))
    return rank


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize()
