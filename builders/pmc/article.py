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


def prepare(walker: BodyText, article: Element, skip: list[Element]) -> None:
    """Rewrite the inline markup of the parts of `article` its text is made of (not the rest of the front matter:
    affiliation marks and e-mail addresses there are no text the article loses), except the sub-articles in
    `skip` (translations, prepared with their own document)."""
    for part in article:
        if part.tag == "front":
            article_meta = child(part, "article-meta")
            if article_meta is not None:
                for region in article_meta.iterchildren("title-group", "abstract"):
                    walker.prepare(region)
                if walker.options.keep_authors:
                    for region in article_meta.iterchildren("contrib-group"):
                        walker.prepare(region)
        elif part.tag.__class__ is str and part not in skip:
            walker.prepare(part)
        elif part.tag.__class__ is not str:
            walker.prepare(article)  # an entity reference loose in <article>: the whole article decides
            return


def fill(walker: BodyText, article: Element, title: str, options: PmcOptions, skip: list[Element]) -> int:
    """Write the article's text into `walker`; returns the number of paragraphs the body gave. The sub-articles
    in `skip` (translations, documents of their own) are neither written nor counted as removed."""
    walker.add(title)
    article_meta = child(article, "front", "article-meta")
    if article_meta is not None:
        if options.keep_authors:
            authors(walker, article_meta)
        abstracts(walker, article_meta)
    body_blocks = _body(walker, article)
    back = child(article, "back")
    if back is not None and walker.kept_kinds:
        walker.back(back)
    elif back is not None:
        walker.drop("pmc.back_matter", back)
    for sub in article:
        if sub.tag in ("sub-article", "response") and sub not in skip:
            if options.sub_articles == "append":
                sub_article(walker, sub)
            else:
                walker.drop("pmc.sub_article", sub)
    return body_blocks


def fill_translation(walker: BodyText, sub: Element, options: PmcOptions) -> tuple[str, int]:
    """Write a translation sub-article's text (title, abstracts, body, kept back matter) into `walker`; returns
    its title and the number of paragraphs its body gave."""
    front = _front(sub)
    title = walker.inline(child(front, "title-group", "article-title")) if front is not None else ""
    title = walker.resolve(title)
    walker.add(title)
    if front is not None:
        abstracts(walker, front)
    body_blocks = _body(walker, sub)
    back = child(sub, "back")
    if back is not None and walker.kept_kinds:
        walker.back(back)
    elif back is not None:
        walker.drop("pmc.back_matter", back)
    for nested in sub.iterchildren("sub-article", "response"):
        walker.drop("pmc.sub_article", nested)
    return title, body_blocks


def _body(walker: BodyText, article: Element) -> int:
    start = len(walker.blocks)
    body = child(article, "body")
    if body is not None:
        walker.container(body)
    body_blocks = sum(1 for _, is_heading in walker.blocks[start:] if not is_heading)
    for part in ("floats-group", "floats-wrap"):  # figures and boxes kept outside the flow (NLM 2.x: floats-wrap)
        floats = child(article, part)
        if floats is not None:
            walker.container(floats)
    return body_blocks


def _front(sub: Element) -> Element | None:
    front = child(sub, "front-stub")
    return front if front is not None else child(sub, "front", "article-meta")


def abstracts(w: BodyText, article_meta: Element) -> None:
    skipped = w.options.skip_abstract_types
    for index, abstract in enumerate(article_meta.iterchildren("abstract")):
        kind = (abstract.get("abstract-type") or "").lower()
        if kind in skipped:
            w.drop(f"pmc.abstract.{kind}", abstract)  # graphical/TOC abstracts: an image and a title-like line
            continue
        start = len(w.blocks)
        fallback = "Abstract" if index == 0 or not kind else kind.replace("-", " ").capitalize()
        w.heading(w.inline(leading(abstract, "title")) or fallback)
        w.titles_decide_kind = False  # an abstract's sections are never back matter, whatever their title
        try:
            w.container(abstract)
        finally:
            w.titles_decide_kind = True
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


def sub_article(w: BodyText, sub: Element) -> None:
    """A peer review, author response or translation after the main text, under its title."""
    front = _front(sub)
    title = w.inline(child(front, "title-group", "article-title")) if front is not None else ""
    w.heading(title or (sub.get("article-type") or sub.tag).replace("-", " ").capitalize())
    body, back = child(sub, "body"), child(sub, "back")
    if body is not None:
        w.container(body)
    if back is not None:
        w.back(back)
    for nested in sub.iterchildren("sub-article", "response"):
        sub_article(w, nested)
