"""Repairs of one line, the exact recipe (step 2 of `medc.clean`), for the few lines ftfy could change.

    >>> repair_line("the cafÃ© is open", CleanConfig(), first=False)
    'the café is open'

ftfy (mojibake, stray HTML entities, C1 controls), then C1 controls deleted, normalization, ligatures and
quotes, then layout again, repeated until stable: ftfy reads context, so one repair can expose another (it
leaves `€©“` alone, but reads `€©"` as mojibake). `medc.clean` runs this on the lines `suspects.py` names; on
every other line ftfy would only normalize, and `text_pass.py` does the rest over the whole text at once.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import ftfy
from ftfy.chardata import LIGATURES

from medc.clean.config import CleanConfig
from medc.clean.layout import tidy

MAX_PASSES = 4
C1_CONTROL = re.compile("[\x80-\x9f]")  # kept until ftfy has read them: they are clues to mojibake
_LIGATURE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(LIGATURES)) + "]")
LIGATURE_TEXTS = [(chr(c), text) for c, text in sorted(LIGATURES.items())]
QUOTE_TEXTS = [(c, "'") for c in "\u2018\u2019\u201a\u201b"] + [(c, '"') for c in "\u201c\u201d\u201e\u201f"]


def repair_line(line: str, config: CleanConfig, first: bool) -> str:
    """`line` (tidy; the first non-empty line of its text when `first`) repaired until stable."""
    if line.isascii() and "&" not in line:
        return line
    for _ in range(MAX_PASSES):
        repaired = _repair_once(line, config)
        repaired = repaired.lstrip(" \t") if first else repaired
        if repaired == line:
            break
        line = repaired
    return line


def _repair_once(line: str, config: CleanConfig) -> str:
    if config.fix_unicode:
        line = ftfy.fix_text(line, _ftfy_config(config.normalization))
    line = unicodedata.normalize(config.normalization, C1_CONTROL.sub("", line))
    if config.fix_ligatures and _LIGATURE.search(line):
        line = replace_all(line, LIGATURE_TEXTS)
    if config.uncurl_quotes:
        line = replace_all(line, QUOTE_TEXTS)
    return tidy(line)


def replace_all(text: str, replacements: list[tuple[str, str]]) -> str:
    """Each character replaced by its text. A `str.replace` per character found beats `str.translate` over a
    dict, which looks up every character of a non-ASCII string; no replacement yields a character replaced
    later (a test checks), so the order does not matter."""
    for char, replacement in replacements:
        if char in text:
            text = text.replace(char, replacement)
    return text


@functools.cache
def _ftfy_config(normalization: str) -> ftfy.TextFixerConfig:
    # Ligatures, quotes and widths are done by medc instead (over the whole text, at C speed).
    return ftfy.TextFixerConfig(
        fix_latin_ligatures=False,
        uncurl_quotes=False,
        fix_character_width=False,
        normalization=normalization,
        explain=False,
    )
