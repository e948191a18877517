"""The text of a removed record, for the report's examples: the record itself where the build still holds it,
else the first lines of its input file, read again from the origin it names.

    >>> reader = OriginReader([Path("/data/pmc")])
    >>> reader.excerpt("/data/pmc/PMC9000005.xml", detail="16 words, fewer than min_words=50")
    Excerpt(text='Seasonal influenza vaccination of health-care workers\\n\\nWe report ...', missing='')
    >>> reader.excerpt("/data/books/locked.pdf")
    Excerpt(text=None, missing='an encrypted PDF: its text cannot be read without the password')

Records dropped in a worker (quality filters, unreadable files) are not kept anywhere, so their text is taken from
the input: JATS as the text of its title, abstract and paragraphs (the XML parser resolves no entities and
touches no network), PDFs as the text of their first pages, anything else as its first lines; a rejection that
names a line (`line 8: Expecting ',' delimiter`) shows that line. Archive members (`a.tar.gz::PMC1/PMC1.xml`) are
read from the archive. Remote inputs (`s3://...`) are never fetched: the report says so instead.
"""

from __future__ import annotations

import gzip
import io
import logging
import re
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

EXCERPT_CHARS = 900
EXCERPT_LINES = 14
MAX_INPUT_BYTES = 512 << 20  # files and archives larger than this are not read again for an example
# Titles and paragraphs in document order, namespaced JATS included, leaving out the reference list.
_JATS_TEXT = (
    "//*[local-name()='article-title' or local-name()='title' or local-name()='p']"
    "[not(ancestor::*[local-name()='ref-list'])]"
)
_LINE = re.compile(r"\b(?:line|row) (\d+)\b")


@dataclass(frozen=True, slots=True)
class Excerpt:
    text: str | None
    missing: str = ""  # why there is no text


class OriginReader:
    """Reads excerpts of inputs named by origin; relative origins are looked for under each of `bases`."""

    def __init__(self, bases: list[Path], build_dir: Path | None = None) -> None:
        self.bases = [b for b in dict.fromkeys(bases)]
        self.build_dir = build_dir  # its `.inputs.local.json` says where public origins were read from

    def excerpt(self, origin: str, detail: str = "", whole_file: bool = True) -> Excerpt:
        """`whole_file`: the origin is one record (an article, a book), so its beginning is the record's text;
        otherwise (a JSON file of many dialogues) only a line the detail names is shown."""
        if not origin:
            return Excerpt(None, "the rejection names no input")
        if "://" in origin:
            return Excerpt(None, "a remote input: the report does not fetch it")
        path_part, _, member = origin.partition("::")
        path = self._resolve(path_part)
        if path is None:
            return Excerpt(None, "the input is not on this machine (or has moved) to show its text")
        line = _LINE.search(detail)
        if not whole_file and line is None:
            return Excerpt(None, "one of many records in this input; the detail above says which")
        try:
            data = _read(path, member)
        except (OSError, KeyError, tarfile.TarError, zipfile.BadZipFile, EOFError, ValueError) as exc:
            return Excerpt(None, f"the input cannot be read again ({type(exc).__name__}: {exc})")
        if data is None:
            return Excerpt(None, f"too large to read again for an example (over {MAX_INPUT_BYTES >> 20} MB)")
        name = member or path.name
        if line is not None:
            return _line_of(data, int(line.group(1)))
        return text_of(name, data)

    def _resolve(self, name: str) -> Path | None:
        from medc.origins import local_input

        path = Path(name)
        candidates = [path] if path.is_absolute() else [path, *(base / path for base in self.bases)]
        if self.build_dir is not None:
            candidates.insert(0, Path(local_input(self.build_dir, name)))
        return next((p for p in candidates if p.is_file()), None)


def _read(path: Path, member: str) -> bytes | None:
    if path.stat().st_size > MAX_INPUT_BYTES:
        return None
    if not member:
        return path.read_bytes()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return zf.read(member)
    with tarfile.open(path, mode="r:*") as tar:
        info = tar.getmember(member)  # KeyError when the archive no longer holds it
        handle = tar.extractfile(info)
        return handle.read() if handle else b""


def text_of(name: str, data: bytes) -> Excerpt:
    """The beginning of a file's text, by kind."""
    lower = name.lower()
    if lower.endswith(".gz") and not lower.endswith(".tar.gz"):
        try:
            return text_of(name[:-3], gzip.GzipFile(fileobj=io.BytesIO(data)).read(MAX_INPUT_BYTES))
        except (OSError, EOFError) as exc:
            return Excerpt(None, f"not a readable gzip file ({exc})")
    if not data.strip():
        return Excerpt(None, "the file is empty")
    if lower.endswith((".xml", ".nxml")):
        return Excerpt(_cut(_jats_text(data) or _first_lines(data)))
    if lower.endswith((".pdf", ".epub")):
        return _document_text(data, "epub" if lower.endswith(".epub") else "pdf")
    if b"\x00" in data[:4096]:
        return Excerpt(None, "binary data, not text")
    return Excerpt(_first_lines(data))


def _jats_text(data: bytes) -> str:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError:
        return ""
    if root is None:
        return ""
    parts = [" ".join("".join(el.itertext()).split()) for el in root.xpath(_JATS_TEXT)]
    return "\n".join(p for p in parts if p)


def _document_text(data: bytes, filetype: str) -> Excerpt:
    import pymupdf

    try:
        with pymupdf.open(stream=data, filetype=filetype) as doc:
            if doc.needs_pass:
                return Excerpt(None, f"an encrypted {filetype.upper()}: its text cannot be read without the password")
            text = ""
            for page in doc:
                text += page.get_text()
                if len(text) > EXCERPT_CHARS:
                    break
    except Exception as exc:
        return Excerpt(None, f"MuPDF cannot open it ({type(exc).__name__}: {exc})")
    text = _cut(text.strip())
    return Excerpt(text) if text else Excerpt(None, "no text layer on its first pages")


def _first_lines(data: bytes) -> str:
    lines = data[: EXCERPT_CHARS * 4].decode("utf-8", errors="replace").splitlines()
    text = "\n".join(lines[:EXCERPT_LINES])
    return text[:EXCERPT_CHARS] + (" …" if len(lines) > EXCERPT_LINES or len(text) > EXCERPT_CHARS else "")


def _line_of(data: bytes, number: int) -> Excerpt:
    lines = data.decode("utf-8", errors="replace").splitlines()
    if not 1 <= number <= len(lines):
        return Excerpt(None, f"the input has no line {number}")
    return Excerpt(f"line {number}: " + _cut(lines[number - 1]))


def _cut(text: str) -> str:
    return (
        text
        if len(text) <= EXCERPT_CHARS
        else text[:EXCERPT_CHARS].rstrip() + f" … [{len(text) - EXCERPT_CHARS:,} more characters]"
    )
