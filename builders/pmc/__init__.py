"""PubMed Central and publisher JATS XML → MedC-K `Document`s (config `papers`).

Public API: `parse(unit, options)`, `accepts(name)`, `sidecars(name)`, `PmcOptions`, `load_filelists`,
`with_filelists`. Everything else in this package is how it is done.
"""

from builders.pmc.filelist import FileListIndex, load_filelists
from builders.pmc.jats import accepts, parse, trace, with_filelists
from builders.pmc.options import PmcOptions
from builders.pmc.sidecar import sidecars

__all__ = ["FileListIndex", "PmcOptions", "accepts", "load_filelists", "parse", "sidecars", "trace", "with_filelists"]
