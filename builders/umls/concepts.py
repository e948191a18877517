"""The whole-release state of a UMLS build: which sources may be used (MRSAB), and one English name and
semantic type per concept (MRCONSO, MRSTY), kept compact so it can be shipped to every worker.

    >>> allowed, every = read_sabs(open("MRSAB.RRF"), max_srl=0)
    >>> sorted(allowed)[:3], every["SNOMEDCT_US"].srl
    (['AOD', 'CHV', 'CSP'], 9)
    >>> table = build_concept_table(open("MRCONSO.RRF"), open("MRSTY.RRF"), allowed)
    >>> i = table.find("C0004057"); table.name(i), table.semantic_type(i)
    ('Aspirin', 'Pharmacologic Substance, Organic Chemical')

Functions take lines (any iterable of str), so they are pure and testable; `builders.umls.release` opens
the files.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

MRCONSO_FIELDS, MRSAB_FIELDS = 18, 25


@dataclass(frozen=True)
class Sab:
    rsab: str
    vsab: str  # versioned name, e.g. MSH2024_2024_01_12
    srl: int
    name: str  # SON, the source's official name


def read_sabs(
    lines: Iterable[str], max_srl: int = 0, sabs: Iterable[str] = ()
) -> tuple[dict[str, Sab], dict[str, Sab]]:
    """(allowed, all) current-version sources of MRSAB by root SAB. Asking for a source the release lacks, or
    one above `max_srl`, is a usage error (ValueError) that says what to do."""
    wanted_sabs = tuple(sabs)
    every: dict[str, Sab] = {}
    for line in lines:
        f = line.split("|")
        if len(f) < MRSAB_FIELDS or f[21] != "Y":  # CURVER: only the current version of each source
            continue
        srl = int(f[13]) if f[13].isdigit() else 9
        every[f[3]] = Sab(f[3], f[2], srl, f[4])
    missing = [s for s in wanted_sabs if s not in every]
    if missing:
        raise ValueError(f"UMLS source {missing[0]!r} is not in MRSAB.RRF (current versions); check the SAB name")
    above = [s for s in wanted_sabs if every[s].srl > max_srl]
    if above:
        raise ValueError(
            f"UMLS source {above[0]!r} has restriction level {every[above[0]].srl} > max_srl="
            f"{max_srl}; raise max_srl only if your licence allows it"
        )
    wanted = set(wanted_sabs) or set(every)
    return {k: v for k, v in every.items() if k in wanted and v.srl <= max_srl}, every


@dataclass
class ConceptTable:
    """One English name and semantic-type label per concept, as flat arrays (a few bytes per concept plus
    the names) so a full release fits in a few hundred MB and pickles fast."""

    cuis: np.ndarray  # int64 CUI numbers (C0011849 → 11849), sorted
    name_offsets: np.ndarray  # int64, len(cuis) + 1, into `names`
    names: bytes
    types: np.ndarray  # int32 index into type_labels, -1 when MRSTY has none
    type_labels: tuple[str, ...]

    def find(self, cui: str) -> int:
        """The row of `cui`, or -1."""
        if len(cui) != 8 or cui[0] != "C" or not cui[1:].isdigit():
            return -1
        number = int(cui[1:])
        i = int(np.searchsorted(self.cuis, number))
        return i if i < len(self.cuis) and self.cuis[i] == number else -1

    def name(self, i: int) -> str:
        return self.names[self.name_offsets[i] : self.name_offsets[i + 1]].decode("utf-8")

    def semantic_type(self, i: int) -> str:
        t = int(self.types[i])
        return self.type_labels[t] if t >= 0 else ""

    def __len__(self) -> int:
        return len(self.cuis)


def _name_rank(f: list[str]) -> int:
    # MRCONSO's preferred name of a concept: TS=P (preferred term), STT=PF (preferred form), ISPREF=Y.
    return (f[2] == "P") * 4 + (f[4] == "PF") * 2 + (f[6] == "Y")


def build_concept_table(mrconso: Iterable[str], mrsty: Iterable[str], allowed: Iterable[str]) -> ConceptTable:
    """The English preferred name (from an allowed, unsuppressed atom) of every concept that has one, and its
    semantic types. MRCONSO is sorted by CUI in a release, so one concept is pending at a time; an unsorted
    file still works (sorted at the end) but holds one entry per English atom meanwhile."""
    allowed = frozenset(allowed)
    numbers, ranks, starts = array("q"), array("b"), array("q")
    blob = bytearray()
    for line in mrconso:
        if "|ENG|" not in line[:16]:
            continue
        f = line.split("|")
        if len(f) < MRCONSO_FIELDS or f[1] != "ENG" or f[16] != "N" or f[11] not in allowed or not f[14]:
            continue
        number, rank = cui_number(f[0]), _name_rank(f)
        if number < 0:
            continue
        if numbers and numbers[-1] == number:
            if rank > ranks[-1]:  # ties keep the first: MRCONSO lists a concept's atoms by rank
                ranks[-1] = rank
                del blob[starts[-1] :]
                blob += f[14].encode()
            continue
        numbers.append(number)
        ranks.append(rank)
        starts.append(len(blob))
        blob += f[14].encode()
    starts.append(len(blob))
    cuis, offsets, names = _sorted_unique(
        np.frombuffer(numbers, dtype=np.int64),
        np.frombuffer(ranks, np.int8),
        np.frombuffer(starts, dtype=np.int64),
        bytes(blob),
    )
    types, labels = _semantic_types(mrsty, cuis)
    return ConceptTable(cuis, offsets, names, types, labels)


def _sorted_unique(
    cuis: np.ndarray, ranks: np.ndarray, offsets: np.ndarray, names: bytes
) -> tuple[np.ndarray, np.ndarray, bytes]:
    """One entry per CUI, sorted, keeping the best-ranked (then first) name; a no-op for a sorted MRCONSO."""
    order = np.lexsort((-ranks.astype(np.int16), cuis))  # stable: by CUI, best rank first
    keep = order[np.r_[True, cuis[order][1:] != cuis[order][:-1]]] if len(order) else order
    if len(keep) == len(cuis) and not np.any(keep[1:] < keep[:-1]):
        return cuis.copy(), offsets.copy(), names
    pieces = [names[offsets[i] : offsets[i + 1]] for i in keep]
    new_offsets = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in pieces], out=new_offsets[1:])
    return cuis[keep], new_offsets, b"".join(pieces)


def _semantic_types(mrsty: Iterable[str], cuis: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """Per concept, the index of its semantic-type label ("Pharmacologic Substance, Organic Chemical")."""
    labels: dict[str, int] = {}
    per_cui: dict[int, list[str]] = {}
    numbers: list[int] = []
    label_ids: list[int] = []
    for line in mrsty:
        f = line.split("|")
        if len(f) < 4 or (number := cui_number(f[0])) < 0:
            continue
        if per_cui and number not in per_cui:  # MRSTY is sorted by CUI: flush the finished concept
            _flush_types(per_cui, labels, numbers, label_ids)
        per_cui.setdefault(number, []).append(f[3])
    _flush_types(per_cui, labels, numbers, label_ids)
    types = np.full(len(cuis), -1, dtype=np.int32)
    if numbers:
        found = np.asarray(numbers, dtype=np.int64)
        pos = np.minimum(np.searchsorted(cuis, found), max(len(cuis) - 1, 0))
        hit = (cuis[pos] == found) if len(cuis) else np.zeros(len(found), dtype=bool)
        types[pos[hit]] = np.asarray(label_ids, dtype=np.int32)[hit]
    return types, tuple(labels)


def _flush_types(
    per_cui: dict[int, list[str]], labels: dict[str, int], numbers: list[int], label_ids: list[int]
) -> None:
    for number, stys in per_cui.items():
        label = ", ".join(dict.fromkeys(stys))
        numbers.append(number)
        label_ids.append(labels.setdefault(label, len(labels)))
    per_cui.clear()


def cui_number(cui: str) -> int:
    """C0011849 → 11849; -1 for anything that is not a CUI."""
    return int(cui[1:]) if len(cui) == 8 and cui[0] == "C" and cui[1:].isdigit() else -1
