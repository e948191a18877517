"""Running text for the books builder: paragraphs rebuilt from lines, line-end hyphenation undone.

Lines of a column, in reading order,

    "   The glomer-"  /  "ular filtration rate is a well-"  /  "known measure."

become one paragraph: `The glomerular filtration rate is a well-known measure.` A paragraph starts after a gap,
at a first-line indent, after the short last line of justified text, at a bullet, or where the font size changes,
and it runs on across a column or page break while the text does. Whether a line-end hyphen is a
hyphenation or part of a compound is decided by the book itself (`Vocabulary`): `glomerular` appears unbroken
elsewhere, so `glomer-`+`ular` joins; `well-known` appears with its hyphen, so it stays. When the book says
neither, the hyphen is dropped unless the first part is a word that forms compounds (`well-`, `self-`, ...) or
the second starts with a capital or a digit (`anti-HIV`, `COVID-19`).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from builders.books.layout import Line
from builders.books.order import Run

_TERMINAL = '.!?:;"”’)]'
_BULLET = re.compile(r"(?:[•●▪■◦‣∙·*–—-]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s")
_BULLET_START = frozenset("•●▪■◦‣∙·*–—-(0123456789")
_WORD_END = re.compile(r"([^\W\d_]+)[-\u2010]$")
_WORD_START = re.compile(r"[^\W\d_]+")
_COMPOUND_HEADS = "well self ill all half cross ever non multi semi pre post long short full"
COMPOUND_HEADS = frozenset(_COMPOUND_HEADS.split())
_SUFFIXES = "er ers est ing ings ed ly ness tion tions sion ment ments ity ities al ous ive able ible"
SUFFIXES = frozenset(_SUFFIXES.split())  # endings that are never a word of a compound


@dataclass(slots=True)
class Para:
    # body | heading | table (its lines are rows: `a | b | c`) | table_caption | caption (a figure's) | figure
    # (labels drawn on a figure)
    kind: str
    size: float
    page: int
    lines: list[str] = field(default_factory=list)
    text: str = ""


def is_heading(line: Line, body_size: float) -> bool:
    if line.size >= body_size + 1.0 and line.size >= body_size * 1.1:
        big = True
    elif line.bold and len(line.text) < 90 and line.text[-1] not in ".,;":
        big = False
    else:
        return False
    return (len(line.text) <= 150 or not big) and any(c.isalpha() for c in line.text)


@dataclass(slots=True)
class _RunShape:
    """What the lines of one column run look like, measured once: the yardsticks for paragraph breaks."""

    left: float
    short: float  # a line ending left of this ends its paragraph (justified text only; else -1)
    indent: float  # a line starting right of this is indented
    gap: float  # the usual space between two lines of a paragraph
    indented: bool  # paragraphs here open with an indent
    blocks: bool  # MuPDF's blocks are paragraphs (EPUB, HTML: laid out by MuPDF itself)
    width: float  # of the run's widest line


def _shape(run: list[Line], body_size: float, blocks: bool) -> _RunShape:
    left = min(line.x0 for line in run)
    right = max(line.x1 for line in run)
    # Only in justified text does a short line end a paragraph; ragged-right lines are short anyway.
    justified = sum(1 for line in run if line.x1 > right - 3) >= 0.6 * len(run)
    indent = left + 0.8 * body_size
    gaps = sorted(b.y0 - a.y1 for a, b in itertools.pairwise(run) if b.y0 >= a.y0)
    # In a run whose paragraphs open with an indent, a first line without one carries on the paragraph from
    # the previous column or page, even when a sentence ended there.
    indented = len(run) >= 3 and any(line.x0 > indent for line in run[1:])
    return _RunShape(
        left,
        right - 0.25 * (right - left) if justified else -1.0,
        indent,
        max(0.0, gaps[len(gaps) // 2]) if gaps else 0.0,
        indented,
        blocks,
        right - left,
    )


class ParagraphFlow:
    """Paragraphs of a chapter, built run by run (`order.reading_order`): each body run continues the last body
    paragraph when the text runs on, across a column or a page break. An aside (a margin note, a sidebar) is
    kept whole and waits for the body paragraph beside it to end, so that it never splits a sentence."""

    def __init__(self, body_size: float, blocks: bool = False) -> None:
        self.paras: list[Para] = []
        self.body_size = body_size
        self.blocks = blocks  # MuPDF's blocks are paragraphs (EPUB, HTML: laid out by MuPDF itself)
        self._asides: list[Para] = []

    def add(self, run: Run, page: int) -> None:
        if run.aside:
            self._asides.extend(_paragraphs(run.lines, page, self.body_size, self.blocks, None))
        else:
            _paragraphs(run.lines, page, self.body_size, self.blocks, self)

    def start(self, para: Para) -> None:
        if self._asides:
            self.paras.extend(self._asides)
            self._asides = []
        self.paras.append(para)

    def finish(self) -> list[Para]:
        self.paras.extend(self._asides)
        self._asides = []
        for para in self.paras:  # bold running text (an abstract) reads as headings line by line: it is not one
            if para.kind == "heading" and len(para.lines) >= 4:
                para.kind = "body"
        return self.paras


def _paragraphs(run: list[Line], page: int, body_size: float, blocks: bool, flow: ParagraphFlow | None) -> list[Para]:
    """The lines of one column run as paragraphs, started where the geometry says so. With a `flow`, the first
    line may continue the flow's last paragraph, and new paragraphs go to the flow; without, they are returned."""
    shape = _shape(run, body_size, blocks)
    big = body_size + 1.0  # is_heading needs this size, or bold: most lines are neither and skip the call
    # A line a little larger than the body text that fills its column is body text set larger (a paper's
    # introduction at 9 pt when its methods are at 8 pt), not a heading.
    full = 0.9 * shape.width
    paras: list[Para] = []
    last = flow.paras[-1] if flow is not None and flow.paras else None
    prev: Line | None = None
    for line in run:
        kind = line.kind or (
            "heading"
            if (line.bold or line.size >= big)
            and is_heading(line, body_size)
            and (line.x1 - line.x0 < full or line.size >= 1.3 * body_size)
            else "body"
        )
        if prev is None:
            start = last is None or not _runs_on(last, kind, line, shape.indented and line.x0 <= shape.indent)
            earlier = _interrupted(flow.paras, kind, line) if start and flow and line.text[0].islower() else None
            if earlier is not None:  # a caption or a footnote came in between
                last, start = earlier, False
        elif kind == "table" or last.kind == "table":  # a table is one paragraph, its rows its lines
            start = last.kind != kind or line.block != prev.block
        else:
            start = (last.kind != kind and not _hyphenated(prev.text, line.text)) or _breaks(prev, line, kind, shape)
        if start:
            last = Para(kind, line.size, page)
            paras.append(last)
            if flow is not None:
                flow.start(last)
        last.lines.append(line.text)
        prev = line
    return paras


