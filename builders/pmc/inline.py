"""Rewrite an article's inline markup in place, once, so that most paragraphs can be read as one text.

    <p>Rose 10<sup>3</sup>-fold [<xref ref-type="bibr" rid="b4">4</xref>] (<xref ref-type="fig" rid="f2">Fig. 2
    </xref>); see <ext-link xlink:href="https://example.org">https://example.org</ext-link>.</p>
    → <p>Rose 10<sup>^3</sup>-fold [\ufdd04\ufdd1] (\ufdd0\ufdd4Fig. 2\ufdd1); see.</p>

One C-level iteration (`region.iter(...)`) finds the few elements that need a decision, and Python deals with
each: a citation or callout xref becomes a marker token (`tokens`, resolved by `markers`), a note marker goes;
a formula becomes its TeX or text (`formulas`); links that are just an address, footnotes inside a paragraph and
images go; an entity reference left unexpanded becomes its character, or rejects the article (`UndefinedEntity`);
a paragraph holding a block (a list, a display formula) is noted in `walker.complex`, to be read child by child.
Everything else, the italic, bold, sub/sup, named-content of running text, stays as it is: libxml2 reads it as
plain text in one C call (`tree.line_text`).
"""

from __future__ import annotations

import re
from html.entities import html5
from typing import TYPE_CHECKING

from lxml import etree

from builders.pmc.tokens import CLOSE, OPEN, callout_token, citation_token
from builders.pmc.tree import flat_text

if TYPE_CHECKING:
    from builders.pmc.text import ArticleText


Element = etree._Element
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
MATHML = "{http://www.w3.org/1998/Math/MathML}"

# xref types whose text is a callout to a float the text no longer shows.
_CALLOUT_TYPES = frozenset({"fig", "table", "supplementary-material", "scheme", "plate", "video"})
# xref types that are bare markers pointing at dropped notes: "*", "a", "1" (author notes, table footnotes, ...).
_MARKER_TYPES = frozenset({"fn", "table-fn", "aff", "corresp", "author-notes", "contrib"})
# Inline formatting, read as part of the surrounding text once xrefs, links and formulas have been dealt with.
INLINE = frozenset(
    {
        "italic",
        "bold",
        "sc",
        "sup",
        "sub",
        "underline",
        "overline",
        "monospace",
        "roman",
        "sans-serif",
        "strike",
        "named-content",
        "styled-content",
        "abbrev",
        "xref",
        "ext-link",
        "uri",
        "email",
        "target",
        "x",
        "inline-formula",
        "related-article",
        "related-object",
        "funding-source",
        "award-id",
        "hr",
        "ruby",
        "rb",
        "rt",
        "span",
        "fixed-case",
        "inline-media",
        "citation-alternatives",
        "glyph-ref",
        "term",
        "chem-struct",
        "string-date",
    }
)
# Elements dropped with their content (not their tail): images, and what only describes them.
_DROPPED = frozenset(
    {
        "inline-graphic",
        "graphic",
        "private-char",
        "alt-text",
        "long-desc",
        "object-id",
        "break",
        "index-term",
        "milestone-start",
        "milestone-end",
    }
)
_LINKS = frozenset({"ext-link", "uri", "email", "self-uri"})
# Elements that need a decision before merging (MathML and TeX only where no formula element holds them).
# Block elements JATS allows inside a paragraph; a paragraph holding one is read child by child.
BLOCKS_IN_PARAGRAPH = frozenset(
    {
        "list",
        "def-list",
        "disp-formula",
        "disp-formula-group",
        "disp-quote",
        "fig",
        "fig-group",
        "table-wrap",
        "table-wrap-group",
        "table",
        "boxed-text",
        "statement",
        "preformat",
        "code",
        "supplementary-material",
        "array",
        "chem-struct-wrap",
        "speech",
        "verse-group",
    }
)
# Elements that need a decision before a paragraph is read as one text.
PREPARED = (
    "xref",
    "sup",
    "inline-formula",
    *sorted(_LINKS),
    "fn",
    "inline-supplementary-material",
    MATHML + "math",
    "tex-math",
    *sorted(_DROPPED),
    *sorted(BLOCKS_IN_PARAGRAPH),
)
_POWER = re.compile(r"[−\-+]?\d+(?:\.\d+)?")
# An unlinked superscript that reads as citation numbers: "1", "1,2", "3–5", "1, 4-6".
_CITATION_SUP = re.compile(r"\d{1,3}(?:\s?[,–-]\s?\d{1,3})*|\(\d{1,3}(?:\s?[,–-]\s?\d{1,3})*\)")
_YEAR_END = re.compile(r"(?:^|[^\d.])(?:1[89]|20)\d\d$")
_POWER_START = frozenset("0123456789−-+")
_SUP_START = _POWER_START | {"("}
_URL_LIKE = re.compile(r"^(?:https?://|ftp://|www\.|doi:|\S+@\S+\.\S+$|\S+\.(?:org|com|gov|net|edu)\b)", re.I)


