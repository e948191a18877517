"""The text of one article as blocks (paragraphs and headings), each read from the XML in as few calls as possible.

    <p>Serum <italic>IL-6</italic> rose 10<sup>3</sup>-fold in <named-content>sepsis</named-content>
       [<xref ref-type="bibr" rid="b4">4</xref>–<xref ref-type="bibr" rid="b6">6</xref>] (<xref ref-type="fig"
       rid="f2">Fig. 2</xref>); see <ext-link xlink:href="https://example.org">https://example.org</ext-link>.</p>
    → "Serum IL-6 rose 10^3-fold in sepsis; see."

Once `prepare` (`pmc_inline`) has rewritten what needs a decision, a paragraph is read with one C call
(`flat_text`: all its text in document order), its XML whitespace collapsed, and kept as a block. The rare
element that holds a block (a list or a display formula inside a paragraph) is read child by child (`collect`),
the text around each block becoming a paragraph of its own. Markers, URLs and double spaces are dealt with once,
over the joined text of the whole article (`resolve`): each costs a scan of the text, and one scan of an article
is cheaper than one per paragraph.

Inline elements are joined as they stand in the XML, so `<italic>E.</italic> <italic>coli</italic>` stays two
words and `H<sub>2</sub>O` stays one; only runs of XML whitespace are collapsed (a no-break space stays).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

from lxml import etree

from builders.pmc import inline as pmc_inline
from builders.pmc.formulas import clean_tex, mathml_text, wrap
from builders.pmc.inline import INLINE, PREPARED
from builders.pmc.markers import resolve_markers
from builders.pmc.options import PmcOptions
from builders.pmc.removals import Removals
from builders.pmc.sweeps import drop_plain_citations, drop_urls, squeeze_spaces, url_or_double_space
from builders.pmc.tokens import OPEN
from builders.pmc.tree import block_text, flat_text, line_text

Element = etree._Element
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
MATHML = "{http://www.w3.org/1998/Math/MathML}"

# Runs of XML whitespace, as `[ \t\r\n]+` finds them, except single spaces (replacing those by a space changes
# nothing, and there is one between every two words: matching them is most of the cost of the substitution).
_XML_SPACE = re.compile(r"[\t\r\n][ \t\r\n]*| [ \t\r\n]+")


class ArticleText:
    """The text blocks of one article, in order; a heading is joined to the block after it by one newline."""

    BLOCKS: ClassVar[dict[str, Callable[[ArticleText, Element], None]]] = {}

    def __init__(self, options: PmcOptions, recovered: bool = False, trace: bool = False) -> None:
        self.options = options
        # lxml's recovery can nest paragraphs ("<p>a<p>b</p>" → p inside p): look for them in repaired files.
        self.prepared_tags = (*PREPARED, "p") if recovered else PREPARED
        self.blocks: list[tuple[str, bool]] = []  # (text, is_heading)
        self.formulas_without_text = 0
        self.kept_kinds = options.kept_kinds()
        # Elements holding a block (a list in a paragraph): read child by child, not as one text.
        self.complex: set[Element] = set()
        self.removed = Removals(trace)
        self.titles_decide_kind = True  # off inside abstracts: "Additional information" there is content
        self.dropped_sections: list[tuple[str, str, int]] = []  # (kind, title, chars), reported as notices

    def fork(self) -> ArticleText:
        """A walker for another document of the same prepared article (a translation): own blocks and removals."""
        other = type(self)(self.options, trace=self.removed.spans is not None)
        other.prepared_tags, other.complex = self.prepared_tags, self.complex
        return other

    # Output -------------------------------------------------------------------------------------------------
    def drop(self, rule: str, el: Element | None) -> None:
        """Count the text of `el` as removed by `rule` (a table, a caption, a section the options drop)."""
        if el is not None:
            self.removed.add(rule, block_text(el))

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
            text = resolve_markers(text, self.options.callouts, self.removed)
        if not self.options.keep_citation_markers:  # (a regex finds "[" faster than `in` finds " [")
            text = drop_plain_citations(text, self.removed)
        url, double_space = url_or_double_space(text)
        if url and not self.options.keep_urls:
            text = drop_urls(text, self.removed)
            double_space = "  " in text
        if double_space:  # in the source ("a  b"), or where a dropped element stood between two spaces
            text = squeeze_spaces(text)
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
            return line_text(el)
        parts: list[str] = []
        self.collect(el, parts, blocks=False)
        return self.finish(_XML_SPACE.sub(" ", "".join(parts)))

    def paragraph(self, el: Element) -> None:
        """A `<p>` (or any element read as one); lists, formulas, ... inside it become blocks of their own."""
        if el not in self.complex:
            self.add(line_text(el))
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
            elif tag in INLINE and child not in self.complex:
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

    def prepare(self, region: Element | None) -> None:
        """Rewrite the inline markup of `region` in place (`pmc_inline.prepare`)."""
        pmc_inline.prepare(self, region)

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
            self.removed.count("pmc.formula_image", 0)
        return text


def _text_without(el: Element, *skipped: str) -> list[str]:
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag not in skipped:
            parts.extend(_text_without(child, *skipped))
        parts.append(child.tail or "")
    return parts
