"""The record id of an article, from the best identifier it has.

    <article-id pub-id-type="pmcid">PMC7654321</article-id>        → ("pmc:PMC7654321", "pmcid")
    <article-id pub-id-type="doi">10.7554/eLife.36842</article-id> → ("doi:10.7554/elife.36842", "doi")
    <article-id pub-id-type="publisher-id">3360</article-id>       → ("publisher:PeerJ/3360", "publisher-id")
    no identifier at all                                           → ("file:5f0c8e1d2a3b4c6d", "file")

A PMCID wins (PMC's own id, and what PMC users join on); else the DOI, lower-cased as DOIs compare without case;
else the publisher's id, qualified by the journal's id (a publisher id is unique only within its journal); else a
hash of the file's bytes (and the article's place in the file when it holds several), so that the same file read
twice gives the same id and two different files never share one.
"""

from __future__ import annotations

import hashlib
import re

from builders.pmc.meta import ArticleMeta

_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)


def record_id(meta: ArticleMeta, data: bytes, index: int) -> tuple[str, str]:
    """(record id, id type) of the `index`-th article of the file whose bytes are `data`."""
    if meta.pmcid:
        return f"pmc:{meta.pmcid}", "pmcid"
    doi = _DOI_PREFIX.sub("", meta.doi or "").strip().lower()
    if doi:
        return f"doi:{doi}", "doi"
    if meta.publisher_id:
        return f"publisher:{meta.journal_id or 'unknown'}/{meta.publisher_id}", "publisher-id"
    digest = hashlib.sha1(data).hexdigest()[:16]
    return (f"file:{digest}" if index == 0 else f"file:{digest}:{index + 1}"), "file"
