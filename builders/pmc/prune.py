"""Cut, before parsing, the parts of an article its text will drop anyway: back matter, tables, author groups.

    >>> prune(b'<article><front>...</front><body><p>Text.</p></body><back><ref-list>...</ref-list></back>'
    ...       b'</article>', PruneSpec(back=True))
    (b'<article><front>...</front><body><p>Text.</p></body></article>', [('pmc.back_matter', 49, 89)])

A PMC article's reference list is often a third of its bytes and its tables another tenth; parsing them only to
throw them away is most of the cost of parsing them. Each cut element is found with `bytes.find` (nesting of the
same tag respected), searching only the part of the file where JATS puts it: author groups before `<body>`, tables
in the main body, back matter after the main body's `</body>`, sub-articles after that (JATS puts them last; a
translation stays, it is a document of its own). Pruning is an optimisation only: if the pruned bytes do not
parse, the caller parses the original bytes instead, so a file where a tag also appears in a comment or a CDATA
section reads exactly as it would without pruning, and errors always name lines of the original file. Each cut is
returned with the removal rule it counts under (`removals`): the text lost is accounted for even unparsed.
`prune_tree` does the same on a parsed article, for files that were not pruned as bytes (several articles in one
file, and `medc explain`, which wants the removed texts themselves).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree

from builders.pmc.tree import block_text, child

if TYPE_CHECKING:
    from builders.pmc.removals import Removals

_NAME_ENDS = frozenset((b" ", b"\t", b"\r", b"\n", b">", b"/"))
_CLOSING_TAGS = re.compile(rb"(?:\s*</[\w:.-]+>)*\s*")
_TRANSLATION = re.compile(rb"""article-type=["']translation["']""", re.IGNORECASE)
_BACK_RULE = "pmc.back_matter"


@dataclass(frozen=True, slots=True)
class PruneSpec:
    """Which parts the options drop entirely."""

    back: bool = False  # <back> (nothing in it is kept)
    references: bool = False  # <ref-list> wherever it is
    tables: bool = False  # <table-wrap>, <table-wrap-group>
    authors: bool = False  # <contrib-group> (front matter: not counted as removed text)
    sub_articles: bool = False  # <sub-article>, <response>
    translations: bool = False  # <sub-article article-type="translation"> too (else kept for their own document)


Cut = tuple[str, int, int]  # (removal rule, start, end) in the original bytes; rule "" for front matter


def prune(data: bytes, spec: PruneSpec) -> tuple[bytes, list[Cut]]:
    """`data` (one article) without the parts `spec` names (`data` itself when nothing was cut), and the cuts."""
    body = data.find(b"<body")
    body_end = data.rfind(b"</body>")
    # JATS puts sub-articles (and responses) last: the main article's body and back matter end before them. They
    # close after the last </body>, so a short look there tells whether there are any (most files: no).
    subs = []
    if data.find(b"</sub-article>", body_end) >= 0 or data.find(b"</response>", body_end) >= 0:
        after_body = max(body, 0)
        subs = [at for at in (data.find(b"<sub-article", after_body), data.find(b"<response", after_body)) if at >= 0]
    main_end = min(subs) if subs else len(data)
    if subs:
        body_end = data.rfind(b"</body>", 0, main_end)
    front_end = body if body >= 0 else len(data)
    tail_start = body_end if body_end >= 0 else 0
    cuts: list[Cut] = []
    if spec.authors:
        cuts += _spans(data, b"contrib-group", 0, front_end, "")
    if spec.tables and body >= 0:  # each <table-wrap> of a <table-wrap-group>: the group's caption goes later
        cuts += _spans(data, b"table-wrap", body, tail_start, "pmc.table")
    if spec.sub_articles and subs:
        skip = None if spec.translations else _TRANSLATION  # a translation is a document of its own
        cuts += _spans(data, b"sub-article", main_end, len(data), "pmc.sub_article", nests=True, skip=skip)
        cuts += _spans(data, b"response", main_end, len(data), "pmc.sub_article", nests=True)
    if spec.back:
        cuts += _back(data, tail_start, main_end)
    elif spec.references:
        cuts += _spans(data, b"ref-list", tail_start, main_end, "pmc.section.references", nests=True)
    if not cuts:
        return data, cuts
    cuts = _outermost(cuts)
    return _without(data, cuts), cuts


def _back(data: bytes, lo: int, hi: int) -> list[Cut]:
    """The span of the main <back>. Its end is looked for from the end of the article, which is one short step
    when nothing but closing tags follows it (the common case), instead of a scan through the reference list."""
    start = data.find(b"<back", lo, lo + 200)
    if start < 0 or data[start + 5 : start + 6] not in _NAME_ENDS:
        return _spans(data, b"back", lo, hi, _BACK_RULE)
    end = data.rfind(b"</back>", start, hi)
    if end > start and (hi < len(data) or _CLOSING_TAGS.fullmatch(data, end + 7)):
        return [(_BACK_RULE, start, end + 7)]
    return _spans(data, b"back", lo, hi, _BACK_RULE)


def _spans(
    data: bytes, tag: bytes, lo: int, hi: int, rule: str, nests: bool = False, skip: re.Pattern[bytes] | None = None
) -> list[Cut]:
    """(rule, start, end) of each outermost `tag` element that starts in data[lo:hi], except those whose start
    tag `skip` matches."""
    start_tag, end_tag = b"<" + tag, b"</" + tag + b">"
    spans: list[Cut] = []
    start = data.find(start_tag, lo, hi)
    while start >= 0:
        if data[start + len(start_tag) : start + len(start_tag) + 1] in _NAME_ENDS:  # not "<table-wrap-foot"
            end = _element_end(data, start, start_tag, end_tag, nests)
            if end < 0:
                return spans  # unbalanced: leave the rest to the parser
            if skip is None or not skip.search(data, start, data.find(b">", start)):
                spans.append((rule, start, end))
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


def _outermost(cuts: list[Cut]) -> list[Cut]:
    """The cuts in order, without those inside one before them (a table in a cut sub-article)."""
    kept: list[Cut] = []
    for cut in sorted(cuts, key=_start):
        if not kept or cut[1] >= kept[-1][2]:
            kept.append(cut)
    return kept


def _without(data: bytes, cuts: list[Cut]) -> bytes:
    pieces, pos = [], 0
    for _, start, end in cuts:
        pieces.append(data[pos:start])
        pos = end
    pieces.append(data[pos:])
    return b"".join(pieces)


def _start(cut: Cut) -> int:
    return cut[1]


def prune_tree(article: etree._Element, spec: PruneSpec, removed: Removals) -> None:
    """Remove from a parsed (unnamespaced) article what `prune` cuts from bytes, counting each part's text."""
    parts: list[tuple[str, etree._Element]] = []
    back = child(article, "back")
    if spec.back and back is not None:
        parts.append((_BACK_RULE, back))
    elif spec.references and back is not None:
        parts += [("pmc.section.references", el) for el in back.iterchildren("ref-list")]
    body = child(article, "body")
    if spec.tables and body is not None:
        parts += [("pmc.table", el) for el in body.iter("table-wrap") if next(el.iterancestors("table-wrap"), 0) == 0]
    if spec.sub_articles:
        for sub in article.iterchildren("sub-article", "response"):
            if spec.translations or (sub.get("article-type") or "").strip().lower() != "translation":
                parts.append(("pmc.sub_article", sub))
    for rule, el in parts:
        parent = el.getparent()
        if parent is None:
            continue  # inside a part removed before it (a table in a table-wrap-group's table-wrap)
        removed.add(rule, block_text(el))
        if el.tail and el.tail.strip():
            previous = el.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + el.tail
            else:
                parent.text = (parent.text or "") + el.tail
        parent.remove(el)
