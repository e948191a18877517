"""Normalize text the same way for every source: repair mojibake, one Unicode form, one kind of space.

    >>> clean_text("Ã©tude of the ﬁrst\\u00a0 case\\u200b\\r\\n\\r\\n\\r\\n   \\nResults: “no change”  \\n")
    'étude of the first case\\n\\nResults: "no change"'
    >>> clean_title("  Aspirin\\n and   the heart ")
    'Aspirin and the heart'

The rules, each acting within a line:
1. Layout (`layout.py`): fullwidth ASCII → ASCII; every line separator (`\\r\\n`, `\\r`, U+2028, form feed...)
   → `\\n`; control and invisible characters deleted (soft hyphen, zero-width space, word joiner, BOM); lone
   surrogates (which UTF-8, hence Parquet, refuses) → U+FFFD; other spaces (no-break, thin, ideographic...) →
   ` `; runs of spaces inside a line → one (leading indentation is kept, nested lists need it, except on the
   first line); no trailing spaces. Tabs stay: they separate table cells.
2. Repairs, on lines with non-ASCII characters or `&` (`repair.py`): ftfy (mojibake `Ã©` → `é`, stray HTML
   entities, C1 controls), then Unicode normalization (NFC), Latin ligatures (`ﬁ` → `fi`, common in PDF text)
   and curly quotes (`’` → `'`, ftfy's default; one quote style across papers and books also helps exact
   dedup), then layout again; repeated until stable (at most 4 times).
3. At most `max_blank_lines` empty lines in a row; no empty lines at the start or end.

`clean_text` is idempotent: a second call changes nothing (a hypothesis test holds it to that). Whitespace is
tidied before ftfy because ftfy reads context (`Ã a` is mojibake to it, ` Ã a` is not). Deletions happen before
normalization, because deleting a character between a letter and a combining accent would let a second NFC
compose them.

Speed: the rules are defined line by line, and were once run that way, with ftfy on every non-ASCII line (a few
MB/s: most of a build's time). Now each rule runs over the whole text, and ftfy only on the lines where it could
change something (`suspects.py`: an HTML entity, a C1 control, or a hit of ftfy's own mojibake test); on the
other lines ftfy would only have normalized. The output is the same, character for character: a test compares
it with the line-by-line recipe on generated and real-looking text.
"""

from __future__ import annotations

import functools
import re

from medc.clean.config import DEFAULT_CLEAN, CleanConfig
from medc.clean.layout import replace_layout, split_lines, tidy_spaces
from medc.clean.repair import MAX_PASSES, repair_line
from medc.clean.scan import LAYOUT, CharScan
from medc.clean.suspects import suspect_lines
from medc.clean.text_pass import finish_pass, normalize, strip_c1

__all__ = ["CleanConfig", "clean_text", "clean_title"]


def clean_text(text: str, config: CleanConfig = DEFAULT_CLEAN) -> str:
    """`text` normalized as the module docstring describes; idempotent."""
    tidied, scan = _tidied(text)
    if not tidied.isascii() or "&" in tidied:
        tidied = _repair_text(tidied, scan or CharScan(tidied), config)
    if "\n" * (config.max_blank_lines + 2) in tidied:
        tidied = _blank_run(config.max_blank_lines).sub("\n" * (config.max_blank_lines + 1), tidied)
    return tidied.strip("\n")


def _tidied(text: str) -> tuple[str, CharScan | None]:
    """Step 1, and the scan of its result when one is at hand (a scan holds only while the text it describes is
    unchanged: positions would shift otherwise)."""
    scan = CharScan(text)
    if scan.has(LAYOUT):
        present = scan.layout_characters(text)
        text = replace_layout(split_lines(text, present), present)
        scan = CharScan(text)
    spaced = tidy_spaces(text, scan.spacing())
    # A text does not start with blank lines or indentation: the first non-empty line loses its indentation.
    tidied = spaced.lstrip(" \t\n")
    return tidied, scan if tidied is text else None


def clean_title(title: str, config: CleanConfig = DEFAULT_CLEAN) -> str:
    """A title on one line: cleaned like text, every run of whitespace (newlines too) → one space."""
    if title.isascii() and title.isprintable() and "&" not in title:
        # Printable ASCII without an entity: cleaning would change nothing but spaces (most titles; the
        # character scan costs more than the rest on a string this short).
        return " ".join(title.split())
    return " ".join(clean_text(title, config).split())


def _repair_text(tidied: str, scan: CharScan, config: CleanConfig) -> str:
    """Step 2 on a tidy text: whole-text rounds until stable, then the exact recipe (ftfy included) on the lines
    ftfy could have changed at any round (`suspect_lines` of each text ftfy would have seen)."""
    suspects = suspect_lines(tidied, scan) if config.fix_unicode else set()
    text = tidied
    for _ in range(MAX_PASSES):
        stripped, stripped_scan = strip_c1(text, scan)
        normalized, normalized_scan = normalize(stripped, stripped_scan, config.normalization)
        if config.fix_unicode and normalized is not stripped:  # ftfy's own second round sees the normal form
            suspects |= suspect_lines(normalized, normalized_scan)
        repaired, repaired_scan = finish_pass(normalized, normalized_scan, config, changed=normalized is not text)
        if repaired[:1] in (" ", "\t"):  # the first line stays without indentation
            repaired = repaired.lstrip(" \t")
            repaired_scan = CharScan(repaired)
        if repaired == text:
            break
        text, scan = repaired, repaired_scan
        if config.fix_unicode:
            suspects |= suspect_lines(text, scan)
    return _with_exact_lines(text, tidied, suspects, config)


def _with_exact_lines(text: str, tidied: str, suspects: set[int], config: CleanConfig) -> str:
    """`text` with the suspect lines repaired by the exact recipe from their tidy form; if repairs emptied the
    first line, the next non-empty one is the first, and loses its indentation before it is repaired."""
    if not suspects and text[:1] != "\n" and text.count("\n") == tidied.count("\n"):
        return text
    lines, originals = text.split("\n"), tidied.split("\n")
    if len(lines) != len(originals):  # a round made or removed a line break: cannot happen, but stay exact
        lines, suspects = list(originals), set(range(len(originals)))
    for i in suspects:
        lines[i] = repair_line(originals[i], config, first=i == 0)
    i = 0
    while i + 1 < len(lines) and not lines[i]:
        i += 1
        lines[i] = repair_line(originals[i].lstrip(" \t"), config, first=True)
    return "\n".join(lines)


@functools.cache
def _blank_run(max_blank_lines: int) -> re.Pattern[str]:
    return re.compile(f"\n{{{max_blank_lines + 2},}}")
