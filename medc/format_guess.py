"""Tell, from the first bytes of a file, which medc input it looks like, so that a build whose input gave no
record, or `medc eval` given another benchmark's file, can say what to pass instead ("this looks like MedQA; use
--medqa"). Pure knowledge of the formats: it imports no builder.

    >>> guess_format(b'{"question": "A 23-year-old ...", "options": {"A": "Ampicillin", ...}, "answer_idx": "D"}')
    'medqa'
    >>> guess_format(b'%PDF-1.7 ...')
    'books'

What each format looks like (the readers in `medc.qa_formats`, `builders.dialogues`, `builders.umls`,
`builders.pmc_jats`, `builders.books`): MedQA rows have `question` + `options` (or the SWAG mirror's `sent1` +
`ending0`), MedMCQA rows `opa`/`opb`, PubMedQA is a dict of PMIDs whose items have `QUESTION` + `CONTEXTS` (or
rows with `pubid`), dialogue rows have `instruction` + `output` or `answer_icliniq`, MedDialog text starts with
`id=N`, a UMLS file is pipe-separated with CUIs first, a PMC article is JATS XML, a book a PDF or an EPUB.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

# format -> (what to call it, the verb and option that read it)
FORMATS: dict[str, tuple[str, str, str]] = {
    "medqa": ("MedQA", "build-i", "--medqa"),
    "medmcqa": ("MedMCQA", "build-i", "--medmcqa"),
    "pubmedqa": ("PubMedQA", "build-i", "--pubmedqa"),
    "dialogues": ("a dialogue file", "build-i", "--dialogues"),
    "rationales": ("a rationales file", "build-i", "--rationales"),
    "umls": ("a UMLS RRF file", "build-i", "--umls (the release directory)"),
    "pmc": ("a PMC JATS article", "build-k", "--pmc"),
    "books": ("a textbook", "build-k", "--books"),
}
HEAD_BYTES = 1 << 16
_JATS = re.compile(r"<(article|pmc-articleset|OAI-PMH)\b")
_CUI_ROW = re.compile(r"^C\d{7}\|")
_MEDDIALOG_ID = re.compile(r"^id\s*=\s*\d+\s*$")
_KEYED_OBJECT = re.compile(r'^\{\s*"[^"]*"\s*:\s*(?=\{)')


def guess_file(path: Path) -> str | None:
    """The format of the local file at `path`, from its first 64 KiB; None when unreadable or unknown."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError:
        return None
    return guess_format(head, path.name)


def guess_format(head: bytes, name: str = "") -> str | None:
    """One of `FORMATS`, or None when the bytes look like none of them."""
    if head.startswith(b"%PDF") or (head.startswith(b"PK") and b"application/epub+zip" in head[:200]):
        return "books"
    text = head.decode("utf-8-sig", errors="replace").lstrip()
    if text.startswith("<"):
        return "pmc" if _JATS.search(text[:4000]) else None
    if name.upper().endswith(".RRF") or _CUI_ROW.match(text):
        return "umls"
    if _MEDDIALOG_ID.match(text.split("\n", 1)[0]):
        return "dialogues"
    row = _first_object(text)
    return _kind_of(row) if row is not None else None


def _first_object(text: str) -> dict[str, Any] | None:
    """The first JSON object of a JSON Lines file, a JSON array, or a dict keyed by id (PubMedQA), even when
    `text` is cut short."""
    decoder = json.JSONDecoder()
    start = 0
    if text.startswith("["):
        start = text.find("{")
    elif (keyed := _KEYED_OBJECT.match(text)) is not None:
        start = keyed.end()
    if start < 0:
        return None
    try:
        obj, _ = decoder.raw_decode(text, start)
    except json.JSONDecodeError:
        return None
    return obj if isinstance(obj, dict) else None


def _kind_of(row: dict[str, Any]) -> str | None:
    keys = set(row)
    if {"opa", "opb"} <= keys:
        return "medmcqa"
    if {"question", "options"} <= keys or {"sent1", "ending0"} <= keys:
        return "medqa"
    if {"QUESTION", "CONTEXTS"} <= keys or "pubid" in keys:
        return "pubmedqa"
    if "answer_icliniq" in keys or {"instruction", "output"} <= keys:
        return "dialogues"
    if {"id", "rationale"} <= keys:
        return "rationales"
    return None
