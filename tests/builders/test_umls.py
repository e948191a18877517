import gzip
import pickle
import shutil
from functools import partial
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders.umls import UmlsOptions, UmlsTask, clean_definition, objects, parse_definitions, parse_relations
from builders.umls.concepts import build_concept_table, read_sabs
from builders.umls.prompts import relation_skip
from builders.umls.release import find_rrf, iter_units, load_release
from medc.instructions import templates
from medc.records import Instruction, Message, Notice, Rejection
from medc.sources import WorkUnit

FIXTURES = Path(__file__).parents[1] / "fixtures" / "medc_i" / "umls"


def lines(name: str) -> list[str]:
    return (FIXTURES / f"{name}.RRF").read_text(encoding="utf-8").splitlines()


ALLOWED, EVERY = read_sabs(lines("MRSAB"))
TABLE = build_concept_table(lines("MRCONSO"), lines("MRSTY"), ALLOWED)
OPTIONS = UmlsOptions()


def relations(options: UmlsOptions = OPTIONS, data: bytes | None = None) -> list:
    data = (FIXTURES / "MRREL.RRF").read_bytes() if data is None else data
    return list(parse_relations(WorkUnit("META/MRREL.RRF#1-10", data), TABLE, frozenset(ALLOWED), options))


def test_only_current_srl0_sources_are_allowed_and_wrong_requests_refused():
    assert sorted(ALLOWED) == ["MED-RT", "MSH", "NCI"]
    assert ALLOWED["MSH"].vsab == "MSH2026"  # the CURVER=N row of 2025 does not replace it
    assert EVERY["SNOMEDCT_US"].srl == 9 and EVERY["MDR"].srl == 3
    with pytest.raises(ValueError, match="restriction level 9 > max_srl=0"):
        read_sabs(lines("MRSAB"), 0, ["SNOMEDCT_US"])
    with pytest.raises(ValueError, match="'RXNORM' is not in MRSAB"):
        read_sabs(lines("MRSAB"), 0, ["RXNORM"])
    assert sorted(read_sabs(lines("MRSAB"), 3)[0]) == ["MDR", "MED-RT", "MSH", "NCI"]
    assert sorted(read_sabs(lines("MRSAB"), 0, ["MSH"])[0]) == ["MSH"]


def test_concept_names_are_english_preferred_allowed_and_unsuppressed():
    name = {cui: TABLE.name(TABLE.find(cui)) for cui in ("C0011849", "C0025598", "C0004096")}
    # "DM" comes first but is not the preferred term; the SNOMED string is restricted.
    assert name["C0011849"] == "Diabetes Mellitus"
    # The obsolete preferred atom is suppressed: the allowed synonym names the concept.
    assert name["C0025598"] == "Metformin"
    assert name["C0004096"] == "Asthma"  # not the French atom
    assert TABLE.find("C0000001") == -1  # only a restricted source names it
    assert TABLE.find("not-a-cui") == -1
    assert TABLE.semantic_type(TABLE.find("C0025598")) == "Organic Chemical, Pharmacologic Substance"
    assert TABLE.semantic_type(TABLE.find("C0018827")) == ""


def test_unsorted_mrconso_gives_the_same_table():
    shuffled = list(reversed(lines("MRCONSO")))
    table = build_concept_table(shuffled, lines("MRSTY"), ALLOWED)
    assert table.cuis.tolist() == TABLE.cuis.tolist()
    assert [table.name(i) for i in range(len(table))] == [TABLE.name(i) for i in range(len(TABLE))]


