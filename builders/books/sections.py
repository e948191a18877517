"""What the books builder drops whole: table-of-contents, index and copyright pages, front and back matter
chapters named in the outline, and bibliography sections.

    page lines ["Contents", "1 Cardiac Physiology ........ 3", "2 The Kidney ........ 21", ...]  → "toc"
    page lines ["Index", "aorta, 3, 17–19", "atrial fibrillation, 12", ...]                       → "index"
    page lines ["Copyright © 2024 Example Press. All rights reserved.", "ISBN 978-...", ...]         → "copyright"
    outline titles "Cover", "Title Page", "Contents", "Index", "References"                        → dropped

A reference section starts at a heading such as `References`, `Bibliography` or `Further Reading` and runs to the
next heading at least as large (the next chapter or section), or to the end of the chapter.
"""

from __future__ import annotations

import re

from builders.books.text import Para

_TOC_HEADING = re.compile(r"(?:table\s+of\s+)?contents|(?:brief|detailed)\s+contents|contents\s+at\s+a\s+glance", re.I)
_INDEX_HEADING = re.compile(r"(?:subject\s+|general\s+|drug\s+)?index", re.I)
_LEADER_LINE = re.compile(r"(?:\.\s*){3,}\s*(?:\d{1,4}|[ivxlc]{1,6})$|\s(?:\d{1,4}|[ivxlc]{1,6})$")
_DOT_LEADERS = re.compile(r"(?:\.\s?){3,}\s*\S{1,6}$")
_INDEX_ENTRY = re.compile(
    r"\D.{0,80}?(?:,\s*\d{1,4}(?:[\u2013\-]\d{1,4})?[a-z]{0,2})+\.?$|.{1,60}\b[Ss]ee(?:\s+also)?\s.+"
)
_COPYRIGHT = re.compile(
    r"copyright|©|all rights reserved|\bisbn\b|library of congress|cataloging|cataloguing"
    r"|printed in|british library|first published|no part of this (?:publication|book)",
    re.I,
)
_REFERENCE_HEADING = re.compile(
    r"(?:\d+(?:\.\d+)*\.?\s+)?(?:references?(?:\s+and\s+further\s+reading)?|bibliography|further\s+readings?"
    r"|suggested\s+readings?|selected\s+(?:references|readings?)|recommended\s+readings?|key\s+references"
    r"|literature(?:\s+cited)?|works\s+cited|sources|endnotes|citations)\s*:?",
    re.I,
)
# Outline entries that are not the book's content (compared in lower case, without numbering).
MATTER_TITLES = frozenset(
    (
        "cover",
        "front cover",
        "back cover",
        "title",
        "title page",
        "half title",
        "half title page",
        "half-title",
        "half-title page",
        "copyright",
        "copyright page",
        "dedication",
        "contents",
        "table of contents",
        "brief contents",
        "detailed contents",
        "contributors",
        "list of contributors",
        "contributing authors",
        "acknowledgments",
        "acknowledgements",
        "about the author",
        "about the authors",
        "about the editors",
        "list of figures",
        "list of tables",
        "list of illustrations",
        "index",
        "subject index",
        "alphabetical index",
        "general index",
        "name index",
        "author index",
        "language index",
        "indexes",
        "bibliography",
        "references",
        "further reading",
        "also available",
        "other titles",
        "advertisement",
        "frontmatter",
        "front matter",
        "backmatter",
        "back matter",
        "blank page",
        "series page",
        "praise for",
    )
)


def classify_page(texts: list[str], previous: str) -> str:
    """`toc`, `index`, `copyright` or `` for a page given its lines (in reading order); `previous` is the class
    of the page before, so a contents or index that runs over several pages is followed."""
    if not texts:
        return ""
    n = len(texts)
    first = texts[0].strip()
    numbered = sum(1 for t in texts if t[-1].isdigit() or t[-1] in "ivxlc")  # cheap test before the regexes
    if _TOC_HEADING.fullmatch(first) or previous == "toc":
        if sum(1 for t in texts if _LEADER_LINE.search(t)) >= 0.4 * n:
            return "toc"
    elif n >= 5 and numbered >= 0.5 * n and sum(1 for t in texts if _DOT_LEADERS.search(t)) >= 0.5 * n:
        return "toc"
    if _INDEX_HEADING.fullmatch(first) or previous == "index":
        if sum(1 for t in texts if _INDEX_ENTRY.fullmatch(t)) >= 0.4 * n:
            return "index"
    elif n >= 10 and numbered >= 0.5 * n and sum(1 for t in texts if _INDEX_ENTRY.fullmatch(t)) >= 0.7 * n:
        return "index"
    if sum(map(len, texts)) < 4000:
        head = " ".join(texts[:60])
        low = head.lower()
        if ("©" in low or "copyright" in low or "isbn" in low or "rights reserved" in low) and len(
            _COPYRIGHT.findall(head)
        ) >= 3:
            return "copyright"
    return ""


