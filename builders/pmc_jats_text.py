"""Flatten JATS inline markup into text, leaving to lxml's C code what it can do.

    <p>Serum <italic>IL-6</italic> rose 10<sup>3</sup>-fold in <named-content>sepsis</named-content>
       [<xref ref-type="bibr" rid="b4">4</xref>–<xref ref-type="bibr" rid="b6">6</xref>] (<xref ref-type="fig"
       rid="f2">Fig. 2</xref>); see <ext-link xlink:href="https://example.org">https://example.org</ext-link>.</p>
    → "Serum IL-6 rose 10^3-fold in sepsis; see."

`prepare(region)` rewrites the inline level of a region (abstract, body, ...) in place, once: one C-level
iteration finds the elements that need a decision, in Python (xrefs become marker tokens, formulas their TeX or
text, dropped links, footnotes and images go, unexpanded entities become characters), then `etree.strip_tags`
merges all inline formatting into the paragraphs' text in one C pass. Most paragraphs are then a single text
node, read without any Python-level walk; the few with children left (a list or a display formula inside a
paragraph, an unusual element) go through `collect`.

Inline elements are joined as they stand in the XML, so `<italic>E.</italic> <italic>coli</italic>` stays two
words and `H<sub>2</sub>O` stays one; only runs of XML whitespace are collapsed (a no-break space stays).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.entities import html5
from typing import ClassVar

from lxml import etree

from builders.pmc_markers import OPEN, callout_token, citation_token, resolve_markers
from builders.pmc_math import clean_tex, mathml_text, wrap
from builders.pmc_options import PmcOptions

Element = etree._Element
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
MATHML = "{http://www.w3.org/1998/Math/MathML}"

# xref types whose text is a callout to a float the text no longer shows.
_CALLOUT_TYPES = frozenset({"fig", "table", "supplementary-material", "scheme", "plate", "video"})
# xref types that are bare markers pointing at dropped notes: "*", "a", "1" (author notes, table footnotes, ...).
_MARKER_TYPES = frozenset({"fn", "table-fn", "aff", "corresp", "author-notes", "contrib"})
# Inline formatting, read as part of the surrounding text once xrefs, links and formulas have been dealt with.
_INLINE = frozenset(
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
_PREPARED = (
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
_POWER_START = frozenset("0123456789−-+")
_XML_SPACE = re.compile(r"[ \t\r\n]+")
_URL = re.compile(r" ?(?:https?://|ftp://|www\.)[^\s<>\"]+?(?=[.,;:!?)\]]*(?:\s|$))", re.IGNORECASE)
_EMPTY_BRACKETS = re.compile(r" ?(?:\(\s*\)|\[\s*\])")
_URL_LIKE = re.compile(r"^(?:https?://|ftp://|www\.|doi:|\S+@\S+\.\S+$|\S+\.(?:org|com|gov|net|edu)\b)", re.I)


class UndefinedEntity(Exception):
    """An entity reference the parser left unexpanded and that is not an HTML entity (`&lol9;`, `&xxe;`)."""

    def __init__(self, name: str, line: int | None) -> None:
        super().__init__(f"entity &{name}; at line {line} is neither XML nor HTML; DTD entities are never expanded")


class ArticleText:
    """The text blocks of one article, in order; a heading is joined to the block after it by one newline."""

    BLOCKS: ClassVar[dict[str, Callable[[ArticleText, Element], None]]] = {}

    def __init__(self, options: PmcOptions, recovered: bool = False) -> None:
        self.options = options
        # lxml's recovery can nest paragraphs ("<p>a<p>b</p>" → p inside p): look for them in repaired files.
        self.prepared_tags = (*_PREPARED, "p") if recovered else _PREPARED
        self.blocks: list[tuple[str, bool]] = []  # (text, is_heading)
        self.formulas_without_text = 0
        self.kept_kinds = options.kept_kinds()
        # Elements holding a block (a list in a paragraph): read child by child, not as one text.
        self.complex: set[Element] = set()

    # Output -------------------------------------------------------------------------------------------------
    def heading(self, text: str) -> None:
        if text:
            self.blocks.append((text, True))

    def add(self, text: str) -> None:
        if text:
            self.blocks.append((text, False))

    def text(self) -> str:
        """The article's text; markers are resolved here, over the whole text at once."""
        out: list[str] = []
        for text, is_heading in self.blocks:
            out.append(text)
            out.append("\n" if is_heading else "\n\n")
        return self.resolve("".join(out[:-1]))

    def resolve(self, text: str) -> str:
        """Markers resolved and URLs dropped, over a whole text at once (each costs a scan of the text, whatever
        its length: once per article costs less than once per paragraph)."""
        if OPEN in text:
            text = resolve_markers(text, self.options.callouts)
        if not self.options.keep_urls and ("://" in text or "www." in text):
            text = _drop_urls(text)
        if "  " in text:  # in the source ("a  b"), or where a dropped element stood between two spaces
            text = _squeeze_spaces(text)
        return text.rstrip("\n")

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
        """The text of `el` (a title, a caption title, a table cell) as one line."""
        if el is None:
            return ""
        if el not in self.complex:
            return self.finish(flat_text(el))
        parts: list[str] = []
        self.collect(el, parts, blocks=False)
        return self.finish(_XML_SPACE.sub(" ", "".join(parts)))

    def paragraph(self, el: Element) -> None:
        """A `<p>` (or any element read as one); lists, formulas, ... inside it become blocks of their own."""
        if el not in self.complex:
            self.add(self.finish(flat_text(el)))
            return
        parts: list[str] = []
        self.collect(el, parts, blocks=True)
        self.add(self.finish(_XML_SPACE.sub(" ", "".join(parts))))

    def finish(self, text: str) -> str:
        """The text of one paragraph, heading or cell on one line (markers, URLs and double spaces are dealt with
        by `resolve`, once for the whole article)."""
        if "\n" in text or "\t" in text or "\r" in text:  # (a no-break space stays)
            text = _XML_SPACE.sub(" ", text)
        return text.strip()

    def collect(self, el: Element, parts: list[str], blocks: bool) -> None:
        """The text of an element that holds blocks: the text around each block is a paragraph of its own."""
        if el.text:
            parts.append(el.text)
        for child in el:
            tag = child.tag
            if tag.__class__ is not str:
                pass  # an entity in an unprepared element (prepare() replaces them)
            elif tag in _INLINE and child not in self.complex:
                parts.append(flat_text(child))
            elif blocks and tag in self.BLOCKS:
                self.add(self.finish(_XML_SPACE.sub(" ", "".join(parts))))
                parts.clear()
                self.BLOCKS[tag](self, child)
            elif tag == "disp-formula":
                parts.append(f" {self.formula(child, display=True)} ")
            elif tag != "label":
                parts.append(" ")  # a block where only a line is wanted (a list in a table cell): words apart
                self.collect(child, parts, blocks)
                parts.append(" ")
            if child.tail:
                parts.append(child.tail)

    def formula(self, el: Element, display: bool) -> str:
        """TeX if the formula has it, else its MathML as TeX-like text, else its plain text."""
        math = None
        for node in el.iter("tex-math", MATHML + "math", "math"):  # <alternatives> may hold both: TeX wins
            if node.tag == "tex-math":
                tex = "".join(node.itertext())
                if tex.strip():
                    return wrap(clean_tex(tex), display, tex=True)
            elif math is None:
                math = node
        if math is not None:
            return wrap(mathml_text(math), display, tex=False)
        text = " ".join(" ".join(_text_without(el, "label", "graphic", "inline-graphic")).split())
        if not text:
            self.formulas_without_text += 1  # an image of a formula: nothing to read
        return text

    # Preparing a region -------------------------------------------------------------------------------------
    def prepare(self, region: Element | None) -> None:
        """Rewrite the inline markup of `region` in place so that its paragraphs become plain text."""
        if region is None:
            return
        drop_citations = not self.options.keep_citation_markers
        for node in list(region.iter(etree.Entity, *self.prepared_tags)):
            tag = node.tag
            if tag == "xref":
                if drop_citations and node.get("ref-type") == "bibr" and not len(node):
                    node.text = citation_token(node.text or "")  # the common case, <xref ...>12</xref>
                else:
                    self._xref(node)
            elif tag == "sup":
                _mark_power(node)
            elif tag in _DROPPED:
                _remove(node, " " if tag == "break" else "")
            elif tag in BLOCKS_IN_PARAGRAPH or tag == "p":
                parent = node.getparent()
                while parent is not None and parent not in self.complex:  # the paragraph, and a list item's
                    self.complex.add(parent)
                    parent = parent.getparent() if parent.tag in _INLINE else None
            elif tag.__class__ is not str:
                char = html5.get(f"{node.name};")  # &nbsp; in a file whose DTD was not loaded
                if char is None:
                    raise UndefinedEntity(node.name, node.sourceline)
                _remove(node, char)
            elif tag == "inline-formula":
                formula = self.formula(node, display=False)
                if formula:
                    _set_text(node, formula)
                else:
                    _remove(node)  # an image of a formula: "is <inline-formula/> in" → "is in"
            elif tag in _LINKS:
                self._link(node)
            elif tag == "fn" or tag == "inline-supplementary-material":
                self._note(node)
            else:  # MathML or TeX loose in a paragraph, not inside a formula element
                outer = next(node.iterancestors("disp-formula", "inline-formula", region.tag), None)
                if outer is not None and outer.tag == region.tag:
                    _set_text(node, self.formula(node, display=False))

    def _xref(self, xref: Element) -> None:
        kind = xref.get("ref-type")
        if kind == "bibr":
            if not self.options.keep_citation_markers:
                if len(xref):  # <xref><sup>1</sup></xref>
                    text = "".join(xref.itertext())
                    del xref[:]
                else:
                    text = xref.text or ""
                xref.text = citation_token(text)
        elif kind in _CALLOUT_TYPES:
            if self.options.callouts != "keep":
                _set_text(xref, callout_token("".join(xref.itertext())))
        elif kind in _MARKER_TYPES:
            _remove(xref)

    def _link(self, el: Element) -> None:
        # A link whose text is its address (or an e-mail) goes; "the GEO database" keeps its words.
        if not self.options.keep_urls:
            text = " ".join("".join(el.itertext()).split())
            if not text or _URL_LIKE.match(text) or text == el.get(XLINK_HREF):
                _remove(el)

    def _note(self, el: Element) -> None:
        parent = el.getparent()
        if el.tag == "inline-supplementary-material":
            if "supplementary" not in self.kept_kinds:
                _remove(el)
        elif "footnotes" not in self.kept_kinds and parent is not None and parent.tag not in _NOTE_PARENTS:
            _remove(el)  # a footnote inside a paragraph