def test_relation_is_read_right_to_left():
    out = relations()
    treat = next(r for r in out if isinstance(r, Instruction) and r.sample_id == "umls:rel:MED-RT:R0000001#relation")
    # MRREL: C0011849 (Diabetes Mellitus) | RO | C0025598 (Metformin) | may_treat  →  Metformin may treat diabetes.
    instruction = templates.pick(templates.UMLS_RELATION, 0, treat.sample_id)
    text = "Concept A: Metformin\nConcept B: Diabetes Mellitus"
    assert treat == Instruction(
        instruction=instruction,
        input=text,
        output="Metformin may treat Diabetes Mellitus.",
        source="umls_relation",
        sample_id="umls:rel:MED-RT:R0000001#relation",
        messages=[
            Message("user", f"{instruction}\n\n{text}"),
            Message("assistant", "Metformin may treat Diabetes Mellitus."),
        ],
        origin="META/MRREL.RRF#1-10",
    )
    # Completion prompts are grouped per (concept, relation) across the file: see test_completion_prompts_*.
    assert not any(isinstance(r, Instruction) and r.sample_id.endswith("#object") for r in out)


def test_which_rows_make_prompts_and_why_the_others_do_not():
    out = relations()
    kept = sorted({r.sample_id.split("#")[0] for r in out if isinstance(r, Instruction)})
    # R0000009 asthma/albuterol, R0000001 diabetes/metformin, R0000004 the CHD row of the heart pair
    assert kept == ["umls:rel:MED-RT:R0000001", "umls:rel:MED-RT:R0000009", "umls:rel:MSH:R0000004"]
    heart = next(r for r in out if isinstance(r, Instruction) and r.sample_id == "umls:rel:MSH:R0000004#relation")
    assert heart.output == "Heart Ventricles is a child of Heart."  # C0018787 CHD C0018827: CUI2 is the child
    notices = {n.code: n.count for n in out if isinstance(n, Notice)}
    assert notices == {
        "umls_rows_inverse": 2,  # DIR=N (may_be_treated_by) and the PAR row of the undirected heart pair
        "umls_rows_other_rel": 1,  # SY
        "umls_rows_restricted": 1,  # SNOMEDCT_US
        "umls_rows_suppressed": 1,  # SUPPRESS=O
        "umls_rows_unnamed": 1,  # C0000001 has no allowed English name
    }
    (bad,) = [r for r in out if isinstance(r, Rejection)]
    assert bad == Rejection(
        "META/MRREL.RRF#1-10", "rrf_malformed", "line 6: 3 `|`-separated parts, MRREL has 16 fields"
    )


def test_relation_options_prompt_kinds_and_deterministic_fraction():
    only = [r.sample_id for r in relations(UmlsOptions(relation_prompts=("object",))) if isinstance(r, Instruction)]
    assert only == []  # no relation prompts; the completion prompts come from the grouped fact units
    rows = "".join(f"C{i:07d}|||RO|C{i + 1:07d}|||may_treat|R{i}||MSH|MSH||Y|N||\n" for i in range(1, 400)).encode()
    table = build_concept_table(
        [f"C{i:07d}|ENG|P||PF||Y|||||MSH|MH||Concept {i}|0|N||" for i in range(1, 401)], [], ALLOWED
    )

    def kept(seed: int) -> list[str]:
        options = UmlsOptions(relation_fraction=0.25, seed=seed, relation_prompts=("relation",))
        unit = WorkUnit("MRREL.RRF", rows)
        return [
            r.sample_id for r in parse_relations(unit, table, frozenset(ALLOWED), options) if isinstance(r, Instruction)
        ]

    assert kept(1) == kept(1) and kept(1) != kept(2)
    assert 60 < len(kept(1)) < 140


def test_definitions_named_typed_cleaned_and_filtered():
    unit = WorkUnit("META/MRDEF.RRF#1-5", (FIXTURES / "MRDEF.RRF").read_bytes())
    out = list(parse_definitions(unit, TABLE, frozenset(ALLOWED), OPTIONS))
    made = [r for r in out if isinstance(r, Instruction)]
    assert [(r.sample_id, r.input, r.output) for r in made] == [
        (
            "umls:def:MSH:AT0000001",
            "Diabetes Mellitus",
            "Diabetes Mellitus (Disease or Syndrome): A heterogeneous group of disorders characterized by "
            "hyperglycemia and glucose intolerance.",
        ),
        (
            "umls:def:NCI:AT0000002",
            "Metformin",
            "Metformin (Organic Chemical, Pharmacologic Substance): A biguanide antihyperglycemic agent & "
            "first-line drug for type 2 diabetes.",
        ),
    ]
    assert made[0].source == "umls_definition" and made[0].instruction in templates.UMLS_DEFINITION
    assert {n.code: n.count for n in out if isinstance(n, Notice)} == {
        "umls_rows_definition_restricted": 1,
        "umls_rows_definition_suppressed": 1,
        "umls_rows_definition_unnamed": 1,
    }


