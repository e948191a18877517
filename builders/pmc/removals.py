"""What an article's text lost, and by which rule: the `Document.removed` of every kept article.

    <p>Known before [<xref ref-type="bibr" rid="r1">1</xref>]–[<xref ref-type="bibr" rid="r3">3</xref>].</p>
    <sec sec-type="funding"><title>Funding</title><p>Grant 12 of the Trust.</p></sec><back><ref-list>...</ref-list>
    → text "Known before."
      removed [Removal("pmc.citation_marker", 8, 1), Removal("pmc.section.funding", 29, 1),
               Removal("pmc.back_matter", 5120, 1)]

Rules (stable codes, summed per rule in the manifest):
- `pmc.back_matter`: the whole `<back>` when nothing of it is kept; `pmc.section.<kind>`: a section, back-matter
  element or footnote of a kind the options drop (`references`, `funding`, `acknowledgements`, ... `SECTION_KINDS`);
- `pmc.table`, `pmc.figure_caption`, `pmc.boxed_text`, `pmc.abstract.<type>` (graphical, teaser, ...),
  `pmc.sub_article` (peer reviews, responses, ... not appended), `pmc.footnote` (a footnote inside a paragraph);
- `pmc.citation_marker`, `pmc.callout` (figure and table callouts), `pmc.note_marker` (affiliation, footnote
  marks), `pmc.url` (addresses and links whose text is their address), `pmc.image_text` (alt text, private
  characters), `pmc.formula_image` (a formula that is only an image: counted, no characters).

Characters are those of the removed text with XML whitespace collapsed. Parts cut from the bytes before parsing
(`prune`) are measured on their bytes: the characters of their text outside tags, a run of whitespace counting
as one, entities as written (`pruned_chars`); exact to a few per cent, and free of a parse. With `trace`,
each removal also keeps its text (and a little context for markers), which `medc explain` shows.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from medc.records import Removal

_CONTEXT = 40  # characters of context kept on each side of a traced marker


@dataclass(frozen=True, slots=True)
class RemovedSpan:
    """One traced removal: the rule, the text removed, and the text around it (markers and URLs only)."""

    rule: str
    text: str
    before: str = ""
    after: str = ""


class Removals:
    """Characters and counts removed per rule from one article; the texts too when tracing."""

    __slots__ = ("chars", "counts", "spans")

    def __init__(self, trace: bool = False) -> None:
        self.chars: dict[str, int] = {}
        self.counts: dict[str, int] = {}
        self.spans: list[RemovedSpan] | None = [] if trace else None

    def add(self, rule: str, text: str, before: str = "", after: str = "") -> None:
        """Record `text` as removed by `rule` (its XML whitespace collapsed when it is counted)."""
        if len(text) > 3 and ("\n" in text or "\t" in text or "  " in text):  # (a mark, "*" or "a", is most)
            text = " ".join(text.split())
        self.chars[rule] = self.chars.get(rule, 0) + len(text)
        self.counts[rule] = self.counts.get(rule, 0) + 1
        if self.spans is not None:
            self.spans.append(RemovedSpan(rule, text, before[-_CONTEXT:], after[:_CONTEXT]))

    def count(self, rule: str, chars: int, times: int = 1) -> None:
        self.chars[rule] = self.chars.get(rule, 0) + chars
        self.counts[rule] = self.counts.get(rule, 0) + times

    def merged(self, other: Removals) -> None:
        """Add what `other` recorded (the removals of a part read aside, such as a translation's shared text)."""
        for rule, chars in other.chars.items():
            self.count(rule, chars, other.counts[rule])
        if self.spans is not None and other.spans:
            self.spans.extend(other.spans)

    def as_list(self) -> list[Removal]:
        return [Removal(rule, self.chars[rule], self.counts[rule]) for rule in sorted(self.chars)]


def pruned_chars(data: bytes, cuts: list[tuple[str, int, int]]) -> list[int]:
    """The characters of text in each cut `(rule, start, end)` of the XML `data`: outside tags, a whitespace run
    counted as one, an entity as written. One pass of a few array operations in C over the cut bytes (each cut
    is a whole element, so its tags balance): tens of microseconds for a reference list, against a millisecond
    or more to parse it. The arrays are the thread's own, reused from file to file (`_Scratch`)."""
    size = sum(end - start for _, start, end in cuts)
    s = _Scratch.get(size)
    a, b1, b2, b3 = s.bytes[:size], s.mask1[:size], s.mask2[:size], s.mask3[:size]
    last, pos = [], 0  # the offset of each cut's last byte in `a`
    for _, start, end in cuts:
        a[pos : pos + end - start] = np.frombuffer(data, np.uint8, end - start, start)
        pos += end - start
        last.append(pos - 1)
    closing = np.equal(a, 62, out=b1)
    # +1 at each <, -1 at each >, summed: 0 outside tags. (Summed as int32: numpy's int8 and int16 sums are
    # several times slower.)
    step = np.equal(a, 60, out=b2).view(np.int8)
    np.subtract(step, closing.view(np.int8), out=step)
    depth = np.add.accumulate(step, dtype=np.int32, out=s.depth[:size])
    if np.count_nonzero(depth[last]) or np.minimum.reduce(depth) < 0:  # a raw ">" in text ("p > 0.05"): the slow way
        depth = _tag_depth(a, closing)
    text = np.equal(depth, 0, out=b3)
    np.greater(text.view(np.uint8), closing.view(np.uint8), out=text)  # outside tags, and not a ">"
    np.logical_and(text, np.greater(a, 32, out=b2), out=text)  # and not whitespace
    space = np.less_equal(a, 32, out=b2)
    counted = b1
    if data.isascii():
        counted[:] = text
    else:  # a UTF-8 character counts once, at its first byte
        np.not_equal(np.bitwise_and(a, 0xC0, out=b1.view(np.uint8)), 0x80, out=counted)
        np.logical_and(counted, text, out=counted)
    np.logical_and(text[:-1], space[1:], out=text[:-1])  # the whitespace run after a word counts once,
    np.logical_or(counted[1:], text[:-1], out=counted[1:])  # at its first byte
    chars, lo = [], 0
    for end in last:
        chars.append(int(np.count_nonzero(counted[lo : end + 1])))
        lo = end + 1
    return chars


class _Scratch:
    """Arrays for `pruned_chars`, kept per thread and reused: fresh arrays of a reference list's size cost more
    than the counting (the allocator's work, and memory not in the cache after a parse)."""

    _KEPT = 2 << 20  # larger cuts (a few huge articles) get arrays of their own, not kept
    _local = threading.local()

    def __init__(self, size: int) -> None:
        self.size = size
        self.bytes = np.empty(size, np.uint8)
        self.mask1, self.mask2, self.mask3 = np.empty(size, bool), np.empty(size, bool), np.empty(size, bool)
        self.depth = np.empty(size, np.int32)

    @classmethod
    def get(cls, size: int) -> _Scratch:
        kept = getattr(cls._local, "scratch", None)
        if kept is not None and kept.size >= size:
            return kept
        if size > cls._KEPT:
            return cls(size)
        cls._local.scratch = cls(min(cls._KEPT, max(size, 1 << 16, 2 * kept.size if kept else 0)))
        return cls._local.scratch


def _tag_depth(a: np.ndarray, closing: np.ndarray) -> np.ndarray:
    """1 inside a tag (from a `<` to the next `>`), 0 elsewhere, whatever `>`s the text holds."""
    at = np.arange(len(a), dtype=np.int32)
    last_open = np.maximum.accumulate(np.where(a == 60, at, -1))
    return (np.maximum.accumulate(np.where(closing, at, -1)) < last_open).astype(np.int32)
