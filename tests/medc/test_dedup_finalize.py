import json

import pyarrow.parquet as pq
import pytest

from medc.build import SourceSpec, run_build
from medc.dedup import DedupConfig, DedupFinalizer
from medc.filters import DocumentSteps, FilterConfig
from medc.pipeline import RecordTask
from medc.records import BookMeta, Document, PaperMeta, document_schema
from medc.sources import WorkUnit
from tests.benchmarks.synthetic_corpus import CorpusGenerator

NOTICE = "Copyright 2020 Example Press. All rights reserved. No part may be reproduced without permission."


def parse_json(unit: WorkUnit):
    """A unit is a paper, or a book: its chapters in order, as one PDF gives them."""
    for raw in json.loads(unit.data):
        meta = PaperMeta() if raw["source"] == "papers" else BookMeta(file_name=unit.origin, sha1=unit.origin)
        yield Document(raw["id"], raw["source"], raw["id"], raw["text"], unit.origin, meta)


def corpus():
    gen = CorpusGenerator(seed=2)
    a, b, c, d, e = (gen.tokens(n) for n in (500, 400, 300, 350, 350))
    text = gen.render
    variant = text(gen.variant(b, 0.9))  # substituted words are longer: the variant is the longer text
    a_text = text(a)
    papers = {
        "pmc:1": a_text,
        "pmc:2": a_text,
        "pmc:3": text(b),
        "pmc:4": variant,
        "pmc:5": text([*c, "closing", "words", "here"]),
    }
    books = {
        "book:1": f"{NOTICE}\n\n{text(d)}",
        "book:2": f"{NOTICE}\n\n{text(e)}",
        "book:3": text([*c, "closing", "words", "here", "and", "a", "few", "more", "words"]),
        "book:4": a_text,
    }
    return papers, books


def specs(papers, books, steps, reverse=False):
    task = RecordTask(parse_json, (steps,))
    out = []
    for config, docs in (("papers", papers), ("books", books)):
        records = [[{"id": i, "source": config, "text": t}] for i, t in docs.items()]
        if config == "books" and records:  # two books of two chapters
            records = [records[0] + records[1], records[2] + records[3]]
        units = [WorkUnit(f"{config}-{n}.json", json.dumps(r).encode()) for n, r in enumerate(records)]
        out.append(
            SourceSpec(config, task, document_schema(config, internal=True), units=units[::-1] if reverse else units)
        )
    return out


STEPS = DocumentSteps(filters=FilterConfig(languages=()))


def build(out, steps=STEPS, workers=0, reverse=False, config=None):
    papers, books = corpus()
    return run_build(
        out,
        specs(papers, books, steps, reverse),
        kind="medc-k",
        parse_settings={},
        finalizer=DedupFinalizer(config),
        workers=workers,
    )


def duplicates(out):
    return [json.loads(line) for line in (out / "duplicates.jsonl").read_text().splitlines()]


def kept_ids(out):
    return {c: pq.read_table(out / f"data/{c}", columns=["id"]).column("id").to_pylist() for c in ("papers", "books")}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("k")
    return out, build(out)


def test_exact_and_near_duplicates_across_papers_and_books(built):
    out, manifest = built
    assert kept_ids(out) == {"papers": ["pmc:1", "pmc:4"], "books": ["book:1", "book:2", "book:3"]}
    assert manifest["records"] == {"papers": {"train": 2}, "books": {"train": 3}}
    assert manifest["duplicates"] == {"exact": 2, "near": 2}


def test_every_removal_names_both_records_and_their_inputs(built):
    out, _ = built
    rows = duplicates(out)
    pairs = {(r["kind"], r["kept"], r["kept_origin"], r["removed"], r["removed_origin"]) for r in rows}
    assert pairs == {
        ("exact", "pmc:1", "papers-0.json", "pmc:2", "papers-1.json"),  # same length and source: smaller id
        ("exact", "pmc:1", "papers-0.json", "book:4", "books-1.json"),  # same length: papers come first
        ("near", "pmc:4", "papers-3.json", "pmc:3", "papers-2.json"),  # the longer text stays
        ("near", "book:3", "books-1.json", "pmc:5", "papers-4.json"),  # across sources, the longer text stays
    }
    near = [r for r in rows if r["kind"] == "near"]
    assert all(0.8 <= r["similarity"] < 1.0 for r in near)


def test_shards_are_public_and_finalize_leaves_the_text_alone(built):
    out, manifest = built
    books = pq.read_table(out / "data/books")
    assert not [name for name in books.schema.names if name.startswith("_")]
    chapter = books.to_pylist()[1]
    assert chapter["id"] == "book:2" and chapter["text"].startswith(NOTICE)  # book boilerplate: the builder's job
    assert chapter["quality"]["chars"] == len(chapter["text"])
    report = manifest["extra"]["dedup"]
    assert (report["documents"], report["kept"], report["exact_removed"], report["near_removed"]) == (9, 5, 2, 2)
    assert report["by_config"]["books"] == {"documents": 4, "kept": 3}
    assert (report["lsh_bands"], report["lsh_rows_per_band"], report["version_removed"]) == (16, 8, 0)


