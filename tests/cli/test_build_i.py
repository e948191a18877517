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
        "--liveqa", str(FIXTURES / "consumer_qa" / "TREC-2017-LiveQA-Medical-Train-1.xml"),
        "--medicationqa", str(FIXTURES / "consumer_qa" / "medicationqa.csv"),
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
    # dialogue: 14 readable dialogues - 1 duplicate - 1 near duplicate - 3 contaminated + 3 LiveQA answers + 2
    # MedicationQA rows; rationale_qa: MedQA 4 + MedMCQA 6 + PubMedQA 4 records - 4 contaminated;
    # umls_kg: 3 relation prompts + 3 (concept, relation) completion prompts + 2 definitions
    assert total == {"dialogue": 14, "rationale_qa": 10, "umls_kg": 8}
    ds = datasets.load_dataset(str(out), "rationale_qa", cache_dir=str(out / ".cache"))
    assert ds["train"].num_rows + ds["validation"].num_rows == 10
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
    # healthcaremagic quotes the MedQA test vignette; MedQA train repeats a test item; MedMCQA train repeats a dev
    # item (same stem and options; the same stem with other options stays) and another with British spelling;
    # MedDialog has a dev question with its options on one line, and a specific dev question alone.
    assert decon["removed"] == {"medmcqa": 5, "medqa": 2}
    assert decon["removed_by_source"] == {"healthcaremagic": 1, "meddialog": 2, "medmcqa": 3, "medqa": 1}
    assert decon["eval_items"] == {"medmcqa": 4, "medqa": 2} and len(decon["eval_files"]) == 2
    contaminated = [
        json.loads(line) for line in (out / "rejections.jsonl").read_text().splitlines() if '"contaminated"' in line
    ]
    assert sorted((r["record_id"], r["detail"].split(",")[0]) for r in contaminated) == [
        ("english_train:3", "medmcqa item medmcqa:dev-0003"),
        ("english_train:4", "medmcqa item medmcqa:dev-0002"),
        ("healthcaremagic_100k:4", "medqa item medqa:medqa_test:2"),
        ("medmcqa:mm-0001#answer", "medmcqa item medmcqa:dev-0004"),
        ("medmcqa:mm-0001#rationale", "medmcqa item medmcqa:dev-0004"),
        ("medmcqa:mm-0005#answer", "medmcqa item medmcqa:dev-0001"),
        ("medqa:medqa_train:3#answer", "medqa item medqa:medqa_test:1"),
    ]
    stats = manifest["extra"]["instructions"]["sources"]
    assert stats["medmcqa"]["contaminated"] == 3 and stats["healthcaremagic"]["duplicates"] == 1
    near = [json.loads(x) for x in (out / "duplicates.jsonl").read_text().splitlines() if '"near"' in x]
    assert [(d["kept"], d["removed"], d["removed_origin"]) for d in near] == [
        ("healthcaremagic_100k:1", "english_train:1", "dialogues/english-train.json")
    ]
    assert "### Decontamination" in (out / "README.md").read_text()


def test_no_local_path_in_published_files(built):
    out, _ = built
    local = str(FIXTURES.parents[2])  # the worktree: every input was given by its absolute path
    for path in [out / "README.md", out / "manifest.json", out / "rejections.jsonl", out / "duplicates.jsonl"]:
        assert local not in path.read_text(), path
    origins = {o for p in (out / "data").rglob("*.parquet") for o in pq.read_table(p).column("origin").to_pylist()}
    assert "dialogues/english-train.json" in origins and "umls/MRREL.RRF#objects-00000" in origins
    assert not any(o.startswith("/") or local in o for o in origins)


