"""PubMed Central JATS XML → one clean MedC-K `Document` per article (config `papers`).

    <article article-type="research-article" xml:lang="en"><front>...<article-id pub-id-type="pmc">7654321
      </article-id>...<article-title>Aspirin after renal transplantation</article-title>...<abstract><sec><title>
      Background</title><p>Data are scarce [<xref ref-type="bibr" rid="b1">1</xref>].</p></sec></abstract></front>
      <body><sec><title>Introduction</title><p>Aspirin is widely used (<xref ref-type="fig" rid="f1">Fig. 1</xref>).
      </p></sec></body><back><ack><p>We thank ...</p></ack><ref-list>...</ref-list></back></article>
    → Document(id="pmc:PMC7654321", source="papers", title="Aspirin after renal transplantation",
               text="Aspirin after renal transplantation\\n\\nAbstract\\nBackground\\nData are scarce.\\n\\n"
                    "Introduction\\nAspirin is widely used.", meta=PaperMeta(pmcid="PMC7654321", ...))

`parse` reads one work unit: a single article, a `<pmc-articleset>` (eFetch) or an OAI-PMH `GetRecord` /
`ListRecords` response, namespaced (JATS 1.4, as OAI and the Cloud Service serve it) or not (NLM 2.x/3.0, JATS
1.0-1.3). Each file is parsed once, with entities, DTDs and the network off; the text comes from one walk over
the body (`pmc_jats_blocks`, `pmc_jats_text`), the metadata from a few lookups in the front matter (`pmc_meta`).
Malformed XML that lxml can repair gives a `Notice("recovered")` and the article; anything else a `Rejection`
whose reason the manifest counts: empty_file, too_large, too_deep, bad_encoding, undefined_entity, xml_syntax,
not_an_article, oai_error, no_pmcid, article_type_excluded, retracted, license_excluded, language_excluded,
superseded_version, no_body.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterator

from lxml import etree

from builders.pmc_filelist import FileListIndex, license_group, load_filelists
from builders.pmc_jats_blocks import BodyText
from builders.pmc_jats_text import UndefinedEntity
from builders.pmc_math import local_name
from builders.pmc_meta import ArticleMeta, notice_type, read_meta
from builders.pmc_options import PmcOptions
from builders.pmc_prune import PruneSpec, prune
from builders.pmc_tree import child, child_text
from medc.records import PAPERS, Document, Notice, PaperMeta, Rejection
from medc.sources import WorkUnit

__all__ = ["FileListIndex", "PmcOptions", "accepts", "load_filelists", "parse", "with_filelists"]

Element = etree._Element
OAI = "{http://www.openarchives.org/OAI/2.0/}"
# Current PMC XML (OAI-PMH, eFetch, Cloud Service) declares JATS as the default namespace. Dropping that one
# declaration before parsing lets every lookup use plain tag names, as for the unnamespaced NLM/JATS files.
_JATS_DEFAULT_NS = re.compile(rb"""xmlns=(["'])https?://jats\.nlm\.nih\.gov/ns/[^"']*\1""")
_SYNTAX_REASONS = {
    "ERR_INVALID_ENCODING": "bad_encoding",
    "ERR_UNSUPPORTED_ENCODING": "bad_encoding",
    "ERR_UNKNOWN_ENCODING": "bad_encoding",
    "ERR_UNDECLARED_ENTITY": "undefined_entity",
}
_ERROR_NAMES = {value: name for name, value in vars(etree.ErrorTypes).items() if name.isupper()}


class _Unreadable(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def accepts(name: str) -> bool:
    """Files the builder reads (by logical name, `.gz` already stripped): `.nxml` and `.xml`, which covers
    `oa_package` tarballs (`*.nxml`), bulk packages and Cloud Service version folders (`PMC123.2/PMC123.2.xml`,
    whose `.txt`, `.json`, `.pdf` and media siblings are left alone)."""
    return name.lower().endswith((".nxml", ".xml"))


def with_filelists(options: PmcOptions, index: FileListIndex) -> PmcOptions:
    """`options` that filter by the licence, retraction flag and latest version that `index` gives."""
    return dataclasses.replace(options, filelist=index)


def parse(unit: WorkUnit, options: PmcOptions) -> Iterator[Document | Rejection | Notice]:
    """The articles of one XML file as Documents, and a Rejection or Notice for each problem met."""
    data = unit.data
    if not data.strip():
        yield Rejection(unit.origin, "empty_file", "the file is empty")
        return
    if len(data) > options.max_bytes:
        yield Rejection(unit.origin, "too_large", f"{len(data)} bytes, over max_bytes={options.max_bytes}")
        return
    try:
        root, recovered = read_xml(data, _prune_spec(options))
    except _Unreadable as exc:
        yield Rejection(unit.origin, exc.reason, exc.detail)
        return
    if recovered:
        yield Notice(unit.origin, "recovered", detail=recovered)
    for found in _articles(root, unit.origin):
        if isinstance(found, (Rejection, Notice)):
            yield found
        else:
            yield from _article_records(found, unit.origin, options, bool(recovered))


def read_xml(data: bytes, prune_spec: PruneSpec | None = None) -> tuple[Element, str]:
    """The root element, and "" or what lxml complained about when it had to repair the file. Elements named
    by `prune_spec` are cut before parsing (`pmc_prune`); if that leaves bytes lxml rejects, the original bytes
    are parsed instead, so pruning never changes what is reported."""
    if b"jats.nlm.nih.gov/ns/" in data:
        data = _drop_jats_namespace(data)
    pruned = prune(data, prune_spec) if prune_spec else data
    try:
        return etree.fromstring(pruned, _parser(recover=False)), ""
    except etree.XMLSyntaxError as exc:
        reason, detail = _syntax_reason(exc), _where(exc)
    if pruned is not data:
        return read_xml(data)
    if reason != "xml_syntax":
        raise _Unreadable(reason, detail)
    try:
        root = etree.fromstring(data, _parser(recover=True))
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        raise _Unreadable("xml_syntax", detail)
    return root, detail


def _drop_jats_namespace(data: bytes) -> bytes:
    # Search only where the namespace is named: a regex scan of a whole 100 kB file costs a quarter of parsing it.
    pieces, pos = [], 0
    at = data.find(b"jats.nlm.nih.gov/ns/")
    while at >= 0:
        found = _JATS_DEFAULT_NS.search(data, max(pos, at - 20), at + 200)
        if found:
            pieces.append(data[pos : found.start()])
            pos = found.end()
        at = data.find(b"jats.nlm.nih.gov/ns/", at + 1)
    pieces.append(data[pos:])
    return b"".join(pieces)


@functools.lru_cache(maxsize=8)  # options are hashable and fixed for a build: decide once
def _prune_spec(options: PmcOptions) -> PruneSpec:
    return PruneSpec(
        back=not options.kept_kinds(),
        references=not options.keep_references,
        tables=not options.keep_tables,
        authors=not options.keep_authors,
        sub_articles=options.sub_articles == "drop",
    )


@functools.lru_cache(maxsize=2)
def _parser(recover: bool) -> etree.XMLParser:
    # Never resolve entities, load a DTD or touch the network; huge_tree=False keeps libxml2's limits on depth
    # (256) and text size (10 MB), which bound what a hostile file can cost.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


def _syntax_reason(exc: etree.XMLSyntaxError) -> str:
    name = _ERROR_NAMES.get(exc.code, "")
    if name == "ERR_RESOURCE_LIMIT" or "XML_PARSE_HUGE" in (exc.msg or ""):
        return "too_deep" if "depth" in (exc.msg or "").lower() else "too_large"
    return _SYNTAX_REASONS.get(name, "xml_syntax")


def _where(exc: etree.XMLSyntaxError) -> str:
    message = (exc.msg or str(exc)).strip()
    return message if "line" in message else f"line {exc.lineno}: {message}"


def _articles(root: Element, origin: str) -> Iterator[Element | Rejection | Notice]:
    name = local_name(root.tag)
    if name == "article":
        yield _plain_tags(root)
    elif name == "pmc-articleset":
        articles = [child for child in root if isinstance(child.tag, str) and local_name(child.tag) == "article"]
        if not articles:
            yield Rejection(origin, "not_an_article", "<pmc-articleset> holds no <article>")
        yield from (_plain_tags(article) for article in articles)
    elif name == "OAI-PMH":
        yield from _oai_articles(root, origin)
    else:
        yield Rejection(
            origin,
            "not_an_article",
            f"root element <{name}> is not a JATS <article>, <pmc-articleset> or OAI-PMH response",
        )


def _oai_articles(root: Element, origin: str) -> Iterator[Element | Rejection | Notice]:
    for el in root.iter(f"{OAI}error", f"{OAI}record"):
        if el.tag == f"{OAI}error":
            yield Rejection(origin, "oai_error", f"{el.get('code')}: {' '.join((el.text or '').split())}")
            continue
        header = child(el, f"{OAI}header")
        if header is not None and header.get("status") == "deleted":
            yield Notice(origin, "oai_deleted", detail=child_text(header, f"{OAI}identifier"))
            continue
        metadata = child(el, f"{OAI}metadata")
        for found in metadata if metadata is not None else ():
            if not isinstance(found.tag, str):
                continue
            if local_name(found.tag) == "article":
                yield _plain_tags(found)
            else:
                yield Rejection(
                    origin,
                    "not_an_article",
                    f"OAI record holds <{local_name(found.tag)}>, not JATS: harvest with metadataPrefix=pmc",
                )


def _plain_tags(article: Element) -> Element:
    """The article with JATS tags unnamespaced, for the rare file whose namespace the byte-level drop missed
    (a prefixed or unknown JATS namespace URI)."""
    if not article.tag.startswith("{"):
        return article
    namespace = article.tag[: article.tag.index("}") + 1]
    for el in article.iter(f"{namespace}*"):
        el.tag = el.tag[len(namespace) :]
    return article


def _article_records(
    article: Element, origin: str, options: PmcOptions, recovered: bool
) -> Iterator[Document | Rejection | Notice]:
    meta = read_meta(article, origin, options.filelist)
    if meta.pmcid is None:
        yield Rejection(origin, "no_pmcid", "no PMCID in <article-id> nor in the file name")
        return
    record_id = f"pmc:{meta.pmcid}"
    walker = BodyText(options, recovered)
    try:
        walker.prepare(article)  # one pass over the article's inline markup (what is dropped was pruned before)
        title = _title(walker, child(article, "front", "article-meta", "title-group"))
        problem = _filtered(meta, title, options)
        if problem:
            yield Rejection(origin, problem[0], problem[1], record_id)
            return
        body_blocks = _fill(walker, article, title, options)
    except UndefinedEntity as exc:
        yield Rejection(origin, "undefined_entity", str(exc), record_id)
        return
    if options.require_body and not body_blocks:
        yield Rejection(origin, "no_body", "the article has no body text (abstract only, or a scanned PDF)", record_id)
        return
    if walker.formulas_without_text:
        yield Notice(origin, "formula_without_text", walker.formulas_without_text, record_id)
    yield Document(
        id=record_id,
        source=PAPERS,
        title=title,
        text=walker.text(),
        origin=origin,
        meta=PaperMeta(
            pmcid=meta.pmcid,
            pmid=meta.pmid,
            doi=meta.doi,
            journal=meta.journal,
            year=meta.year,
            article_type=meta.article_type,
            license=meta.license,
            language=meta.language,
            retracted=meta.retracted,
        ),
    )


def _title(walker: BodyText, group: Element | None) -> str:
    if group is None:
        return ""
    title, subtitle = walker.inline(child(group, "article-title")), walker.inline(child(group, "subtitle"))
    return walker.resolve(f"{title}: {subtitle}" if title and subtitle else title or subtitle)


def _filtered(meta: ArticleMeta, title: str, options: PmcOptions) -> tuple[str, str] | None:
    """(reason, detail) when the options reject the article before its text is read."""
    kind = meta.article_type
    if kind in (None, "other"):
        kind = notice_type(title) or kind  # notices some journals tag "other": "Correction: Aspirin and ..."
    if kind in options.exclude_article_types:
        return "article_type_excluded", f"article type {kind!r} is in exclude_article_types"
    if meta.retracted and options.drop_retracted:
        return "retracted", "the article is marked retracted (file list or retraction-forward link)"
    group = license_group(meta.license)
    if group not in options.license_groups:
        return "license_excluded", (
            f"licence {meta.license or 'none'!r} is in group {group!r}; license_groups "
            f"keeps {', '.join(options.license_groups)}"
        )
    if options.languages and (meta.language or "en") not in options.languages:
        return "language_excluded", f"language {meta.language!r} is not in languages"
    if meta.version and meta.latest_version and meta.version < meta.latest_version:
        return "superseded_version", f"version {meta.version}; the file list has version {meta.latest_version}"
    return None


def _fill(walker: BodyText, article: Element, title: str, options: PmcOptions) -> int:
    """Write the article's text into `walker`; returns the number of paragraphs the body gave."""
    walker.add(title)
    article_meta = child(article, "front", "article-meta")
    if article_meta is not None:
        if options.keep_authors:
            walker.authors(article_meta)
        walker.abstracts(article_meta)
    start = len(walker.blocks)
    body = child(article, "body")
    if body is not None:
        walker.container(body)
    body_blocks = sum(1 for _, is_heading in walker.blocks[start:] if not is_heading)
    for part in ("floats-group", "floats-wrap"):  # figures and boxes kept outside the flow (NLM 2.x: floats-wrap)
        floats = child(article, part)
        if floats is not None:
            walker.container(floats)
    back = child(article, "back")
    if back is not None and walker.kept_kinds:
        walker.back(back)
    if options.sub_articles == "append":
        walker.sub_articles(article)
    return body_blocks
