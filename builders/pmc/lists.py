"""Lists as text: each item on its line, with its label or a marker for the list's style; nested lists indented.

<list list-type="order"><list-item><p>age 18–65</p></list-item><list-item><p>no prior dialysis</p>
  <list list-type="alpha-lower"><list-item><p>nor a transplant</p></list-item></list></list-item></list>
→ "1. age 18–65\n2. no prior dialysis\n  a. nor a transplant"

<def-list><def-item><term>eGFR</term><def><p>estimated glomerular filtration rate</p></def></def-item>
→ "eGFR: estimated glomerular filtration rate"
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from builders.pmc.tree import child, leading

if TYPE_CHECKING:
    from builders.pmc.blocks import BodyText

Element = etree._Element


def emit_list(w: BodyText, el: Element) -> None:
    w.heading(w.inline(leading(el, "title")))
    style, lines, number = el.get("list-type") or "bullet", [], 0
    for item in el:
        if item.tag != "list-item":
            continue
        number += 1
        label = leading(item, "label")
        prefix = f"{w.inline(label)} " if label is not None else _list_marker(style, number)
        item_lines = "\n".join(w.capture(item, w.container)).split("\n")
        if item_lines != [""]:
            lines.append(prefix + item_lines[0])
            lines.extend("  " + line for line in item_lines[1:])  # a nested list, indented under its item
    w.add("\n".join(lines))


def _list_marker(style: str, number: int) -> str:
    if style == "order":
        return f"{number}. "
    if style in ("alpha-lower", "alpha-upper") and number <= 26:
        letter = chr(ord("a") + number - 1)
        return f"{letter.upper() if style == 'alpha-upper' else letter}. "
    if style in ("roman-lower", "roman-upper"):
        numeral = _roman(number)
        return f"{numeral.upper() if style == 'roman-upper' else numeral}. "
    return "" if style == "simple" else "- "


def _roman(number: int) -> str:
    out = ""
    for value, digits in (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ):
        while number >= value:
            out, number = out + digits, number - value
    return out


def emit_def_list(w: BodyText, el: Element) -> None:
    w.heading(w.inline(leading(el, "title")))
    lines = []
    for item in el.iterchildren("def-item"):
        term = w.inline(child(item, "term"))
        definition = child(item, "def")
        text = " ".join(w.capture(definition, w.container)) if definition is not None else ""
        lines.append(f"{term}: {text}" if term and text else term or text)
    w.add("\n".join(line for line in lines if line))
