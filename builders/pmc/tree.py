"""Child lookups by tag that stay in C: `child(article, "front", "article-meta")`; `flat_text(el)`, `line_text(el)`,
`block_text(el)`.

lxml's `find("front/article-meta")` runs its ElementPath engine in Python, about 9 µs a call on the reference
machine; `iterchildren(tag)` filters in C and costs a quarter of that. An article needs a few hundred lookups
(every section's title, every caption), so the difference is a tenth of the time to parse the file.
"""

from __future__ import annotations

from lxml import etree

Element = etree._Element


def child(el: Element | None, *path: str) -> Element | None:
    """The first child of `el` with the first tag of `path`, then its first child with the next tag, ..."""
    for tag in path:
        if el is None:
            return None
        el = next(el.iterchildren(tag), None)
    return el


def child_text(el: Element | None, tag: str) -> str:
    found = child(el, tag)
    return (found.text or "") if found is not None else ""


def leading(el: Element | None, tag: str) -> Element | None:
    """The child `tag` of `el`, looked for first among its first three children, where JATS puts titles, labels
    and captions (`sec`: sec-meta?, label?, title?), so a whole child list is walked only when it is not there."""
    if el is None:
        return None
    for index in range(3):
        try:
            found = el[index]
        except IndexError:
            return None
        if found.tag == tag:
            return found
    return child(el, tag)


def flat_text(el: Element) -> str:
    """All the text inside `el`, in document order, in one C call (what strip_tags and .text would give)."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


# XPath's normalize-space() collapses the XML whitespace (space, tab, CR, LF) of an element's text in C.
_NORMALIZED = etree.XPath("normalize-space()", smart_strings=False)


def line_text(el: Element) -> str:
    """The text of `el` on one line, stripped: its XML whitespace collapsed when it holds a line break or a tab
    (pretty-printed XML), else as written ("a  b" stays; `squeeze_spaces` decides later, over the whole text).
    libxml2 collapses it several times faster than a regex over the text."""
    text = flat_text(el)
    if "\n" in text or "\t" in text or "\r" in text:  # (a no-break space stays)
        return _NORMALIZED(el).strip()
    return text.strip()


_BLOCK_PARENTS = frozenset({"sec", "back", "app", "app-group", "ack", "notes", "fn-group", "ref-list", "boxed-text"})


def block_text(el: Element) -> str:
    """The text of a section-like element with its blocks (title, paragraphs, subsections) apart: what a removed
    section said, readable ("Funding The Trust paid ..." rather than "FundingThe Trust paid ...")."""
    if el.tag not in _BLOCK_PARENTS:
        return flat_text(el)
    parts = [(el.text or "").strip()]
    for node in el:
        if node.tag.__class__ is str:
            parts.append(block_text(node))
        parts.append((node.tail or "").strip())
    return " ".join(part for part in parts if part)