class UndefinedEntity(Exception):
    """An entity reference the parser left unexpanded and that is not an HTML entity (`&lol9;`, `&xxe;`)."""

    def __init__(self, name: str, line: int | None) -> None:
        super().__init__(f"entity &{name}; at line {line} is neither XML nor HTML; DTD entities are never expanded")


def prepare(walker: ArticleText, region: Element | None) -> None:
    """Rewrite the inline markup of `region` in place so that its paragraphs become plain text."""
    if region is None:
        return
    drop_citations = not walker.options.keep_citation_markers
    for node in list(region.iter(etree.Entity, *walker.prepared_tags)):
        tag = node.tag
        if tag == "xref":
            if drop_citations and node.get("ref-type") == "bibr" and not len(node):
                node.text = OPEN + (node.text or "") + CLOSE  # the common case, <xref ...>12</xref>
            else:
                _xref(walker, node)
        elif tag == "sup":
            _mark_sup(node, drop_citations)
        elif tag in _DROPPED:
            if tag != "break" and (len(node) or node.text):
                walker.removed.add("pmc.image_text", flat_text(node))
            _remove(node, " " if tag == "break" else "")
        elif tag in BLOCKS_IN_PARAGRAPH or tag == "p":
            parent = node.getparent()
            while parent is not None and parent not in walker.complex:  # the paragraph, and a list item's
                walker.complex.add(parent)
                parent = parent.getparent() if parent.tag in INLINE else None
        elif tag.__class__ is not str:
            char = html5.get(f"{node.name};")  # &nbsp; in a file whose DTD was not loaded
            if char is None:
                raise UndefinedEntity(node.name, node.sourceline)
            _remove(node, char)
        elif tag == "inline-formula":
            formula = walker.formula(node, display=False)
            if formula:
                _set_text(node, formula)
            else:
                _remove(node)  # an image of a formula: "is <inline-formula/> in" → "is in" (counted by formula())
        elif tag in _LINKS:
            _link(walker, node)
        elif tag == "fn" or tag == "inline-supplementary-material":
            _note(walker, node)
        else:  # MathML or TeX loose in a paragraph, not inside a formula element
            outer = next(node.iterancestors("disp-formula", "inline-formula", region.tag), None)
            if outer is not None and outer.tag == region.tag:
                _set_text(node, walker.formula(node, display=False))


def _xref(walker: ArticleText, xref: Element) -> None:
    kind = xref.get("ref-type")
    if kind == "bibr":
        if not walker.options.keep_citation_markers:
            if len(xref):  # <xref><sup>1</sup></xref>
                text = "".join(xref.itertext())
                del xref[:]
            else:
                text = xref.text or ""
            xref.text = citation_token(text)
    elif kind in _CALLOUT_TYPES:
        if walker.options.callouts != "keep":
            if len(xref):
                _set_text(xref, callout_token("".join(xref.itertext())))
            else:
                xref.text = callout_token(xref.text or "")  # "Fig. 2", most often
    elif kind in _MARKER_TYPES:
        walker.removed.add("pmc.note_marker", flat_text(xref) if len(xref) else xref.text or "")
        _remove(xref)


