"""Decontamination measured as whole `medc` processes: what it catches, what it removes that it should not, and
what it costs, on generated evaluation sets of the real sizes and formats (tests/benchmarks/synthetic_eval_sets.py:
MedQA test 1,273, MedMCQA dev 4,183, PubMedQA 1,000 with a 500-item test split). Run with `make bench`.

- build-i over training files carrying planted items (copies, moved line breaks, reworded options or stems,
  British spelling, one-line and question-only dialogues, edited vignettes, abstracts under other PMIDs) plus
  8,000 clean generated MedMCQA items: removed per case, clean items removed, and the time against the same build
  without `--decontaminate`, side by side.
- build-i from the evaluation files themselves, decontaminated against them: nothing of theirs may be left.
- build-k over real PMC articles (set MEDC_JATS_DIR to a folder of JATS files, e.g. the development corpus) with
  PubMedQA items made from some of their abstracts, keyed by PMID or by text only: exactly those are removed.
Generated data: the figures say so next to them.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.benchmarks.synthetic_eval_sets import EvalSetGenerator, TrainingWriter

pytestmark = pytest.mark.benchmark
MEDC = [sys.executable, "-m", "medc", "-q"]


def build_i(out: Path, args: list[str], evals: list[Path] | None) -> float:
    decon = [a for p in evals or [] for a in ("--decontaminate", str(p))]
    start = time.perf_counter()
    cmd = [*MEDC, "build-i", *args, *decon, "--workers", "2", "--fresh", "--out", str(out)]
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def test_medc_i_catches_planted_items_and_spares_clean_ones(tmp_path):
    gen = EvalSetGenerator(0)
    ev = gen.write_eval(tmp_path / "eval", medqa=1273, medmcqa=4183, pubmedqa=1000)
    planted = TrainingWriter(gen, ev, tmp_path / "train").write(per_case=100, clean=8000)
    t = tmp_path / "train"
    args = ["--dialogues", str(t / "HealthCareMagic-100k.json"), "--medqa", str(t / "US_train.jsonl"),
            "--medmcqa", str(t / "train.json"), "--pubmedqa", str(t / "ori_pqaa.json"),
            "--medmcqa-cop-base", "1"]  # fmt: skip
    evals = [ev.medqa, ev.medmcqa, ev.pubmedqa, ev.ground_truth]
    plain = build_i(tmp_path / "plain", args, None)
    decon = build_i(tmp_path / "decon", args, evals)
    rejected = [json.loads(x) for x in (tmp_path / "decon" / "rejections.jsonl").read_text().splitlines()]
    removed = {r["record_id"].split("#")[0]: r["detail"] for r in rejected if r["reason"] == "contaminated"}
    cases: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for p in planted:
        cases[p.case][0] += 1
        cases[p.case][1] += p.record in removed
    print("\ndecontamination of generated MedC-I inputs (generated data)")
    for case, (n, hit) in sorted(cases.items()):
        print(f"  {case:32s} {hit:4d} of {n:4d} removed")
    clean = len(set(removed) - {p.record for p in planted})
    print(f"  clean records removed: {clean} (most ask an evaluation question verbatim: small generated vocabulary)")
    print(f"  build-i time: {decon:.1f} s with --decontaminate, {plain:.1f} s without ({decon / plain:.2f}x)")
    for case in ("medmcqa_copy", "medmcqa_line_break", "medmcqa_reworded_option", "medmcqa_british_spelling",
                 "medmcqa_one_line_dialogue", "medmcqa_reworded_question", "medqa_copy", "medqa_quoted_vignette",
                 "pubmedqa_abstract_other_pmid"):  # fmt: skip
        assert cases[case][1] == cases[case][0], case
    assert cases["medmcqa_question_only_unique"][1] >= 0.9 * cases["medmcqa_question_only_unique"][0]


def test_medc_i_from_the_evaluation_files_keeps_none_of_their_items(tmp_path):
    gen = EvalSetGenerator(3)
    ev = gen.write_eval(tmp_path / "eval", medqa=1273, medmcqa=4183, pubmedqa=1000)
    args = ["--medqa", str(ev.medqa), "--medmcqa", str(ev.medmcqa), "--pubmedqa", str(ev.pubmedqa),
            "--medmcqa-cop-base", "1", "--validation-fraction", "0.1"]  # fmt: skip
    seconds = build_i(tmp_path / "out", args, [ev.medqa, ev.medmcqa, ev.pubmedqa])
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    sources = manifest["extra"]["instructions"]["sources"]
    removed = json.dumps(manifest["extra"]["decontamination"]["removed"])
    print(f"\nself-decontamination (generated data, {seconds:.1f} s): removed {removed}")
    assert all(s["train"] == 0 and s["validation"] == 0 for s in sources.values()), sources
    assert manifest["records"] == {"rationale_qa": {"train": 0, "validation": 0}}


@pytest.mark.skipif(not os.environ.get("MEDC_JATS_DIR"), reason="set MEDC_JATS_DIR to a folder of real JATS files")
def test_medc_k_removes_exactly_the_articles_whose_abstracts_are_planted(tmp_path):
    from tests.benchmarks.planted_abstracts import plant_pubmedqa_items

    jats = Path(os.environ["MEDC_JATS_DIR"])
    base = tmp_path / "base"
    subprocess.run([*MEDC, "build-k", "--pmc", str(jats), "--workers", "2", "--out", str(base)], check=True)
    eval_file, planted = plant_pubmedqa_items(jats, base, tmp_path / "eval", per_kind=5)
    out = tmp_path / "out"
    cmd = [*MEDC, "build-k", "--pmc", str(jats), "--decontaminate", str(eval_file), "--workers", "2", "--out", str(out)]
    subprocess.run(cmd, check=True)
    rejected = [json.loads(x) for x in (out / "rejections.jsonl").read_text().splitlines()]
    removed = {r["origin"].rsplit("/", 1)[-1]: r["detail"] for r in rejected if r["reason"] == "contaminated"}
    for name, how in sorted(planted.items()):
        print(f"  {name[:50]:50s} planted by {how}: {removed.get(name, 'KEPT')}")
    assert set(removed) == set(planted)