def test_clean_definition_strips_tags_not_comparisons():
    assert clean_definition("<p>Low <b>blood</b> pH</p> &lt;7.35") == "Low blood pH <7.35"
    assert clean_definition("values x < 5 and y > 3") == "values x < 5 and y > 3"


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=12))
def test_chunking_never_changes_the_records(chunk):
    whole = [r for r in relations() if isinstance(r, Instruction)]
    task = UmlsTask(TABLE, frozenset(ALLOWED), OPTIONS)
    pieces = [r for u in iter_units([FIXTURES / "MRREL.RRF"], chunk) for r in task(u) if isinstance(r, Instruction)]
    assert [(r.sample_id, r.output) for r in pieces] == [(r.sample_id, r.output) for r in whole]


def test_release_loading_split_and_gzipped_files(tmp_path):
    meta = tmp_path / "2026AA" / "META"
    meta.mkdir(parents=True)
    for name in ("MRSAB", "MRSTY", "MRDEF"):
        shutil.copy(FIXTURES / f"{name}.RRF", meta)
    conso = (FIXTURES / "MRCONSO.RRF").read_text().splitlines(keepends=True)
    (meta / "MRCONSO.RRF.aa").write_text("".join(conso[:5]))
    (meta / "MRCONSO.RRF.ab").write_text("".join(conso[5:]))
    (meta / "MRREL.RRF.gz").write_bytes(gzip.compress((FIXTURES / "MRREL.RRF").read_bytes()))
    assert [p.name for p in find_rrf(tmp_path / "2026AA", "MRCONSO")] == ["MRCONSO.RRF.aa", "MRCONSO.RRF.ab"]
    release = load_release(tmp_path / "2026AA", UmlsOptions(chunk_lines=4))
    assert release.info["concepts_named"] == len(TABLE)
    assert release.info["sabs_allowed"]["MED-RT"] == {
        "version": "MED-RT_2026",
        "srl": 0,
        "name": "Medication Reference Terminology",
    }
    origins = [u.origin for u in release.units()]
    assert origins == [
        "2026AA/META/MRDEF.RRF#1-4",  # named from the release directory, no local path
        "2026AA/META/MRDEF.RRF#5-5",
        "2026AA/META/MRREL.RRF.gz#1-4",
        "2026AA/META/MRREL.RRF.gz#5-8",
        "2026AA/META/MRREL.RRF.gz#9-10",
        "2026AA/META/MRREL.RRF.gz#objects-00000",
    ]
    assert release.info["release"] == "2026AA" and release.info["completion_facts"] == 3
    task = pickle.loads(pickle.dumps(release.task))  # shipped once to every worker
    assert task.table.name(task.table.find("C0011849")) == "Diabetes Mellitus"
    with pytest.raises(FileNotFoundError, match=r"no MRREL\.RRF"):
        (meta / "MRREL.RRF.gz").unlink()
        load_release(tmp_path / "2026AA", UmlsOptions())


