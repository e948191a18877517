"""Remove citation markers and figure/table callouts from an article's text, with their leftover brackets and commas.

Each `<xref>` is marked before parsing (`mark_xrefs`, a few regex passes over the bytes, much cheaper than
visiting a hundred xref elements from Python): a noncharacter after its start tag says what it points at
(C: a reference, F: a figure or table, M: a note marker such as "*" or "a", O: anything else) and U+FDD1 closes
every xref. The markup itself is merged away later, so a paragraph reads, for instance,
"fibrosis C4/ (C5/, C6/) was seen (F Fig. 2/)", and once the article's text is joined `resolve_markers` decides
with a few regex passes:

    "as reported [C2/–C5/]."            → "as reported."          bracket holding only markers and fillers
    "in two trials (C1/, C3/) and"      → "in two trials and"
    "(CSmith 2010/; CLee 2012/) showed" → "showed"                parenthetical author-year citations
    "fibrosisC1/,C2/ is"                → "fibrosis is"           superscript or bare numbers
    "CSmith et al. (2010)/ showed"      → "Smith et al. (2010) showed"   narrative citation: its words stay
    "cohort (n = 12; FFig. 2/)."        → "cohort (n = 12)."      a marker inside a remark: the remark stays
    "is shown in FFig. 2/."             → "is shown in Fig. 2."   bare callout kept, unless callouts="all"

A removal leaves REMOVED (U+FDDE), which takes the space before it along when it goes ("shown [1]." → "shown.").
The builder also leaves REMOVED where it drops a link or a footnote. Noncharacters U+FDD0..FDDF never occur in
text worth keeping; stray ones in the input are dropped.
"""

from __future__ import annotations

import re

CITE, CLOSE, FLOAT, MARK, OTHER = "\ufdd0", "\ufdd1", "\ufdd4", "\ufdd6", "\ufdd7"
REMOVED = "\ufdde"
CALLOUT_TYPES = ("fig", "table", "supplementary-material", "scheme", "plate", "video")
MARKER_TYPES = ("fn", "table-fn", "aff", "corresp", "author-notes", "contrib")


def _start_tag(types: str) -> re.Pattern[bytes]:
    return re.compile(rb"<xref\b[^>]*?\bref-type\s*=\s*[\"'](?:" + types.encode() + rb")[\"'][^>]*?(?<!/)>")


def _char(c: str) -> bytes:
    return f"&#x{ord(c):X};".encode()  # a character reference works in any ASCII-compatible encoding


_BIBR_START = _start_tag("bibr")
_FLOAT_START = _start_tag("|".join(CALLOUT_TYPES))
_MARK_START = _start_tag("|".join(MARKER_TYPES))
_EMPTY_BIBR = re.compile(rb"<xref\b[^>]*?\bref-type\s*=\s*[\"']bibr[\"'][^>]*/>")
# "10<sup>−6</sup>" reads as 10^−6, not 106; "Ca<sup>2+</sup>" and "1<sup>st</sup>" stay glued as written.
_POWER = re.compile(rb"(?<=\d)<sup>(?=(?:-|\+|\xe2\x88\x92|&#x2212;|&#8722;)?\d+(?:\.\d+)?</sup>)")

_TOK = "[\ufdd0\ufdd4][^\ufdd1\n]*\ufdd1"
# Words and marks that may stand beside markers inside one bracket: "(see refs. 3–5)", "(reviewed in 7)",
# "(Fig. 2A, B)", "(Additional file 1: Table S2)", "(Figs. 1 and 3)"; a dropped link counts too.
_FILLER = (r"(?:[ ,;:–—‒−\-&.\ufdde]|\d|\b(?:and|or|see|also|e\.g|cf|i\.e|refs?|reviewed in|for (?:a )?review"
           r"|in|figs?|figures?|tables?|tabs?|suppl|supplementa(?:ry|l)|additional|files?|supporting|information"
           r"|appendix|panels?|videos?|movies?|data|materials?|online)\b|\b[A-Za-z]\b)")