def test_manifest_records_umls_sources_used_and_rejections(built):
    _, manifest = built
    umls = manifest["extra"]["umls"]
    assert umls["max_srl"] == 0 and sorted(umls["sabs_allowed"]) == ["MED-RT", "MSH", "NCI"]
    assert umls["sabs_used"] == {"MED-RT": 4, "MSH": 3, "NCI": 1}
    assert manifest["rejections"] == {
        "bad_json": 1,
        "contaminated": 7,
        "empty_answer": 5,
        "no_doctor_turn": 2,
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


def test_an_evaluation_file_without_items_stops_the_build(tmp_path):
    bad = tmp_path / "test.jsonl"  # stands for a MedQA-like export whose options are a plain string
    bad.write_text(json.dumps({"question": "Q?", "options": "A) x B) y", "answer_idx": "A"}) + "\n")
    args = ["build-i", "--medqa", str(FIXTURES / "qa" / "medqa_train.jsonl"), "--decontaminate", str(bad)]
    result = CliRunner().invoke(main, ["-q", *args, "--workers", "0", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "--decontaminate: test.jsonl: no evaluation items could be read" in result.output


def test_preset_pmc_llama_names_sources_and_lays_out_prompts_as_released(tmp_path):
    args = ["build-i", "--preset", "pmc-llama", "--medqa", str(FIXTURES / "qa" / "medqa_train.jsonl"),
            "--pubmedqa", str(FIXTURES / "qa" / "ori_pqaa.json"), "--umls", str(FIXTURES / "umls"),
            "--liveqa", str(FIXTURES / "consumer_qa" / "TREC-2017-LiveQA-Medical-Train-1.xml"),
            "--validation-fraction", "0", "--workers", "0", "--out", str(tmp_path / "out")]  # fmt: skip
    result = CliRunner().invoke(main, ["-q", *args])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert set(manifest["extra"]["instructions"]["sources"]) == {
        "medqa_train", "pubmedqa.ori_pqaa", "umls", "umls_relation", "liveqa"
    }  # fmt: skip
    rows = {
        r["sample_id"]: r for p in (tmp_path / "out" / "data").rglob("*.parquet") for r in pq.read_table(p).to_pylist()
    }
    medqa = rows["medqa:medqa_train:1#answer"]
    assert {"instruction", "input", "output", "source", "sample_id"} <= set(medqa)
    assert medqa["instruction"].count("\n") == 1  # a role line, then the task
    assert medqa["input"].startswith("###Question: A 6-year-old boy") and medqa["input"].endswith(
        "\nD. Candida albicans\n"
    )
    assert medqa["output"] == "###Answer: OPTION B IS CORRECT."
    pubmed = rows["pubmedqa:20000001#rationale"]
    assert pubmed["input"].startswith("###Question: Does vitamin D") and "\n###Context: " in pubmed["input"]
    assert pubmed["output"] == "Vitamin D alone did not reduce fractures in adults over 70.\n###Answer: no"
    assert manifest["settings"]["parse"]["preset"] == "pmc-llama"


def test_built_from_the_evaluation_files_and_decontaminated_against_them_keeps_none(tmp_path):
    # MedQA test (decontaminated against its bigbio export), MedMCQA dev, PubMedQA: nothing of theirs is left
    qa = FIXTURES.parent / "qa"
    args = ["build-i", "--medqa", str(qa / "medqa_US_test.jsonl"),
            "--medqa", str(qa / "medqa_phrases_no_exclude_test.jsonl"),
            "--medmcqa", str(qa / "medmcqa_dev.json"), "--pubmedqa", str(qa / "pubmedqa_ori_pqal.json"),
            "--decontaminate", str(qa / "medqa_bigbio_source_test.jsonl"),
            "--decontaminate", str(qa / "medqa_phrases_no_exclude_test.jsonl"),
            "--decontaminate", str(qa / "medmcqa_dev.json"), "--decontaminate", str(qa / "pubmedqa_ori_pqal.json"),
            "--workers", "0", "--allow-empty", "--out", str(tmp_path / "out")]  # fmt: skip
    result = CliRunner().invoke(main, ["-q", *args])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["records"] == {"rationale_qa": {"train": 0, "validation": 0}}
    assert manifest["extra"]["decontamination"]["removed"] == {"medmcqa": 7, "medqa": 5, "pubmedqa": 6}
