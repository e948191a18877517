"""Normalize text the same way for every source: repair mojibake, one Unicode form, one kind of space.

    >>> clean_text("Ã©tude of the ﬁrst\\u00a0 case\\u200b\\r\\n\\r\\n\\r\\n   \\nResults: “no change”  \\n")
    'étude of the first case\\n\\nResults: "no change"'
    >>> clean_title("  Aspirin\\n and   the heart ")
    'Aspirin and the heart'

Text is cleaned line by line (ftfy judges line by line too):
1. Layout: fullwidth ASCII → ASCII; every line separator (`\r\n`, `\r`, U+2028, form feed...) → `\n`; control
   and invisible characters deleted (soft hyphen, zero-width space, word joiner, BOM); lone surrogates (which
   UTF-8, hence Parquet, refuses) → U+FFFD; other spaces (no-break, thin, ideographic...) → ` `; runs of spaces
   inside a line → one (leading indentation is kept, nested lists need it, except on the first line); no
   trailing spaces. Tabs stay: they separate table cells.
2. Repairs, only on lines with non-ASCII characters or `&`: ftfy (mojibake `Ã©` → `é`, stray HTML entities,
   C1 controls), then Unicode normalization (NFC), Latin ligatures (`ﬁ` → `fi`, common in PDF text) and curly
   quotes (`’` → `'`, ftfy's default; one quote style across papers and books also helps exact dedup).
3. At most `max_blank_lines` empty lines in a row; no empty lines at the start or end.

`clean_text` is idempotent: a second call changes nothing (a hypothesis test holds it to that). Whitespace is
tidied before ftfy because ftfy reads context (`Ã a` is mojibake to it, ` Ã a` is not), and a repaired line
is repaired again until stable because one repair can expose another. Deletions happen before normalization,
because deleting a character between a letter and a combining accent would let a second NFC compose them.

ftfy is the slow part: a few MB/s on lines with non-ASCII characters; ASCII lines skip it. It runs in the
build's worker processes, in parallel with parsing.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import ftfy
from ftfy.chardata import LIGATURES, WIDTH_MAP

_NORMALIZATIONS = ("NFC", "NFKC")
_MAX_PASSES = 4

_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\u2028\u2029]")
_INVISIBLE = re.compile("[\u00ad\u180e\u200b\u2060\ufeff]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_ODD_SPACES = re.compile(r"[^\S\n\t ]")  # whitespace other than newline, tab and the plain space
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f\u206a-\u206f\ufff9-\ufffc]")
_C1_CONTROL = re.compile("[\x80-\x9f]")  # kept until ftfy has read them: they are clues to mojibake
_WIDE = re.compile("[\u3000\uff01-\uffee]")  # the keys of ftfy's WIDTH_MAP
_LIGATURE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(LIGATURES)) + "]")
_CURLY = re.compile("[\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f]")
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
    }
)
_SPACE_RUN = re.compile(r"(?<=\S) {2,}")
_TRAILING = re.compile(r"[ \t]+$", re.MULTILINE)


@dataclass(frozen=True)
class CleanConfig:
    """How text and titles are normalized (the same for papers and books)."""

    fix_unicode: bool = True  # ftfy: mojibake, stray HTML entities, control characters
    fix_ligatures: bool = True  # ﬁ → fi
    uncurl_quotes: bool = True  # ‘’“” → '"
    normalization: str = "NFC"  # or "NFKC", which also folds superscripts (m² → m2): usually not wanted
    max_blank_lines: int = 1  # empty lines kept in a row; paragraphs are separated by one empty line

    def __post_init__(self) -> None:
        if self.normalization not in _NORMALIZATIONS:
            raise ValueError(f"normalization must be one of {list(_NORMALIZATIONS)}, got {self.normalization!r}")
        if self.max_blank_lines < 0:
            raise ValueError(f"max_blank_lines must be 0 or more, got {self.max_blank_lines}")


def clean_text(text: str, config: CleanConfig = CleanConfig()) -> str:
    """`text` normalized as the module docstring describes; idempotent."""
    lines = []
    started = False  # the first non-empty line loses its indentation: a text does not start with spaces
    for line in _LINE_BREAKS.sub("\n", text).split("\n"):
        line = _clean_line(line, config, first=not started)
        started = started or bool(line)
        lines.append(line)
    text = re.sub(f"\n{{{config.max_blank_lines + 2},}}", "\n" * (config.max_blank_lines + 1), "\n".join(lines))
    return text.strip("\n")


def clean_title(title: str, config: CleanConfig = CleanConfig()) -> str:
    """A title on one line: cleaned like text, every run of whitespace (newlines too) → one space."""
    return " ".join(clean_text(title, config).split())


def _clean_line(line: str, config: CleanConfig, first: bool) -> str:
    # ftfy judges text line by line too, so a line is the natural unit. Most lines of English prose are ASCII
    # without entities and only need their spaces tidied.
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
    """ftfy, normalization, ligatures, quotes on a tidy line; then tidy again. ftfy reads context, so a repair
    can expose another (ftfy leaves `€©“` alone, but reads `€©"` as mojibake): callers repeat until stable."""
    if config.fix_unicode:
        line = ftfy.fix_text(line, _ftfy_config(config.normalization))
    line = unicodedata.normalize(config.normalization, _C1_CONTROL.sub("", line))
    if config.fix_ligatures and _LIGATURE.search(line):
        line = line.translate(LIGATURES)
    if config.uncurl_quotes and _CURLY.search(line):
        line = line.translate(_QUOTES)
    return _tidy_line(line, first)


@functools.cache
def _ftfy_config(normalization: str) -> ftfy.TextFixerConfig:
    # Ligatures, quotes and widths are done here instead: ftfy's str.translate over a table is slow on
    # non-ASCII text, and a regex that finds nothing to do is fast.
    return ftfy.TextFixerConfig(
        fix_latin_ligatures=False,
        uncurl_quotes=False,
        fix_character_width=False,
        normalization=normalization,
        explain=False,
    )


def _tidy_line(line: str, first: bool = False) -> str:
    """Layout characters and spaces of one line (or of a repaired line that gained line breaks)."""
    line = _CONTROL.sub("", line)
    if not line.isascii():
        if _WIDE.search(line):
            line = line.translate(WIDTH_MAP)
        line = _LINE_BREAKS.sub("\n", line)
        line = _INVISIBLE.sub("", line)
        line = _LONE_SURROGATE.sub("\ufffd", line)
        line = _ODD_SPACES.sub(" ", line)
    line = _TRAILING.sub("", _SPACE_RUN.sub(" ", line))
    return line.lstrip(" \t") if first else line
