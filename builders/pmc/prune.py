"""Cut, before parsing, the parts of an article its text will drop anyway: back matter, tables, author groups.

    >>> prune(b'<article><front>...</front><body><p>Text.</p></body><back><ref-list>...</ref-list></back>'
    ...       b'</article>', PruneSpec(back=True))
    b'<article><front>...</front><body><p>Text.</p></body></article>'

A PMC article's reference list is often a third of its bytes and its tables another tenth; parsing them only to
throw them away is most of the cost of parsing them. Each cut element is found with `bytes.find` (nesting of the
same tag respected), searching only the part of the file where JATS puts it: author groups before `<body>`, back
matter and sub-articles after the last `</body>` (in an article with sub-articles, that is a sub-article's, and
the main back matter is simply left to the parser). Pruning is an optimisation only: if the pruned bytes do not
parse, the caller parses the original bytes instead, so a file where a tag also appears in a comment or a CDATA section
reads exactly as it would without pruning, and errors always name lines of the original file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME_ENDS = frozenset((b" ", b"\t", b"\r", b"\n", b">", b"/"))
_CLOSING_TAGS = re.compile(rb"(?:\s*</[\w:.-]+>)*\s*")


@dataclass(frozen=True, slots=True)
class PruneSpec:
    """Which parts the options drop entirely."""

    back: bool = False  # <back> (nothing in it is kept)
    references: bool = False  # <ref-list> wherever it is
    tables: bool = False  # <table-wrap>, <table-wrap-group>
    authors: bool = False  # <contrib-group>
    sub_articles: bool = False  # <sub-article>, <response>


def prune(data: bytes, spec: PruneSpec) -> bytes:
    """`data` without the parts `spec` names; `data` itself when nothing was cut."""
    body = data.find(b"<body")
    body_end = data.rfind(b"</body>")
    front_end = body if body >= 0 else len(data)
    tail_start = body_end if body_end >= 0 else 0
    cuts: list[tuple[int, int]] = []
    if spec.authors:
        cuts += _spans(data, b"contrib-group", 0, front_end)
    if spec.tables and body >= 0:  # each <table-wrap> of a <table-wrap-group>: the group's caption goes later
        cuts += _spans(data, b"table-wrap", body, tail_start)
    if spec.sub_articles:
        cuts += _spans(data, b"sub-article", tail_start, len(data), nests=True)
        cuts += _spans(data, b"response", tail_start, len(data), nests=True)
    if spec.back:
        cuts += _back(data, tail_start)
    elif spec.references:
        cuts += _spans(data, b"ref-list", tail_start, len(data), nests=True)
    return _without(data, cuts) if cuts else data


def _back(data: bytes, lo: int) -> list[tuple[int, int]]:
    """The span of the main <back>. Its end is looked for from the end of the file, which is one short step when
    nothing but closing tags follows it (the common case), instead of a scan through the reference list."""
    start = data.find(b"<back", lo, lo + 200)
    if start < 0 or data[start + 5 : start + 6] not in _NAME_ENDS:
        return _spans(data, b"back", lo, len(data))
    end = data.rfind(b"</back>")
    if end > start and _CLOSING_TAGS.fullmatch(data, end + 7):
        return [(start, end + 7)]
    return _spans(data, b"back", lo, len(data))


def _spans(data: bytes, tag: bytes, lo: int, hi: int, nests: bool = False) -> list[tuple[int, int]]:
    """(start, end) of each outermost `tag` element that starts in data[lo:hi]."""
    start_tag, end_tag = b"<" + tag, b"</" + tag + b">"
    spans = []
    start = data.find(start_tag, lo, hi)
    while start >= 0:
        if data[start + len(start_tag) : start + len(start_tag) + 1] in _NAME_ENDS:  # not "<table-wrap-foot"
            end = _element_end(data, start, start_tag, end_tag, nests)
            if end < 0:
                return spans  # unbalanced: leave the rest to the parser
            spans.append((start, end))
            start = data.find(start_tag, end, hi)
        else:
            start = data.find(start_tag, start + 1, hi)
    return spans


def _element_end(data: bytes, start: int, start_tag: bytes, end_tag: bytes, nests: bool) -> int:
    """The offset just after the element starting at `start`, or -1."""
    close = data.find(b">", start)
    if close < 0:
        return -1
    if data[close - 1 : close] == b"/":
        return close + 1  # <ref-list/>
    depth, pos = 1, close + 1
    while depth:
        end = data.find(end_tag, pos)
        if end < 0:
            return -1
        nested = data.find(start_tag, pos, end) if nests else -1
        while nested >= 0:  # a <ref-list> inside the <ref-list>
            if data[nested + len(start_tag) : nested + len(start_tag) + 1] in _NAME_ENDS:
                depth += 1
            nested = data.find(start_tag, nested + 1, end)
        depth -= 1
        pos = end + len(end_tag)
    return pos


def _without(data: bytes, cuts: list[tuple[int, int]]) -> bytes:
    pieces, pos = [], 0
    for start, end in sorted(cuts):
        if start >= pos:  # a span inside one already cut (a table in a cut sub-article) is skipped
            pieces.append(data[pos:start])
            pos = end
    pieces.append(data[pos:])
    return b"".join(pieces)