def test_kept_documents_do_not_depend_on_workers_or_input_order(built, tmp_path):
    out, _ = built
    other = tmp_path / "w2"
    build(other, workers=2, reverse=True)
    assert {c: sorted(ids) for c, ids in kept_ids(other).items()} == {
        c: sorted(ids) for c, ids in kept_ids(out).items()
    }
    pairs = lambda d: sorted((r["kind"], r["kept"], r["removed"]) for r in duplicates(d))  # noqa: E731
    assert pairs(other) == pairs(out)


def test_keys_made_with_other_settings_are_recomputed(built, tmp_path):
    out, _ = built
    other = tmp_path / "recomputed"
    manifest = build(other, steps=DocumentSteps(filters=FilterConfig(languages=()), dedup=DedupConfig(num_perm=64)))
    assert manifest["extra"]["dedup"]["recomputed_keys"] == 9
    assert kept_ids(other) == kept_ids(out)


def test_dedup_can_be_turned_off(tmp_path):
    manifest = build(tmp_path / "off", config=DedupConfig(exact=False, near=False))
    assert manifest["records"] == {"papers": {"train": 5}, "books": {"train": 4}}
    assert manifest["duplicates"] == {}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": 0}, "threshold is a Jaccard"),
        ({"lsh_recall_weight": 1.0}, "lsh_recall_weight must be in"),
        ({"num_perm": 8}, "num_perm >= 16"),
    ],
)
def test_dedup_config_is_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DedupConfig(**kwargs)


def test_a_corpus_without_documents_finalizes(tmp_path):
    manifest = run_build(
        tmp_path / "empty",
        specs({}, {}, STEPS),
        kind="medc-k",
        parse_settings={},
        finalizer=DedupFinalizer(),
        workers=0,
    )
    assert manifest["extra"]["dedup"]["documents"] == 0 and manifest["duplicates"] == {}


def generated_specs(n: int = 90) -> list[SourceSpec]:
    """Papers and book chapters, one per unit, where one in four is a near copy (J ≈ 0.9) and one in seven an
    exact copy of an earlier document, some across sources, plus a crowd of eight mutual near copies."""
    gen = CorpusGenerator(seed=9)
    earlier: list[tuple[list[str], str]] = []
    crowd = gen.tokens(200)
    units: dict[str, list[WorkUnit]] = {"papers": [], "books": []}
    for i in range(n):
        if 60 <= i < 68:
            tokens = gen.variant(crowd, 0.93)
        elif i % 7 == 6:
            tokens, text = earlier[int(gen.rng.integers(0, len(earlier)))]
        elif i % 4 == 3:
            tokens = gen.variant(earlier[int(gen.rng.integers(0, len(earlier)))][0], 0.9)
        else:
            tokens = gen.tokens(int(gen.rng.integers(80, 300)))
        text = text if i % 7 == 6 and not 60 <= i < 68 else gen.render(tokens)
        earlier.append((tokens, text))
        config = "books" if i % 3 == 2 else "papers"
        raw = [{"id": f"{config}:{i:03d}", "source": config, "text": text}]
        units[config].append(WorkUnit(f"{config}/{i:03d}.json", json.dumps(raw).encode()))
    task = RecordTask(parse_json, (STEPS,))
    return [SourceSpec(c, task, document_schema(c, internal=True), units=u) for c, u in units.items()]


def test_finalize_gives_the_same_bytes_in_process_and_on_a_process_pool(tmp_path):
    from medc.executors.local import LocalPool
    from medc.finalize import BuildOutput
    from medc.shards import ShardConfig
    from medc.stage.run import StageOptions
    from medc.staging import Staging

    shards = ShardConfig(max_shard_bytes=4 << 10, row_group_rows=3, row_group_bytes=3000)
    local = tmp_path / "in-process"
    manifest = run_build(
        local,
        generated_specs(),
        kind="medc-k",
        parse_settings={},
        finalizer=DedupFinalizer(),
        workers=0,
        shards=shards,
        stage=StageOptions(batch_units=4, batch_seconds=None),  # many staged parts
    )
    fingerprint = json.loads((local / ".staging/fingerprint.json").read_text())
    staging = Staging.open(
        local / ".staging", fingerprint, {c: document_schema(c, internal=True) for c in ("papers", "books")}
    )
    assert len(staging.parts("papers")) > 5
    pooled = tmp_path / "pool"
    pooled.mkdir()
    output = BuildOutput(pooled, shards)
    with LocalPool(workers=2) as pool:
        DedupFinalizer()(staging, output, pool)  # 8 partitions here, 4 in-process: the split never shows
    output.close()

    def tree(root):
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "data").rglob("*.parquet"))}

    assert len(tree(local)) > 6 and tree(pooled) == tree(local)
    assert (pooled / "duplicates.jsonl").read_bytes() == (local / "duplicates.jsonl").read_bytes()
    assert output.records == manifest["records"] and output.files == manifest["files"]
    assert output.duplicates == manifest["duplicates"] == {"exact": 11, "near": 22}  # 11 exact copies planted
    without_time = lambda report: {k: v for k, v in report.items() if k != "seconds"}  # noqa: E731
    assert without_time(output.extra["dedup"]) == without_time(manifest["extra"]["dedup"])
