"""Which sections are boilerplate: acknowledgements, funding, competing interests, author contributions,
supplementary material, recognised by `sec-type` (or a footnote's `fn-type`) or by their title.

    >>> section_kind("COI-statement", "Conflicts of Interest")
    'competing_interests'
    >>> section_kind(None, "4. Acknowledgements"), section_kind(None, "Results")
    ('acknowledgements', None)

The kinds are `PmcOptions.kept_kinds()`'s: what the options do not keep is dropped wherever it stands (body, back
matter, footnotes). Titles are the fallback because many journals tag these sections as plain `<sec>`s.
"""

from __future__ import annotations

import re

_KIND_BY_TYPE = {
    "acknowledgment": "acknowledgements",
    "acknowledgments": "acknowledgements",
    "acknowledgement": "acknowledgements",
    "acknowledgements": "acknowledgements",
    "funding": "funding",
    "funding-information": "funding",
    "funding-statement": "funding",
    "financial-disclosure": "funding",
    "supported-by": "funding",
    "coi-statement": "competing_interests",
    "conflict": "competing_interests",
    "conflict-interest": "competing_interests",
    "competing-interests": "competing_interests",
    "author-contributions": "authors",
    "contributions": "authors",
    "con": "authors",
    "supplementary-material": "supplementary",
    "supplementary-materials": "supplementary",
    "supplementary": "supplementary",
}
_KIND_BY_TITLE = re.compile(
    r"(?P<acknowledgements>acknowledge?ments?\b)"
    r"|(?P<funding>funding\b|financial (?:support|disclosures?)|grant support|sources? of (?:funding|support))"
    r"|(?P<competing_interests>competing|conflicts? of interests?|declaration of (?:competing )?interests?"
    r"|disclosures?\b|duality of interest)"
    r"|(?P<authors>authors?['’]? contributions?|contributors?\b|credit author)"
    r"|(?P<supplementary>(?:supplementary|supporting|additional) (?:materials?|information|data|files?)"
    r"|electronic supplementary)",
    re.IGNORECASE,
)
_NUMBERING = re.compile(r"^(?:[\d.]+|[IVX]+[.)])\s*")  # "4.", "2.1", "IV." before a title
_KIND_INITIALS = frozenset("afgscdeAFGSCDE")  # the first letters of the titles above: most titles need no regex


def section_kind(sec_type: str | None, title: str) -> str | None:
    """The boilerplate kind of a section (`funding`, ...) from its `sec-type` or its title; None for content."""
    if sec_type:
        kind = _KIND_BY_TYPE.get(sec_type.lower())
        if kind:
            return kind
    if title and title[0] in "0123456789IVX":
        title = _NUMBERING.sub("", title)
    if not title or title[0] not in _KIND_INITIALS:
        return None
    match = _KIND_BY_TITLE.match(title)
    return match.lastgroup if match else None


def note_kind(fn_type: str | None) -> str:
    """The kind of a back-matter footnote: `<fn fn-type="conflict">` is a competing-interests statement."""
    return _KIND_BY_TYPE.get((fn_type or "").lower(), "footnotes")
