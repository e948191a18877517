"""The dataset card of a build: README.md with the YAML the Hub and `datasets` read, and a body to trust.

    >>> write_card(Path("out"))           # what every build does at its end, and `medc card out` does again
    PosixPath('out/README.md')

produces, for a MedC-K build of 1000 articles (812 CC BY, 188 CC BY-NC):

    ---
    license: other
    license_name: pmc-open-access-mixed
    license_link: https://pmc.ncbi.nlm.nih.gov/tools/openftlist/
    license_details: 'Mixed PMC Open Access licences: CC BY: 812, CC BY-NC: 188 articles'
    configs:
    - config_name: papers
      data_files:
      - split: train
        path: data/papers/train-*.parquet
      default: true
    dataset_info: [... features, splits with num_examples and num_bytes, dataset_size ...]
    ---
    # MedC-K ...  (description, sources and processing, structure, uses, licences, limitations, citation)

Everything comes from `manifest.json`, the Parquet footers (`facts.py`), one example row per config
and the licence columns (`licences.py`); a section whose facts the manifest lacks says so, never fails.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from medc.publish import sections
from medc.publish.facts import CARD, BuildFacts, data_files_pattern, read_build
from medc.publish.licences import PMC_LICENCE_PAGE, UMLS_LICENCE_PAGE, LicenceFacts, hub_licence_id, licence_facts
from medc.publish.metadata import card_yaml, dataset_info_yaml

log = logging.getLogger(__name__)

KINDS = {"medc-k": "MedC-K", "medc-i": "MedC-I"}
# Upper bounds of the Hub's size categories (medc/publish/vocabulary.py), in rows; `n>1T` above the last.
SIZE_CATEGORIES = [
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
    (10_000_000_000, "1B<n<10B"),
    (100_000_000_000, "10B<n<100B"),
    (1_000_000_000_000, "100B<n<1T"),
]
EXAMPLE_CHARS = 300  # long texts in the example row are cut to this many characters


def write_card(out_dir: Path) -> Path:
    """Write `out_dir/README.md` for the build in `out_dir` (atomically) and return its path."""
    out_dir = Path(out_dir)
    build = read_build(out_dir)
    text = render_card(build, licence_facts(build, out_dir), read_examples(out_dir, build), out_dir)
    path = out_dir / CARD
    temp = path.with_name(f".{CARD}.tmp")
    temp.write_text(text, encoding="utf-8")
    temp.replace(path)
    return path


def render_card(
    build: BuildFacts, licences: LicenceFacts, examples: dict[str, dict[str, Any]], root: Path | None = None
) -> str:
    """The card's full text: YAML front matter as `DatasetCardData` writes it, then the Markdown body."""
    body = sections.render_body(sections.CardContext(build, licences, examples, pretty_name(build), root))
    return f"---\n{card_yaml(card_data(build, licences))}\n---\n\n{body}"


def card_data(build: BuildFacts, licences: LicenceFacts) -> dict[str, Any]:
    """The YAML metadata, field by field (`huggingface_hub.DatasetCardData(**card_data(...))` reads it)."""
    return {
        "pretty_name": pretty_name(build),
        **licence_fields(build, licences),
        "language": ["en"],
        "task_categories": task_categories(build),
        "size_categories": [size_category(build.num_rows)],
        "tags": tags(build),
        "source_datasets": source_datasets(build, licences),
        "configs": configs_yaml(build),
        "dataset_info": dataset_infos(build),
    }


def pretty_name(build: BuildFacts) -> str:
    return f"{KINDS[build.kind]} (rebuilt with medc)"


def task_categories(build: BuildFacts) -> list[str]:
    return ["text-generation"] if build.kind == "medc-k" else ["text-generation", "question-answering"]


def tags(build: BuildFacts) -> list[str]:
    use = "pretraining" if build.kind == "medc-k" else "instruction-tuning"
    return ["medical", "biomedical", "pmc-llama", "medc", use]


def size_category(rows: int) -> str:
    return next((name for limit, name in SIZE_CATEGORIES if rows < limit), "n>1T")