_NOTE_PARENTS = frozenset({"fn-group", "table-wrap-foot", "author-notes"})


def _mark_power(sup: Element) -> None:
    # "10<sup>−6</sup>" reads as 10^−6, not 106; "Ca<sup>2+</sup>" and "1<sup>st</sup>" stay glued as written.
    text = sup.text
    if not text or text[0] not in _POWER_START:  # most <sup>s hold a citation, a letter or a charge
        return
    parent = sup.getparent()
    if parent is not None and not len(sup) and _POWER.fullmatch(text):
        previous = sup.getprevious()
        before = previous.tail if previous is not None else parent.text
        if before and before[-1].isdigit():
            sup.text = "^" + text


def _drop_urls(text: str) -> str:
    """`text` without URLs, looking only at the lines that hold one; a paragraph that was only a URL goes."""
    lines = text.split("\n")
    emptied = False
    for index, line in enumerate(lines):
        if "://" in line or "www." in line:
            lines[index] = _EMPTY_BRACKETS.sub("", _URL.sub("", line)).strip()
            emptied = emptied or not lines[index]
    text = "\n".join(lines)
    return "\n\n".join(part for part in text.split("\n\n") if part) if emptied else text


def _squeeze_spaces(text: str) -> str:
    """Runs of spaces made one, except at the start of a line (a nested list item's indentation)."""
    out, pos = [], 0
    start = text.find("  ")
    while start >= 0:
        end = start + 2
        while text[end : end + 1] == " ":
            end += 1
        indent = start == 0 or text[start - 1] == "\n"
        out.append(text[pos:end] if indent else text[pos:start] + ("" if text[end : end + 1] in "\n" else " "))
        pos = end
        start = text.find("  ", pos)
    out.append(text[pos:])
    return "".join(out)


def flat_text(el: Element) -> str:
    """All the text inside `el`, in document order, in one C call (what strip_tags and .text would give)."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


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


def _text_without(el: Element, *skipped: str) -> list[str]:
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag not in skipped:
            parts.extend(_text_without(child, *skipped))
        parts.append(child.tail or "")
    return parts
