"""The record types every part of medc passes along, defined once, with their Arrow schemas derived from them.

A PubMed Central article becomes one `Document`:

    Document(id="pmc:PMC1234567", source="papers", title="Aspirin and ...", text="Aspirin and ...\\n\\nAbstract ...",
             origin="oa_comm_xml.PMC001xxxxxx.baseline.2024-06-18.tar.gz::PMC001xxxxxx/PMC1234567.xml",
             meta=PaperMeta(pmcid="PMC1234567", pmid="11111111", year=2019, license="CC BY", ...))

A MedQA item becomes one `Instruction` (the columns PMC-LLaMA published, plus chat-style `messages`), and a file
that cannot be read becomes one `Rejection(origin=..., reason="xml_syntax", detail="line 12: ...")`.

Schemas are derived from the dataclass annotations (`arrow_type`), so a field added here shows up in the Parquet
files, the `datasets` features and the card without being declared twice. Fields whose names start with `_` are
internal: staging keeps them (e.g. dedup keys computed in a worker), published shards drop them.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Union

import pyarrow as pa

# Stable values of Document.source; they double as the MedC-K config names.
PAPERS = "papers"
BOOKS = "books"


@dataclass(slots=True, frozen=True)
class Rejection:
    """A work unit or record that did not make it, and why. `reason` is a short stable code (`xml_syntax`,
    `encrypted`, `too_short`, ...) that the manifest counts; `detail` is for humans."""

    origin: str
    reason: str
    detail: str = ""
    record_id: str = ""


@dataclass(slots=True, frozen=True)
class Notice:
    """Something counted in the manifest that does not drop anything: `recovered` (malformed XML that lxml
    repaired), `needs_ocr_pages` (pages of a kept book without a text layer, `count` of them), ..."""

    origin: str
    code: str
    count: int = 1
    detail: str = ""


@dataclass(slots=True)
class Removal:
    """Text a builder or a cleaning step took out of a kept document, summed per rule: `rule` is a stable dotted
    code (`pmc.section.references`, `pmc.citation_marker`, `books.running_header`, ...), `chars` the characters
    removed, `count` how many times the rule fired. The manifest sums them per rule; `medc explain` shows spans."""

    rule: str
    chars: int
    count: int = 1


@dataclass(slots=True)
class PaperMeta:
    """Metadata of a JATS article, from PMC or a publisher (MedC-K config `papers`). `id_type` says what the
    record id was made of: `pmcid`, `doi`, `publisher-id` or `file` (an article without any identifier)."""

    pmcid: str | None = None
    pmid: str | None = None
    doi: str | None = None
    journal: str | None = None
    year: int | None = None
    article_type: str | None = None
    license: str | None = None
    language: str | None = None
    retracted: bool = False
    id_type: str | None = None
    version: int | None = None  # PMC article version (`PMC123.2`), or the publisher's `<article-version>`
    translation_of: str | None = None  # the id of the article this document translates (a JATS sub-article)
    manuscript: bool = False  # an author manuscript (Cloud Service `is_manuscript`)
    historical_ocr: bool = False  # text from OCR of a scanned back issue (Cloud Service `is_historical_ocr`)


@dataclass(slots=True)
class BookMeta:
    """Metadata of a textbook chapter, or of a whole book when it has no outline (MedC-K config `books`)."""

    file_name: str = ""
    sha1: str = ""
    book_title: str | None = None
    chapter: str | None = None
    page_start: int | None = None
    page_end: int | None = None
    page_count: int = 0
    needs_ocr_pages: int = 0
    # Where the text comes from: "digital" (drawn on the page), "ocr" (the invisible OCR layer of a scanned book,
    # render mode 3) or "mixed" (some pages each way).
    text_layer: str = "digital"
    ocr_quality: float | None = None  # share of the OCR'd words found in a dictionary; None without OCR text


@dataclass(slots=True)
class Quality:
    """Scores the quality filters measure; thresholds decide later (measuring and deciding are separate)."""

    chars: int = 0
    words: int = 0
    alpha_ratio: float = 0.0
    repeated_line_ratio: float = 0.0
    stopword_ratio: float = 0.0
    language: str | None = None
    language_score: float | None = None


@dataclass(slots=True)
class Document:
    """One MedC-K pretraining document: an article, a book chapter, or a book without an outline."""

    id: str
    source: str
    title: str
    text: str
    origin: str
    meta: PaperMeta | BookMeta
    quality: Quality = field(default_factory=Quality)
    removed: list[Removal] = field(default_factory=list)
    # Dedup keys computed in the worker (medc.dedup): staged, never published.
    _text_hash: bytes | None = None
    _minhash: bytes | None = None


@dataclass(slots=True)
class Message:
    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass(slots=True)
class Instruction:
    """One MedC-I record. `instruction`/`input`/`output` is the column set PMC-LLaMA released; `messages` holds the
    same content as chat turns (several user/assistant turns for multi-turn dialogues)."""

    instruction: str
    input: str
    output: str
    source: str
    sample_id: str
    messages: list[Message]
    origin: str = ""


@dataclass(slots=True)
class QAItem:
    """One benchmark question in a common shape, read from the native MedQA / MedMCQA / PubMedQA files
    (`medc/qa_formats/`). Used by the rationale-QA builder, decontamination and the evaluator alike."""

    id: str  # "medqa:<file stem>:<line>", "medmcqa:<id>", "pubmedqa:<pmid>"
    dataset: str  # "medqa" | "medmcqa" | "pubmedqa"
    question: str
    options: list[str]  # option texts in order (letters A, B, ... by position); PubMedQA: ["yes", "no", "maybe"]
    answer: int | None  # 0-based index into `options`; None when the item is unlabeled
    context: str = ""  # PubMedQA: the abstract's contexts, joined
    rationale: str = ""  # MedMCQA `exp`, PubMedQA `LONG_ANSWER`
    subject: str = ""  # MedMCQA subject_name, MedQA meta_info
    origin: str = ""


Record = Union[Document, Instruction]  # noqa: UP007 - a runtime alias, kept readable on 3.10

META_TYPES: dict[str, type] = {PAPERS: PaperMeta, BOOKS: BookMeta}

_SCALARS: dict[Any, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    bytes: pa.binary(),
}


def arrow_type(tp: Any) -> pa.DataType:
    """The Arrow type of an annotation: scalars, `X | None`, `list[X]` and nested dataclasses (as structs)."""
    if tp in _SCALARS:
        return _SCALARS[tp]
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"Only `X | None` unions map to Arrow, got {tp}")
        return arrow_type(args[0])
    if origin is list:
        return pa.list_(arrow_type(typing.get_args(tp)[0]))
    if dataclasses.is_dataclass(tp):
        return pa.struct([pa.field(n, t) for n, t in _fields(tp, internal=False)])
    raise TypeError(f"No Arrow type for {tp!r}")


def _fields(cls: type, *, internal: bool, overrides: dict[str, Any] | None = None) -> list[tuple[str, pa.DataType]]:
    hints = _hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        if f.name.startswith("_") and not internal:
            continue
        tp = (overrides or {}).get(f.name, hints[f.name])
        out.append((f.name, arrow_type(tp)))
    return out


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@functools.cache
def document_schema(source: str, *, internal: bool = False) -> pa.Schema:
    """Schema of the MedC-K config `source` (`papers` or `books`): the `meta` struct is that source's metadata."""
    try:
        meta = META_TYPES[source]
    except KeyError:
        raise ValueError(f"Unknown MedC-K source {source!r}; expected one of {sorted(META_TYPES)}") from None
    return pa.schema(_fields(Document, internal=internal, overrides={"meta": meta}))


