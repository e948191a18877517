"""The block level of a JATS article as text: abstract, sections, lists, boxes, captions, tables, back matter.

    <sec><title>Methods</title><sec><title>Patients</title><p>We enrolled 120 adults.</p>
      <list list-type="bullet"><list-item><p>age 18–65</p></list-item><list-item><p>no prior dialysis</p>
      </list-item></list></sec></sec>
    → "Methods\\nPatients\\nWe enrolled 120 adults.\\n\\n- age 18–65\\n- no prior dialysis"

Section titles are headings on their own line, joined by one newline to what follows; every other block is a
paragraph, separated by a blank line. A section left without text (its only content was a table) loses its
heading too. Sections that are boilerplate (acknowledgements, funding, competing interests, author contributions,
supplementary material) are recognised by `sec-type` or whole title, in the body as in the back matter, and kept
only where the options say so. What is not kept is counted as removed (`removals`), under its rule.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from builders.pmc.lists import emit_def_list, emit_list
from builders.pmc.sections import note_kind, section_kind
from builders.pmc.text import ArticleText
from builders.pmc.tree import block_text, child, leading, line_text

Element = etree._Element

_SKIPPED = frozenset(
    {
        "title",
        "label",
        "caption",
        "sec-meta",
        "object-id",
        "alt-text",
        "long-desc",
        "graphic",
        "media",
        "permissions",
        "kwd-group",
        "attrib",
    }
)


class BodyText(ArticleText):
    """`ArticleText` that also knows JATS block elements (the `BLOCKS` table at the end of this module)."""

    def container(self, el: Element) -> None:
        """Emit the children of `el` as blocks; an unknown child is read as a paragraph."""
        loose = el.text
        if loose and not loose.isspace():  # text loose in a <sec> or <body>: malformed, but text
            self.add(" ".join(loose.split()))
        blocks, complex_ = self.blocks, self.complex
        for node in el:
            tag = node.tag
            if tag == "p" and node not in complex_:  # most paragraphs: one text, read in one C call
                # (a paragraph that starts with words is no pseudo-section: its text is cheaper to look at than
                # its children, which len() counts one by one)
                first = node.text
                if (
                    (first is None or first.isspace())
                    and len(node) == 1
                    and node[0].tag == "bold"
                    and self._pseudo_section(node)
                ):
                    return
                text = line_text(node)
                if text:
                    blocks.append((text, False))
            elif tag.__class__ is str and tag not in _SKIPPED:
                self.BLOCKS.get(tag, _paragraph)(self, node)
            tail = node.tail
            if tail and not tail.isspace():
                self.add(" ".join(tail.split()))

    def _pseudo_section(self, p: Element) -> bool:
        """A paragraph that is only a bold back-matter title ("<p><bold>References</bold></p>", SciELO files
        converted from HTML) heads a section that runs to the end of its container; True when that section is
        dropped (this paragraph and all after it)."""
        if (p.text or "").strip() or (p[0].tail or "").strip():
            return False
        title = self.inline(p[0])
        kind = section_kind(None, title)
        if kind is None or kind in self.kept_kinds:
            return False
        text = " ".join(block_text(node) for node in [p, *p.itersiblings()] if node.tag.__class__ is str)
        self.removed.add(f"pmc.section.{kind}", text)
        self.dropped_sections.append((kind, title, len(" ".join(text.split()))))
        return True

    def section(self, el: Element, default_kind: str | None = None) -> None:
        title = self.inline(leading(el, "title"))
        kind = section_kind(el.get("sec-type"), title if self.titles_decide_kind else "") or default_kind
        if kind is not None and kind not in self.kept_kinds:
            text = block_text(el)
            self.removed.add(f"pmc.section.{kind}", text)
            self.dropped_sections.append((kind, title, len(" ".join(text.split()))))
            return
        start = len(self.blocks)
        self.heading(title)
        self.container(el)
        if len(self.blocks) == start + 1 and self.blocks[-1][1]:
            self.blocks.pop()  # a heading with nothing under it (its only content was a table or a figure)

    def caption(self, caption: Element | None) -> str:
        if caption is None:
            return ""
        title = self.inline(leading(caption, "title"))
        body = " ".join(self.capture(caption, self.container))
        if title and body and title[-1] not in ".:!?":
            title += "."
        return f"{title} {body}".strip()

    def back(self, back: Element) -> None:
        for node in back:
            tag = node.tag
            if tag in ("sec", "notes", "glossary"):
                self.section(node, default_kind="back_notes")
            elif tag.__class__ is str and tag in _BACK:
                _BACK[tag](self, node)
            elif tag.__class__ is str and tag not in ("title", "label"):
                self.drop("pmc.back_matter", node)  # back matter of no known kind (<bio> aside)


def _paragraph(w: BodyText, el: Element) -> None:
    w.paragraph(el)


def _section(w: BodyText, el: Element) -> None:
    w.section(el)


def _container(w: BodyText, el: Element) -> None:
    w.container(el)


def _boxed_text(w: BodyText, el: Element) -> None:
    if not w.options.keep_boxed_text:
        w.drop("pmc.boxed_text", el)
        return
    caption = leading(el, "caption")
    title = w.inline(leading(caption, "title") if caption is not None else leading(el, "title"))
    start = len(w.blocks)
    w.heading(title)
    if caption is not None:
        w.add(" ".join(w.capture(caption, w.container)))
    w.container(el)
    if len(w.blocks) == start + 1 and w.blocks[-1][1]:
        w.blocks.pop()


def _figure(w: BodyText, el: Element) -> None:
    if w.options.keep_captions:
        w.add(w.caption(leading(el, "caption")))
    else:
        w.drop("pmc.figure_caption", leading(el, "caption"))
    for fig in el.iterchildren("fig"):  # a <fig-group>'s own caption, then each figure's
        _figure(w, fig)


def _table(w: BodyText, el: Element) -> None:
    if not w.options.keep_tables:
        w.drop("pmc.table", el)
        return
    w.add(w.caption(leading(el, "caption")))
    rows = []
    for row in el.iter("tr"):
        cells = [w.inline(cell) for cell in row if cell.tag in ("td", "th")]
        rows.append(" | ".join(cells))
    w.add("\n".join(row for row in rows if row.strip(" |")))
    for foot in el.iter("table-wrap-foot"):
        w.container(foot)


def _table_group(w: BodyText, el: Element) -> None:
    if w.options.keep_tables:
        w.add(w.caption(leading(el, "caption")))
        for table in el.iterchildren("table-wrap"):
            _table(w, table)
    else:
        w.drop("pmc.table", el)  # its caption (its tables were cut before parsing, or go with it here)


def _supplementary(w: BodyText, el: Element) -> None:
    if "supplementary" in w.kept_kinds:
        for caption in el.iter("caption"):  # its own, or its <media>'s: "Click here for additional data file."
            w.add(w.caption(caption))
        w.container(el)
    else:
        w.drop("pmc.section.supplementary", el)


def _formula(w: BodyText, el: Element) -> None:
    w.add(w.formula(el, display=True))


def _preformat(w: BodyText, el: Element) -> None:
    # Code and preformatted text keep their line breaks: whitespace there is content.
    lines = "".join(el.itertext()).strip("\n").split("\n")
    w.add("\n".join(line.rstrip() for line in lines).strip())


def _statement(w: BodyText, el: Element) -> None:
    label, title = w.inline(leading(el, "label")), w.inline(leading(el, "title"))
    w.heading(f"{label} {title}".strip())
    w.container(el)


def _quote(w: BodyText, el: Element) -> None:
    w.container(el)
    attribution = child(el, "attrib")
    if attribution is not None:
        w.add("— " + w.inline(attribution))


def _kept(kind: str) -> Callable[[BodyText, Element], None]:
    def emit(w: BodyText, el: Element) -> None:
        if kind in w.kept_kinds:
            w.section(el, default_kind=kind)
        else:
            w.drop(f"pmc.section.{kind}", el)

    return emit


def _references(w: BodyText, el: Element) -> None:
    if "references" not in w.kept_kinds:
        w.drop("pmc.section.references", el)
        return
    w.heading(w.inline(leading(el, "title")) or "References")
    lines = []
    for ref in el.iter("mixed-citation", "element-citation", "citation", "nlm-citation"):
        # mixed-citation carries its own punctuation; element-citation is bare fields that need spaces.
        glue = "" if ref.tag == "mixed-citation" else " "
        lines.append(" ".join(glue.join(ref.itertext()).split()))
    w.add("\n".join(lines))


def _footnotes(w: BodyText, el: Element) -> None:
    for fn in el.iter("fn"):
        kind = note_kind(fn.get("fn-type"))
        if kind in w.kept_kinds:
            w.container(fn)
        else:
            w.drop(f"pmc.section.{kind}", fn)


def _nothing(w: BodyText, el: Element) -> None:
    return None


_BACK: dict[str, Callable[[BodyText, Element], None]] = {
    "ack": _kept("acknowledgements"),
    "ref-list": _references,
    "fn-group": _footnotes,
    "app-group": _kept("appendices"),
    "app": _kept("appendices"),
    "bio": _kept("back_notes"),
}

BodyText.BLOCKS = {
    "p": _paragraph,
    "sec": _section,
    "list": emit_list,
    "def-list": emit_def_list,
    "boxed-text": _boxed_text,
    "fig": _figure,
    "fig-group": _figure,
    "table-wrap": _table,
    "table-wrap-group": _table_group,
    "table": _table,
    "array": _table,
    "disp-formula": _formula,
    "disp-formula-group": _container,
    "disp-quote": _quote,
    "statement": _statement,
    "preformat": _preformat,
    "code": _preformat,
    "speech": _container,
    "verse-group": _preformat,
    "supplementary-material": _supplementary,
    "notes": _section,
    "glossary": _kept("back_notes"),
    "alternatives": _container,
    "chem-struct-wrap": _container,
    "question-wrap": _container,
    "answer": _container,
    "question": _container,
    "explanation": _container,
    **_BACK,
    "floats-group": _container,
    "floats-wrap": _container,
    "ref": _nothing,
    "inline-graphic": _nothing,
    "graphic": _nothing,
    "media": _nothing,
}
