"""Article metadata from JATS front matter: identifiers, journal, year, type, licence, language, retraction.

    <article article-type="research-article" xml:lang="en"><front><journal-meta><journal-title-group>
      <journal-title>Kidney Med</journal-title></journal-title-group></journal-meta><article-meta>
      <article-id pub-id-type="pmcid">PMC7654321</article-id><article-id pub-id-type="pmid">33000001</article-id>
      <pub-date pub-type="epub"><year>2020</year></pub-date><permissions><license><ali:license_ref>
      https://creativecommons.org/licenses/by-nc-nd/4.0/</ali:license_ref></license></permissions> ...
    → ArticleMeta(pmcid="PMC7654321", version=None, pmid="33000001", journal="Kidney Med", year=2020,
                  license="https://creativecommons.org/licenses/by-nc-nd/4.0/", language="en", ...)

Only a handful of `find` calls on the front matter; the body is never searched for metadata. The Cloud Service
JSON beside the file (`sidecar`) and the file lists the user passed (`filelist`) override licence, retraction
and version: NLM keeps those current, while an article's XML is frozen when it is deposited.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from lxml import etree

from builders.pmc.filelist import FileListIndex
from builders.pmc.sidecar import CloudMeta
from builders.pmc.tree import child, child_text
from medc.records import PaperMeta

Element = etree._Element
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ALI_LICENSE_REF = "{http://www.niso.org/schemas/ali/1.0/}license_ref"

_PMCID = re.compile(r"PMC(\d+)(?:\.(\d+))?", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}")
_BARE_PMCID = re.compile(r"(\d+)()")  # <article-id pub-id-type="pmc">1000005</article-id>
_LEADING_INT = re.compile(r"\d+")
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
    """The published `PaperMeta` plus what parsing needs to decide (not published)."""

    publisher_id: str | None = None  # <article-id pub-id-type="publisher-id">, an id only within its journal
    journal_id: str | None = None  # the journal's own id (nlm-ta, publisher-id, ...), to qualify publisher_id
    latest_version: int | None = None  # from Cloud Service metadata, when a file list gave it
    retraction_source: str = ""  # what said it is retracted, for the rejection's detail

    def published(self) -> PaperMeta:
        return PaperMeta(**{name: getattr(self, name) for name in PAPER_FIELDS})


PAPER_FIELDS = tuple(f.name for f in dataclasses.fields(PaperMeta))


def read_meta(
    article: Element, origin: str, filelist: FileListIndex | None, cloud: CloudMeta | None = None
) -> ArticleMeta:
    """What the front matter says, then what the file name, the Cloud Service JSON and the file lists add (each
    later source wins for licence, retraction and version: they are kept current, the XML is not)."""
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
        if any(
            link.get("related-article-type") == "retraction-forward"
            for link in article_meta.iterchildren("related-article")
        ):
            meta.retracted, meta.retraction_source = True, "a retraction-forward <related-article> link"
    if meta.pmcid is None or meta.version is None:  # fall back on the file name: PMC123.xml, PMC123.2/PMC123.2.xml
        named = _PMCID.search(origin.rsplit("::", 1)[-1].rsplit("/", 1)[-1])
        if named and (meta.pmcid is None or meta.pmcid == f"PMC{named.group(1)}"):
            meta.pmcid = f"PMC{named.group(1)}"
            meta.version = meta.version or (int(named.group(2)) if named.group(2) else None)
    journal_meta = child(front, "journal-meta")
    meta.journal = _journal(journal_meta)
    if meta.pmcid is None and meta.doi is None:  # the journal qualifies a publisher id (`ids`), needed only then
        meta.journal_id = _journal_id(journal_meta)
    if cloud is not None:
        _apply_cloud(meta, cloud)
    entry = filelist.get(meta.pmcid) if filelist is not None and meta.pmcid else None
    if entry is not None:
        meta.license = entry.license or meta.license
        if entry.retracted and not meta.retracted:
            meta.retracted, meta.retraction_source = True, "the file list"
        meta.latest_version = entry.latest_version
    return meta


def _apply_cloud(meta: ArticleMeta, cloud: CloudMeta) -> None:
    if meta.pmcid is None or meta.pmcid == cloud.pmcid:  # a sidecar of another article is not this one's
        meta.pmcid = cloud.pmcid
        meta.version = cloud.version or meta.version
        meta.license = cloud.license or meta.license
        meta.pmid = meta.pmid or cloud.pmid
        meta.doi = meta.doi or cloud.doi
        meta.manuscript, meta.historical_ocr = cloud.manuscript, cloud.ocr
        if cloud.retracted:
            meta.retracted, meta.retraction_source = True, f"the Cloud Service metadata ({cloud.source})"


def notice_type(title: str) -> str | None:
    """`correction`, `retraction`, ... when a title announces a notice ("Correction: Aspirin and ...")."""
    match = _NOTICE_TITLE.match(title)
    if not match:
        return None
    word = " ".join(match.group(0).lower().replace(":", " ").split()[:3])
    return next((kind for prefix, kind in _NOTICE_TYPES.items() if word.startswith(prefix)), None)


def _read_ids(article_meta: Element, meta: ArticleMeta) -> None:
    for article_id in article_meta.iterchildren("article-id", "article-version"):
        kind, value = article_id.get("pub-id-type"), (article_id.text or "").strip()
        if not value:
            continue
        if article_id.tag == "article-version":
            # PMC: <article-version article-version-type="pmc-version">2; bioRxiv: "1.2" (version 1, revision 2).
            version = _LEADING_INT.match(value)
            meta.version = meta.version or (int(version.group(0)) if version else None)
        elif kind in ("pmc", "pmcid"):
            match = _PMCID.fullmatch(value) or _BARE_PMCID.fullmatch(value)
            meta.pmcid = f"PMC{match.group(1)}" if match else meta.pmcid
        elif kind == "pmcid-ver":
            match = _PMCID.fullmatch(value)
            meta.version = int(match.group(2)) if match and match.group(2) else meta.version
        elif kind == "pmid" and value.isdigit():
            meta.pmid = value
        elif kind == "doi":
            meta.doi = meta.doi or value  # eLife lists the DOIs of its parts after the article's own
        elif kind == "publisher-id":
            meta.publisher_id = meta.publisher_id or value


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
    for found in (child(journal_meta, "journal-title-group", "journal-title"), child(journal_meta, "journal-title")):
        text = _words(found)
        if text:
            return text
    ids = {el.get("journal-id-type"): el for el in journal_meta.iterchildren("journal-id")}  # (most have a title)
    return _words(ids.get("nlm-ta")) or _words(ids.get("iso-abbrev")) or None


def _words(el: Element | None) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def _journal_id(journal_meta: Element | None) -> str | None:
    """The journal's shortest stable id (`nlm-ta`, else `publisher-id`, else any), to qualify publisher ids."""
    if journal_meta is None:
        return None
    ids = {
        el.get("journal-id-type"): " ".join((el.text or "").split()) for el in journal_meta.iterchildren("journal-id")
    }
    for kind in ("nlm-ta", "publisher-id", "iso-abbrev", *ids):
        if ids.get(kind):
            return ids[kind]
    return None
