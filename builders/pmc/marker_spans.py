"""Where the removal of a marker run begins and ends: the bracket, parenthesis or remark around it, and the
chain of bracketed markers it starts (`markers` decides what is removed; this module finds the span).

    "is known (see CBrandt 2017)."     run_span → the whole "(see CBrandt 2017)"
    "cohort (n = 12; FFig. 2)."         run_span → "; FFig. 2" (the remark stays: "(n = 12)")
    "known [C1]–[C3], and [C4]. It"     chain_end → after "[C4]"
"""

from __future__ import annotations

import re

from builders.pmc.tokens import FLOAT, OPEN

# Words that may introduce markers: "see", "Fig.", "e.g.,", "reviewed in". Abbreviations end with their dot,
# the others at a word boundary.
_WORDS = (
    r"(?:e\.g\.,?|cf\.|i\.e\.,?|refs?\.|figs?\.|tabs?\.|suppl\.)"
    r"|(?:see|also|refs?|references?|reviewed in|for (?:a )?review(?:,? see)?|figures?|tables?"
    r"|suppl(?:ementary|emental)?|additional files?|supporting|information|appendix|panels?|and|or|in)\b"
)
# What may stand between an opening bracket and the run: "(", "[", "(see ", "(Fig. ", "(e.g., ".
_OPENING = re.compile(rf"[(\[](?: |{_WORDS}|[,;:])*", re.IGNORECASE)
# What may follow the run up to the closing bracket: "A, B)", "–7]", ", respectively)", " online)". (One digit
# at a time: "\d+" inside the repetition tried every split of a long number, exponential in its length.)
_CLOSING = re.compile(
    r"(?:[ ,;:–—‒−\-&.]|\d|\b[A-Za-z]\b|\b(?:and|or|respectively|online|data|file)\b)*?[)\]]", re.IGNORECASE
)
# A remark that goes on before the run: "(n = 12; ", "(p < 0.05, see Fig. ".
_REMARK = re.compile(rf"[;,] *(?:(?:{_WORDS}) *)*$", re.IGNORECASE)
_CALLOUT_WORD = re.compile(r"\b(?:Figs?\.|Figures?|Tables?|Suppl\.|Supplementary) *$", re.IGNORECASE)
_NUMBERED_RUN = re.compile("(?:\ufdd0[\\d ,;.()\\[\\]–—‒−-]*[a-z]?\ufdd1|[ ,;–—‒−-]|and |& )*")  # no FLOAT
_PAIRS = frozenset({("(", ")"), ("[", "]")})
_PLAIN_RANGE = re.compile(r"[–—‒−-]\d+\b")
# What joins bracketed markers into one chain, and the next bracketed marker: "–[C3]", ", and [C5]", "; (C7)".
_CHAIN_LINK = re.compile(
    r"\s?(?:[,;–—‒−-]\s?)?(?:(?:and|or|&) )?[(\[]\ufdd0[^\ufdd1]*\ufdd1"
    r"(?:(?:[ ,;–—‒−-]|and |& ){0,4}\ufdd0[^\ufdd1]*\ufdd1)*[)\]]"
)


def parenthesis_start(text: str, pos: int, bracket: int) -> int:
    """Where "(see " opens before the bracketed marker at `bracket`, or `bracket` when no such parenthesis does."""
    head = text[max(pos, bracket - 60) : bracket]
    opening = head.rfind("(")
    if opening >= 0 and _OPENING.fullmatch(head, opening):
        return bracket - len(head) + opening
    return bracket


def chain_end(text: str, end: int) -> int:
    """The end of a chain of bracketed markers that goes on at `end`: "[C1]|–[C3], and [C5]" → after "[C5]"."""
    while True:
        link = _CHAIN_LINK.match(text, end)
        if link is None:
            return end
        end = link.end()


def run_span(text: str, pos: int, start: int, end: int, run: str, callouts: str) -> tuple[int, int] | None:
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
