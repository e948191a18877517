import json

import datasets
import pytest
import yaml
from click.testing import CliRunner
from huggingface_hub import DatasetCardData
from hypothesis import given
from hypothesis import strategies as st

from medc.cli import main
from medc.publish.card import write_card
from medc.publish.facts import read_build
from medc.publish.licences import is_non_commercial, normalize_pmc_licence
from medc.publish.validate import card_metadata, glob_regex, validate_build
from tests.medc.publish.card_builds import medc_i, medc_k, paper, write_build


def front_matter(out):
    meta, problems = card_metadata((out / "README.md").read_text())
    assert problems == []
    return meta


def test_medc_k_card_states_mixed_licences_with_counts_configs_and_sizes(tmp_path):
    out = medc_k(tmp_path / "k", papers=10, books=3, nc=4, shard_bytes=4096)
    meta = front_matter(out)
    assert meta["license"] == "other"
    assert meta["license_name"] == "pmc-open-access-mixed"
    assert meta["license_link"].startswith("https://pmc.ncbi.nlm.nih.gov/")
    assert "CC BY: 6, CC BY-NC: 4" in meta["license_details"]
    assert "3 textbook records" in meta["license_details"]
    assert meta["pretty_name"] == "MedC-K (rebuilt with medc)"
    assert meta["size_categories"] == ["n<1K"] and meta["language"] == ["en"]
    assert meta["task_categories"] == ["text-generation"] and "medical" in meta["tags"]
    assert meta["configs"] == [
        {
            "config_name": "papers",
            "data_files": [{"split": "train", "path": "data/papers/train-*.parquet"}],
            "default": True,
        },
        {"config_name": "books", "data_files": [{"split": "train", "path": "data/books/train-*.parquet"}]},
    ]
    build = read_build(out)
    papers = build.config("papers")
    assert len(papers.splits[0].shards) > 1  # several shards, one glob
    info = {i["config_name"]: i for i in meta["dataset_info"]}
    assert info["papers"]["splits"] == [{"name": "train", "num_bytes": papers.num_bytes, "num_examples": 10}]
    assert info["papers"]["download_size"] == papers.size and info["papers"]["dataset_size"] == papers.num_bytes
    assert {"name": "meta", "struct": info["papers"]["features"][5]["struct"]} == info["papers"]["features"][5]
    assert validate_build(build) == []


