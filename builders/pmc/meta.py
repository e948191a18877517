"""Article metadata from JATS front matter: identifiers, journal, year, type, licence, language, retraction.

    <article article-type="research-article" xml:lang="en"><front><journal-meta><journal-title-group>
      <journal-title>Kidney Med</journal-title></journal-title-group></journal-meta><article-meta>
      <article-id pub-id-type="pmcid">PMC7654321</article-id><article-id pub-id-type="pmid">33000001</article-id>
      <pub-date pub-type="epub"><year>2020</year></pub-date><permissions><license><ali:license_ref>
      https://creativecommons.org/licenses/by-nc-nd/4.0/</ali:license_ref></license></permissions> ...
    → ArticleMeta(pmcid="PMC7654321", version=None, pmid="33000001", journal="Kidney Med", year=2020,
                  license="https://creativecommons.org/licenses/by-nc-nd/4.0/", language="en", ...)

Only a handful of `find` calls on the front matter; the body is never searched for metadata.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from lxml import etree

from builders.pmc.filelist import FileListIndex
from builders.pmc.tree import child, child_text
from medc.records import PaperMeta

Element = etree._Element
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ALI_LICENSE_REF = "{http://www.niso.org/schemas/ali/1.0/}license_ref"

_PMCID = re.compile(r"PMC(\d+)(?:\.(\d+))?", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}")
_DATE_PRIORITY = ("epub", "ppub", "epub-ppub", "pub", "collection")
_CC_URL = re.compile(r"https?://creativecommons\.org/[^\s\"<>]+", re.IGNORECASE)
# Older articles (NLM 2.x, early BMC) state the licence only in prose, without a URL.
_CC_PROSE = re.compile(r"Creative Commons Attribution(?P<rest>[- A-Za-z]{0,60})", re.IGNORECASE)
# Notices that some journals tag as "other" or "research-article": "Correction: ...", "Erratum to ...".
_NOTICE_TITLE = re.compile(
    r"^\s*(?:correction|erratum|corrigendum|retraction(?: note| notice)?|expression of "
    r"concern)\b(?:\s*(?::|to\b|for\b|of\b)|$)",
    re.IGNORECASE,
)
_NOTICE_TYPES = {
    "correction": "correction",
    "erratum": "erratum",
    "corrigendum": "correction",
    "retraction": "retraction",
    "expression of concern": "expression-of-concern",
}


@dataclass(slots=True)
class ArticleMeta(PaperMeta):
    """The published `PaperMeta` plus what parsing needs to decide on versions (not published)."""

    version: int | None = None  # the article version, from `pmcid-ver` or a Cloud Service name `PMC123.2.xml`
    latest_version: int | None = None  # from Cloud Service metadata, when a file list gave it

    def published(self) -> PaperMeta:
        return PaperMeta(**{name: getattr(self, name) for name in PAPER_FIELDS})


PAPER_FIELDS = tuple(f.name for f in dataclasses.fields(PaperMeta))


def read_meta(article: Element, origin: str, filelist: FileListIndex | None) -> ArticleMeta:
    meta = ArticleMeta(
        article_type=(article.get("article-type") or "").strip().lower() or None,
        language=(article.get(XML_LANG) or "").strip().lower() or None,
    )
    front = child(article, "front")
    article_meta = child(front, "article-meta")
    if article_meta is not None:
        _read_ids(article_meta, meta)
        meta.year = _year(article_meta)
        permissions = child(article_meta, "permissions")
        # NLM 2.x (BMC, 2007) put <license> directly in <article-meta>, without <permissions>.
        meta.license = _license(permissions if permissions is not None else article_meta)
        meta.retracted = any(
            link.get("related-article-type") == "retraction-forward"
            for link in article_meta.iterchildren("related-article")
        )
    if meta.pmcid is None or meta.version is None:  # fall back on the file name: PMC123.xml, PMC123.2/PMC123.2.xml
        named = _PMCID.search(origin.rsplit("::", 1)[-1].rsplit("/", 1)[-1])
        if named and (meta.pmcid is None or meta.pmcid == f"PMC{named.group(1)}"):
            meta.pmcid = f"PMC{named.group(1)}"
            meta.version = meta.version or (int(named.group(2)) if named.group(2) else None)
    meta.journal = _journal(child(front, "journal-meta"))
    entry = filelist.get(meta.pmcid) if filelist is not None and meta.pmcid else None
    if entry is not None:
        meta.license = entry.license or meta.license
        meta.retracted = meta.retracted or entry.retracted
        meta.latest_version = entry.latest_version
    return meta


def notice_type(title: str) -> str | None:
    """`correction`, `retraction`, ... when a title announces a notice ("Correction: Aspirin and ...")."""
    match = _NOTICE_TITLE.match(title)
    if not match:
        return None
    word = " ".join(match.group(0).lower().replace(":", " ").split()[:3])
    return next((kind for prefix, kind in _NOTICE_TYPES.items() if word.startswith(prefix)), None)


def _read_ids(article_meta: Element, meta: ArticleMeta) -> None:
    for article_id in article_meta.iterchildren("article-id"):
        kind, value = article_id.get("pub-id-type"), (article_id.text or "").strip()
        if not value:
            continue
        if kind in ("pmc", "pmcid"):
            match = _PMCID.fullmatch(value) or (re.fullmatch(r"(\d+)()", value))
            meta.pmcid = f"PMC{match.group(1)}" if match else meta.pmcid
        elif kind == "pmcid-ver":
            match = _PMCID.fullmatch(value)
            meta.version = int(match.group(2)) if match and match.group(2) else meta.version
        elif kind == "pmid" and value.isdigit():
            meta.pmid = value
        elif kind == "doi":
            meta.doi = value


def _year(article_meta: Element) -> int | None:
    years: dict[str, int] = {}
    for date in article_meta.iterchildren("pub-date"):
        found = _YEAR.search(child_text(date, "year"))
        if found:
            kind = date.get("pub-type") or date.get("date-type") or ""
            years.setdefault(kind, int(found.group(0)))
    for kind in _DATE_PRIORITY:
        if kind in years:
            return years[kind]
    return min(years.values()) if years else None


def _license(permissions: Element | None) -> str | None:
    if permissions is None:
        return None
    license = child(permissions, "license")
    ref = child(license, ALI_LICENSE_REF)
    if ref is None:
        ref = child(permissions, ALI_LICENSE_REF)
    if ref is not None and (ref.text or "").strip():
        return ref.text.strip()  # type: ignore[union-attr]
    if license is None:
        return None
    if license.get(XLINK_HREF):
        return license.get(XLINK_HREF, "").strip()
    prose = " ".join("".join(license.itertext()).split())
    url = _CC_URL.search(prose)
    if url:
        return url.group(0).rstrip(".,;)")
    words = _CC_PROSE.search(prose)
    if words:
        return _code_from_prose(words.group("rest"))
    return license.get("license-type")


def _code_from_prose(rest: str) -> str:
    rest = rest.lower().replace(" ", "").replace("-", "")
    parts = [code for word, code in (("noncommercial", "NC"), ("sharealike", "SA"), ("noderiv", "ND")) if word in rest]
    return "CC BY" + "".join(f"-{p}" for p in parts)


def _journal(journal_meta: Element | None) -> str | None:
    if journal_meta is None:
        return None
    ids = {el.get("journal-id-type"): el for el in journal_meta.iterchildren("journal-id")}
    for found in (
        child(journal_meta, "journal-title-group", "journal-title"),
        child(journal_meta, "journal-title"),
        ids.get("nlm-ta"),
        ids.get("iso-abbrev"),
    ):
        if found is not None:
            text = " ".join("".join(found.itertext()).split())
            if text:
                return text
    return None
