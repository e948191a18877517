"""Parse the bytes of one PMC XML file safely: no entities, DTDs or network; bounded; repaired where lxml can.

    >>> root, complaint, pruned = read_xml(data, PruneSpec(back=True))
    >>> root.tag, complaint, pruned.cuts
    ('article', '', [('pmc.back_matter', 5120, 61237)])   # or ('article', 'Opening and ending tag mismatch: ...')

`XmlUnreadable(reason, detail)` says why a file cannot be read at all: bad_encoding, undefined_entity,
too_deep, too_large (libxml2's limits without XML_PARSE_HUGE, and its entity amplification guard) or xml_syntax,
with the line. The JATS 1.4 default namespace is dropped before parsing (see `_drop_jats_namespace`), and the
parts `prune` is told to cut are cut.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from lxml import etree

from builders.pmc.prune import Cut, PruneSpec, prune

Element = etree._Element
# Current PMC XML (OAI-PMH, eFetch, Cloud Service) declares JATS as the default namespace. Dropping that one
# declaration before parsing lets every lookup use plain tag names, as for the unnamespaced NLM/JATS files.
_JATS_DEFAULT_NS = re.compile(rb"""xmlns=(["'])https?://jats\.nlm\.nih\.gov/ns/[^"']*\1""")
_SYNTAX_REASONS = {
    "ERR_INVALID_ENCODING": "bad_encoding",
    "ERR_UNSUPPORTED_ENCODING": "bad_encoding",
    "ERR_UNKNOWN_ENCODING": "bad_encoding",
    "ERR_UNDECLARED_ENTITY": "undefined_entity",
}
_ERROR_NAMES = {value: name for name, value in vars(etree.ErrorTypes).items() if name.isupper()}


class XmlUnreadable(Exception):
    """A file lxml cannot read, even in recovery mode; `reason` is a Rejection reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def read_xml(data: bytes, prune_spec: PruneSpec | None = None) -> tuple[Element, str, Pruned]:
    """The root element, "" or what lxml complained about when it had to repair the file, and what was cut
    (`prune`): the cuts and the bytes their offsets refer to. Elements named by `prune_spec` are cut before
    parsing; if that leaves bytes lxml rejects, the original bytes are parsed instead, so pruning never changes
    what is reported."""
    if b"jats.nlm.nih.gov/ns/" in data:
        data = _drop_jats_namespace(data)
    pruned, cuts = prune(data, prune_spec) if prune_spec else (data, [])
    try:
        return etree.fromstring(pruned, _parser(recover=False)), "", Pruned(data, cuts)
    except etree.XMLSyntaxError as exc:
        reason, detail = _syntax_reason(exc), _where(exc)
    if pruned is not data:
        return read_xml(data)
    if reason != "xml_syntax":
        raise XmlUnreadable(reason, detail)
    try:
        root = etree.fromstring(data, _parser(recover=True))
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        raise XmlUnreadable("xml_syntax", detail)
    return root, detail, Pruned(data, [])


class Pruned(NamedTuple):
    """The cuts made before parsing, and the bytes (namespace declaration dropped) their offsets refer to."""

    data: bytes
    cuts: list[Cut]


def _drop_jats_namespace(data: bytes) -> bytes:
    # Search only where the namespace is named: a regex scan of a whole 100 kB file costs a quarter of parsing it.
    pieces, pos = [], 0
    at = data.find(b"jats.nlm.nih.gov/ns/")
    while at >= 0:
        found = _JATS_DEFAULT_NS.search(data, max(pos, at - 20), at + 200)
        if found:
            pieces.append(data[pos : found.start()])
            pos = found.end()
        at = data.find(b"jats.nlm.nih.gov/ns/", at + 1)
    pieces.append(data[pos:])
    return b"".join(pieces)


@functools.lru_cache(maxsize=2)
def _parser(recover: bool) -> etree.XMLParser:
    # Never resolve entities, load a DTD or touch the network; huge_tree=False keeps libxml2's limits on depth
    # (256) and text size (10 MB), which bound what a hostile file can cost.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


def _syntax_reason(exc: etree.XMLSyntaxError) -> str:
    name = _ERROR_NAMES.get(exc.code, "")
    if name == "ERR_RESOURCE_LIMIT" or "XML_PARSE_HUGE" in (exc.msg or ""):
        return "too_deep" if "depth" in (exc.msg or "").lower() else "too_large"
    return _SYNTAX_REASONS.get(name, "xml_syntax")


def _where(exc: etree.XMLSyntaxError) -> str:
    message = (exc.msg or str(exc)).strip()
    return message if "line" in message else f"line {exc.lineno}: {message}"