def _link(walker: ArticleText, el: Element) -> None:
    # A link whose text is its address (or an e-mail) goes; "the GEO database" keeps its words.
    if not walker.options.keep_urls:
        text = " ".join("".join(el.itertext()).split())
        if not text or _URL_LIKE.match(text) or text == el.get(XLINK_HREF):
            walker.removed.add("pmc.url", text)
            _remove(el)


def _note(walker: ArticleText, el: Element) -> None:
    parent = el.getparent()
    if el.tag == "inline-supplementary-material":
        if "supplementary" not in walker.kept_kinds:
            walker.removed.add("pmc.section.supplementary", flat_text(el))
            _remove(el)
    elif "footnotes" not in walker.kept_kinds and parent is not None and parent.tag not in _NOTE_PARENTS:
        walker.removed.add("pmc.footnote", flat_text(el))
        _remove(el)  # a footnote inside a paragraph


_NOTE_PARENTS = frozenset({"fn-group", "table-wrap-foot", "author-notes"})


def _mark_sup(sup: Element, citations: bool) -> None:
    """A superscript number is a power ("10<sup>−6</sup>" → 10^−6, not 106) or, unlinked, a citation: "common
    <sup>1,2</sup>", "risk<sup>27-31</sup>", "years.<sup>1</sup>", "since 2010<sup>5</sup>", "<sup>(18-21)</sup>"
    become a marker token, removed like a linked one (when `citations` go). "Ca<sup>2+</sup>", "1<sup>st</sup>",
    "m<sup>2</sup>", "R<sup>2</sup>" and "height<sup>2</sup>" stay as written."""
    text = sup.text
    if not text or text[0] not in _SUP_START or len(sup):  # most <sup>s hold a citation, a letter or a charge
        return
    parent = sup.getparent()
    if parent is None:
        return
    previous = sup.getprevious()
    before = (previous.tail if previous is not None else parent.text) or ""
    if previous is not None and not before:
        return  # right after an element ("<italic>x</italic><sup>2</sup>"): a power of what it holds
    if citations and _CITATION_SUP.fullmatch(text) and _cites(before, text):
        sup.text = citation_token(text)
    elif before[-1:].isdigit() and _POWER.fullmatch(text):
        sup.text = "^" + text


def _cites(before: str, text: str) -> bool:
    """Whether an unlinked superscript number after `before` is a citation: a list, range or bracket ("1,2",
    "3–5", "(18)"), or one number after a sentence mark, after a year ("2010" + "5"), or after a word of four
    letters or more unless it is 2 or 3 (squared and cubed units: "height<sup>2</sup>")."""
    if text[0] == "(" or any(c in text for c in ",–-"):
        return True
    last = before[-1:]
    if last in ".,;:)]":
        return True
    if last.isdigit():
        return bool(_YEAR_END.search(before[-6:]))
    return text not in ("2", "3") and last.isalpha() and before[-4:].isalpha()


def _set_text(el: Element, text: str) -> None:
    """Replace the content of `el` by `text` (its tail stays)."""
    if len(el):
        del el[:]
    el.text = text


def _remove(node: Element, text: str = "") -> None:
    """Remove `node`, putting `text` where it stood and keeping its tail. Dropping a node between a space and a
    punctuation mark takes the space along: "see <ext-link>…</ext-link>." → "see."."""
    parent, previous = node.getparent(), node.getprevious()
    if parent is None:
        return
    tail = text + (node.tail or "")
    before = (previous.tail if previous is not None else parent.text) or ""
    if not text and before.endswith(" ") and (not tail or tail[0] in " .,;:)]"):
        before = before.rstrip(" ")
    if previous is not None:
        previous.tail = before + tail
    else:
        parent.text = before + tail
    parent.remove(node)
