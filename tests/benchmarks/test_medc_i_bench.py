"""MedC-I benchmarks on generated inputs: records/s of each builder (one process), and the peak memory of a whole
`medc build-i --umls` run on a generated MRREL of 5 million rows, side by side with the usual way of reading
MRREL (pandas.read_csv of the whole table). Run with `make bench` (or `pytest -s -m benchmark` on this file).

Nothing is committed: every input is generated in a temporary directory at bench time.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from itertools import islice
from pathlib import Path

import pytest

from builders import dialogues, qa, umls
from builders.umls.concepts import build_concept_table, read_sabs
from builders.umls.release import iter_lines, iter_units
from medc.decontamination import InstructionIndex, load_eval_set
from medc.sources import WorkUnit

pytestmark = pytest.mark.benchmark

MRREL_ROWS = int(os.environ.get("MEDC_BENCH_MRREL_ROWS", 5_000_000))
CONCEPTS = 400_000
WORDS = "acute chronic renal cardiac pulmonary hepatic lesion syndrome fever pain infection drug dose therapy "
WORDS = (WORDS + "patient blood pressure insulin glucose artery vein nerve muscle bone skin cell tumor").split()
RELATIONS = [
    ("RO", "may_treat", "may_be_treated_by"),
    ("CHD", "isa", "inverse_isa"),
    ("RO", "has_finding_site", "finding_site_of"),
    ("SIB", "", ""),
]
SABS = [("MSH", 0), ("MED-RT", 0), ("NCI", 0), ("RXNORM", 0), ("SNOMEDCT_US", 9), ("MDR", 3)]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


# --- generators ---------------------------------------------------------------------------------------------


def write_dialogues(root: Path, rng: random.Random) -> None:
    rows = [
        {
            "instruction": "If you are a doctor, please answer the medical questions based on the patient's "
            "description.",
            "input": sentence(rng, 60),
            "output": sentence(rng, 90),
        }
        for _ in range(100_000)
    ]
    (root / "HealthCareMagic-100k.json").write_text(json.dumps(rows))
    with open(root / "healthcaremagic_dialogue_1.txt", "w") as fh:
        for i in range(30_000):
            fh.write(f"id={i}\nhttps://example.org/{i}\nDescription\n{sentence(rng, 8)}\nDialogue\n")
            for _ in range(2):
                fh.write(f"Patient:\n{sentence(rng, 25)}\n{sentence(rng, 15)}\nDoctor:\n{sentence(rng, 40)}\n")
            fh.write("\n")


def write_qa(root: Path, rng: random.Random) -> None:
    with open(root / "medmcqa_train.json", "w") as fh:
        for i in range(100_000):
            row = {
                "id": f"m{i}",
                "question": sentence(rng, 14),
                "exp": sentence(rng, 40),
                "cop": rng.randint(1, 4),
                **{f"op{c}": sentence(rng, 3) for c in "abcd"},
                "subject_name": "Medicine",
            }
            fh.write(json.dumps(row) + "\n")
    with open(root / "medqa_train.jsonl", "w") as fh:
        for _ in range(10_000):
            options = {c: sentence(rng, 3) for c in "ABCD"}
            fh.write(
                json.dumps(
                    {
                        "question": sentence(rng, 120),
                        "options": options,
                        "answer_idx": "C",
                        "answer": options["C"],
                        "meta_info": "step1",
                    }
                )
                + "\n"
            )
    pqaa = {
        str(30_000_000 + i): {
            "QUESTION": sentence(rng, 14),
            "CONTEXTS": [sentence(rng, 80), sentence(rng, 80)],
            "final_decision": rng.choice(["yes", "no", "maybe"]),
            "LONG_ANSWER": sentence(rng, 30),
        }
        for i in range(20_000)
    }
    (root / "ori_pqaa.json").write_text(json.dumps(pqaa))


def write_eval(root: Path, rng: random.Random) -> None:
    with open(root / "medqa_test.jsonl", "w") as fh:
        for _ in range(1273):
            options = {c: sentence(rng, 3) for c in "ABCD"}
            fh.write(json.dumps({"question": sentence(rng, 120), "options": options, "answer_idx": "A"}) + "\n")
    with open(root / "medmcqa_dev.json", "w") as fh:
        for i in range(4183):
            row = {
                "id": f"d{i}",
                "question": sentence(rng, 14),
                "cop": 1,
                **{f"op{c}": sentence(rng, 3) for c in "abcd"},
            }
            fh.write(json.dumps(row) + "\n")


def write_umls(root: Path, rng: random.Random, rows: int) -> None:
    """MRSAB, MRCONSO (3 atoms per concept, one restricted), MRSTY, MRDEF and an MRREL of `rows` rows in inverse
    pairs, a third of them from restricted sources, as in a release."""
    with open(root / "MRSAB.RRF", "w") as fh:
        for sab, srl in SABS:
            fields = [""] * 25
            fields[2:5], fields[13], fields[21] = [f"{sab}2026", sab, f"{sab} source"], str(srl), "Y"
            fh.write("|".join(fields) + "|\n")
    with (
        open(root / "MRCONSO.RRF", "w") as conso,
        open(root / "MRSTY.RRF", "w") as sty,
        open(root / "MRDEF.RRF", "w") as mrdef,
    ):
        for c in range(1, CONCEPTS + 1):
            cui, name = f"C{c:07d}", f"{rng.choice(WORDS)} {rng.choice(WORDS)} {c}"
            conso.write(f"{cui}|ENG|S|L|VO|S|N|A{c}a||||SNOMEDCT_US|PT||{name} (disorder)|9|N|256|\n")
            conso.write(f"{cui}|ENG|P|L|PF|S|Y|A{c}b||||MSH|MH||{name.title()}|0|N|256|\n")
            conso.write(f"{cui}|FRE|P|L|PF|S|Y|A{c}c||||MSHFRE|MH||{name} (fr)|3|N|256|\n")
            sty.write(f"{cui}|T047|B2|Disease or Syndrome|AT{c}|256|\n")
            if c % 4 == 0:
                mrdef.write(f"{cui}|A{c}b|AT{c}d||MSH|{sentence(rng, 25)}|N|256|\n")
    with open(root / "MRREL.RRF", "w") as fh:
        for r in range(0, rows, 2):
            a, b = sorted(rng.sample(range(1, CONCEPTS + 1), 2))
            sab = rng.choice(["MSH", "MED-RT", "NCI", "SNOMEDCT_US", "SNOMEDCT_US", "MDR"])
            rel, rela, inverse = rng.choice(RELATIONS)
            back = {"CHD": "PAR"}.get(rel, rel)
            fh.write(f"C{a:07d}|A|AUI|{rel}|C{b:07d}|A|AUI|{rela}|R{r}||{sab}|{sab}||Y|N|256|\n")
            fh.write(f"C{b:07d}|A|AUI|{back}|C{a:07d}|A|AUI|{inverse}|R{r + 1}||{sab}|{sab}||N|N|256|\n")


# --- measuring ----------------------------------------------------------------------------------------------


def rate(label: str, func, table: list) -> None:
    start = time.perf_counter()
    made, units = func()
    seconds = time.perf_counter() - start
    table.append((label, units, made, seconds, made / seconds))


def tree_pss(pid: int) -> int:
    """Proportional set size of `pid` and all its descendants: resident bytes, with pages the forked workers
    share with their parent counted once (summing RSS would count them once per process)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                total += next(int(line.split()[1]) * 1024 for line in fh if line.startswith("Pss:"))
        except (OSError, StopIteration):
            pass
    return total


