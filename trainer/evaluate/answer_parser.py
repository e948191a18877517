"""Read the chosen option out of a generated answer, or say it cannot be read (None, counted as unparseable).

    >>> parse_answer("###Answer: OPTION C IS CORRECT.", ["Ampicillin", "Ceftriaxone", "Doxycycline", "Nitro"])
    2
    >>> parse_answer("The answer is (B) because ...", options)          # 1
    >>> parse_answer("Maybe. The cohorts disagree.", ["yes", "no", "maybe"])   # 2
    >>> parse_answer("A patient with these findings needs ...", options)  # None: "A" is an article here

Rules, strongest first; the first rule that finds an option decides, and within a rule the first mention wins
(a model often rambles on into an invented next question, whose answer must not count):
1. `OPTION C IS CORRECT` (PMC-LLaMA's answer string), `option (C) is the correct ...`;
2. an answer marker (`answer is`, `answer:`, `###Answer:`) followed by a letter (`C`, `(C)`, `C.`), or by an
   option's text (`yes`, `Doxycycline`);
3. the output starting with a letter that stands alone (`C`, `C.`, `(C)`, `C) ...`), not a word such as `A`
   in "A patient";
4. the output starting with an option's text (the longest that fits: `Vitamin B12` over `Vitamin B`).
Letters beyond the number of options never count. Letters must be capitals; words ignore case.
"""

from __future__ import annotations

import re

LETTER = r"[\(\[]?([A-Z])[\)\]]?(?![A-Za-z0-9])"
OPTION_IS_CORRECT = re.compile(r"(?i:option)\s*" + LETTER + r"\s*(?i:is|was)\s+(?i:the\s+)?(?i:correct)")
MARKER = re.compile(r"\b(?i:answer)s?\b\s*(?i:is|:|-)?\s*(?i:option)?\s*(?i::)?\s*")
LETTER_AT_START = re.compile(r"\s*" + LETTER)
LEADING_LETTER = re.compile(r"\s*[\(\[]?([A-Z])(?:[\)\]\.:,]|\s*$)")
TRIM = " \t\n\r*#:\"'`.,;()[]"


def parse_answer(text: str, options: list[str]) -> int | None:
    """The 0-based index of the option `text` chooses, or None."""
    found = _first_letter(OPTION_IS_CORRECT, text, len(options))
    if found is not None:
        return found
    for marker in MARKER.finditer(text):
        after = text[marker.end() :]
        found = _letter_at_start(after, len(options))
        if found is None:
            found = _option_at_start(after, options)
        if found is not None:
            return found
    found = _letter_at_start(text, len(options), LEADING_LETTER)
    if found is not None:
        return found
    return _option_at_start(text, options)


def _first_letter(pattern: re.Pattern[str], text: str, n_options: int) -> int | None:
    for match in pattern.finditer(text):
        index = ord(match.group(1)) - ord("A")
        if index < n_options:
            return index
    return None


def _letter_at_start(text: str, n_options: int, pattern: re.Pattern[str] | None = None) -> int | None:
    match = (pattern or LETTER_AT_START).match(text)
    if match is None:
        return None
    index = ord(match.group(1)) - ord("A")
    return index if index < n_options else None


def _option_at_start(text: str, options: list[str]) -> int | None:
    """The option whose text the output starts with (case and punctuation aside), preferring the longest."""
    head = _normalize(text)
    best: int | None = None
    for i, option in enumerate(options):
        norm = _normalize(option)
        if not norm or not head.startswith(norm):
            continue
        rest = head[len(norm) :]
        if rest and rest[0].isalnum():  # "no" must not match "normal", "yes" not "yesterday"
            continue
        if best is None or len(norm) > len(_normalize(options[best])):
            best = i
    return best


def _normalize(text: str) -> str:
    return " ".join(text.strip(TRIM).casefold().split())