def is_reference_heading(text: str) -> bool:
    return bool(_REFERENCE_HEADING.fullmatch(text.strip()))


def drop_reference_sections(paras: list[Para]) -> tuple[list[Para], int, int]:
    """Remove bibliography sections; returns the remaining paragraphs, how many sections went and their
    characters. A section starts at a reference heading followed by paragraphs that read like references, and
    ends at the next heading as large as its own, or at any heading whose text does not read like references (an
    appendix after the reference list stays)."""
    out: list[Para] = []
    dropping: float | None = None  # the heading size that started the section being dropped
    sections = chars = 0
    for i, para in enumerate(paras):
        if para.kind == "heading":
            text = " ".join(para.lines)
            if is_reference_heading(text) and (dropping is not None or _references_follow(paras, i + 1)):
                dropping = para.size if dropping is None else min(dropping, para.size)
                sections += 1
                chars += len(text)
                continue
            if dropping is not None and (para.size >= dropping - 0.5 or not _reference_next(paras, i + 1)):
                dropping = None
        if dropping is None:
            out.append(para)
        else:
            chars += sum(map(len, para.lines))
    return out, sections, chars


_REFERENCE_LIKE = re.compile(r"^\s*(?:\[?\d{1,4}[\].)]|\d{1,4}\s)|\b(?:19|20)\d\d[a-z]?\b|\bet al\b|\bdoi\b", re.I)


def _reference_next(paras: list[Para], start: int) -> bool:
    """Whether the first body paragraph from `start` on reads like a reference (numbered, or with a year)."""
    for para in paras[start : start + 4]:
        if para.kind != "heading":
            return bool(_REFERENCE_LIKE.search(" ".join(para.lines)))
    return False


def _references_follow(paras: list[Para], start: int) -> bool:
    """Whether the body paragraphs from `start` on read like references (numbered, or with a year): most of the
    first three that are more than a bullet or a number. A section *about* citations (`5.1 Citations`: "To cite
    someone, use ...") is prose, and stays."""
    votes: list[bool] = []
    for para in paras[start : start + 8]:
        if para.kind == "heading":
            break
        text = " ".join(para.lines)
        if len(text) > 4:
            votes.append(bool(_REFERENCE_LIKE.search(text)))
            if len(votes) == 3:
                break
    return not votes or sum(votes) * 2 > len(votes)  # a heading with nothing after it goes alone, as before


_TOC_ENTRY = re.compile(
    r"(?:\d{1,4}|[ivxlc]{1,6})"  # a page number alone
    r"|(?:(?:\d+(?:\.\d+)*\.?|[A-Z]\.|appendix\s+\w+\.?)\s+)?[^.!?]{1,110}?"  # a numbered or plain title,
    r"(?:(?:\s*\.){2,}\s*|\s+)(?:\d{1,4}|[ivxlc]{1,6})"  # ending in its page number
    r"|(?:\d+(?:\.\d+)*\.?|[A-Z]\.|appendix\s+\w+\.?)\s+[^.!?]{1,110}",  # or a numbered title alone
    re.I,
)


def drop_contents_block(paras: list[Para]) -> tuple[list[Para], int]:
    """Remove a contents block inside the text (a `Contents` heading and the short entries that follow it, as a
    paper with its own contents after the abstract has); returns the paragraphs and the characters removed.
    Fewer than three entries after the heading are not a contents block."""
    for i, para in enumerate(paras):
        if len(para.lines) == 1 and _TOC_HEADING.fullmatch(para.lines[0].strip()):
            end = i + 1
            while end < len(paras) and _is_toc_entry(paras[end]):
                end += 1
            if end - i - 1 >= 3:
                chars = sum(len(line) for p in paras[i:end] for line in p.lines)
                return paras[:i] + paras[end:], chars
    return paras, 0


def _is_toc_entry(para: Para) -> bool:
    text = " ".join(para.lines).strip()
    return len(text) <= 120 and bool(_TOC_ENTRY.fullmatch(text))
