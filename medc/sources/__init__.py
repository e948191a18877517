"""Inputs as work units: the coordinator walks inputs into `UnitRef`s (names, sizes, stamps; no bytes), and each
worker reads its own refs into the `WorkUnit`s builders parse.

    >>> refs = list(InputWalker(["pmc/"], accept=lambda n: n.endswith(".xml")))      # coordinator: lists, stats
    >>> [(unit.origin, len(unit.data)) for _, unit, _ in read_units(refs, DEFAULT_MAX_UNIT_BYTES)]   # worker
    [('pmc/a/PMC1.xml', 48213), ('pmc/b/PMC2.xml', 30110)]

`walk` lists directories, globs, archives and object stores; `archives` streams tar/zip members in a background
thread; `objects` lists and reads fsspec URLs; `reading` is the worker side.
"""

from medc.sources.reading import read_units
from medc.sources.refs import (
    DEFAULT_MAX_UNIT_BYTES,
    InputError,
    InputStats,
    UnitRef,
    WorkUnit,
    is_archive,
    is_url,
    logical_name,
)
from medc.sources.walk import InputWalker

__all__ = [
    "DEFAULT_MAX_UNIT_BYTES",
    "InputError",
    "InputStats",
    "InputWalker",
    "UnitRef",
    "WorkUnit",
    "is_archive",
    "is_url",
    "logical_name",
    "read_units",
]
