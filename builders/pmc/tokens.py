"""Marker tokens: how `inline` marks citations and callouts in the text it flattens, for `markers` to resolve.

    <xref ref-type="bibr" rid="b4">4</xref>        → "\ufdd04\ufdd1"           (citation_token)
    <xref ref-type="fig" rid="f2">Fig. 2</xref>     → "\ufdd0\ufdd4Fig. 2\ufdd1"   (callout_token)

Noncharacters U+FDD0..U+FDD4 never occur in text worth keeping, so one `str.find` finds both kinds.
"""

from __future__ import annotations

OPEN, CLOSE, FLOAT = "\ufdd0", "\ufdd1", "\ufdd4"


def citation_token(text: str) -> str:
    return OPEN + text + CLOSE


def callout_token(text: str) -> str:
    return OPEN + FLOAT + text + CLOSE
