"""Open a UMLS release directory for `builders.umls`: find its RRF files, build the concept table, and cut
MRDEF and MRREL into work units of `chunk_lines` lines.

    >>> release = load_release(Path("2024AA"), UmlsOptions())      # 2024AA/META/MRREL.RRF, ... or 2024AA/MRREL.RRF
    >>> release.info["sabs_allowed"]["MSH"]
    {'version': 'MSH2024_2024_01_12', 'srl': 0, 'name': 'Medical Subject Headings'}
    >>> next(iter(release.units())).origin
    '2024AA/META/MRDEF.RRF#1-100000'

Each file may be plain (`MRREL.RRF`), gzipped (`MRREL.RRF.gz`) or split the way older releases ship it
(`MRREL.RRF.aa`, `MRREL.RRF.ab`, ...: read in order as one file). Lines are split at `\\n` only: a UMLS string
may hold other characters Python would treat as line breaks.
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path
from typing import IO, Any

from builders.umls import objects
from builders.umls.concepts import build_concept_table, read_sabs
from builders.umls.prompts import UmlsOptions, UmlsTask, relation_skip
from medc.sources import WorkUnit

log = logging.getLogger(__name__)

RRF_NAMES = ("MRSAB", "MRCONSO", "MRSTY", "MRDEF", "MRREL")
REQUIRED = ("MRSAB", "MRCONSO", "MRREL")


def find_rrf(root: Path, name: str) -> list[Path]:
    """The file(s) holding table `name` under `root` or `root/META`; empty when there are none."""
    for base in (root, root / "META"):
        for candidate in (base / f"{name}.RRF", base / f"{name}.RRF.gz"):
            if candidate.is_file():
                return [candidate]
        parts = sorted(p for p in base.glob(f"{name}.RRF.a?") if p.is_file())
        if parts:
            return parts
    return []


def _open(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def iter_lines(paths: list[Path]) -> Iterator[str]:
    """The lines of a (possibly split or gzipped) RRF table, without line ends."""
    for path in paths:
        with _open(path) as fh:
            for raw in fh:
                yield raw.decode("utf-8", errors="replace").rstrip("\r\n")


def iter_units(paths: list[Path], lines_per_unit: int, release: str = "") -> Iterator[WorkUnit]:
    """Chunks of `lines_per_unit` lines as work units; the origin names the file (within `release`, the release
    directory's name) and the line range, so a resumed build with the same chunk size skips exactly the chunks
    already staged."""
    first, origin = 1, _origin(paths[0], release)
    for path in paths:
        with _open(path) as fh:
            while chunk := list(islice(fh, lines_per_unit)):
                last = first + len(chunk) - 1
                yield WorkUnit(f"{origin}#{first}-{last}", b"".join(chunk))
                first = last + 1


def _origin(path: Path, release: str) -> str:
    """`2025AB/META/MRREL.RRF` for a file of the release directory `.../2025AB`: no local path in published data."""
    if not release:
        return str(path)
    parts = path.parts
    return "/".join(parts[len(parts) - 1 - parts[::-1].index(release) :]) if release in parts else path.name


@dataclass
class UmlsRelease:
    """What a build needs from a release: the task (with the concept table inside), the files to chunk, and
    what the manifest and card say about it."""

    task: UmlsTask
    files: dict[str, list[Path]]
    info: dict[str, Any] = field(default_factory=dict)
    facts: objects.Facts | None = None
    name: str = ""  # the release as origins name it: its directory's name, no local path

    def units(self) -> Iterator[WorkUnit]:
        chunk = self.task.options.chunk_lines
        if self.task.options.definitions and self.files["MRDEF"]:
            yield from iter_units(self.files["MRDEF"], chunk, self.name)
        yield from iter_units(self.files["MRREL"], chunk, self.name)
        if self.facts is not None:
            yield from objects.fact_units(self.facts, _origin(self.files["MRREL"][0], self.name), chunk)


def load_release(root: Path, options: UmlsOptions) -> UmlsRelease:
    """Read MRSAB, MRCONSO and MRSTY of the release at `root` (a minute or so on a full release). Raises
    `FileNotFoundError` naming what is missing, `ValueError` for SABs that cannot be used."""
    root = Path(root)
    files = {name: find_rrf(root, name) for name in RRF_NAMES}
    missing = [name for name in REQUIRED if not files[name]]
    if missing:
        raise FileNotFoundError(
            f"{root}: no {', '.join(n + '.RRF' for n in missing)} (looked in {root} and {root / 'META'}); "
            "point --umls at the release directory that holds the RRF files"
        )
    allowed, every = read_sabs(iter_lines(files["MRSAB"]), options.max_srl, options.sabs)
    if not allowed:
        raise ValueError(f"{root}: no source in MRSAB.RRF has restriction level <= {options.max_srl}")
    log.info(
        "UMLS: %d of %d sources allowed (SRL <= %d); reading concept names", len(allowed), len(every), options.max_srl
    )
    table = build_concept_table(iter_lines(files["MRCONSO"]), iter_lines(files["MRSTY"]), allowed)
    log.info("UMLS: %d concepts with an English name from an allowed source", len(table))
    name = root.resolve().name
    info = {
        "release": name,
        "max_srl": options.max_srl,
        "concepts_named": len(table),
        "sabs_allowed": {k: {"version": s.vsab, "srl": s.srl, "name": s.name} for k, s in sorted(allowed.items())},
        "files": {key: [_origin(p, name) for p in paths] for key, paths in files.items()},
    }
    facts = None
    if "object" in options.relation_prompts:
        skip = partial(relation_skip, allowed=frozenset(allowed), rels=frozenset(options.rels), options=options)
        facts = objects.collect_facts(iter_lines(files["MRREL"]), table, skip)
        log.info("UMLS: %d relation rows for completion prompts", len(facts))
        info.update(completion_facts=len(facts), object_cap=options.max_objects)
    labels, sab_names = (facts.labels, facts.sab_names) if facts is not None else ((), ())
    task = UmlsTask(table, frozenset(allowed), options, labels, sab_names)
    return UmlsRelease(task, files, info, facts, name)


def release_fingerprint(root: Path) -> dict[str, list[int]]:
    """Sizes of the release's RRF files: enough to refuse resuming a build over another release."""
    return {name: [p.stat().st_size for p in find_rrf(Path(root), name)] for name in RRF_NAMES}