def test_medc_k_card_body_has_every_section_with_manifest_facts(tmp_path):
    out = medc_k(tmp_path / "k", nc=2)
    text = (out / "README.md").read_text()
    for heading in (
        "## Dataset Description",
        "## Sources and processing",
        "### Removed, by reason",
        "### Duplicates removed",
        "## Dataset Structure",
        "## Uses",
        "### Out-of-Scope Use",
        "## Licences and redistribution",
        "## Bias, Risks, and Limitations",
        "## Citation",
        "## How this build was made",
    ):
        assert heading in text, heading
    assert "| `papers` | train | 10 | 1 |" in text
    assert "| papers | `pmc/` | directory | 12 | 1 | 48.0 KB | `abababababab` |" in text
    assert "| `too_short` | 2 |" in text and "| `near` | 3 |" in text
    assert '"threshold": 0.85' in text
    assert "- dedup: documents: 17; exact_removed: 1; near_removed: 3; kept: 13" in text
    assert "| CC BY | 8 |  |" in text and "| CC BY-NC | 2 | yes |" in text
    assert "2 PMC articles carry a non-commercial licence (CC BY-NC: 2)" in text
    assert "| `meta` | `struct<pmcid: string" in text
    assert '"id": "pmc:PMC0"' in text and "more characters]" in text  # the example row, its text cut
    assert "PMC-LLaMA: Toward Building Open-source Language Models for Medicine" in text
    assert "10.1093/jamia/ocae045" in text and "2304.14454" in text
    assert "medc build-k --pmc pmc/ --out out" in text and "medc version: 0.1.0" in text
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["command"] = ["/venv/lib/medc/__main__.py", "build-k", "--pmc", "my papers/"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert "```\nmedc build-k --pmc 'my papers/'\n```" in (write_card(out)).read_text()


def test_single_licence_build_gets_that_licence_id(tmp_path):
    out = write_build(tmp_path / "k", "medc-k", {"papers": {"train": [paper(i, "cc_by") for i in range(3)]}})
    meta = front_matter(out)
    assert meta["license"] == "cc-by-4.0"
    assert "license_name" not in meta and "license_details" not in meta


def test_medc_i_card_lists_configs_splits_sources_and_umls_restrictions(tmp_path):
    out = medc_i(tmp_path / "i", sabs={"MSH": 0, "SNOMEDCT_US": 9})
    meta = front_matter(out)
    assert [c["config_name"] for c in meta["configs"]] == ["dialogue", "rationale_qa", "umls_kg"]
    assert meta["configs"][1]["data_files"] == [
        {"split": "train", "path": "data/rationale_qa/train-*.parquet"},
        {"split": "validation", "path": "data/rationale_qa/validation-*.parquet"},
    ]
    assert meta["license"] == "other" and meta["license_name"] == "medc-i-mixed-sources"
    assert "healthcaremagic: 8" in meta["license_details"] and "UMLS" in meta["license_details"]
    assert meta["task_categories"] == ["text-generation", "question-answering"]
    text = (out / "README.md").read_text()
    assert "| SNOMEDCT_US | 9 | SNOMED CT affiliate licence | 3 |" in text and "| MSH | 0 |" in text
    assert "UMLS sources with restriction level above 0: SNOMEDCT_US (level 9)" in text
    assert "| source | contaminated | staged | train |\n|---|---:|---:|---:|\n| `medqa` | 1 | 7 | 5 |" in text
    assert "### Decontamination" in text and "| medqa | 5 | 1 |" in text and "By evidence: ngram 1." in text
    assert validate_build(read_build(out)) == []
    cache = str(tmp_path / "cache")
    for config, n in (("dialogue", 6), ("umls_kg", 4)):
        ds = datasets.load_dataset(str(out), config, split="train", cache_dir=cache)
        assert ds["sample_id"] == [f"{'healthcaremagic' if config == 'dialogue' else 'umls'}:{i}" for i in range(n)]
    assert datasets.load_dataset(str(out), "rationale_qa", split="validation", cache_dir=cache)["source"] == ["medmcqa"]


def test_umls_without_recorded_sources_counts_as_restricted(tmp_path):
    text = (medc_i(tmp_path / "i", sabs=None) / "README.md").read_text()
    assert "the manifest does not record its sources (SABs)" in text
    assert "The manifest does not record which UMLS sources were used." in text


def test_card_degrades_gracefully_when_the_manifest_is_sparse(tmp_path):
    out = write_build(
        tmp_path / "k",
        "medc-k",
        {"papers": {"train": [paper(1)]}},
        manifest={"kind": "medc-k", "records": {"papers": {"train": 1}}},
    )
    text = (out / "README.md").read_text()
    assert "The manifest does not record the inputs of this build." in text
    assert "### Removed, by reason\n\nThe manifest does not record this." in text
    assert "medc version: not recorded" in text
    assert validate_build(read_build(out)) == []


def test_validation_finds_stale_counts_missing_files_orphans_and_bad_yaml(tmp_path):
    out = medc_k(tmp_path / "k")
    card = out / "README.md"
    good = card.read_text()
    card.write_text(good.replace("num_examples: 10", "num_examples: 11"))
    assert [p.code for p in validate_build(read_build(out))] == ["count_mismatch"]
    card.write_text(good.replace("license_link:", "license_lnk:"))
    assert [p.code for p in validate_build(read_build(out))] == ["license_incomplete"]
    card.write_text(good.replace("configs:", "configs: [\n"))
    assert [p.code for p in validate_build(read_build(out))] == ["yaml_invalid"]
    card.write_text(good)
    (out / "data/books/test-00000-of-00001.parquet").write_bytes(
        (out / "data/books/train-00000-of-00001.parquet").read_bytes()
    )
    codes = [p.code for p in validate_build(read_build(out))]
    assert codes == ["file_not_in_card", "split_not_in_card", "manifest_mismatch"]
    (out / "data/books/test-00000-of-00001.parquet").unlink()
    (out / "data/books/train-00000-of-00001.parquet").unlink()
    codes = [p.code for p in validate_build(read_build(out))]
    assert codes == ["data_files_missing", "files_missing"]


def test_cli_card_rewrites_and_checks(tmp_path):
    out = medc_k(tmp_path / "k")
    (out / "README.md").unlink()
    result = CliRunner().invoke(main, ["card", str(out)])
    assert result.exit_code == 0, result.output
    assert "card and files agree" in result.output and (out / "README.md").is_file()
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["records"]["papers"]["train"] = 99
    (out / "manifest.json").write_text(json.dumps(manifest))
    result = CliRunner().invoke(main, ["card", "--check", str(out)])
    assert result.exit_code == 1 and "manifest_mismatch" in result.output


def test_glob_stays_within_a_folder():
    assert glob_regex("data/papers/train-*.parquet").match("data/papers/train-00000-of-00001.parquet")
    assert not glob_regex("data/papers/train-*.parquet").match("data/papers/x/train-0.parquet")
    assert glob_regex("data/**/*.parquet").match("data/a/b/c.parquet")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("CC BY", "CC BY"),
        ("cc_by-nc", "CC BY-NC"),
        ("CC-BY-NC-ND", "CC BY-NC-ND"),
        ("CC0", "CC0"),
        ("http://creativecommons.org/licenses/by-nc-sa/4.0/", "CC BY-NC-SA"),
        ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0"),
        (None, "unknown"),
        ("", "unknown"),
        ("NO-CC CODE", "NO-CC CODE"),
        ("TDM", "TDM"),
    ],
)
def test_pmc_licence_codes_normalise(code, expected):
    assert normalize_pmc_licence(code) == expected


