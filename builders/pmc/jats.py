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
1.0-1.3). How an article becomes text:
- `pmc_prune` cuts from the bytes what the text will drop anyway (reference list, tables, author groups, the back
  matter unless something of it is kept): a third of a typical file that need not be parsed;
- `pmc_xml` parses the rest once, with entities, DTDs and the network off, libxml2's limits on, repair if needed;
- `pmc_meta` reads identifiers, journal, year, licence, language from a few lookups in the front matter;
- `pmc_inline` makes one C-level pass over the article for the inline elements that need a decision (citations
  and callouts become marker tokens, formulas their TeX, dropped links and images go);
- `pmc_article`, `pmc_jats_blocks`, `pmc_jats_text` walk the blocks once, reading each paragraph in one C call;
- `pmc_markers` resolves markers, URLs and double spaces over the whole text at once.
Malformed XML that lxml can repair gives a `Notice("recovered")` and the article; anything else a `Rejection`
whose reason the manifest counts: empty_file, too_large, too_deep, bad_encoding, undefined_entity, xml_syntax,
not_an_article, oai_error, no_pmcid, article_type_excluded, retracted, license_excluded, language_excluded,
superseded_version, no_body.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator

from lxml import etree

from builders.pmc.article import fill
from builders.pmc.blocks import BodyText
from builders.pmc.filelist import FileListIndex, license_group, load_filelists
from builders.pmc.formulas import local_name
from builders.pmc.inline import UndefinedEntity
from builders.pmc.meta import ArticleMeta, notice_type, read_meta
from builders.pmc.options import PmcOptions
from builders.pmc.prune import PruneSpec
from builders.pmc.safe_xml import XmlUnreadable, read_xml
from builders.pmc.tree import child, child_text
from medc.records import PAPERS, Document, Notice, Rejection
from medc.sources import WorkUnit

__all__ = ["FileListIndex", "PmcOptions", "accepts", "load_filelists", "parse", "with_filelists"]

Element = etree._Element
OAI = "{http://www.openarchives.org/OAI/2.0/}"


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
    except XmlUnreadable as exc:
        yield Rejection(unit.origin, exc.reason, exc.detail)
        return
    if recovered:
        yield Notice(unit.origin, "recovered", detail=recovered)
    for found in _articles(root, unit.origin):
        if isinstance(found, (Rejection, Notice)):
            yield found
        else:
            yield from _article_records(found, unit.origin, options, bool(recovered))


@functools.lru_cache(maxsize=8)  # options are hashable and fixed for a build: decide once
def _prune_spec(options: PmcOptions) -> PruneSpec:
    return PruneSpec(
        back=not options.kept_kinds(),
        references=not options.keep_references,
        tables=not options.keep_tables,
        authors=not options.keep_authors,
        sub_articles=options.sub_articles == "drop",
    )


def _articles(root: Element, origin: str) -> Iterator[Element | Rejection | Notice]:
    name = local_name(root.tag)
    if name == "article":
        yield _plain_tags(root)
    elif name == "pmc-articleset":
        articles = [el for el in root if isinstance(el.tag, str) and local_name(el.tag) == "article"]
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
        body_blocks = fill(walker, article, title, options)
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
        meta=meta.published(),
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
