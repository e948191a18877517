"""Remove citation markers and figure/table callouts from an article's text, with their leftover brackets and
commas, and chains of them.

While the XML is flattened, each `<xref ref-type="bibr">` becomes a token, its text between U+FDD0 and U+FDD1
(a figure or table callout: between U+FDD0 U+FDD4 and U+FDD1, so one `str.find` finds both kinds).
`resolve_markers` then looks at each run of tokens and the few characters around it, and decides (C = citation
token, F = callout token):

    "as reported [C2–C5]."           → "as reported."                   the bracket holds only markers
    "in two trials (C1, C3) and"     → "in two trials and"
    "known [C1]–[C3], and [C4]. It"  → "known. It"                      a chain of brackets joined by dashes,
                                                                        commas, "and": one marker
    "(see CSmith 2010; CLee 2012)"   → ""                               parenthetical author-year citations
    "is known (see [C6])."           → "is known."                      the parenthesis goes whole
    "fibrosisC1,C2 is"               → "fibrosis is"                    superscript or bare numbers
    "CSmith et al. (2010) showed"    → "Smith et al. (2010) showed"     narrative citation: its words stay
    "As in ref. C5 we see"           → "As in ref. 5 we see"            the object of its sentence: the reference
    "See C[6]." / "data from [C2]"   → "See ref. 6." / "data from ref. 2"   stays, so that the sentence reads
    "cohort (n = 12; Fig. F2)."      → "cohort (n = 12)."               a marker inside a remark: the remark stays
    "as shown in FFig. 2."           → "as shown in Fig. 2."            bare callout kept, unless callouts="all"
    "shown in FText S1 C[42]."       → "shown in Text S1."              a citation after a kept callout goes

The object rule: a citation directly after one of `OBJECT_WORDS` ("see", "cf.", "in", "from", "by", "of", "to",
"per", "following", "ref.", "reference", ...), and not inside a parenthesis, is the object of that word; removing
it would leave "See." or "In ref. we see", so its number stays as a reference ("ref. 6", "refs. 2–4"; after "ref."
or "reference" only the number) and an author-year citation keeps its words. Unlinked superscript numbers are
made tokens by `inline` (`_mark_sup`); citation numbers typed as plain text go in `sweeps`.

Only the runs and a few dozen characters around each are examined, so the cost grows with the number of markers,
not with the length of the text (a regex search through the text would cost more than all of that). A paragraph
that held nothing but markers goes with its blank line. Noncharacters U+FDD0..U+FDD4 never occur in text worth
keeping.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from builders.pmc.marker_spans import chain_end, parenthesis_start, run_span
from builders.pmc.tokens import CLOSE, FLOAT, OPEN

if TYPE_CHECKING:
    from builders.pmc.removals import Removals


_TOKEN = "\ufdd0[^\ufdd1]*\ufdd1"
# Tokens separated by nothing but commas, dashes, "and": "C1, C3–C5", "FFig. 1 and F2".
_RUN = re.compile(f"{_TOKEN}(?:(?:[ ,;–—‒−-]|and |& ){{0,4}}{_TOKEN})*")
_TOKENS = re.compile("\ufdd0\ufdd4?([^\ufdd1]*)\ufdd1")
_NUMBERED_TOKEN = re.compile("[ ,;]*\ufdd0[\\d ,;.()\\[\\]–—‒−-]*[a-z]?\ufdd1")  # " C[42]", not a callout
_CLOSER = {"[": "]", "(": ")"}
_ENDS = frozenset(" .,;:)]!?\n")  # a removal before these takes the space before it along
_CHAIN_STARTS = frozenset(" ,;–—‒−-[(")
_CHAIN_SECOND = frozenset("[(a&o")  # after a space: what a chain goes on with ("[", "(", "and", "&", "or")
# Words whose object a marker is: the sentence needs the reference, so it stays as words.
_REFERENCE_NOUNS = frozenset({"ref.", "refs.", "ref", "refs", "reference", "references"})
OBJECT_WORDS = frozenset(
    word
    for lower in (*_REFERENCE_NOUNS, "see", "cf.", "in", "from", "by", "of", "to", "per", "following")
    for word in (lower, lower.capitalize())
)
# The last two letters of those words and the space after them: most markers are decided not to be objects here.
_OBJECT_ENDINGS = frozenset(word[-2:] + " " for word in OBJECT_WORDS)
_DELIMITERS = {ord(OPEN): None, ord(CLOSE): None, ord(FLOAT): None}


def resolve_markers(text: str, callouts: str, removed: Removals | None = None) -> str:
    """`text` with its marker tokens removed where the module docstring says, and restored to words elsewhere;
    each removal is counted in `removed`."""
    out: list[str] = []
    pos = 0
    find, size = text.find, len(text)
    # Markers are counted here and added to `removed` at the end (a call per marker costs more than the decision
    # itself); every marker is recorded one by one when tracing.
    tally = [0, 0, 0, 0] if removed is not None and removed.spans is None else None  # citation chars, citations,
    start = find(OPEN)  # callout chars, callouts
    while start >= 0:
        close = find(CLOSE, start)
        if start > pos and close > 0 and _CLOSER.get(text[start - 1]) == text[close + 1 : close + 2]:
            # The common case, one citation in brackets, "[12]" or "(3)", decided without a regex (and, most often,
            # without a call: inside a sentence, before a space or a full stop).
            if text[start - 4 : start - 1] in _OBJECT_ENDINGS and _is_object(text, start):
                pos = _as_words(text, out, pos, start)  # "described in [5]" → "described in ref. 5"
                start = find(OPEN, pos)
                continue
            after = close + 2
            following = text[after : after + 1]
            if following in _CHAIN_STARTS and (following != " " or text[after + 1 : after + 2] in _CHAIN_SECOND):
                after = chain_end(text, after)  # "[1]–[3], [5]": one marker
            cut_from = start - 1
            if following == ")" and text[start - 2 : start - 1] == " ":
                cut_from = parenthesis_start(text, pos, cut_from)  # "(see [6])": the parenthesis goes whole
                after += cut_from != start - 1
            if tally is None or after != close + 2:
                _record(removed, text, cut_from, after, tally)
            elif text[start + 1] == FLOAT:
                tally[2] += after - start - 2
                tally[3] += 1
            else:
                tally[0] += after - start - 1
                tally[1] += 1
            if cut_from > pos and text[cut_from - 1] == " " and (after == size or text[after] in _ENDS):
                end = cut_from - 1  # (`_tidy`'s most common case, without a call: "shown [1]." → "shown.")
                while end > pos and text[end - 1] == " ":
                    end -= 1
                out.append(text[pos:end])
                pos = after
            else:
                pos = _tidy(text, out, pos, cut_from, after)
            start = find(OPEN, pos)
            continue
        pos = _resolve_run(text, out, pos, start, callouts, removed, tally)
        start = find(OPEN, pos)
    out.append(text[pos:])
    if tally is not None:
        for rule, at in (("pmc.citation_marker", 0), ("pmc.callout", 2)):
            if tally[at + 1]:
                removed.count(rule, tally[at], tally[at + 1])  # type: ignore[union-attr]
    return "".join(out)


def _resolve_run(
    text: str, out: list[str], pos: int, start: int, callouts: str, removed: Removals | None, tally: list[int] | None
) -> int:
    """Resolve the marker run at `start` that is not a single bracketed marker; return where the text goes on."""
    at = start - 1 if text[start - 1 : start] in ("[", "(") else start  # after the word an object marker follows
    if start > pos and text[at - 3 : at] in _OBJECT_ENDINGS and _is_object(text, start):
        return _as_words(text, out, pos, start)  # "see [6]" (the brackets in the token), "in ref. 5"
    run = _RUN.match(text, start)
    if run is None:  # an unclosed token: a stray noncharacter in the input, dropped
        out.append(text[pos:start])
        return start + 1
    end = run.end()
    if start > pos and _CLOSER.get(text[start - 1]) == text[end : end + 1]:
        cut: tuple[int, int] | None = (start - 1, end + 1)  # the common case, "[1–3]", "(1, 3)" (see `run_span`)
    else:
        cut = run_span(text, pos, start, end, run.group(), callouts)
    if cut is None:  # kept: the run's words, without the token delimiters
        out.append(text[pos:start])
        out.append(_kept_run(run.group(), removed))
        return end
    cut_to = cut[1]
    following = text[cut_to : cut_to + 1]
    if text[cut_to - 1 : cut_to] in (")", "]") and (
        following in _CHAIN_STARTS and (following != " " or text[cut_to + 1 : cut_to + 2] in _CHAIN_SECOND)
    ):
        cut_to = chain_end(text, cut_to)
    _record(removed, text, cut[0], cut_to, tally)
    return _tidy(text, out, pos, cut[0], cut_to)


def _kept_run(run: str, removed: Removals | None) -> str:
    """The words of a run that stays: callouts and narrative citations keep theirs; a numbered citation in it
    goes ("shown in FText S1 C[42]." → "shown in Text S1.")."""
    if FLOAT not in run or not _NUMBERED_TOKEN.search(run):
        return _TOKENS.sub(_words, run)
    kept = _NUMBERED_TOKEN.sub("", run)
    if removed is not None:
        for token in _NUMBERED_TOKEN.findall(run):
            _record(removed, token, 0, len(token))
    return _TOKENS.sub(_words, kept.rstrip(" ,;"))


def _is_object(text: str, start: int) -> bool:
    """Whether the citation at `start` is the object of the word before it ("see [6].", "in ref. 5 we"), outside
    any parenthesis ("(see [6])" is a parenthetical citation, removed whole)."""
    at = start - 1 if text[start - 1] in "[(" else start
    if text[at - 1 : at] != " " or text[start + 1 : start + 2] == FLOAT:
        return False
    word_start = text.rfind(" ", max(0, at - 14), at - 1) + 1
    if text[word_start : at - 1] not in OBJECT_WORDS:
        return False
    head = text[max(0, word_start - 80) : word_start]
    return max(head.rfind("("), head.rfind("[")) <= max(head.rfind(")"), head.rfind("]"), head.rfind("\n"))


def _as_words(text: str, out: list[str], pos: int, start: int) -> int:
    """Write the marker run at `start` as plain words ("ref. 5", "refs. 3–5", "Smith 2010"); return its end."""
    bracketed = text[start - 1] in "[("
    run = _RUN.match(text, start)
    end = run.end() if run else text.find(CLOSE, start) + 1
    if bracketed and text[end : end + 1] in ")]":
        end += 1
    out.append(text[pos : start - 1 if bracketed else start])
    words = _TOKENS.sub(_words, text[start:end] if not bracketed else text[start : end - 1]).strip()
    words = words.replace("[", "").replace("]", "")  # "[6]" → "6", "[1]–[4]" → "1–4"
    if words[:1] == "(" and words[-1:] == ")" and words[1:-1].replace(",", "").replace(" ", "").isdigit():
        words = words[1:-1]  # "(6)" → "6", but "Smith et al. (2010)" stays
    word_before = text[max(0, start - 16) : start].rstrip(" [(").lower().rsplit(" ", 1)[-1]
    if words[:1].isdigit() and word_before not in _REFERENCE_NOUNS:
        words = ("refs. " if any(c in words for c in ",;–—‒−-") else "ref. ") + words
    out.append(words)
    return end


def _record(removed: Removals | None, text: str, start: int, end: int, tally: list[int] | None = None) -> None:
    if removed is None:
        return
    opens, floats = text.count(OPEN, start, end), text.count(FLOAT, start, end)
    callout = floats and floats == opens
    if tally is not None:  # counted by `resolve_markers`
        tally[2 if callout else 0] += end - start - 2 * opens - floats
        tally[3 if callout else 1] += 1
        return
    rule = "pmc.callout" if callout else "pmc.citation_marker"
    if removed.spans is None:
        removed.count(rule, end - start - 2 * opens - floats)
    else:
        visible = _visible(text[start:end])
        removed.add(rule, visible, _visible(text[max(0, start - 80) : start]), _visible(text[end : end + 80]))


def _visible(text: str) -> str:
    return text.translate(_DELIMITERS)


def _tidy(text: str, out: list[str], pos: int, cut_from: int, cut_to: int) -> int:
    """Write the text from `pos` up to a removal, with the spaces around it tidied: "shown [1]." → "shown.";
    "shown [1] and" → "shown and"; "[1] Text" at the start of a paragraph → "Text". Returns where the text goes
    on."""
    if cut_from == 0 or text[cut_from - 1] == "\n":
        out.append(text[pos:cut_from])
        if text[cut_to : cut_to + 1] == " ":
            return cut_to + 1
        # A paragraph that held nothing but markers goes with the blank line after it.
        return cut_to + 2 if text[cut_to : cut_to + 2] == "\n\n" else cut_to
    end = cut_from
    if cut_to == len(text) or text[cut_to] in _ENDS:
        while end > pos and text[end - 1] == " ":  # (rstrip would copy the text once more)
            end -= 1
    out.append(text[pos:end])
    return cut_to


def _words(token: re.Match[str]) -> str:
    return token.group(1)
