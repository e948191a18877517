"""Layout characters and spaces, over a whole text at once (step 1 of `medc.clean`).

    >>> tidy("a\\u00a0b  c \\u200b\\r\\n\\tcell\\tcell  \\nＡ")
    'a b c\\n\\tcell\\tcell\\nA'

The characters each rule acts on are rare, so a rule is one `str.replace` per character actually present (a
memchr-speed scan), and the space rules run only when a plain substring test finds two spaces in a row or a
space before a newline. Every rule acts within a line, so the whole text gives what line-by-line tidying gave.
"""

from __future__ import annotations

import re

from ftfy.chardata import WIDTH_MAP


def _chars(*spans: str) -> str:
    """The characters of `spans`: one character, or `a-b` for a range."""
    return "".join(chr(c) for s in spans for c in range(ord(s[0]), ord(s[-1]) + 1))


# In the order the rules apply: deleted, folded to ASCII, line breaks, deleted, replaced, replaced by a space.
CONTROLS = _chars("\x00-\x08", "\x0e-\x1f", "\x7f", "\u206a-\u206f", "\ufff9-\ufffc")
WIDE = "".join(chr(c) for c in sorted(WIDTH_MAP))  # U+3000 and U+FF01-U+FFEE
BREAKS = "\r\x0b\x0c\u2028\u2029"
INVISIBLE = "\u00ad\u180e\u200b\u2060\ufeff"
SURROGATES = _chars("\ud800-\udfff")
# Whitespace (str.isspace, which is also what `\s` means) other than newline, tab and the plain space.
ODD_SPACES = _chars("\x0b", "\x0c", "\r", "\x1c-\x1f", "\x85", "\xa0", "\u1680", "\u2000-\u200a") + (
    "\u2028\u2029\u202f\u205f\u3000"
)
LAYOUT_CHARACTERS = frozenset(CONTROLS + WIDE + BREAKS + INVISIBLE + SURROGATES + ODD_SPACES)
_LAYOUT = re.compile("[" + "".join(re.escape(c) for c in sorted(LAYOUT_CHARACTERS)) + "]")
_RULES = [
    (frozenset(CONTROLS), lambda c: ""),
    (frozenset(WIDE), lambda c: WIDTH_MAP[ord(c)]),
    (frozenset(BREAKS), lambda c: "\n"),
    (frozenset(INVISIBLE), lambda c: ""),
    (frozenset(SURROGATES), lambda c: "\ufffd"),
    (frozenset(ODD_SPACES), lambda c: " "),
]
_BREAK_RULE = _RULES[2]
# Two or more spaces after a non-space become one (leading indentation stays). Written to start with the
# literal "  ", which the engine finds fast; the look-behind then checks what precedes the run.
_SPACE_RUN = re.compile(r"  (?<=\S  ) *")
_TRAILING = re.compile(r"[ \t]+$", re.MULTILINE)


def split_lines(text: str, present: set[str]) -> str:
    """Every line separator (`\\r\\n`, `\\r`, vertical tab, form feed, U+2028, U+2029) as `\\n`; `present`: the
    layout characters of `text` (or more)."""
    return _apply(text, present, (_BREAK_RULE,))


def tidy(text: str, present: set[str] | None = None, spacing: tuple[bool, bool] | None = None) -> str:
    """Controls and invisible characters deleted, fullwidth ASCII folded, every line separator → `\\n`, lone
    surrogates → U+FFFD, odd spaces → ` `, runs of spaces inside a line → one, no trailing spaces or tabs.
    `present`: the layout characters of `text` (or more), if the caller knows them (`medc.clean.scan`);
    `spacing`: `CharScan.spacing()` of `text`, used when `present` is empty (then nothing else moves spaces)."""
    if present is None:
        present = set(_LAYOUT.findall(text)) if _LAYOUT.search(text) else set()
    return tidy_spaces(_apply(text, present, _RULES), None if present else spacing)


def replace_layout(text: str, present: set[str]) -> str:
    """`tidy` without the space rules: what is left to do is `tidy_spaces`."""
    return _apply(text, present, _RULES)


def tidy_spaces(text: str, spacing: tuple[bool, bool] | None = None) -> str:
    """Runs of spaces inside a line → one, no trailing spaces or tabs. `spacing`: whether `text` has two spaces
    in a row, and a space or tab before a newline (`CharScan.spacing`), if known."""
    doubled, before_newline = spacing or ("  " in text, " \n" in text or "\t\n" in text)
    if doubled:
        text = _SPACE_RUN.sub(" ", text)
    if before_newline or text.endswith((" ", "\t")):
        text = _TRAILING.sub("", text)
    return text


def _apply(text: str, present: set[str], rules) -> str:
    """The rules in order, each as one `str.replace` per character of its set that `text` has. No rule yields a
    character a later rule acts on (a test checks), so `present` need not be recomputed between rules."""
    for chars, replacement in rules:
        found = chars.intersection(present)
        if chars is _BREAK_RULE[0] and found and "\r\n" in text:
            text = text.replace("\r\n", "\n")  # one line break, not two
        for char in sorted(found):
            text = text.replace(char, replacement(char))
    return text
