"""UMLS Metathesaurus release → MedC-I knowledge-graph prompts (config `umls_kg`).

- `release`: find the RRF files of a release, load the whole-release state, cut MRDEF/MRREL into work units.
- `concepts`: which sources may be used (MRSAB) and one English name and semantic type per concept.
- `prompts`: the task workers run: relation prompts per MRREL row, entity prompts per MRDEF row.
- `objects`: completion prompts grouped by (concept, relation), one answer listing the objects.
"""

from builders.umls.concepts import ConceptTable, build_concept_table, read_sabs
from builders.umls.prompts import UmlsOptions, UmlsTask, clean_definition, parse_definitions, parse_relations
from builders.umls.release import find_rrf, iter_lines, iter_units, load_release, release_fingerprint

__all__ = [
    "ConceptTable",
    "UmlsOptions",
    "UmlsTask",
    "build_concept_table",
    "clean_definition",
    "find_rrf",
    "iter_lines",
    "iter_units",
    "load_release",
    "parse_definitions",
    "parse_relations",
    "read_sabs",
    "release_fingerprint",
]
