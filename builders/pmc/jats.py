"""One XML work unit → the records of the articles it holds: Documents, and a Rejection or Notice per problem.

    PMC123.2/PMC123.2.xml (+ PMC123.2.json beside it)
    → Document(id="pmc:PMC123", meta=PaperMeta(pmcid="PMC123", version=2, license="CC BY", id_type="pmcid"))

The unit's bytes are checked (empty, too large), pruned and parsed once (`safe_xml`), its articles found whatever
wraps them (`wrappers`), its Cloud Service JSON read (`sidecar`), and each article turned into records
(`documents`). Rejection reasons the manifest counts: empty_file, too_large, too_deep, bad_encoding,
undefined_entity, xml_syntax, not_an_article, oai_error, no_pmcid (with `require_pmcid`), article_type_excluded,
retracted, license_excluded, language_excluded, superseded_version, no_body.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterator

from builders.pmc.documents import FileContext, TracedDocument, article_records
from builders.pmc.filelist import FileListIndex
from builders.pmc.options import PmcOptions
from builders.pmc.prune import Cut, PruneSpec
from builders.pmc.removals import pruned_chars
from builders.pmc.safe_xml import XmlUnreadable, read_xml
from builders.pmc.sidecar import SidecarUnreadable, cloud_meta
from builders.pmc.wrappers import find_articles
from medc.records import Document, Notice, Rejection
from medc.sources import WorkUnit

# The root element's start tag: the first "<" followed by a name (not "<?xml", "<!DOCTYPE", "<!--").
_ROOT_START = re.compile(rb"<([A-Za-z][\w.:-]*)")


def accepts(name: str) -> bool:
    """Files the builder reads (by logical name, `.gz` already stripped): `.nxml` and `.xml`, which covers
    `oa_package` tarballs (`*.nxml`), bulk packages and Cloud Service version folders (`PMC123.2/PMC123.2.xml`,
    whose `.json` travels with it as a sidecar, and whose `.txt`, `.pdf` and media are left alone)."""
    return name.lower().endswith((".nxml", ".xml"))


def with_filelists(options: PmcOptions, index: FileListIndex) -> PmcOptions:
    """`options` that filter by the licence, retraction flag and latest version that `index` gives."""
    return dataclasses.replace(options, filelist=index)


def parse(unit: WorkUnit, options: PmcOptions) -> Iterator[Document | Rejection | Notice]:
    """The articles of one XML file as Documents, and a Rejection or Notice for each problem met."""
    return _records(unit, options, trace=False)  # type: ignore[return-value]  # no TracedDocument without trace


def trace(unit: WorkUnit, options: PmcOptions) -> Iterator[TracedDocument | Rejection | Notice]:
    """`parse`, without pruning, keeping every removed text: each document comes with its removed spans."""
    return _records(unit, options, trace=True)  # type: ignore[return-value]


def _records(
    unit: WorkUnit, options: PmcOptions, trace: bool
) -> Iterator[Document | TracedDocument | Rejection | Notice]:
    data = unit.data
    if not data or data.isspace():  # (not data.strip(): a copy of the whole file)
        yield Rejection(unit.origin, "empty_file", "the file is empty")
        return
    if len(data) > options.max_bytes:
        yield Rejection(unit.origin, "too_large", f"{len(data)} bytes, over max_bytes={options.max_bytes}")
        return
    byte_prune = None if trace or not _one_article(data) else _prune_spec(options)
    try:
        root, recovered, pruned_bytes = read_xml(data, byte_prune)
    except XmlUnreadable as exc:
        yield Rejection(unit.origin, exc.reason, exc.detail)
        return
    if recovered:
        yield Notice(unit.origin, "recovered", detail=recovered)
    try:
        cloud = cloud_meta(unit)
    except SidecarUnreadable as exc:
        cloud = None
        yield Notice(unit.origin, "sidecar_unreadable", detail=str(exc))
    # What was not cut from the bytes (several articles, a trace, bytes that did not parse once cut) is cut from
    # each parsed article.
    tree_prune = _prune_spec(options) if byte_prune is None or not pruned_bytes.cuts else None
    ctx = FileContext(unit, options, bool(recovered), cloud, tree_prune, trace)
    pruned = _pruned(*pruned_bytes)
    index = 0
    for found in find_articles(root, unit.origin):
        if isinstance(found, (Rejection, Notice)):
            yield found
        else:
            yield from article_records(found, index, pruned if index == 0 else {}, ctx)
            index += 1


def _one_article(data: bytes) -> bool:
    """Whether the file's root element is an `<article>` (not a set of articles, nor an envelope)."""
    root = _ROOT_START.search(data)
    return root is not None and root.group(1) == b"article"


@functools.lru_cache(maxsize=8)  # options are hashable and fixed for a build: decide once
def _prune_spec(options: PmcOptions) -> PruneSpec:
    return PruneSpec(
        back=not options.kept_kinds(),
        references=not options.keep_references,
        tables=not options.keep_tables,
        authors=not options.keep_authors,
        sub_articles=options.sub_articles == "drop",
        translations=options.translations != "document",
    )


def _pruned(data: bytes, cuts: list[Cut]) -> dict[str, tuple[int, int]]:
    """The text cut from the article's bytes, per rule: (characters, count)."""
    counted: dict[str, tuple[int, int]] = {}
    cuts = [cut for cut in cuts if cut[0]]  # front matter (author groups) is not text the article loses
    for (rule, _, _), chars in zip(cuts, pruned_chars(data, cuts) if cuts else [], strict=True):
        total, count = counted.get(rule, (0, 0))
        counted[rule] = (total + chars, count + 1)
    return counted