_PURE_GROUP = re.compile(rf"[(\[]{_FILLER}*{_TOK}(?:{_FILLER}|{_TOK})*[)\]]", re.IGNORECASE)
_MIXED_GROUP = re.compile(rf"[(\[][^()\[\]\n]*?{_TOK}[^()\[\]\n]*[)\]]")
# A marker inside a remark, with the words that introduce it: "(n = 12; see Fig. F)".
_IN_GROUP = re.compile(rf"(?:[,;] ?)?(?:(?:see|also|e\.g\.,?|cf\.|figs?\.|figures?|tables?) ?)*{_TOK}"
                       rf"(?: ?(?:[,–—\-−]|and) ?{_TOK})*", re.IGNORECASE)
_TIDY = re.compile(r"(?<=[(\[])[ ,;:]+|[ ,;:]+(?=[)\]])")
_NUMBERED = "\ufdd0[\\d ,;.()\\[\\]–—‒−-]*[a-z]?\ufdd1"
_BARE_NUMBERED = re.compile(f"{_NUMBERED}(?: ?[,;–—‒−-] ?{_NUMBERED}|[–—‒−-]\\d+\\b)*")
_NOTE_MARKER = re.compile("\ufdd6[^\ufdd1]*\ufdd1")
_BARE_CALLOUT = re.compile(r"(?:\b(?:Figs?\.|Figures?|Tables?|Suppl\.|Supplementary) ?)?\ufdd4[^\ufdd1]*\ufdd1",
                           re.IGNORECASE)
_SENTINEL = re.compile("[\ufdd0-\ufddf]")


def can_mark(data: bytes) -> bool:
    """Whether `mark_xrefs` may edit these bytes: any ASCII-compatible encoding, not UTF-16/32."""
    return not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00", b"<\x00"))


def mark_xrefs(data: bytes, drop_citations: bool, callouts: str) -> bytes:
    """The XML with every xref's kind marked in its text, and powers of ten marked `^` (see module doc)."""
    if b"<xref" in data:
        if drop_citations:
            data = _EMPTY_BIBR.sub(_char(CITE) + _char(CLOSE), data)
            data = _BIBR_START.sub(b"<xref>" + _char(CITE), data)
        if callouts != "keep":
            data = _FLOAT_START.sub(b"<xref>" + _char(FLOAT), data)
        data = _MARK_START.sub(b"<xref>" + _char(MARK), data)
        data = data.replace(b"</xref>", _char(CLOSE) + b"</xref>")
    if b"<sup>" in data:
        data = _POWER.sub(b"<sup>^", data)
    return data


def mark_xref_element(kind: str | None, drop_citations: bool, callouts: str) -> str:
    """The mark `mark_xrefs` would give an xref of `ref-type` `kind` (for files it cannot edit as bytes)."""
    if kind == "bibr" and drop_citations:
        return CITE
    if kind in CALLOUT_TYPES and callouts != "keep":
        return FLOAT
    return MARK if kind in MARKER_TYPES else OTHER


def resolve_markers(text: str, callouts: str) -> str:
    """`text` with bracketed markers removed, bare numbered citations removed, bare callouts removed when
    `callouts == "all"`, the rest restored to their words, and the spaces removals leave tidied."""
    if MARK in text:
        text = _NOTE_MARKER.sub(REMOVED, text)
    if CITE in text or FLOAT in text:
        text = _PURE_GROUP.sub(REMOVED, text)
        text = _MIXED_GROUP.sub(_mixed_group, text)
        if CITE in text:
            text = _BARE_NUMBERED.sub(REMOVED, text)
        if callouts == "all" and FLOAT in text:
            text = _BARE_CALLOUT.sub(REMOVED, text)
    if REMOVED in text:
        # "shown [1]." → "shown."; "fibrosis1,2 is" → "fibrosis is"; a paragraph that began with a marker.
        text = text.replace(" " + REMOVED, "").replace("\n" + REMOVED + " ", "\n").replace(REMOVED + " ", " ")
        text = text.replace(REMOVED, "").lstrip(" ")
    if CLOSE in text or OTHER in text:
        text = _SENTINEL.sub("", text)
    return text


def _mixed_group(match: re.Match[str]) -> str:
    # "(n = 12; Fig. F)" → "(n = 12)": the remark stays, the marker and its introducing words go.
    kept = _TIDY.sub("", _IN_GROUP.sub("", match.group(0)))
    return REMOVED if len(kept) <= 2 else kept
