"""Child processes of the dedup scale benchmark: stage a generated corpus, or finalize a staged one.

    python -c "from tests.benchmarks.dedup_scale import main; main(['stage', '/tmp/x', '4000'])"
    python -c "from tests.benchmarks.dedup_scale import main; main(['finalize', '/tmp/x'])"

Each prints one JSON line. The corpus: 80% papers, 20% book chapters; one document in ten is a near copy
(Jaccard about 0.9) of an earlier one, one in twenty an exact copy, and a third end in the same boilerplate.
Keys are computed as the build's workers would (`dedup_keys`), so finalizing reads no text until it writes.
"""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path

from medc.records import BookMeta, Document, PaperMeta, Quality, document_schema
from tests.benchmarks.synthetic_corpus import CorpusGenerator

FINGERPRINT = {"kind": "medc-k-bench"}


def main(args: list[str]) -> None:
    if args[0] == "stage":
        print(json.dumps(stage(Path(args[1]), int(args[2]))))
    else:
        print(json.dumps(finalize(Path(args[1]))))


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
                f"u{i}",
                meta,
                Quality(chars=len(text)),
                _text_hash=text_hash,
                _minhash=minhash,
            )
        )
        for name, docs in batches.items():
            if len(docs) >= 1000 or (i == n - 1 and docs):
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


def finalize(root: Path) -> dict:
    from medc.build import BuildOutput
    from medc.dedup import DedupFinalizer
    from medc.shards import ShardConfig

    staging = _staging(root)
    out = root / "out"
    out.mkdir(exist_ok=True)
    output = BuildOutput(out, ShardConfig())
    import datasketch  # noqa: F401 - imported before the baseline, as the finalizer would import it anyway

    start_rss = _rss()
    start = time.perf_counter()
    DedupFinalizer()(staging, output)
    seconds = time.perf_counter() - start
    output.close()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
    return {"seconds": seconds, "start_rss": start_rss, "peak_rss": peak_rss, "dedup": output.extra["dedup"]}


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize()