def peak_memory(cmd: list[str]) -> tuple[float, float, str]:
    """(peak memory (PSS) of the process tree in MiB, wall seconds, stderr tail) of running `cmd`."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_pss(proc.pid))
            time.sleep(0.05)

    start = time.perf_counter()
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    _, err = proc.communicate()
    thread.join()
    assert proc.returncode == 0, err[-3000:]
    return peak[0] / 2**20, time.perf_counter() - start, err[-400:]


def builder_rates(tmp: Path, table: list) -> None:
    def parse_file(path: Path, fn):
        def run():
            made = sum(1 for r in fn(WorkUnit(str(path), path.read_bytes())) if type(r).__name__ == "Instruction")
            return made, 1

        return run

    d = dialogues.DialogueOptions()
    rate(
        "dialogues: ChatDoctor JSON (100k rows)",
        parse_file(tmp / "HealthCareMagic-100k.json", lambda u: dialogues.parse(u, d)),
        table,
    )
    rate(
        "dialogues: MedDialog text (30k, 4 turns)",
        parse_file(tmp / "healthcaremagic_dialogue_1.txt", lambda u: dialogues.parse(u, d)),
        table,
    )
    for name, dataset in (
        ("medmcqa_train.json", "medmcqa"),
        ("medqa_train.jsonl", "medqa"),
        ("ori_pqaa.json", "pubmedqa"),
    ):
        options = qa.QAOptions(dataset=dataset)
        rate(f"qa: {dataset} (2 styles)", parse_file(tmp / name, lambda u, o=options: qa.parse(u, o)), table)
    umls_dir = tmp / "umls"
    allowed, _ = read_sabs(iter_lines([umls_dir / "MRSAB.RRF"]))
    holder = {}

    def concepts():
        holder["t"] = build_concept_table(
            iter_lines([umls_dir / "MRCONSO.RRF"]), iter_lines([umls_dir / "MRSTY.RRF"]), allowed
        )
        return 3 * CONCEPTS, 1

    rate("umls: concept table (MRCONSO lines/s)", concepts, table)
    task = umls.UmlsTask(holder["t"], frozenset(allowed))

    def chunks(name: str, limit: int):
        def run():
            made = units = 0
            for unit in iter_units([umls_dir / name], 20_000):
                made += sum(1 for r in task(unit) if type(r).__name__ == "Instruction")
                units += 1
                if units * 20_000 >= limit:
                    break
            return made, units

        return run

    rate("umls: MRREL relation prompts (first 1M rows)", chunks("MRREL.RRF", 1_000_000), table)
    rate("umls: MRDEF definition prompts", chunks("MRDEF.RRF", 10**9), table)
    items = load_eval_set([str(tmp / "eval" / name) for name in ("medqa_test.jsonl", "medmcqa_dev.json")]).items
    index = InstructionIndex(items)
    records = [
        r
        for r in qa.parse(WorkUnit("m", (tmp / "medmcqa_train.json").read_bytes()), qa.QAOptions(dataset="medmcqa"))
        if type(r).__name__ == "Instruction"
    ]

    def check():
        pairs = [(r.instruction, r.input) for r in records[:100_000]]
        for start in range(0, len(pairs), 5000):
            index.check(pairs[start : start + 5000])
        return len(pairs), 1

    rate(f"decontamination check ({len(items)} eval items)", check, table)


def test_medc_i_throughput_and_mrrel_peak_memory(tmp_path):
    rng = random.Random(0)
    (tmp_path / "umls").mkdir()
    (tmp_path / "eval").mkdir()
    start = time.perf_counter()
    write_dialogues(tmp_path, rng)
    write_qa(tmp_path, rng)
    write_eval(tmp_path / "eval", rng)
    write_umls(tmp_path / "umls", rng, MRREL_ROWS)
    mrrel_mb = (tmp_path / "umls" / "MRREL.RRF").stat().st_size / 2**20
    print(f"\ngenerated inputs in {time.perf_counter() - start:.0f} s; MRREL: {MRREL_ROWS:,} rows, {mrrel_mb:.0f} MiB")

    table: list = []
    builder_rates(tmp_path, table)
    print(f"\n{'builder (one process)':48} {'units':>6} {'records':>10} {'seconds':>8} {'records/s':>10}")
    for label, units, made, seconds, per_second in table:
        print(f"{label:48} {units:>6} {made:>10,} {seconds:>8.2f} {per_second:>10,.0f}")

    # A fifth of the relation rows make prompts (all rows are still read, filtered and sampled): memory is what
    # this measures. The same build on the first fifth of MRREL shows whether memory grows with MRREL.
    small = tmp_path / "umls-small"
    small.mkdir()
    for name in ("MRSAB", "MRCONSO", "MRSTY", "MRDEF"):
        (small / f"{name}.RRF").symlink_to(tmp_path / "umls" / f"{name}.RRF")
    with open(tmp_path / "umls" / "MRREL.RRF") as src, open(small / "MRREL.RRF", "w") as dst:
        dst.writelines(islice(src, MRREL_ROWS // 5))
    rows = []
    for label, umls_dir, n in (("all", tmp_path / "umls", MRREL_ROWS), ("fifth", small, MRREL_ROWS // 5)):
        out = tmp_path / f"out-{label}"
        cmd = [
            sys.executable,
            "-m",
            "medc",
            "-q",
            "build-i",
            "--umls",
            str(umls_dir),
            "--workers",
            "2",
            "--set",
            "umls.relation_fraction=0.2",
            "--out",
            str(out),
        ]
        peak, seconds, _ = peak_memory(cmd)
        kept = sum(sum(s.values()) for s in json.loads((out / "manifest.json").read_text())["records"].values())
        rows.append((f"medc build-i --umls, MRREL {n:,} rows (all processes)", peak, seconds, kept))
    naive = (
        "import pandas as pd, sys; t = pd.read_csv(sys.argv[1], sep='|', header=None, dtype=str, "
        "usecols=[0, 3, 4, 7, 8, 10, 13, 14], keep_default_na=False, engine='c'); print(len(t))"
    )
    theirs, their_seconds, _ = peak_memory([sys.executable, "-c", naive, str(tmp_path / "umls" / "MRREL.RRF")])
    rows.append((f"pandas.read_csv(MRREL {MRREL_ROWS:,} rows, 8 columns), read only", theirs, their_seconds, 0))
    print(f"\nMRREL {MRREL_ROWS:,} rows ({mrrel_mb:.0f} MiB), {CONCEPTS:,} concepts; 2 workers; PSS of all processes")
    print(f"{'':64} {'peak MiB':>9} {'seconds':>8} {'records':>9}")
    for label, peak, seconds, kept in rows:
        print(f"{label:64} {peak:>9,.0f} {seconds:>8.1f} {kept:>9,}")
    ours = rows[0][1]
    assert ours < theirs
