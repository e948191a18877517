"""The straightforward per-line cleaner that `medc.clean` replaced, kept as the oracle the fast one must match.

Every line goes through the whole recipe: layout, then (if it is not plain ASCII without `&`) ftfy, C1 removal,
normalization, ligatures and quotes, repeated until stable. It is slow (ftfy's mojibake heuristic on every
non-ASCII line) and obviously right, which is what a reference is for.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy
from ftfy.chardata import LIGATURES, WIDTH_MAP

from medc.clean import CleanConfig

_MAX_PASSES = 4
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\u2028\u2029]")
_INVISIBLE = re.compile("[\u00ad\u180e\u200b\u2060\ufeff]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_ODD_SPACES = re.compile(r"[^\S\n\t ]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f\u206a-\u206f\ufff9-\ufffc]")
_C1_CONTROL = re.compile("[\x80-\x9f]")
_QUOTES = str.maketrans(dict.fromkeys("\u2018\u2019\u201a\u201b", "'") | dict.fromkeys("\u201c\u201d\u201e\u201f", '"'))
_SPACE_RUN = re.compile(r"(?<=\S) {2,}")
_TRAILING = re.compile(r"[ \t]+$", re.MULTILINE)


def reference_clean_text(text: str, config: CleanConfig) -> str:
    lines = []
    started = False
    for line in _LINE_BREAKS.sub("\n", text).split("\n"):
        line = _clean_line(line, config, first=not started)
        started = started or bool(line)
        lines.append(line)
    text = re.sub(f"\n{{{config.max_blank_lines + 2},}}", "\n" * (config.max_blank_lines + 1), "\n".join(lines))
    return text.strip("\n")


def _clean_line(line: str, config: CleanConfig, first: bool) -> str:
    line = _tidy_line(line, first)
    if line.isascii() and "&" not in line:
        return line
    for _ in range(_MAX_PASSES):
        cleaned = _repair(line, config, first)
        if cleaned == line:
            break
        line = cleaned
    return line


def _repair(line: str, config: CleanConfig, first: bool) -> str:
    if config.fix_unicode:
        ftfy_config = ftfy.TextFixerConfig(
            fix_latin_ligatures=False,
            uncurl_quotes=False,
            fix_character_width=False,
            normalization=config.normalization,
            explain=False,
        )
        line = ftfy.fix_text(line, ftfy_config)
    line = unicodedata.normalize(config.normalization, _C1_CONTROL.sub("", line))
    if config.fix_ligatures:
        line = line.translate(LIGATURES)
    if config.uncurl_quotes:
        line = line.translate(_QUOTES)
    return _tidy_line(line, first)


def _tidy_line(line: str, first: bool = False) -> str:
    line = _CONTROL.sub("", line)
    line = line.translate(WIDTH_MAP)
    line = _LINE_BREAKS.sub("\n", line)
    line = _INVISIBLE.sub("", line)
    line = _LONE_SURROGATE.sub("\ufffd", line)
    line = _ODD_SPACES.sub(" ", line)
    line = _TRAILING.sub("", _SPACE_RUN.sub(" ", line))
    return line.lstrip(" \t") if first else line
