"""Completion prompts grouped by (concept, relation): one prompt per question, one answer listing every object.

One MRREL row per object would give the same prompt several answers (`Concept: Aspirin / Relation: is a` →
`Salicylates`, and again → `Platelet Aggregation Inhibitors`, ...), which teaches a model that the answer is
arbitrary. Instead the rows of one (subject, relation) become

    Instruction(instruction="List the concepts that complete this biomedical relation.",
                input="Concept: Aspirin\\nRelation: is a",
                output="Anti-Inflammatory Agents, Non-Steroidal; Platelet Aggregation Inhibitors; Salicylates",
                source="umls_relation", sample_id="umls:obj:MSH:C0004057:is_a#object")

with the objects sorted (case-insensitively) and at most `max_objects` of them; a longer list ends with
"(and N more)" and is counted as a notice `umls_object_lists_capped`; the cap is in the manifest.

MRREL is sorted by CUI1, but the subject of a row is CUI2 (rows read right to left), so the rows of one group are
spread over the whole file. `collect_facts` therefore reads MRREL once in the coordinator (the same row filters
as the relation prompts), keeping four int32 per row that passes; `fact_units` sorts them by (subject, relation)
and cuts them into work units at group boundaries, so every group is whole in one unit and workers render them
(`parse_objects`) with the concept table they already hold.
"""

from __future__ import annotations

import io
import itertools
import logging
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from builders.umls.concepts import ConceptTable, cui_number
from medc.instructions import templates
from medc.records import Instruction, Notice, Rejection
from medc.sources import WorkUnit

log = logging.getLogger(__name__)

OBJECTS_MARK = "#objects-"  # in a unit's origin: the unit holds grouped facts, not MRREL lines


@dataclass
class Facts:
    """The (subject, relation, object, SAB) of every MRREL row that makes a completion prompt, as table rows and
    indexes into `labels` (relation phrases) and `sabs`."""

    subjects: np.ndarray
    relations: np.ndarray
    objects: np.ndarray
    sabs: np.ndarray
    labels: tuple[str, ...]
    sab_names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.subjects)


def collect_facts(lines: Iterable[str], table: ConceptTable, skip: Callable[[list[str]], str]) -> Facts:
    """The facts of MRREL `lines`; `skip(fields)` is the relation prompts' filter ("" keeps the row)."""
    subjects, objects, relations, sabs = array("i"), array("i"), array("i"), array("i")
    labels: dict[str, int] = {}
    sab_ids: dict[str, int] = {}
    for line in lines:
        f = line.split("|")
        if len(f) not in (16, 17) or skip(f):
            continue
        subject, obj = cui_number(f[4]), cui_number(f[0])  # read right to left: CUI2 REL/RELA CUI1
        if subject < 0 or obj < 0:
            continue
        subjects.append(subject)
        objects.append(obj)
        relations.append(labels.setdefault(templates.relation_words(f[3], f[7]), len(labels)))
        sabs.append(sab_ids.setdefault(f[10], len(sab_ids)))
    rows_s = _table_rows(table, np.frombuffer(subjects, dtype=np.int32))
    rows_o = _table_rows(table, np.frombuffer(objects, dtype=np.int32))
    named = (rows_s >= 0) & (rows_o >= 0)
    rel, sab = np.frombuffer(relations, dtype=np.int32), np.frombuffer(sabs, dtype=np.int32)
    return Facts(rows_s[named], rel[named], rows_o[named], sab[named], tuple(labels), tuple(sab_ids))


def _table_rows(table: ConceptTable, numbers: np.ndarray) -> np.ndarray:
    if not len(table.cuis):
        return np.full(len(numbers), -1, dtype=np.int32)
    pos = np.minimum(np.searchsorted(table.cuis, numbers), len(table.cuis) - 1)
    return np.where(table.cuis[pos] == numbers, pos, -1).astype(np.int32)


def fact_units(facts: Facts, origin: str, facts_per_unit: int) -> Iterator[WorkUnit]:
    """Work units of whole (subject, relation) groups, about `facts_per_unit` facts each, in a fixed order."""
    order = np.lexsort((facts.sabs, facts.objects, facts.relations, facts.subjects))
    table = np.stack([facts.subjects, facts.relations, facts.objects, facts.sabs])[:, order]
    if not table.shape[1]:
        return
    change = np.r_[True, (np.diff(table[0]) != 0) | (np.diff(table[1]) != 0)]
    starts = [*np.flatnonzero(change).tolist(), table.shape[1]]
    first, k = 0, 0
    for start in starts[1:]:
        if start - first >= facts_per_unit or start == table.shape[1]:
            buffer = io.BytesIO()
            np.save(buffer, table[:, first:start], allow_pickle=False)
            yield WorkUnit(f"{origin}{OBJECTS_MARK}{k:05d}", buffer.getvalue())
            first, k = start, k + 1


def parse_objects(
    unit: WorkUnit, table: ConceptTable, labels: tuple[str, ...], sab_names: tuple[str, ...], options: Any
) -> Iterator[Instruction | Rejection | Notice]:
    """One completion prompt per (subject, relation) group of a fact unit (`options`: the `UmlsOptions`)."""
    facts = np.load(io.BytesIO(unit.data), allow_pickle=False)
    skipped: Counter[str] = Counter()
    change = np.r_[True, (np.diff(facts[0]) != 0) | (np.diff(facts[1]) != 0)] if facts.shape[1] else []
    bounds = [*np.flatnonzero(change).tolist(), facts.shape[1]]
    for a, b in itertools.pairwise(bounds):
        subject, relation = int(facts[0, a]), int(facts[1, a])
        name = table.name(subject)
        objects = {table.name(o) for o in facts[2, a:b].tolist()}
        objects = sorted((o for o in objects if o.casefold() != name.casefold()), key=lambda o: (o.casefold(), o))
        if not objects:
            skipped["umls_rows_same_name"] += b - a
            continue
        if len(objects) > options.max_objects:
            skipped["umls_object_lists_capped"] += 1
        sabs = "+".join(sorted({sab_names[s] for s in facts[3, a:b].tolist()}))
        cui = f"C{int(table.cuis[subject]):07d}"
        sample_id = f"umls:obj:{sabs}:{cui}:{labels[relation].replace(' ', '_')}#object"
        yield _object_record(name, labels[relation], objects, unit.origin, sample_id, options)
    yield from (Notice(unit.origin, code, n) for code, n in sorted(skipped.items()))


def _object_record(
    subject: str, relation: str, objects: list[str], origin: str, sample_id: str, options: Any
) -> Instruction:
    cap = options.max_objects
    shown = objects[:cap]
    output = "; ".join(shown) + (f" (and {len(objects) - cap} more)" if len(objects) > cap else "")
    pool = templates.UMLS_OBJECT if len(objects) == 1 else templates.UMLS_OBJECTS
    instruction = templates.pick(pool, options.seed, sample_id)
    text = templates.OBJECT_INPUT.format(subject=subject, relation=relation)
    messages = templates.to_messages(instruction, text, output)
    return Instruction(instruction, text, output, options.relation_source, sample_id, messages, origin)
