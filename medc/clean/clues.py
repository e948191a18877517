"""Characters without which ftfy's mojibake heuristic cannot match, read from the heuristic itself.

    >>> singles, firsts, seconds = mojibake_clues()
    >>> "Ã" in singles, ("é" in firsts and "€" in seconds), "e" in firsts
    (True, True, False)

`ftfy.badness.BADNESS_RE` is one alternation of some 40 short sequences (`[é...][€...]`, `Ã[\xa0¡]`,
`[a-z]\\s?[ÃÂ][ ]`, ...). Each needs at least one character from a set of non-ASCII characters; most need two
such characters side by side. `required_characters` reads the alternatives with re's own parser, so the clues
follow ftfy's regex wherever a new version takes it, and it refuses a regex whose alternatives it cannot
reduce to clues.
"""

from __future__ import annotations

import functools
import itertools
import re

from ftfy.badness import BADNESS_RE

try:  # re's parser: `re._parser` since Python 3.11, `sre_parse` before
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse  # type: ignore[no-redef]


@functools.cache
def mojibake_clues() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(singles, firsts, seconds) of `required_characters(BADNESS_RE)`, the pairs merged (a wider net)."""
    singles, pairs = required_characters(BADNESS_RE)
    firsts = frozenset(c for first, _ in pairs for c in first)
    seconds = frozenset(c for _, second in pairs for c in second)
    return frozenset(singles), firsts, seconds


def required_characters(pattern: re.Pattern[str]) -> tuple[set[str], list[tuple[frozenset[str], frozenset[str]]]]:
    """(singles, pairs): every match of `pattern` contains one of `singles`, or a character of `first`
    immediately followed by one of `second` for some pair. Read from the alternatives of the regex: an
    alternative with two neighbouring mandatory items that only match non-ASCII characters gives a pair (rarer
    in real text than either character); otherwise its smallest such item gives singles. An alternative
    without any non-ASCII-only item could match plain ASCII, and is refused."""
    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    (op, (_, alternatives)), *rest = list(parsed)
    if op is not sre_parse.BRANCH or rest:
        raise ValueError("expected a regex that is one alternation")
    singles: set[str] = set()
    pairs = []
    for alternative in alternatives:
        items = [_non_ascii_only(op, value) for op, value in alternative]
        pair = next(((a, b) for a, b in itertools.pairwise(items) if a and b), None)
        if pair:
            pairs.append(pair)
            continue
        required = [item for item in items if item]
        if not required:
            raise ValueError(f"an alternative of {pattern.pattern[:40]!r}... needs no non-ASCII character")
        singles |= min(required, key=len)
    return singles, pairs


def _non_ascii_only(op, value) -> frozenset[str] | None:
    """The characters a mandatory regex item matches, if they are all non-ASCII (else None)."""
    if op is sre_parse.LITERAL:
        return frozenset(chr(value)) if value > 0x7F else None
    if op is not sre_parse.IN:
        return None
    chars = set()
    for kind, arg in value:
        if kind is sre_parse.LITERAL:
            chars.add(chr(arg))
        elif kind is sre_parse.RANGE:
            chars.update(map(chr, range(arg[0], arg[1] + 1)))
        else:  # NEGATE, CATEGORY: too wide to be a clue
            return None
    return frozenset(chars) if all(c > "\x7f" for c in chars) else None
