import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from medc.records import (
    BookMeta,
    Document,
    Instruction,
    Message,
    PaperMeta,
    arrow_type,
    document_schema,
    from_row,
    instruction_schema,
    to_table,
)


def test_document_schema_is_derived_per_source():
    papers, books = document_schema("papers"), document_schema("books")
    assert papers.names == ["id", "source", "title", "text", "origin", "meta", "quality", "removed"]
    assert {f.name for f in papers.field("meta").type} >= {
        "pmcid",
        "pmid",
        "doi",
        "year",
        "license",
        "retracted",
    }
    assert {f.name for f in books.field("meta").type} >= {
        "file_name",
        "sha1",
        "chapter",
        "page_start",
        "page_end",
    }
    assert papers.field("meta").type.field("year").type == pa.int64()


def test_unknown_source_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown MedC-K source 'web'"):
        document_schema("web")


def test_instruction_schema_has_published_columns_and_messages():
    schema = instruction_schema()
    assert schema.names[:5] == ["instruction", "input", "output", "source", "sample_id"]
    assert schema.field("messages").type == pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))


def test_unsupported_annotation_is_refused():
    with pytest.raises(TypeError):
        arrow_type(dict[str, int])
    with pytest.raises(TypeError):
        arrow_type(int | str)


texts = st.text(max_size=50)


@given(title=texts, text=texts, year=st.none() | st.integers(1800, 2100), retracted=st.booleans())
def test_document_round_trips_through_arrow(title, text, year, retracted):
    doc = Document(
        id="pmc:PMC1",
        source="papers",
        title=title,
        text=text,
        origin="a.tar.gz::PMC1.xml",
        meta=PaperMeta(pmcid="PMC1", year=year, retracted=retracted),
    )
    row = to_table([doc], document_schema("papers")).to_pylist()[0]
    assert from_row(Document, row, meta_type=PaperMeta) == doc


@given(turns=st.lists(st.tuples(st.sampled_from(["user", "assistant"]), texts), max_size=5))
def test_instruction_round_trips_through_arrow(turns):
    rec = Instruction("Answer.", "Q?", "A.", "medqa", "medqa:test:1", [Message(r, c) for r, c in turns])
    row = to_table([rec], instruction_schema()).to_pylist()[0]
    assert from_row(Instruction, row) == rec


def test_book_meta_in_books_schema():
    doc = Document(
        id="book:ab:0",
        source="books",
        title="Ch 1",
        text="x",
        origin="b.pdf",
        meta=BookMeta(file_name="b.pdf", sha1="ab", chapter="Ch 1", page_start=1, page_end=3, page_count=10),
    )
    row = to_table([doc], document_schema("books")).to_pylist()[0]
    assert row["meta"]["page_end"] == 3
