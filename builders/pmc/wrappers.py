"""The articles of one parsed XML file, whatever wraps them.

    <article>...</article>                                        → that article (PMC, publishers, Cloud Service)
    <pmc-articleset><article>..</article>...</pmc-articleset>     → each article (PMC eFetch)
    <articles><article>..</article><article>..</article></articles> → each article (Europe PMC REST, tidypmc)
    <OAI-PMH>...<record><metadata><article>...                    → each record's article; an OAI <error> or a
                                                                     deleted record is reported, not parsed
    <item xmlns="http://libero.pub"><jats:article>..</item>       → the article, wherever it sits (any envelope)

Articles are returned with the JATS namespace (or prefix) taken off their tags, so every later lookup uses plain
names. An article inside another element's `<sub-article>` is part of that article, never one of its own.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from builders.pmc.formulas import local_name
from builders.pmc.tree import child, child_text
from medc.records import Notice, Rejection

Element = etree._Element
OAI = "{http://www.openarchives.org/OAI/2.0/}"


def find_articles(root: Element, origin: str) -> Iterator[Element | Rejection | Notice]:
    """Each article of the file in document order, or the Rejection or Notice that explains its absence."""
    name = local_name(root.tag)
    if name == "article":
        yield plain_tags(root)
    elif name == "OAI-PMH":
        yield from _oai_articles(root, origin)
    else:
        articles = [el for el in root.iter("{*}article") if _outermost(el)]
        if not articles:
            yield Rejection(
                origin,
                "not_an_article",
                f"root element <{name}> holds no JATS <article> (expected <article>, <pmc-articleset>, <articles> "
                "or an OAI-PMH response)",
            )
        yield from (plain_tags(article) for article in articles)


def _outermost(article: Element) -> bool:
    return next(article.iterancestors("{*}article", "{*}sub-article", "{*}response"), None) is None


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
                yield plain_tags(found)
            else:
                yield Rejection(
                    origin,
                    "not_an_article",
                    f"OAI record holds <{local_name(found.tag)}>, not JATS: harvest with metadataPrefix=pmc",
                )


def plain_tags(article: Element) -> Element:
    """The article with JATS tags unnamespaced, for the files whose namespace the byte-level drop missed (a
    prefixed or unknown JATS namespace URI: `<jats:article xmlns:jats="http://jats.nlm.nih.gov">`)."""
    if not article.tag.startswith("{"):
        return article
    namespace = article.tag[: article.tag.index("}") + 1]
    for el in article.iter(f"{namespace}*"):
        el.tag = el.tag[len(namespace) :]
    return article
