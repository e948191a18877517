"""Flatten JATS inline markup into text, doing in C (lxml) what can be done in C.

    <p>Serum <italic>IL-6</italic> rose 10<sup>3</sup>-fold in <named-content>sepsis</named-content>
       [<xref ref-type="bibr" rid="b4">4</xref>–<xref ref-type="bibr" rid="b6">6</xref>] (<xref ref-type="fig"
       rid="f2">Fig. 2</xref>); see <ext-link xlink:href="https://example.org">https://example.org</ext-link>.</p>
    → "Serum IL-6 rose 10^3-fold in sepsis; see."

`prepare(region)` rewrites the inline level of a region in place, once: xrefs become marker tokens
(`pmc_markers`), formulas become their TeX or text, links, footnotes and images that are dropped go, entities
left unexpanded become characters; then `etree.strip_tags` merges all inline formatting into the paragraphs' text
in one C pass. Most paragraphs are then a single text node, read without any Python-level walk; the few with
children left (lists or formulas inside a paragraph, unusual elements) go through `collect`. Markers are resolved
once, over the joined text of the article (`ArticleText.text`).

Inline elements are joined as they stand in the XML, so `<italic>E.</italic> <italic>coli</italic>` stays two
words and `H<sub>2</sub>O` stays one; only whitespace runs are collapsed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.entities import html5
from typing import ClassVar

from lxml import etree

from builders.pmc_markers import CLOSE, REMOVED, mark_xref_element, resolve_markers
from builders.pmc_math import clean_tex, local_name, mathml_text, wrap
from builders.pmc_options import PmcOptions

Element = etree._Element
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
MATHML = "{http://www.w3.org/1998/Math/MathML}"

# Inline formatting merged into the surrounding text (after xrefs, links and formulas were dealt with).
_MERGED = (
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
)
_DROPPED = (
    "inline-graphic",
    "graphic",
    "media",
    "private-char",
    "alt-text",
    "long-desc",
    "object-id",
    "break",
    "index-term",
    "milestone-start",
    "milestone-end",
)
_LINKS = frozenset({"ext-link", "uri", "email", "self-uri"})
# Elements that need a decision before merging; MathML and TeX only where no formula element holds them.
_PREPARED = ("inline-formula", *_LINKS, "fn", "inline-supplementary-material", MATHML + "math", "tex-math")
_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>\"]+?(?=[.,;:!?)\]]*(?:\s|$))", re.IGNORECASE)
_URL_LIKE = re.compile(r"^(?:https?://|ftp://|www\.|doi:|\S+@\S+\.\S+$|\S+\.(?:org|com|gov|net|edu)\b)", re.I)


class UndefinedEntity(Exception):
    """An entity reference the parser left unexpanded and that is not an HTML entity (`&lol9;`, `&xxe;`)."""

    def __init__(self, name: str, line: int | None) -> None:
        super().__init__(
            f"entity &{name}; at line {line} is not defined by XML or HTML; DTD entities are never expanded"
        )


class ArticleText:
    """The text blocks of one article, in order; a heading is joined to the block after it by one newline."""

    BLOCKS: ClassVar[dict[str, Callable[[ArticleText, Element], None]]] = {}

    def __init__(self, options: PmcOptions, xrefs_marked: bool = True) -> None:
        self.options = options
        self.xrefs_marked = xrefs_marked  # False: the bytes could not be marked (UTF-16), prepare() marks xrefs
        self.blocks: list[tuple[str, bool]] = []  # (text, is_heading)
        self.formulas_without_text = 0
        self.kept_kinds = options.kept_kinds()

    # Output -------------------------------------------------------------------------------------------------
    def heading(self, text: str) -> None:
        if text:
            self.blocks.append((text, True))

    def add(self, text: str) -> None:
        if text:
            self.blocks.append((text, False))

    def text(self) -> str:
        out: list[str] = []
        for text, is_heading in self.blocks:
            out.append(text)
            out.append("\n" if is_heading else "\n\n")
        return self.clean("".join(out[:-1]))

    def clean(self, text: str) -> str:
        """Markers resolved, URLs dropped, across a whole text at once (a few C-speed regex passes)."""
        if not self.options.keep_urls and ("://" in text or "www." in text):
            text = _URL.sub(REMOVED, text)
        text = resolve_markers(text, self.options.callouts)
        while "\n\n\n" in text:  # a paragraph that held nothing but markers
            text = text.replace("\n\n\n", "\n\n")
        return text.strip()

    def capture(self, el: Element, emit: Callable[[Element], None]) -> list[str]:
        """The blocks `emit(el)` produces, taken aside instead of added to the article (list items, captions)."""
        saved, self.blocks = self.blocks, []
        try:
            emit(el)
            return [text for text, _ in self.blocks]
        finally:
            self.blocks = saved

    # Inline text ----------------------------------------------------------------------------------------------
    def inline(self, el: Element | None) -> str:
        """The flattened text of `el` (a title, a caption title, a table cell), whitespace collapsed."""
        if el is None:
            return ""
        if not len(el):
            return " ".join((el.text or "").split())
        parts: list[str] = []
        self.collect(el, parts, blocks=False)
        return " ".join("".join(parts).split())

    def paragraph(self, el: Element) -> None:
        """A `<p>` (or any element read as one); lists, formulas, ... inside it become blocks of their own."""
        if not len(el):
            self.add(" ".join((el.text or "").split()))
            return
        parts: list[str] = []
        self.collect(el, parts, blocks=True)
        self.add(" ".join("".join(parts).split()))

    def collect(self, el: Element, parts: list[str], blocks: bool) -> None:
        if el.text:
            parts.append(el.text)
        for child in el:
            tag = child.tag
            if tag.__class__ is not str:
                pass  # prepared regions have no entities left; an unprepared one skips them
            elif blocks and tag in self.BLOCKS:
                self.add(" ".join("".join(parts).split()))  # text before the block is a paragraph of its own
                parts.clear()
                self.BLOCKS[tag](self, child)
            elif tag == "disp-formula" or tag == "label":
                parts.append(" " + self.formula(child, display=True) + " " if tag == "disp-formula" else " ")
            else:
                parts.append(" ")  # an element left after prepare() is block-like: keep its words apart
                self.collect(child, parts, blocks)
                parts.append(" ")
            if child.tail:
                parts.append(child.tail)

    def formula(self, el: Element, display: bool) -> str:
        """TeX if the formula has it, else its MathML as TeX-like text, else its plain text."""
        tag = local_name(el.tag)
        tex = el if tag == "tex-math" else next(el.iter("tex-math"), None)
        if tex is not None and "".join(tex.itertext()).strip():
            return wrap(clean_tex("".join(tex.itertext())), display, tex=True)
        math = el if tag == "math" else next(el.iter(MATHML + "math", "math"), None)
        if math is not None:
            return wrap(mathml_text(math), display, tex=False)
        text = " ".join(t for t in _text_without(el, "label", "graphic", "inline-graphic") if t.strip())
        if not text:
            self.formulas_without_text += 1  # an image of a formula: nothing to read
        return " ".join(text.split())

    # Preparing a region -------------------------------------------------------------------------------------
    def prepare(self, region: Element | None) -> None:
        """Rewrite the inline markup of `region` in place so that its paragraphs become plain text: one C-level
        iteration finds the elements that need a decision, then two C passes drop and merge the rest."""
        if region is None:
            return
        tags = _PREPARED if self.xrefs_marked else (*_PREPARED, "xref")
        for node in list(region.iter(etree.Entity, *tags)):
            tag = node.tag
            if tag.__class__ is not str:
                char = html5.get(f"{node.name};")  # &nbsp; in a file whose DTD was not loaded
                if char is None:
                    raise UndefinedEntity(node.name, node.sourceline)
                _replace(node, char)
            elif tag == "xref":
                self._mark_xref(node)
            elif tag == "inline-formula":
                _set_text(node, self.formula(node, display=False))
            elif tag in _LINKS:
                self._link(node)
            elif tag in ("fn", "inline-supplementary-material"):
                self._note(node)
            else:  # MathML or TeX loose in a paragraph, not inside a formula element
                outer = next(node.iterancestors("disp-formula", "inline-formula", region.tag), None)
                if outer is not None and outer.tag == region.tag:
                    _set_text(node, self.formula(node, display=False))
        for br in region.iter("break"):
            br.tail = " " + (br.tail or "")
        etree.strip_elements(region, *_DROPPED, with_tail=False)
        etree.strip_tags(region, *_MERGED)

    def _mark_xref(self, xref: Element) -> None:
        """What `pmc_markers.mark_xrefs` does to the bytes, done on the tree (files in UTF-16)."""
        options = self.options
        xref.text = mark_xref_element(xref.get("ref-type"), not options.keep_citation_markers, options.callouts) \
            + (xref.text or "")
        if len(xref):
            xref[-1].tail = (xref[-1].tail or "") + CLOSE
        else:
            xref.text += CLOSE

    def _link(self, el: Element) -> None:
        # A link whose text is its address (or an e-mail) goes; "the GEO database" keeps its words.
        if not self.options.keep_urls:
            text = " ".join("".join(el.itertext()).split())
            if not text or _URL_LIKE.match(text) or text == el.get(XLINK_HREF):
                _replace(el, REMOVED)

    def _note(self, el: Element) -> None:
        if el.tag == "inline-supplementary-material":
            if "supplementary" not in self.kept_kinds:
                _replace(el, REMOVED)
        elif (
            "footnotes" not in self.kept_kinds
            and el.getparent() is not None
            and el.getparent().tag not in ("fn-group", "table-wrap-foot", "author-notes")
        ):
            _replace(el, REMOVED)  # a footnote inside a paragraph


def _set_text(el: Element, text: str) -> None:
    """Replace the content of `el` by `text` (its tail stays)."""
    del el[:]
    el.text = text


def _replace(node: Element, text: str) -> None:
    """Remove `node`, putting `text` where it stood and keeping its tail."""
    parent, previous = node.getparent(), node.getprevious()
    if parent is None:
        return
    tail = text + (node.tail or "")
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(node)


def _text_without(el: Element, *skipped: str) -> list[str]:
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag not in skipped:
            parts.extend(_text_without(child, *skipped))
        parts.append(child.tail or "")
    return parts