def source_datasets(build: BuildFacts, licences: LicenceFacts) -> list[str]:
    names = {
        "papers": "PubMed Central Open Access Subset",
        "books": "medical textbooks (supplied by the user)",
    }
    out = [names[c.name] for c in build.configs if c.name in names]
    out += sorted(licences.instruction_sources)
    if licences.has_umls and "UMLS Metathesaurus" not in out:
        out.append("UMLS Metathesaurus")
    return out or ["original"]


def licence_fields(build: BuildFacts, licences: LicenceFacts) -> dict[str, str]:
    """`license`, plus `license_name`/`license_link`/`license_details` (with counts) for mixed content."""
    if build.kind == "medc-i":
        return _instruction_licence_fields(licences)
    ids = {hub_licence_id(code) for code in licences.pmc} | ({"unknown"} if licences.has_books else set())
    if len(ids) == 1 and not ids & {"other", "unknown"}:
        return {"license": ids.pop()}
    details = []
    if licences.pmc:
        details.append("PMC articles by licence: " + ", ".join(f"{c}: {n}" for c, n in licences.pmc.items()))
    if licences.has_books:
        books = build.config("books")
        details.append(f"{books.num_rows if books else 0} textbook records under their publishers' terms")
    if ids <= {"unknown"}:
        return {"license": "unknown", **({"license_details": "; ".join(details)} if details else {})}
    return {
        "license": "other",
        "license_name": "pmc-open-access-mixed",
        "license_link": PMC_LICENCE_PAGE,
        "license_details": "Mixed. " + "; ".join(details),
    }


def _instruction_licence_fields(licences: LicenceFacts) -> dict[str, str]:
    sources = ", ".join(f"{s}: {n}" for s, n in licences.instruction_sources.items())
    details = f"Mixed instruction sources, each under its own terms ({sources or 'sources not recorded'})"
    if licences.has_umls:
        details += "; UMLS-derived records under the UMLS Metathesaurus License Agreement"
    return {
        "license": "other",
        "license_name": "medc-i-mixed-sources",
        "license_link": UMLS_LICENCE_PAGE if licences.has_umls else CARD,
        "license_details": details,
    }


def configs_yaml(build: BuildFacts) -> list[dict[str, Any]]:
    """`configs:` with a `data_files` glob per split; the first config is what `load_dataset(repo)` loads."""
    out = []
    for i, config in enumerate(build.configs):
        entry: dict[str, Any] = {
            "config_name": config.name,
            "data_files": [{"split": s.name, "path": data_files_pattern(config.name, s.name)} for s in config.splits],
        }
        if i == 0:
            entry["default"] = True
        out.append(entry)
    return out


def dataset_infos(build: BuildFacts) -> dict[str, Any] | list[dict[str, Any]]:
    """`dataset_info` per config, as `datasets` writes and reads it: features from the Parquet schema, split
    sizes from the footers."""
    return dataset_info_yaml(
        [
            {
                "name": config.name,
                "schema": config.schema,
                "splits": [(s.name, s.num_bytes, s.num_rows) for s in config.splits],
                "download_size": config.size,
                "dataset_size": config.num_bytes,
            }
            for config in build.configs
        ]
    )


def read_examples(root: Path, build: BuildFacts) -> dict[str, dict[str, Any]]:
    """One row per config (the first of its first split), long strings cut, for the structure section."""
    out = {}
    for config in build.configs:
        shard = next((s for split in config.splits for s in split.shards if s.num_rows), None)
        if shard is None:
            continue
        batch = next(pq.ParquetFile(root / shard.path).iter_batches(batch_size=1))
        out[config.name] = shorten(batch.to_pylist()[0])
    return out


def shorten(value: Any) -> Any:
    if isinstance(value, str) and len(value) > EXAMPLE_CHARS:
        return value[:EXAMPLE_CHARS] + f"… [{len(value) - EXAMPLE_CHARS} more characters]"
    if isinstance(value, dict):
        return {k: shorten(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shorten(v) for v in value[:4]] + ([f"… [{len(value) - 4} more]"] if len(value) > 4 else [])
    return value


def example_json(row: dict[str, Any]) -> str:
    return json.dumps(row, indent=2, ensure_ascii=False, default=str)
