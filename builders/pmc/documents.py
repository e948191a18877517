"""One parsed article → its Documents (the article, and each translation), or the Rejection that says why not.

    <article xml:lang="pt"><front>...<article-id pub-id-type="doi">10.1590/x-2013</article-id>...</front>
      <body>...</body><sub-article article-type="translation" xml:lang="en"><front-stub>...</front-stub>
      <body>...</body></sub-article></article>
    → Document(id="doi:10.1590/x-2013", meta=PaperMeta(language="pt", id_type="doi", ...))
      Document(id="doi:10.1590/x-2013:translation:en", meta=PaperMeta(language="en",
               translation_of="doi:10.1590/x-2013", ...))

A translation is a document of its own, in its own language (an English build keeps the English translation of
a Portuguese article, which `languages` rejects). What the options reject for the article (type, licence,
retraction, version) rejects its translations with it; language and an empty body are judged per document.
Every section dropped by its kind becomes a `Notice("section_dropped")` naming kind, title and characters.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from lxml import etree

from builders.pmc.article import fill, fill_translation, prepare
from builders.pmc.blocks import BodyText
from builders.pmc.filelist import license_group
from builders.pmc.ids import record_id
from builders.pmc.inline import UndefinedEntity
from builders.pmc.meta import XML_LANG, ArticleMeta, notice_type, read_meta
from builders.pmc.options import PmcOptions
from builders.pmc.prune import PruneSpec, prune_tree
from builders.pmc.removals import RemovedSpan
from builders.pmc.sidecar import CloudMeta
from builders.pmc.tree import child
from medc.records import PAPERS, Document, Notice, Rejection
from medc.sources import WorkUnit

Element = etree._Element


@dataclasses.dataclass(frozen=True, slots=True)
class FileContext:
    """What the records of every article of one file share."""

    unit: WorkUnit
    options: PmcOptions
    recovered: bool
    cloud: CloudMeta | None
    tree_prune: PruneSpec | None = None  # what to cut from each parsed article (the bytes were not pruned)
    trace: bool = False  # keep the removed texts (`medc explain`): documents come as `TracedDocument`s


@dataclasses.dataclass(frozen=True, slots=True)
class TracedDocument:
    """A document parsed with tracing, and the spans its text lost."""

    document: Document
    spans: list[RemovedSpan]


def article_records(
    article: Element, index: int, pruned: dict[str, tuple[int, int]], ctx: FileContext
) -> Iterator[Document | Rejection | Notice | TracedDocument]:
    """The records of the `index`-th article of the file; `pruned` is the text cut from its bytes, per rule
    (characters, count)."""
    origin, options = ctx.unit.origin, ctx.options
    meta = read_meta(article, origin, options.filelist, ctx.cloud)
    if meta.pmcid is None and options.require_pmcid:
        yield Rejection(origin, "no_pmcid", "no PMCID in <article-id> nor in the file name (papers.require_pmcid)")
        return
    doc_id, meta.id_type = record_id(meta, ctx.unit.data, index)
    walker = BodyText(options, ctx.recovered, ctx.trace)
    for rule, (chars, count) in pruned.items():
        walker.removed.count(rule, chars, count)
    if ctx.tree_prune is not None:
        prune_tree(article, ctx.tree_prune, walker.removed)
    try:
        translations = _translations(article, options)
        prepare(walker, article, skip=translations)  # one pass over the inline markup of the text's parts
        title = _title(walker, child(article, "front", "article-meta", "title-group"))
        problem = _filtered(meta, title, options)
        if problem:
            yield Rejection(origin, problem[0], problem[1], doc_id)
            return
        body_blocks = fill(walker, article, title, options, skip=translations)
        yield from _document(walker, doc_id, title, meta, body_blocks, ctx)
        for number, sub in enumerate(translations):
            yield from _translation(walker.fork(), sub, number, doc_id, meta, ctx)
    except UndefinedEntity as exc:
        yield Rejection(origin, "undefined_entity", str(exc), doc_id)


def _document(
    walker: BodyText, doc_id: str, title: str, meta: ArticleMeta, body_blocks: int, ctx: FileContext
) -> Iterator[Document | Rejection | Notice | TracedDocument]:
    origin, options = ctx.unit.origin, ctx.options
    if options.languages and (meta.language or "en") not in options.languages:
        yield Rejection(origin, "language_excluded", f"language {meta.language!r} is not in languages", doc_id)
        return
    if options.require_body and not body_blocks:
        yield Rejection(origin, "no_body", "the article has no body text (abstract only, or a scanned PDF)", doc_id)
        return
    if walker.formulas_without_text:
        yield Notice(origin, "formula_without_text", walker.formulas_without_text, doc_id)
    text = walker.text()  # markers are resolved here: removals are complete after it
    for kind, section_title, chars in walker.dropped_sections:
        yield Notice(origin, "section_dropped", 1, f"{doc_id}: {kind} section {section_title!r} ({chars} chars)")
    doc = Document(
        id=doc_id,
        source=PAPERS,
        title=title,
        text=text,
        origin=origin,
        meta=meta.published(),
        removed=walker.removed.as_list(),
    )
    spans = walker.removed.spans
    yield doc if spans is None else TracedDocument(doc, spans)


def _translation(
    walker: BodyText, sub: Element, number: int, main_id: str, main: ArticleMeta, ctx: FileContext
) -> Iterator[Document | Rejection | Notice | TracedDocument]:
    language = (sub.get(XML_LANG) or "").strip().lower() or None
    meta = dataclasses.replace(main, language=language, translation_of=main_id)
    doc_id = f"{main_id}:translation:{language or number + 1}"
    walker.prepare(sub)
    title, body_blocks = fill_translation(walker, sub, ctx.options)
    yield from _document(walker, doc_id, title, meta, body_blocks, ctx)


def _translations(article: Element, options: PmcOptions) -> list[Element]:
    """The article's translation sub-articles, when they are documents of their own."""
    if options.translations != "document":
        return []
    return [sub for sub in article.iterchildren("sub-article") if _is_translation(sub)]


def _is_translation(sub: Element) -> bool:
    return (sub.get("article-type") or "").strip().lower() == "translation"


def _title(walker: BodyText, group: Element | None) -> str:
    if group is None:
        return ""
    title, subtitle = walker.inline(child(group, "article-title")), walker.inline(child(group, "subtitle"))
    return walker.resolve(f"{title}: {subtitle}" if title and subtitle else title or subtitle)


def _filtered(meta: ArticleMeta, title: str, options: PmcOptions) -> tuple[str, str] | None:
    """(reason, detail) when the options reject the article (and its translations) before its text is read."""
    kind = meta.article_type
    if kind in (None, "other"):
        kind = notice_type(title) or kind  # notices some journals tag "other": "Correction: Aspirin and ..."
    if kind in options.exclude_article_types:
        return "article_type_excluded", f"article type {kind!r} is in exclude_article_types"
    if meta.retracted and options.drop_retracted:
        return "retracted", f"the article is marked retracted by {meta.retraction_source} (papers.drop_retracted)"
    group = license_group(meta.license)
    if group not in options.license_groups:
        return "license_excluded", (
            f"licence {meta.license or 'none'!r} is in group {group!r}; license_groups "
            f"keeps {', '.join(options.license_groups)}"
        )
    if meta.version and meta.latest_version and meta.version < meta.latest_version:
        return "superseded_version", f"version {meta.version}; the file list has version {meta.latest_version}"
    return None