@given(st.text(max_size=40))
def test_licence_normalisation_is_idempotent(code):
    once = normalize_pmc_licence(code)
    assert normalize_pmc_licence(once) == once
    assert is_non_commercial(once) == is_non_commercial(normalize_pmc_licence(once))


def test_card_yaml_is_what_datasets_reads(tmp_path):
    out = medc_k(tmp_path / "k")
    meta = yaml.safe_load((out / "README.md").read_text().split("---")[1])
    infos = datasets.info.DatasetInfosDict.from_dataset_card_data(DatasetCardData(**meta))
    assert infos["papers"].splits["train"].num_examples == 10
    assert infos["books"].features["meta"]["chapter"].dtype == "string"
    assert write_card(out) == out / "README.md"


def test_a_card_section_is_one_function_in_the_list(tmp_path, monkeypatch):
    from medc.publish import sections

    def provenance(card: sections.CardContext) -> str:
        return f"## Provenance\n\nBuilt by medc {card.build.manifest['medc_version']}."

    def nothing_to_say(card: sections.CardContext) -> str:
        return ""

    at = sections.SECTIONS.index(sections.licensing)
    custom = [*sections.SECTIONS[:at], provenance, nothing_to_say, *sections.SECTIONS[at:]]
    monkeypatch.setattr(sections, "SECTIONS", custom)
    text = (medc_i(tmp_path / "i", sabs={"MSH": 0}) / "README.md").read_text()
    assert "## Uses" in text and "\n\n## Provenance\n\nBuilt by medc " in text
    assert text.index("## Uses") < text.index("## Provenance")
