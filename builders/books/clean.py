"""Character normalization and removals for the books builder's paragraphs.

    "The \ufb01rst e\ufb00ect (see Fig. 3.2) was seen [4]; notes at https://example.org/x."
    → "The first effect was seen; notes at."

Ligatures and compatibility spaces are mapped one by one (NFKC on everything would also turn m² into m2), mojibake
is repaired by ftfy (only in paragraphs that show its signature, because ftfy costs as much as extracting the page),
then NFC. Callouts, citation markers, URLs, DOIs and e-mail addresses go, by option.
"""

from __future__ import annotations

import re
import unicodedata

from builders.books.tally import Tally

# Ligatures and compatibility characters: expanded one by one (NFKC on everything would also turn m² into m2).
_CHAR_MAP = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
        "\u00a0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u2008": " ",
        "\u200a": " ",
        "\u3000": " ",
        "\u00ad": "",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\ufeff": "",
        "\u2010": "-",
        "\u2011": "-",
        "\t": " ",
        "\r": " ",
        "\x0c": " ",
    }
)
# UTF-8 read as cp1252/latin-1: a lead byte (Ã, Â, â, ...) followed by a continuation-byte character. Only such
# paragraphs go through ftfy, which is slow enough to cost as much as extracting the page.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
    "\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]|\ufffd"
)
# Each starts at its bracket (a character the regex engine can scan for); the space before it goes too (`_cut`).
_CALLOUT = (
    r"[(\[]\s*(?i:see\s+(?:also\s+)?)?(?i:figs?\.?|figures?|tables?|tabs?\.|plates?|charts?|boxe?s?"
    r"|chapters?|ch\.|sections?|§|pp?\.|pages?)\s*[A-Z]?\d[^()\[\]]{0,40}[)\]]"
)
_NUMERIC_CITATION = r"\[\d{1,4}(?:\s*[,\u2013\-]\s*\d{1,4})*\]"
_AUTHOR_YEAR = (
    r"\((?:[A-Z][\w'’\-]+(?:\s+(?:et\s+al\.?|and|&)(?:\s+[A-Z][\w'’\-]+)?)?,?\s+(?:19|20)\d\d[a-z]?"
    r"(?:;\s*)?)+\)"
)
_URL = r"(?:https?://|ftp://|www\.)[^\s<>\"]*[^\s<>\".,;:)\]]|\b[\w.+\-]+@[\w\-]+\.[\w.\-]*\w|\bdoi:\s?10\.\S+\w"
# Characters `_CHAR_MAP` changes: most paragraphs have none, and a search is cheaper than a translation
_MAPPED = re.compile("[" + re.escape("".join(chr(c) for c in _CHAR_MAP)) + "]")


class TextCleaner:
    """Normalizes characters (ligatures, odd spaces, mojibake via ftfy, NFC) and removes what the options say:
    figure/table callouts, citation markers, URLs and e-mail addresses. With a `removed` tally, what each rule removed
    is added to it (`books.callout`, `books.citation`, `books.url`)."""

    def __init__(self, callouts: bool, citations: bool, urls: bool) -> None:
        rules = (
            ("callout", _CALLOUT, callouts),
            ("citation", _NUMERIC_CITATION, citations),
            ("citation2", _AUTHOR_YEAR, citations),
        )
        parts = [f"(?P<{name}>{pattern})" for name, pattern, on in rules if on]
        # the lookahead lets the regex engine skip to the next bracket: twice as fast as trying each alternative
        self.brackets = re.compile("(?=[(\\[])(?:" + "|".join(parts) + ")") if parts else None
        self.urls = re.compile(f"(?P<url>{_URL})") if urls else None

    def __call__(self, text: str, removed: Tally | None = None) -> str:
        if _MAPPED.search(text):
            text = text.translate(_CHAR_MAP)
        if not text.isascii():
            if _MOJIBAKE.search(text):
                text = _fix_mojibake(text)
            text = unicodedata.normalize("NFC", text)
        brackets = self.brackets is not None and ("(" in text or "[" in text)
        urls = self.urls is not None and _may_link(text)
        if brackets or urls:
            text = self._remove(text, removed)
        if "  " in text:
            text = _SPACES.sub(" ", text)
        return text.strip()

    def _remove(self, text: str, removed: Tally | None) -> str:
        before = None
        while text != before:  # a removal can empty the brackets around it: "((Fig. 2))" -> "()" -> ""
            before = text
            if self.brackets is not None and ("(" in text or "[" in text):
                text = _cut(self.brackets, text, removed)
            if self.urls is not None and _may_link(text):  # the URL pattern is slow: only where one can match
                text = _cut(self.urls, text, removed, space=False)
            text = _EMPTY_BRACKETS.sub("", text)
            text = _SPACE_BEFORE_PUNCT.sub("", text)
        return text


def _may_link(text: str) -> bool:
    """Whether `_URL` can match: each of its forms holds one of these."""
    return "://" in text or "www." in text or "@" in text or "doi:" in text


def _cut(pattern: re.Pattern, text: str, removed: Tally | None, space: bool = True) -> str:
    """`text` without `pattern`'s matches (and the one space before each, with `space`), counted by rule in
    `removed`."""
    parts: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        start, end = match.span()
        if space and start > last and text[start - 1].isspace():
            start -= 1
        parts.append(text[last:start])
        last = end
        if removed is not None:
            removed.add("books." + match.lastgroup.rstrip("2"), end - start)
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


_EMPTY_BRACKETS = re.compile(r"(?=[\s(\[])\s?(?:\(\s*\)|\[\s*\])")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+(?=[,.;:])")
_SPACES = re.compile(r" {2,}")


def _fix_mojibake(text: str) -> str:
    import ftfy

    config = ftfy.TextFixerConfig(uncurl_quotes=False, fix_line_breaks=False, explain=False)
    return ftfy.fix_text(text, config)