# stands for MRREL rows of one concept with several parents (MSH and NCI both assert some of them), spread over
# the file, as MRREL is sorted by CUI1 and the subject of a row is its CUI2
ASPIRIN_ROWS = [
    "C0036200|A1||CHD|C0004057|A2||isa|R101||MSH|MSH||Y|N||",
    "C0004096||CUI|RO|C0001927||CUI|may_treat|R0000009||MED-RT|MED-RT||Y|N|256|",
    "C0032056|A3||CHD|C0004057|A4||isa|R102||MSH|MSH||Y|N||",
    "C0003211|A5||CHD|C0004057|A6||isa|R103||NCI|NCI||Y|N||",
    "C0003211|A7||CHD|C0004057|A8||isa|R104||MSH|MSH||Y|N||",
    "C0004057|A9||CHD|C0004057|A10||isa|R105||MSH|MSH||Y|N||",
]
ASPIRIN_NAMES = {
    "C0004057": "Aspirin",
    "C0036200": "Salicylates",
    "C0032056": "Platelet Aggregation Inhibitors",
    "C0003211": "Anti-Inflammatory Agents, Non-Steroidal",
    "C0001927": "Albuterol",
    "C0004096": "Asthma",
}


def grouped(options: UmlsOptions, rows: list[str] = ASPIRIN_ROWS) -> tuple[list, list]:
    names = [f"{cui}|ENG|P||PF||Y|||||MSH|MH||{name}|0|N||" for cui, name in sorted(ASPIRIN_NAMES.items())]
    table = build_concept_table(names, [], ALLOWED)
    skip = partial(relation_skip, allowed=frozenset(ALLOWED), rels=frozenset(options.rels), options=options)
    facts = objects.collect_facts(rows, table, skip)
    units = list(objects.fact_units(facts, "2026AA/META/MRREL.RRF", options.chunk_lines))
    task = UmlsTask(table, frozenset(ALLOWED), options, facts.labels, facts.sab_names)
    out = [r for u in units for r in task(u)]
    return units, out


def test_completion_prompts_list_every_object_of_a_concept_and_relation_once():
    _, out = grouped(UmlsOptions())
    made = [r for r in out if isinstance(r, Instruction)]
    aspirin = next(r for r in made if r.input == "Concept: Aspirin\nRelation: is a")
    # One prompt, one answer: no contradicting records "Aspirin is a Salicylates" / "... Platelet Aggregation ..."
    assert aspirin.output == "Anti-Inflammatory Agents, Non-Steroidal; Platelet Aggregation Inhibitors; Salicylates"
    assert aspirin.sample_id == "umls:obj:MSH+NCI:C0004057:is_a#object" and aspirin.source == "umls_relation"
    assert aspirin.instruction in templates.UMLS_OBJECTS and aspirin.origin == "2026AA/META/MRREL.RRF#objects-00000"
    albuterol = next(r for r in made if r.input == "Concept: Albuterol\nRelation: may treat")
    assert albuterol.output == "Asthma" and albuterol.instruction in templates.UMLS_OBJECT
    assert len(made) == 2  # the row naming Aspirin as its own parent makes no prompt


def test_completion_lists_are_capped_and_the_cap_counted():
    _, out = grouped(UmlsOptions(max_objects=2))
    aspirin = next(r for r in out if isinstance(r, Instruction) and r.input.startswith("Concept: Aspirin"))
    assert aspirin.output == "Anti-Inflammatory Agents, Non-Steroidal; Platelet Aggregation Inhibitors (and 1 more)"
    assert {n.code: n.count for n in out if isinstance(n, Notice)} == {"umls_object_lists_capped": 1}


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=1, max_value=6), st.permutations(ASPIRIN_ROWS))
def test_grouping_never_splits_a_group_whatever_the_unit_size_or_row_order(size, rows):
    units, out = grouped(UmlsOptions(chunk_lines=size), list(rows))
    assert len(units) >= 1
    made = sorted((r.sample_id, r.output) for r in out if isinstance(r, Instruction))
    _, reference = grouped(UmlsOptions())
    assert made == sorted((r.sample_id, r.output) for r in reference if isinstance(r, Instruction))


def test_options_are_validated():
    with pytest.raises(ValueError, match="relation_fraction"):
        UmlsOptions(relation_fraction=1.5)
    with pytest.raises(ValueError, match="relation_prompts"):
        UmlsOptions(relation_prompts=("subject",))
    with pytest.raises(ValueError, match="max_objects"):
        UmlsOptions(max_objects=0)