def _interrupted(paras: list[Para], kind: str, line: Line) -> Para | None:
    """A body paragraph among the last few that `line` continues (`labora-` / `tories`), when a caption, a
    footnote or a heading of a table stands between them."""
    for para in reversed(paras[-4:-1]):
        if _runs_on(para, kind, line, False):
            return para
    return None


def _runs_on(para: Para, kind: str, line: Line, unindented: bool) -> bool:
    if not para.kind == kind == "body" or is_bullet(line.text):
        return False
    last = para.lines[-1]
    if _hyphenated(last, line.text):  # `solu-` / `tion`: whatever the sizes say
        return True
    if abs(para.size - line.size) > 0.5:
        return False
    return unindented or (last[-1] not in _TERMINAL and (line.text[0].islower() or last[-1] == "-"))


def _hyphenated(last: str, text: str) -> bool:
    return len(last) > 2 and last[-1] == "-" and last[-2].isalpha() and text[0].islower()


def is_bullet(text: str) -> bool:
    """`• item`, `- item`, `1. item`, `(a) item`, `b) item`."""
    return (text[0] in _BULLET_START or text[1:2] in (".", ")")) and _BULLET.match(text) is not None


def _breaks(prev: Line, line: Line, kind: str, shape: _RunShape) -> bool:
    size = line.size
    if _hyphenated(prev.text, line.text):  # `num-` / `bers`: wherever the next line stands
        return False
    if line.y0 - prev.y1 > shape.gap + 0.5 * size or line.y0 < prev.y0 - size:  # a gap, or a jump up
        return True
    if abs(size - prev.size) > 0.5 or (shape.blocks and line.block != prev.block):
        return True
    if kind == "heading":
        return False
    if is_bullet(line.text):
        return True
    ended = prev.text[-1] in _TERMINAL
    if ended and line.x0 > shape.indent and prev.x0 <= shape.indent:
        return True  # first-line indent
    return ended and prev.x1 < shape.short  # the short last line of a justified paragraph


def is_caption(para: Para, body_size: float) -> str:
    """`caption` (a figure's) or `table_caption` when the paragraph is a caption (`Figure 2.1 ...`, `Table 3
    ...`), else ``."""
    m = _CAPTION.match(para.lines[0])
    if not m:
        return ""
    if para.size < body_size - 0.4 or para.lines[0][m.end() : m.end() + 1] in (".", ":", "|", "—", "–", ""):
        return "table_caption" if m.group(1).lower().startswith("tab") else "caption"
    return ""


_CAPTION = re.compile(r"(fig(?:ure)?\.?|table|plate|chart|exhibit)\s+[A-Z]?\d+(?:[.\-–]\d+)*[a-zA-Z]?", re.I)


class Vocabulary:
    """The words of a book (lowercase, hyphenated compounds kept whole), to decide line-end hyphens."""

    _PUNCT = re.compile("[" + re.escape(".,;:!?()[]{}\"'“”‘’/\\<>=+*&%$#@|~`^") + "]")  # a regex: twice as fast

    def __init__(self) -> None:
        self.words: set[str] = set()

    def add(self, text: str) -> None:
        self.words.update(self._PUNCT.sub(" ", text.lower()).split())

    def keeps_hyphen(self, first: str, second: str) -> bool:
        """Whether the hyphen ending `first` stays when `second` follows on the next line: `exam-` + `ple` →
        no (`example`); `well-` + `known` → yes (`well-known`)."""
        head = _WORD_END.search(first[-48:])
        tail = _WORD_START.match(second)
        if head is None or tail is None or not second[0].islower():
            return True  # `COVID-` + `19`, `anti-` + `HIV`, `12-` + `15`
        w1, w2 = head.group(1).lower(), tail.group(0).lower()
        if w1 + w2 in self.words:
            return False
        return f"{w1}-{w2}" in self.words or (w1 in COMPOUND_HEADS and w2 not in SUFFIXES)


def join_lines(lines: list[str], vocab: Vocabulary) -> str:
    """One paragraph from its lines: a space between lines, none after a hyphenation (which is removed)."""
    parts = [lines[0]]
    for line in lines[1:]:
        last = parts[-1]
        if last.endswith("\u00ad"):
            parts[-1] = last[:-1]
        elif last.endswith(("-", "\u2010")) and not last.endswith((" -", "--")):
            if not vocab.keeps_hyphen(last, line):
                parts[-1] = last[:-1]
        else:
            parts.append(" ")
        parts.append(line)
    return "".join(parts)
