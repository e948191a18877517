"""Which sections are boilerplate: acknowledgements, funding, competing interests, author contributions,
supplementary material, recognised by `sec-type` (or a footnote's `fn-type`) or by their whole title.

    >>> section_kind("COI-statement", "Conflicts of Interest")
    'competing_interests'
    >>> section_kind(None, "4. Acknowledgements"), section_kind(None, "Competing risks analysis")
    ('acknowledgements', None)

The kinds are `PmcOptions.kept_kinds()`'s: what the options do not keep is dropped wherever it stands (body, back
matter, footnotes). Titles are the fallback because many journals tag these sections as plain `<sec>`s; only a
whole title that names back matter counts, so a Methods subsection that starts like one stays.
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
    "references": "references",
}
# Whole titles, once normalised (`_normalised`): a section is boilerplate when its title is one of these, never
# when it merely starts like one ("Competing risks analysis", "Disclosure of HIV status", "Funding of primary
# care practices" are content).
_KIND_BY_TITLE = re.compile(
    r"(?P<acknowledgements>acknowledge?ments?(?: and (?:funding|disclosures?))?)"
    r"|(?P<funding>funding(?: (?:statement|information|sources?|support|disclosures?))?|sources? of (?:funding|support)"
    r"|financial (?:support|disclosures?|statement)|grant support|role of the funding source|funders?)"
    r"|(?P<competing_interests>(?:competing|conflicts?(?: of)?|declarations? of(?: competing)?|dualit(?:y|ies) of)"
    r" interests?(?: statements?| disclosures?)?|disclosures?(?: statement)?|conflicts? of interest and funding)"
    r"|(?P<authors>author'?s?'? contributions?(?: statement)?|contributors?(?:hip)?|credit (?:author(?:ship)? )?"
    r"(?:contribution )?statement)"
    r"|(?P<supplementary>(?:supplementary|supporting|additional|electronic supplementary) (?:materials?|information"
    r"|data|files?)|appendix a\. supplementary data)"
    r"|(?P<references>references?(?: and notes| cited)?|bibliography|literature cited|works cited"
    r"|refer[êe]ncias(?: bibliogr[áa]ficas)?|bibliograf[íi]a)",
)
_NUMBERING = re.compile(r"^(?:[\d.]+|[IVX]+[.)])\s*")  # "4.", "2.1", "IV." before a title
_KIND_INITIALS = frozenset("abfgscdrelwABFGSCDRELW")  # the first letters of the titles above: most titles need no regex
_LONGEST_TITLE = 60
# The first words of the titles above.
_FIRST_WORDS = frozenset(
    {
        "acknowledgements",
        "acknowledgments",
        "acknowledgement",
        "acknowledgment",
        "funding",
        "sources",
        "source",
        "financial",
        "grant",
        "role",
        "funders",
        "funder",
        "competing",
        "conflicts",
        "conflict",
        "declaration",
        "declarations",
        "duality",
        "dualities",
        "disclosure",
        "disclosures",
        "authors",
        "authors'",
        "author",
        "author's",
        "contributors",
        "contributor",
        "contributorship",
        "credit",
        "supplementary",
        "supporting",
        "additional",
        "electronic",
        "appendix",
        "references",
        "reference",
        "bibliography",
        "literature",
        "works",
        "referências",
        "referencias",
        "bibliografía",
        "bibliografia",
    }
)


def section_kind(sec_type: str | None, title: str) -> str | None:
    """The boilerplate kind of a section (`funding`, ...) from its `sec-type` or its whole title; None for
    content."""
    if sec_type:
        kind = _KIND_BY_TYPE.get(sec_type.lower())
        if kind:
            return kind
    if title and title[0] in "0123456789IVX":
        title = _NUMBERING.sub("", title)
    if not title or title[0] not in _KIND_INITIALS or len(title) > _LONGEST_TITLE:
        return None
    first = title.split(None, 1)[0].lower().replace("’", "'")
    if first not in _FIRST_WORDS and first.rstrip(".:") not in _FIRST_WORDS:
        return None  # most titles ("Results", "Statistical analysis"): decided without a regex
    match = _KIND_BY_TITLE.fullmatch(_normalised(title))
    return match.lastgroup if match else None


def _normalised(title: str) -> str:
    """ "Conflicts of Interest:" → "conflicts of interest"; "Authors’ Contributions" → "authors' contributions"."""
    title = title.lower().replace("’", "'").replace("&", "and").rstrip(" .:;")
    return " ".join(title.split())


def note_kind(fn_type: str | None) -> str:
    """The kind of a back-matter footnote: `<fn fn-type="conflict">` is a competing-interests statement."""
    return _KIND_BY_TYPE.get((fn_type or "").lower(), "footnotes")
