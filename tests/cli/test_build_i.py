import json
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from medc.cli import main

FIXTURES = Path(__file__).parents[1] / "fixtures" / "medc_i"


def build(out: Path, *extra: str, workers: int = 0):
    args = [
        "build-i",
        "--dialogues", str(FIXTURES / "dialogues"),
        "--dialogue-columns", "user=question,assistant=answer,id=qid",
        "--medqa", str(FIXTURES / "qa" / "medqa_train.jsonl"),
        "--medmcqa", str(FIXTURES / "qa" / "medmcqa_train.json"),
        "--pubmedqa", str(FIXTURES / "qa" / "ori_pqaa.json"),
        "--umls", str(FIXTURES / "umls"),
        "--rationales", str(FIXTURES / "qa" / "rationales.jsonl"),
        "--decontaminate", str(FIXTURES / "eval"),
        "--validation-fraction", "0.25",
        "--workers", str(workers),
        "--out", str(out),
        *extra,
    ]  # fmt: skip
    result = CliRunner().invoke(main, ["-q", *args])
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("medc-i")
    result = build(out)
    assert result.exit_code == 0, result.output
    return out, json.loads((out / "manifest.json").read_text())


def test_build_writes_three_configs_with_train_and_validation(built):
    out, manifest = built
    assert set(manifest["records"]) == {"dialogue", "rationale_qa", "umls_kg"}
    for config, splits in manifest["records"].items():
        assert set(splits) == {"train", "validation"}, config
    total = {config: sum(splits.values()) for config, splits in manifest["records"].items()}
    # dialogue: 10 readable dialogues - 1 duplicate - 1 contaminated; rationale_qa: MedQA 4 + MedMCQA 6 +
    # PubMedQA 4 records - 2 contaminated; umls_kg: 3 relation rows x 2 prompts + 2 definitions
    assert total == {"dialogue": 8, "rationale_qa": 12, "umls_kg": 8}
    ds = datasets.load_dataset(str(out), "rationale_qa", cache_dir=str(out / ".cache"))
    assert ds["train"].num_rows + ds["validation"].num_rows == 12
    row = ds["train"][0]
    assert set(row) == {"instruction", "input", "output", "source", "sample_id", "messages", "origin"}
    assert row["messages"][-1] == {"role": "assistant", "content": row["output"]}


def test_every_record_has_source_sample_id_and_messages(built):
    out, _ = built
    for path in sorted((out / "data").rglob("*.parquet")):
        for row in pq.read_table(path).to_pylist():
            assert row["source"] and row["sample_id"] and row["messages"], path
            assert row["messages"][0]["role"] == "user" and row["messages"][-1]["role"] == "assistant"


def test_decontamination_counts_per_source_and_rejections(built):
    out, manifest = built
    decon = manifest["extra"]["decontamination"]
    # healthcaremagic quotes the MedQA test vignette; MedQA train repeats a test item; MedMCQA train repeats
    # a dev item (same stem and options; the same stem with other options stays).
    assert decon["removed"] == {"healthcaremagic": 1, "medmcqa": 1, "medqa": 1}
    assert decon["eval_items"] == 4 and len(decon["eval_files"]) == 2
    contaminated = [
        json.loads(line) for line in (out / "rejections.jsonl").read_text().splitlines() if '"contaminated"' in line
    ]
    assert sorted(r["record_id"] for r in contaminated) == [
        "healthcaremagic_100k:4",
        "medmcqa:mm-0005#answer",
        "medqa:medqa_train:3#answer",
    ]
    stats = manifest["extra"]["instructions"]["sources"]
    assert stats["medmcqa"]["contaminated"] == 1 and stats["healthcaremagic"]["duplicates"] == 1


def test_manifest_records_umls_sources_used_and_rejections(built):
    _, manifest = built
    umls = manifest["extra"]["umls"]
    assert umls["max_srl"] == 0 and sorted(umls["sabs_allowed"]) == ["MED-RT", "MSH", "NCI"]
    assert umls["sabs_used"] == {"MED-RT": 4, "MSH": 3, "NCI": 1}
    assert manifest["rejections"] == {
        "bad_json": 1,
        "contaminated": 3,
        "empty_answer": 3,
        "no_doctor_turn": 1,
        "rrf_malformed": 1,
        "unlabeled": 1,
    }
    assert manifest["notices"]["umls_rows_restricted"] == 1
    assert "dataset" not in manifest["settings"]["parse"]["qa"]


def test_same_bytes_with_workers_and_another_seed_differs(built, tmp_path):
    out, _ = built
    again = build(tmp_path / "two", workers=2)
    assert again.exit_code == 0, again.output
    for path in sorted((out / "data").rglob("*.parquet")):
        assert path.read_bytes() == (tmp_path / "two" / path.relative_to(out)).read_bytes(), path
    other = build(tmp_path / "seed", "--seed", "7")
    assert other.exit_code == 0, other.output
    a = pq.read_table(out / "data/umls_kg/train-00000-of-00001.parquet").column("instruction").to_pylist()
    b = pq.read_table(tmp_path / "seed/data/umls_kg/train-00000-of-00001.parquet").column("instruction")
    assert sorted(a) != sorted(b.to_pylist())


def test_ambiguous_medmcqa_numbering_stops_the_build_with_the_fix(tmp_path):
    args = ["build-i", "--medmcqa", str(FIXTURES / "qa" / "medmcqa_ambiguous.jsonl"), "--workers", "0"]
    result = CliRunner().invoke(main, ["-q", *args, "--out", str(tmp_path / "a")])
    assert result.exit_code != 0
    assert "--medmcqa-cop-base 1" in result.output and "fits both" in result.output
    told = CliRunner().invoke(main, ["-q", *args, "--medmcqa-cop-base", "1", "--out", str(tmp_path / "b")])
    assert told.exit_code == 0, told.output


def test_nothing_to_build_and_bad_flags_are_usage_errors(tmp_path):
    result = CliRunner().invoke(main, ["build-i", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "Nothing to build" in result.output
    result = CliRunner().invoke(
        main, ["build-i", "--dialogues", str(FIXTURES / "dialogues"), "--dialogue-columns", "q=a", "--out", "x"]
    )
    assert result.exit_code == 2 and "KEY=COLUMN" in result.output
    result = CliRunner().invoke(
        main, ["build-i", "--medqa", str(FIXTURES / "qa" / "medqa_train.jsonl"), "--set", "qa.styles=['long']",
               "--out", str(tmp_path)]
    )  # fmt: skip
    assert result.exit_code == 2 and "one or both" in result.output


def test_caps_and_weights_come_from_set_or_toml(tmp_path):
    (tmp_path / "mix.toml").write_text("[assembly.weights]\npubmedqa = 0\n")
    args = ["build-i", "--medmcqa", str(FIXTURES / "qa" / "medmcqa_train.json"), "--pubmedqa",
            str(FIXTURES / "qa" / "ori_pqaa.json"), "--set", "assembly.caps.medmcqa=2", "--config",
            str(tmp_path / "mix.toml"), "--workers", "0", "--out", str(tmp_path / "out")]  # fmt: skip
    result = CliRunner().invoke(main, ["-q", *args])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    sources = manifest["extra"]["instructions"]["sources"]
    assert sources["medmcqa"]["train"] + sources["medmcqa"]["validation"] == 2
    assert sources["pubmedqa"]["dropped_by_cap_or_weight"] == 4 and manifest["records"]["rationale_qa"]["train"] <= 2
    assert manifest["settings"]["finalize"]["assembly"]["caps"] == {"medmcqa": 2}
