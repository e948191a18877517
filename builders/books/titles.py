"""Outline titles written from TeX source, decoded for the books builder.

hyperref writes a bookmark from the section title's source when it cannot turn a command into Unicode:

    "3. The Lema{^i }tre--Tolman model"   → "3. The Lemaître–Tolman model"
    "Schr\\"{o}dinger's \\emph{equation}"  → "Schrödinger's equation"
    "The $\\Lambda$CDM model"              → "The ΛCDM model"

Accents (`\\^i`, `{^i }`, `\\'{e}`, `\\c{c}`), dashes (`--`, `---`), ties (`~`), escaped characters (`\\&`, `\\%`),
text-style commands (`\\emph{x}`, `\\textbf{x}`) and Greek letters in math are decoded; `looks_like_tex` tells
whether anything TeX is left, in which case the builder takes the title from the chapter's text instead.
"""

from __future__ import annotations

import re
import unicodedata

_ACCENTS = {
    "`": "\u0300",
    "'": "\u0301",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    "u": "\u0306",
    ".": "\u0307",
    '"': "\u0308",
    "H": "\u030b",
    "v": "\u030c",
    "c": "\u0327",
    "k": "\u0328",
}
_GREEK = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "pi",
    "rho",
    "sigma",
    "tau",
    "upsilon",
    "phi",
    "chi",
    "psi",
    "omega",
]
_SYMBOLS = {name: chr(0x3B1 + i + (1 if i >= 17 else 0)) for i, name in enumerate(_GREEK)}
_SYMBOLS.update({name.capitalize(): chr(0x391 + i + (1 if i >= 17 else 0)) for i, name in enumerate(_GREEK)})
_SYMBOLS.update({"ss": "ß", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "o": "ø", "O": "Ø", "l": "ł", "L": "Ł"})
_SYMBOLS.update({"i": "i", "j": "j", "aa": "å", "AA": "Å", "textendash": "–", "textemdash": "—", "S": "§"})

# An accent command and its letter: \^i, \^{i}, {\^i}, {^i } (hyperref's form without the backslash), \c{c}
_ACCENT = re.compile(
    r"\{?\\(?P<a>[`'^~=.\"]|[uHvck](?=[{\s]))\s*(?:\{\s*\\?(?P<l1>[A-Za-z])\s*\}|\\?(?P<l2>[A-Za-z]))\s*\}?"
    r"|\{(?P<b>[`'^~=.\"])\s*\\?(?P<l3>[A-Za-z])\s*\}"
)
_STYLE = re.compile(
    r"\\(?:emph|textbf|textit|textsc|textrm|textsf|texttt|mathrm|mathbf|mathit|text|mbox)\s*\{([^{}]*)\}"
)
_COMMAND = re.compile(r"\\([A-Za-z]+)\s?")


def decode_tex(title: str) -> str:
    """`title` with TeX accents, dashes, escapes, style commands and Greek letters decoded; plain titles pass
    through unchanged."""
    if not any(c in title for c in "\\{}$~^") and "--" not in title:
        return title
    text = _STYLE.sub(r"\1", title)
    text = _ACCENT.sub(_accented, text)
    text = text.replace("---", "\u2014").replace("--", "\u2013")
    text = re.sub(r"\\([&%$#_{}])", r"\1", text)
    text = _COMMAND.sub(lambda m: _SYMBOLS.get(m.group(1), m.group(0)), text)
    text = text.replace("~", " ").replace("$", "")
    text = re.sub(r"(?<!\\)[{}]", "", text)
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text)).strip()


def _accented(match: re.Match) -> str:
    letter = match.group("l1") or match.group("l2") or match.group("l3")
    return unicodedata.normalize("NFC", letter + _ACCENTS[match.group("a") or match.group("b")])


def looks_like_tex(title: str) -> bool:
    return "\\" in title or bool(re.search(r"[{}^_]", title))