@functools.cache
def instruction_schema(*, internal: bool = False) -> pa.Schema:
    return pa.schema(_fields(Instruction, internal=internal))


@functools.cache
def rejection_schema() -> pa.Schema:
    return pa.schema(_fields(Rejection, internal=False))


def schema_for(record: Record, *, internal: bool = False) -> pa.Schema:
    if isinstance(record, Document):
        return document_schema(record.source, internal=internal)
    return instruction_schema(internal=internal)


def to_row(record: Any) -> dict[str, Any]:
    """A dataclass record as a plain dict (nested dataclasses become dicts), ready for `pa.Table.from_pylist`.
    Faster than `dataclasses.asdict`, which deep-copies every value."""
    return {name: _plain(getattr(record, name)) for name in _field_names(type(record))}


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return to_row(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def to_table(records: typing.Sequence[Any], schema: pa.Schema) -> pa.Table:
    """Records of one kind as an Arrow table in `schema` (fields not in the schema, e.g. internal ones, dropped).
    Built column by column: only nested values (structs, lists of structs) go through `_plain`, which makes
    this several times faster than a row-wise `from_pylist` on millions of records."""
    columns = {}
    for f in schema:
        values = [getattr(r, f.name) for r in records]
        columns[f.name] = [_plain(v) for v in values] if _is_nested(f.type) else values
    return pa.Table.from_pydict(columns, schema=schema)


def _is_nested(tp: pa.DataType) -> bool:
    return pa.types.is_struct(tp) or (pa.types.is_list(tp) and pa.types.is_struct(tp.value_type))


def from_row(cls: type, row: dict[str, Any], *, meta_type: type | None = None) -> Any:
    """The inverse of `to_row` for `Document`/`Instruction`/`Rejection` rows read back from Parquet."""
    hints = _hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in row:
            continue
        tp = meta_type if (f.name == "meta" and meta_type) else hints[f.name]
        kwargs[f.name] = _from_plain(tp, row[f.name])
    return cls(**kwargs)


def _from_plain(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    if typing.get_origin(tp) in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        tp = args[0] if len(args) == 1 else tp
    if dataclasses.is_dataclass(tp):
        return from_row(tp, value)
    if typing.get_origin(tp) is list:
        (item,) = typing.get_args(tp)
        return [_from_plain(item, v) for v in value]
    return value
