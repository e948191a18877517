"""Remove citation markers and figure/table callouts from an article's text, with their leftover brackets and
commas; and URLs (`drop_urls`) and double spaces (`squeeze_spaces`).

While the XML is flattened, each `<xref ref-type="bibr">` becomes a token, its text between U+FDD0 and U+FDD1
(a figure or table callout: between U+FDD0 U+FDD4 and U+FDD1, so one `str.find` finds both kinds).
`resolve_markers` then looks at each run of tokens and the few characters around it, and decides (C = citation
token, F = callout token):

    "as reported [C2–C5]."           → "as reported."                   the bracket holds only markers
    "in two trials (C1, C3) and"     → "in two trials and"
    "(see CSmith 2010; CLee 2012)"   → ""                               parenthetical author-year citations
    "fibrosisC1,C2 is"               → "fibrosis is"                    superscript or bare numbers
    "CSmith et al. (2010) showed"    → "Smith et al. (2010) showed"     narrative citation: its words stay
    "cohort (n = 12; Fig. F2)."      → "cohort (n = 12)."               a marker inside a remark: the remark stays
    "as shown in FFig. 2."           → "as shown in Fig. 2."            bare callout kept, unless callouts="all"

Only the runs and a few dozen characters around each are examined, so the cost grows with the number of markers,
not with the length of the text (a regex search through the text would cost more than all of that). A paragraph
that held nothing but markers goes with its blank line. Noncharacters U+FDD0..U+FDD4 never occur in text worth
keeping.
"""

from __future__ import annotations

import re

OPEN, CLOSE, FLOAT = "\ufdd0", "\ufdd1", "\ufdd4"

_TOKEN = "\ufdd0[^\ufdd1]*\ufdd1"
# Tokens separated by nothing but commas, dashes, "and": "C1, C3–C5", "FFig. 1 and F2".
_RUN = re.compile(f"{_TOKEN}(?:(?:[ ,;–—‒−-]|and |& ){{0,4}}{_TOKEN})*")
_TOKENS = re.compile("\ufdd0\ufdd4?([^\ufdd1]*)\ufdd1")
# Words that may introduce markers: "see", "Fig.", "e.g.,", "reviewed in". Abbreviations end with their dot,
# the others at a word boundary.
_WORDS = (
    r"(?:e\.g\.,?|cf\.|i\.e\.,?|refs?\.|figs?\.|tabs?\.|suppl\.)"
    r"|(?:see|also|refs?|references?|reviewed in|for (?:a )?review(?:,? see)?|figures?|tables?"
    r"|suppl(?:ementary|emental)?|additional files?|supporting|information|appendix|panels?|and|or|in)\b"
)
# What may stand between an opening bracket and the run: "(", "[", "(see ", "(Fig. ", "(e.g., ".
_OPENING = re.compile(rf"[(\[](?: |{_WORDS}|[,;:])*", re.IGNORECASE)
# What may follow the run up to the closing bracket: "A, B)", "–7]", ", respectively)", " online)".
_CLOSING = re.compile(
    r"(?:[ ,;:–—‒−\-&.]|\d+|\b[A-Za-z]\b|\b(?:and|or|respectively|online|data|file)\b)*?[)\]]", re.IGNORECASE
)
# A remark that goes on before the run: "(n = 12; ", "(p < 0.05, see Fig. ".
_REMARK = re.compile(rf"[;,] *(?:(?:{_WORDS}) *)*$", re.IGNORECASE)
_CALLOUT_WORD = re.compile(r"\b(?:Figs?\.|Figures?|Tables?|Suppl\.|Supplementary) *$", re.IGNORECASE)
_NUMBERED_RUN = re.compile("(?:\ufdd0[\\d ,;.()\\[\\]–—‒−-]*[a-z]?\ufdd1|[ ,;–—‒−-]|and |& )*")  # no FLOAT
_PAIRS = frozenset({("(", ")"), ("[", "]")})
_BRACKETED = frozenset({"()", "[]"})
_ENDS = frozenset(" .,;:)]!?\n")  # a removal before these takes the space before it along
_PLAIN_RANGE = re.compile(r"[–—‒−-]\d+\b")


def citation_token(text: str) -> str:
    return OPEN + text + CLOSE


def callout_token(text: str) -> str:
    return OPEN + FLOAT + text + CLOSE


