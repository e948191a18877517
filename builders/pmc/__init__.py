"""JATS XML from PubMed Central and publishers → MedC-K `Document`s (config `papers`).

    PMC123.2/PMC123.2.xml (+ PMC123.2.json)   → Document(id="pmc:PMC123", text="Title\\n\\nAbstract\\n...",
                                                          meta=PaperMeta(version=2, license="CC BY", ...),
                                                          removed=[Removal("pmc.back_matter", 30512, 1), ...])
    elife-36842.xml (no PMCID)                → Document(id="doi:10.7554/elife.36842", meta.id_type="doi")
    SciELO article in Portuguese + English translation → two Documents, the second with `translation_of` set

How an article becomes text, stage by stage (`parse`, `jats.py`):
1. Bytes (`prune`): the parts the options drop anyway (back matter, reference list, tables, author groups,
   sub-articles other than translations) are cut from the bytes before parsing; each cut is counted under its
   removal rule, its text measured on the bytes (`removals.pruned_chars`).
2. Parse (`safe_xml`): once, entities, DTDs and network off, libxml2's limits on, repaired where lxml can.
3. Articles (`wrappers`): an `<article>`, or each article of a `<pmc-articleset>`, `<articles>`, OAI-PMH
   response or foreign envelope, with its JATS namespace taken off.
4. Metadata (`meta`, `sidecar`, `filelist`, `ids`): ids, journal, year, type, licence, language, version from
   the front matter, then the Cloud Service JSON beside the file and the file lists; the record id from the
   PMCID, else the DOI, else the publisher id, else the file's bytes. Type, retraction, licence, language and
   version filters reject here (`documents`).
5. Inline markup (`inline`, `formulas`): one pass over the parts that make the text; citations and callouts
   become marker tokens (`tokens`), formulas TeX, links that are addresses and images go (each removal counted).
6. Blocks (`article`, `blocks`, `text`, `sections`, `lists`): title, abstracts, body, floats, kept back
   matter, each paragraph read in one C call; sections of a dropped kind (by `sec-type` or whole title) go,
   each counted and reported as a `Notice("section_dropped")`. Translations are walked as documents of their own.
7. Whole text (`markers`, `marker_spans`, `sweeps`): marker tokens resolved (a chain of bracketed citations is
   one marker; a citation that is the object of its sentence stays as "ref. 5"), URLs, plain-text citation numbers
   and double spaces removed, all counted per rule into `Document.removed`.
`trace` runs the same stages without byte pruning and keeps every removed text, for `medc explain`.

Public API: `parse`, `trace`, `accepts`, `sidecars`, `PmcOptions`, `load_filelists`, `with_filelists`.
"""

from builders.pmc.filelist import FileListIndex, load_filelists
from builders.pmc.jats import accepts, parse, trace, with_filelists
from builders.pmc.options import PmcOptions
from builders.pmc.sidecar import sidecars

__all__ = ["FileListIndex", "PmcOptions", "accepts", "load_filelists", "parse", "sidecars", "trace", "with_filelists"]
