"""Sweeps over an article's whole text, once its markers are resolved: URLs, citation numbers typed as plain
text, double spaces.

    "Data are at https://example.org/x (accession 12)."    → "Data are at (accession 12)."   (`drop_urls`)
    "the canal system [8]. In vitro"                       → "the canal system. In vitro"     (`drop_plain_citations`)
    "a  b"                                                 → "a b"                            (`squeeze_spaces`)

Each is one scan of the text, cheaper over the whole article than per paragraph; `url_or_double_space` tells
first, in one pass of array comparisons, whether the URL and double-space sweeps have anything to do (most often
not).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from builders.pmc.removals import Removals

_PLAIN_CITATION = re.compile(r"\[\d{1,3}(?:\s?[,–-]\s?\d{1,3})*\](?=[\s.,;:)]|$)")
_URL = re.compile(r" ?(?:https?://|ftp://|www\.)[^\s<>\"]+?(?=[.,;:!?)\]]*(?:\s|$))", re.IGNORECASE)
_EMPTY_BRACKETS = re.compile(r" ?(?:\(\s*\)|\[\s*\])")
_SHORT = 2000  # below this many characters, `in` is as fast as arrays


def url_or_double_space(text: str) -> tuple[bool, bool]:
    """Whether `text` holds "://" or "www.", and whether it holds "  ": what `in` says, found by array comparisons
    over the text's code units. (`in` with those needles steps through most characters of a text one at a time:
    the three searches cost as much as resolving an article's markers.)"""
    if len(text) < _SHORT:
        return "://" in text or "www." in text, "  " in text
    ascii_ = text.isascii()  # (UTF-16 code units: surrogates never equal an ASCII character)
    a = np.frombuffer(text.encode("ascii" if ascii_ else "utf-16-le"), np.uint8 if ascii_ else np.uint16)
    space = a == 32  # (count_nonzero below: a C call, where .any() goes through a Python wrapper)
    double = np.count_nonzero(np.logical_and(space[:-1], space[1:], out=space[:-1])) > 0
    url = ":" in text and np.count_nonzero((a[:-2] == 58) & (a[1:-1] == 47) & (a[2:] == 47)) > 0
    if not url:
        w = a == 119
        ww = np.logical_and(w[:-1], w[1:], out=w[:-1])  # "ww": rare in words, so most texts stop here
        url = np.count_nonzero(ww) > 0 and np.count_nonzero(ww[:-2] & ww[1:-1] & (a[3:] == 46)) > 0
    return url, double


def drop_plain_citations(text: str, removed: Removals | None = None) -> str:
    """`text` without numbered citations typed as plain text, with no link to the reference list (current PMC
    XML of some journals: "the canal system [8]."). Only a bracket of citation numbers after a word and a space,
    before a space or a punctuation mark: "younger 64 [57–69]" (after a number), "pyrido [2,3-b] [1,5]" and
    "x[1]" (code) stay."""
    out, pos = [], 0
    for match in _PLAIN_CITATION.finditer(text):
        start = match.start()
        before = text[start - 2 : start]
        if len(before) < 2 or before[1] != " " or not (before[0].isalpha() or before[0] in ".,;:)"):
            continue
        out.append(text[pos : start - 1])  # the space before it goes too
        pos = match.end()
        if removed is not None:
            removed.add("pmc.citation_marker", match.group(), text[max(0, start - 80) : start], text[pos : pos + 80])
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def drop_urls(text: str, removed: Removals | None = None) -> str:
    """`text` without URLs, looking only at the lines that hold one; a paragraph that was only a URL goes."""
    lines = text.split("\n")
    emptied = False
    for index, line in enumerate(lines):
        if "://" in line or "www." in line:
            kept = _EMPTY_BRACKETS.sub("", _URL.sub("", line)).strip()
            if removed is not None:
                for url in _URL.findall(line):
                    removed.add("pmc.url", url.strip())
            lines[index] = kept
            emptied = emptied or not kept
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
