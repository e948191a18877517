"""UMLS Metathesaurus (RRF) into knowledge-graph prompts (MedC-I config `umls_kg`).

The MRREL row (pipe-delimited, trailing `|`; FORMATS.md section 4)

    C0011849|A0041238|AUI|RO|C0025598|A0084553|AUI|may_treat|R123456||MED-RT|MED-RT||Y|N||

is read right to left, as UMLS defines it: CUI2 `may_treat` CUI1, so with the English preferred names from
MRCONSO it becomes the relation prompt

    Instruction(instruction="Name the relation that links these two biomedical concepts.",
                input="Concept A: Metformin\nConcept B: Diabetes Mellitus",
                output="Metformin may treat Diabetes Mellitus.", source="umls_relation",
                sample_id="umls:rel:MED-RT:R123456#relation", ...)

and, with every other row of (Metformin, may treat), one completion prompt listing all the objects
(`objects.py`: `input="Concept: Metformin\nRelation: may treat"`, `output="Diabetes Mellitus; Obesity"`).
An MRDEF row `C0004057|A0022142|AT38152019||MSH|An analgesic ...|N||` becomes the entity prompt
`input="Aspirin"`, `output="Aspirin (Pharmacologic Substance): An analgesic ..."`, `source="umls_definition"`.

What is kept: rows of sources whose restriction level (MRSAB `SRL`) is at most `max_srl` (0 by default: the
only level that allows derived works to be published), not suppressed (`SUPPRESS` = N), with both concepts named
in English by an allowed source. Of each inverse pair (`may_treat`/`may_be_treated_by`) one row is kept: the
source-asserted one (`DIR` = Y), or, where the source asserts no direction, the one with CUI1 < CUI2. Rows
dropped by design are counted as notices (`umls_rows_<why>`), malformed rows are rejections.

Memory stays bounded: MRREL and MRDEF arrive as chunks of lines (work units); the whole-release state is the
`ConceptTable` (one English name and semantic type per concept, in flat numpy arrays), shipped once per worker,
and the grouped completion facts (four int32 per row), which travel in their own work units.
The sample id carries the SAB (`umls:<rel|def|obj>:<SAB>:<id>`) so the build can record which sources were used.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from builders.umls import objects
from builders.umls.concepts import ConceptTable
from medc.instructions import templates
from medc.records import Instruction, Notice, Rejection
from medc.sources import WorkUnit

log = logging.getLogger(__name__)

MRREL_FIELDS, MRDEF_FIELDS = 16, 8
RELATION_PROMPTS = ("relation", "object")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")

Output = Iterator[Instruction | Rejection | Notice]


@dataclass(frozen=True)
class UmlsOptions:
    max_srl: int = 0
    """Highest source restriction level (MRSAB `SRL`) to use; 0 is the only one free of extra licence terms."""
    sabs: tuple[str, ...] = ()
    """Use only these sources (root SABs, e.g. MSH, MED-RT); empty: every source allowed by `max_srl`."""
    rels: tuple[str, ...] = ("PAR", "CHD", "RB", "RN", "RO")
    """REL values to make relation prompts of (SY, SIB, RQ, RL ... say little a model can learn)."""
    relation_prompts: tuple[str, ...] = RELATION_PROMPTS
    """Prompts per relation row: `relation` (two concepts → relation), `object` (relation + one → the other)."""
    relation_fraction: float = 1.0
    """Keep this fraction of relation rows, chosen by hashing the RUI with the seed (deterministic)."""
    definitions: bool = True
    """Make entity-description prompts from MRDEF."""
    seed: int = 0
    chunk_lines: int = 20_000
    """MRREL/MRDEF lines per work unit (the runner keeps a few units per worker in flight, records included)."""
    definition_source: str = "umls_definition"
    """`source` of the entity prompts (`umls` in PMC-LLaMA's release)."""
    relation_source: str = "umls_relation"
    """`source` of the relation and completion prompts."""
    max_objects: int = 10
    """Objects listed at most in the answer of a (concept, relation) completion prompt; longer lists end with
    "(and N more)" and are counted (`umls_object_lists_capped`)."""

    def __post_init__(self) -> None:
        if not 0 <= self.max_srl <= 9:
            raise ValueError(f"max_srl={self.max_srl}: restriction levels run 0-4 and 9 (see MRSAB SRL)")
        if not 0.0 <= self.relation_fraction <= 1.0:
            raise ValueError(f"relation_fraction={self.relation_fraction}: give a fraction between 0 and 1")
        bad = [p for p in self.relation_prompts if p not in RELATION_PROMPTS]
        if bad:
            raise ValueError(f"relation_prompts: {bad[0]!r} is not one of {list(RELATION_PROMPTS)}")
        if self.chunk_lines < 1 or self.max_objects < 1:
            raise ValueError(f"chunk_lines={self.chunk_lines} and max_objects={self.max_objects}: must be at least 1")


@dataclass(frozen=True)
class UmlsTask:
    """The picklable task of the `umls_kg` source: dispatches MRREL and MRDEF chunks (origins name the file)."""

    table: ConceptTable
    allowed: frozenset[str]
    options: UmlsOptions = field(default_factory=UmlsOptions)
    labels: tuple[str, ...] = ()  # relation phrases and SABs the grouped completion units refer to
    sab_names: tuple[str, ...] = ()

    def __call__(self, unit: WorkUnit) -> Output:
        if objects.OBJECTS_MARK in unit.origin:
            o = self.options
            return objects.parse_objects(unit, self.table, self.labels, self.sab_names, o)
        if "MRDEF" in unit.origin.rsplit("/", 1)[-1]:
            return parse_definitions(unit, self.table, self.allowed, self.options)
        return parse_relations(unit, self.table, self.allowed, self.options)


def _chunk_lines(unit: WorkUnit) -> Iterator[tuple[int, str]]:
    """(line number in the file, text) of a chunk whose origin ends in `#<first line>-<last line>`."""
    first = int(unit.origin.rsplit("#", 1)[-1].split("-")[0]) if "#" in unit.origin else 1
    # split("\n"), not splitlines(): that would also cut at U+2028 or U+0085 inside a UMLS string.
    lines = unit.data.decode("utf-8", errors="replace").split("\n")
    for n, line in enumerate(lines, start=first):
        if line:
            yield n, line.rstrip("\r")


def parse_relations(unit: WorkUnit, table: ConceptTable, allowed: frozenset[str], options: UmlsOptions) -> Output:
    skipped: Counter[str] = Counter()
    rels = frozenset(options.rels)
    for number, line in _chunk_lines(unit):
        f = line.split("|")
        if len(f) not in (MRREL_FIELDS, MRREL_FIELDS + 1):  # with or without the trailing `|`
            yield Rejection(
                unit.origin, "rrf_malformed", f"line {number}: {len(f)} `|`-separated parts, MRREL has 16 fields"
            )
            continue
        why = relation_skip(f, allowed, rels, options)
        if why:
            skipped[why] += 1
            continue
        subject, obj = table.find(f[4]), table.find(f[0])  # read right to left: CUI2 REL/RELA CUI1
        if subject < 0 or obj < 0:
            skipped["unnamed"] += 1
            continue
        s_name, o_name = table.name(subject), table.name(obj)
        if s_name.casefold() == o_name.casefold():
            skipped["same_name"] += 1
            continue
        yield from _relation_records(f, s_name, o_name, unit.origin, options)
    yield from (Notice(unit.origin, f"umls_rows_{why}", n) for why, n in sorted(skipped.items()))


def relation_skip(f: list[str], allowed: frozenset[str], rels: frozenset[str], options: UmlsOptions) -> str:
    """Why a well-formed MRREL row makes no prompt, or "" when it does (shared by the relation prompts and the
    grouped completion prompts of `objects.py`)."""
    if f[14] != "N":
        return "suppressed"
    if f[10] not in allowed:
        return "restricted"
    if f[3] not in rels:
        return "other_rel"
    if f[0] == f[4]:
        return "self"
    if f[13] == "N" or (f[13] != "Y" and f[0] > f[4]):
        return "inverse"  # the other row of the pair says the same thing
    if options.relation_fraction < 1.0 and _fraction(options.seed, f[8]) >= options.relation_fraction:
        return "sampled_out"
    return ""


def _fraction(seed: int, key: str) -> float:
    digest = hashlib.blake2b(f"{seed}\x00{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") / 2**64


def _relation_records(f: list[str], subject: str, obj: str, origin: str, options: UmlsOptions) -> Output:
    """The relation prompt of one row; completion prompts are grouped per (subject, relation) in `objects.py`."""
    if "relation" not in options.relation_prompts:
        return
    words = templates.relation_words(f[3], f[7])
    sample_id = f"umls:rel:{f[10]}:{f[8] or f[0] + '-' + f[4]}#relation"
    text = templates.RELATION_INPUT.format(subject=subject, object=obj)
    output = templates.RELATION_OUTPUT.format(subject=subject, relation=words, object=obj)
    instruction = templates.pick(templates.UMLS_RELATION, options.seed, sample_id)
    messages = templates.to_messages(instruction, text, output)
    yield Instruction(instruction, text, output, options.relation_source, sample_id, messages, origin)


def parse_definitions(unit: WorkUnit, table: ConceptTable, allowed: frozenset[str], options: UmlsOptions) -> Output:
    skipped: Counter[str] = Counter()
    for number, line in _chunk_lines(unit):
        f = line.split("|")
        if len(f) not in (MRDEF_FIELDS, MRDEF_FIELDS + 1):
            yield Rejection(
                unit.origin, "rrf_malformed", f"line {number}: {len(f)} `|`-separated parts, MRDEF has 8 fields"
            )
            continue
        definition = clean_definition(f[5])
        why = (
            "suppressed" if f[6] != "N" else "restricted" if f[4] not in allowed else "empty" if not definition else ""
        )
        i = table.find(f[0]) if not why else -1
        if why or i < 0:
            skipped[f"definition_{why or 'unnamed'}"] += 1
            continue
        name, sty = table.name(i), table.semantic_type(i)
        sample_id = f"umls:def:{f[4]}:{f[2] or f[0]}"
        layout = templates.DEFINITION_OUTPUT if sty else templates.DEFINITION_OUTPUT_UNTYPED
        output = layout.format(name=name, semantic_type=sty, definition=definition)
        text = templates.DEFINITION_INPUT.format(name=name)
        instruction = templates.pick(templates.UMLS_DEFINITION, options.seed, sample_id)
        yield Instruction(
            instruction,
            text,
            output,
            options.definition_source,
            sample_id,
            templates.to_messages(instruction, text, output),
            unit.origin,
        )
    yield from (Notice(unit.origin, f"umls_rows_{why}", n) for why, n in sorted(skipped.items()))


def clean_definition(text: str) -> str:
    """MRDEF text without markup: some sources (CSP, NCI, MEDLINEPLUS) carry HTML tags and entities."""
    return " ".join(html.unescape(_TAG.sub(" ", text)).split())
