"""An article's parts in the order its text gives them: title, authors (if kept), abstracts, body, floats, back
matter (what is kept of it), sub-articles (if appended).

    Title

    Abstract
    Background
    Text of the structured abstract's first section.

    Introduction
    Text of the body, section by section.
"""

from __future__ import annotations

from lxml import etree

from builders.pmc.blocks import BodyText
from builders.pmc.options import PmcOptions
from builders.pmc.tree import child, leading

Element = etree._Element


def fill(walker: BodyText, article: Element, title: str, options: PmcOptions) -> int:
    """Write the article's text into `walker`; returns the number of paragraphs the body gave."""
    walker.add(title)
    article_meta = child(article, "front", "article-meta")
    if article_meta is not None:
        if options.keep_authors:
            authors(walker, article_meta)
        abstracts(walker, article_meta)
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
        sub_articles(walker, article)
    return body_blocks


def abstracts(w: BodyText, article_meta: Element) -> None:
    skipped = w.options.skip_abstract_types
    for index, abstract in enumerate(article_meta.iterchildren("abstract")):
        kind = (abstract.get("abstract-type") or "").lower()
        if kind in skipped:
            continue  # graphical/TOC abstracts: an image and a sentence that repeats the title
        start = len(w.blocks)
        fallback = "Abstract" if index == 0 or not kind else kind.replace("-", " ").capitalize()
        w.heading(w.inline(leading(abstract, "title")) or fallback)
        w.container(abstract)
        if len(w.blocks) == start + 1:
            w.blocks.pop()


def authors(w: BodyText, article_meta: Element) -> None:
    names = []
    for contrib in (c for group in article_meta.iterchildren("contrib-group") for c in group.iterchildren("contrib")):
        if contrib.get("contrib-type", "author") != "author":
            continue
        name = child(contrib, "name")
        if name is not None:
            names.append(
                " ".join(filter(None, (w.inline(child(name, "given-names")), w.inline(child(name, "surname")))))
            )
        else:
            names.append(w.inline(child(contrib, "collab")))
    w.add(", ".join(n for n in names if n))


def sub_articles(w: BodyText, article: Element) -> None:
    """Peer reviews, author responses and translations after the main text, each under its title."""
    for sub in article:
        if sub.tag not in ("sub-article", "response"):
            continue
        front = child(sub, "front-stub")
        front = front if front is not None else child(sub, "front", "article-meta")
        title = w.inline(child(front, "title-group", "article-title")) if front is not None else ""
        w.heading(title or (sub.get("article-type") or sub.tag).replace("-", " ").capitalize())
        body, back = child(sub, "body"), child(sub, "back")
        if body is not None:
            w.container(body)
        if back is not None:
            w.back(back)
        sub_articles(w, sub)