def resolve_markers(text: str, callouts: str) -> str:
    """`text` with its marker tokens removed where the module docstring says, and restored to words elsewhere."""
    out: list[str] = []
    pos = 0
    find, size = text.find, len(text)
    start = find(OPEN)
    while start >= 0:
        close = find(CLOSE, start)
        if start > pos and close > 0 and text[start - 1 : start] + text[close + 1 : close + 2] in _BRACKETED:
            # The common case, one citation in brackets, "[12]" or "(3)", decided without a regex (and, most often,
            # without a call: inside a sentence, before a space or a full stop).
            after = close + 2
            if start > 1 and text[start - 2] != "\n" and (after == size or text[after] in _ENDS):
                out.append(text[pos : start - 1].rstrip(" "))
                pos = after
            else:
                out.append(text[pos : start - 1])
                pos = _tidy(text, out, start - 1, after)
            start = find(OPEN, pos)
            continue
        run = _RUN.match(text, start)
        if run is None:  # an unclosed token: a stray noncharacter in the input, dropped
            out.append(text[pos:start])
            pos = start + 1
        else:
            end = run.end()
            cut = _cut(text, pos, start, end, run.group(), callouts)
            if cut is None:  # kept: the run's words, without the token delimiters
                out.append(text[pos:start])
                out.append(_TOKENS.sub(_words, run.group()))
                pos = end
            else:
                out.append(text[pos : cut[0]])
                pos = _tidy(text, out, cut[0], cut[1])
        start = find(OPEN, pos)
    out.append(text[pos:])
    return "".join(out)


def _tidy(text: str, out: list[str], cut_from: int, cut_to: int) -> int:
    """Spaces around a removal: "shown [1]." → "shown."; "shown [1] and" → "shown and"; "[1] Text" at the start
    of a paragraph → "Text". Returns where the text goes on."""
    if cut_from == 0 or text[cut_from - 1] == "\n":
        if text[cut_to : cut_to + 1] == " ":
            return cut_to + 1
        # A paragraph that held nothing but markers goes with the blank line after it.
        return cut_to + 2 if text[cut_to : cut_to + 2] == "\n\n" else cut_to
    if cut_to == len(text) or text[cut_to] in _ENDS:
        out[-1] = out[-1].rstrip(" ")
    return cut_to


def _cut(text: str, pos: int, start: int, end: int, run: str, callouts: str) -> tuple[int, int] | None:
    """The span to remove for the run at [start, end), or None to keep it."""
    opening, closing = text[start - 1 : start] if start > pos else "", text[end : end + 1]
    if opening and closing and (opening, closing) in _PAIRS:
        return start - 1, end + 1  # the common case, "[1]", "[2–5]", "(1, 3)", decided without a regex
    window_start = max(pos, start - 60)
    head = text[window_start:start]
    bracket = max(head.rfind("("), head.rfind("["))
    after = _CLOSING.match(text, end)
    if (
        bracket >= 0
        and after
        and _OPENING.fullmatch(head, bracket)
        and (head[bracket], text[after.end() - 1]) in _PAIRS
    ):
        return window_start + bracket, after.end()  # "(see Smith 2010)", "(Fig. 2A, B)", "[refs 1–3]"
    if after:
        remark = _REMARK.search(head)
        if remark:
            return window_start + remark.start(), after.end() - 1  # "(n = 12; Fig. 2)" → "(n = 12)"
    if _NUMBERED_RUN.fullmatch(run):
        plain = _PLAIN_RANGE.match(text, end)  # "C1–3": a range whose end is plain text
        return start, plain.end() if plain else end
    if callouts == "all" and run.count(OPEN) == run.count(FLOAT):
        word = _CALLOUT_WORD.search(head)
        return (window_start + word.start() if word else start), end
    return None


def _words(token: re.Match[str]) -> str:
    return token.group(1)


_URL = re.compile(r" ?(?:https?://|ftp://|www\.)[^\s<>\"]+?(?=[.,;:!?)\]]*(?:\s|$))", re.IGNORECASE)
_EMPTY_BRACKETS = re.compile(r" ?(?:\(\s*\)|\[\s*\])")


def drop_urls(text: str) -> str:
    """`text` without URLs, looking only at the lines that hold one; a paragraph that was only a URL goes."""
    lines = text.split("\n")
    emptied = False
    for index, line in enumerate(lines):
        if "://" in line or "www." in line:
            lines[index] = _EMPTY_BRACKETS.sub("", _URL.sub("", line)).strip()
            emptied = emptied or not lines[index]
    text = "\n".join(lines)
    return "\n\n".join(part for part in text.split("\n\n") if part) if emptied else text


def squeeze_spaces(text: str) -> str:
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
