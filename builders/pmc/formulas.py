"""Formulas as text: TeX kept as TeX, MathML turned into TeX-like text, never an error.

    <inline-formula><mml:math><mml:msup><mml:mi>x</mml:mi><mml:mn>2</mml:mn></mml:msup></mml:math></inline-formula>
        → "$x^2$"
    <inline-formula><mml:math><mml:mi>p</mml:mi><mml:mo>&lt;</mml:mo><mml:mn>0.05</mml:mn></mml:math></inline-formula>
        → "p < 0.05"                      (nothing TeX-like in it: plain text reads better)
    <disp-formula><tex-math>\\documentclass{minimal}...\\begin{document}$$E=mc^2$$\\end{document}</tex-math>
        → "$$E=mc^2$$"

The converter handles the presentation-MathML elements PMC articles use; an element it does not know contributes
its children's text, so an odd formula degrades to readable text instead of failing the article.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from html.entities import html5

from lxml import etree

Element = etree._Element
MATHML = "http://www.w3.org/1998/Math/MathML"

# Operators spaced out in linear text: "p < 0.05", "a + b", not "p<0.05".
_SPACED = frozenset("=<>≤≥≠≈≡∼~±∓×÷+−→←⇒⇔∝∈∉⊂⊆∪∩") | {"-"}
_SIGNS = frozenset("+−-±∓")
_INVISIBLE = {0x2061: None, 0x2062: None, 0x2063: None, 0x2064: None}  # function application, invisible times
_ACCENTS = {
    "¯": "\\bar",
    "‾": "\\overline",
    "^": "\\hat",
    "ˆ": "\\hat",
    "~": "\\tilde",
    "˜": "\\tilde",
    "→": "\\vec",
    "⃗": "\\vec",
    "˙": "\\dot",
    "·": "\\dot",
    "¨": "\\ddot",
}
_FUNCTIONS = frozenset({"ln", "log", "exp", "sin", "cos", "tan", "lim", "max", "min", "det", "arg", "sup", "inf"})
_COMMAND = re.compile(r"\\[A-Za-z]+")
_SPACE_BEFORE_CLOSE = re.compile(r" ([)\]}])")
_DOLLARS = re.compile(r"^\${1,2}(.*?)\${1,2}$|^\\\[(.*?)\\\]$|^\\\((.*?)\\\)$", re.DOTALL)
_TEX_PREAMBLE = re.compile(r"\\(?:documentclass|usepackage|setlength|pagestyle)(?:\[[^\]]*\])?(?:\{[^}]*\})*")


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def clean_tex(raw: str) -> str:
    """TeX from `<tex-math>` without the LaTeX document wrapper PMC often puts around it, and without `$`s."""
    tex = raw
    if "\\begin{document}" in tex:  # PMC: "\documentclass[12pt]{minimal} \usepackage{amsmath} ... \begin{document}"
        tex = tex.split("\\begin{document}", 1)[1].split("\\end{document}", 1)[0]
    else:
        tex = _TEX_PREAMBLE.sub("", tex)
    tex = " ".join(tex.split())
    bare = _DOLLARS.match(tex)
    if bare:
        tex = next(g for g in bare.groups() if g is not None).strip()
    return tex


def wrap(text: str, display: bool, tex: bool) -> str:
    """`$...$` (inline) or `$$...$$` (display) around TeX; plain text as it is."""
    if not text or not (tex or "\\" in text or "^" in text or "_" in text or "{" in text):
        return text
    return f"$${text}$$" if display else f"${text}$"


def mathml_text(math: Element) -> str:
    """A MathML `<math>` as TeX-like text; its own TeX annotation when it carries one."""
    if next(math.iterchildren(f"{{{MATHML}}}semantics", "semantics"), None) is not None:
        for annotation in math.iter("{*}annotation"):
            if "tex" in (annotation.get("encoding") or "").lower() and (annotation.text or "").strip():
                return clean_tex(annotation.text or "")
    text = " ".join(_convert(math).split())
    return _SPACE_BEFORE_CLOSE.sub(_first_group, text) if " )" in text or " ]" in text or " }" in text else text


def _first_group(match: re.Match[str]) -> str:
    return match.group(1)


def _convert(el: Element) -> str:
    tag = el.tag
    if tag.__class__ is not str:  # an entity reference left unexpanded: &InvisibleTimes; and the like
        return html5.get(f"{getattr(el, 'name', '')};", "")
    return _BY_TAG.get(tag, _row)(el)


def _children(el: Element) -> list[str]:
    return list(map(_convert, el))


def _row(el: Element) -> str:
    text = el.text  # (each read of .text or .tail makes a new string)
    parts = [text] if text and not text.isspace() else []
    for child in el:
        parts.append(_convert(child))
        tail = child.tail
        if tail and not tail.isspace():
            parts.append(tail)
    return "".join(parts)


def _token(el: Element) -> str:
    text = (el.text or "" if not len(el) else "".join(el.itertext())).strip()
    return text.translate(_INVISIBLE) if text and max(text) >= "\u2061" else text


def _operator(el: Element) -> str:
    text = _token(el)
    if text in _FUNCTIONS:
        return f"\\{text} "  # <mo>lim</mo>
    if text not in _SPACED:
        return text
    if el.getprevious() is not None:
        return f" {text} "  # "a − b"
    # A leading sign stays on its operand ("−kt"); a leading relation or bracket keeps its space ("< X_i >", the
    # mean: "<X" would read as a tag).
    return text if text in _SIGNS else f"{text} "


def _identifier(el: Element) -> str:
    text = _token(el)
    return f"\\{text} " if text in _FUNCTIONS else text  # "ln" + "2" → "\ln 2", not "ln2"


def _text(el: Element) -> str:
    text = el.text or "" if not len(el) else "".join(el.itertext())
    return " ".join(text.split()) + " "


def _group(text: str) -> str:
    text = text.strip()
    return text if len(text) == 1 or _COMMAND.fullmatch(text) else "{" + text + "}"


def _scripts(el: Element, sub: int | None, sup: int | None) -> str:
    parts = _children(el)
    out = _group(parts[0]) if parts else ""
    if sub is not None and len(parts) > sub and parts[sub].strip():
        out += "_" + _group(parts[sub])
    if sup is not None and len(parts) > sup and parts[sup].strip():
        out += "^" + _group(parts[sup])
    return out + " "  # "^n w_i", not "^nw_i"; spare spaces are tidied in mathml_text


def _over(el: Element) -> str:
    parts = _children(el)
    if len(parts) == 2 and (el.get("accent") == "true" or parts[1].strip() in _ACCENTS):
        command = _ACCENTS.get(parts[1].strip(), "\\overset{" + parts[1].strip() + "}")
        return f"{command}{{{parts[0].strip()}}}"
    return _scripts(el, None, 1)


def _frac(el: Element) -> str:
    parts = [*_children(el), "", ""]
    return f"\\frac{{{parts[0].strip()}}}{{{parts[1].strip()}}}"


def _root(el: Element) -> str:
    parts = [*_children(el), "", ""]
    return f"\\sqrt[{parts[1].strip()}]{{{parts[0].strip()}}}"


def _fenced(el: Element) -> str:
    separator = (el.get("separators") or ",").strip()[:1] or ","
    return el.get("open", "(") + separator.join(p.strip() for p in _children(el)) + el.get("close", ")")


def _table(el: Element) -> str:
    rows = [" & ".join(c.strip() for c in _children(row)) for row in el]
    return "\\begin{matrix}" + " \\\\ ".join(rows) + "\\end{matrix}"


def _semantics(el: Element) -> str:
    return _convert(el[0]) if len(el) else ""


def _nothing(el: Element) -> str:
    return ""


_HANDLERS: dict[str, Callable[[Element], str]] = {
    "mi": _identifier,
    "mn": _token,
    "ms": _token,
    "mo": _operator,
    "mtext": _text,
    "mspace": lambda el: " ",
    "msup": functools.partial(_scripts, sub=None, sup=1),  # (a partial: no extra Python frame)
    "msub": functools.partial(_scripts, sub=1, sup=None),
    "msubsup": functools.partial(_scripts, sub=1, sup=2),
    "munder": functools.partial(_scripts, sub=1, sup=None),
    "munderover": functools.partial(_scripts, sub=1, sup=2),
    "mover": _over,
    "mfrac": _frac,
    "msqrt": lambda el: "\\sqrt{" + _row(el).strip() + "}",
    "mroot": _root,
    "mfenced": _fenced,
    "mtable": _table,
    "mtr": lambda el: " & ".join(_children(el)),
    "semantics": _semantics,
    "annotation": _nothing,
    "annotation-xml": _nothing,
    "mphantom": _nothing,
    "none": _nothing,
    "mprescripts": _nothing,
    "malignmark": _nothing,
}
# Handlers by full tag: `{http://www.w3.org/1998/Math/MathML}mi` or, in files without the namespace, `mi`.
_BY_TAG = {**_HANDLERS, **{f"{{{MATHML}}}{name}": handler for name, handler in _HANDLERS.items()}}
