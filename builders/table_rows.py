"""Rows of the tabular files question-answer sets ship as: JSON array or JSON Lines, CSV, Parquet (what the
Hugging Face Hub serves) and Excel `.xlsx` (MedicationQA's `MedInfo2019-QA-Medications.xlsx`).

    >>> list(iter_rows(data, "MedInfo2019-QA-Medications.xlsx", "in/MedInfo2019-QA-Medications.xlsx"))[0]
    (1, {'Question': 'how does rivatigmine and otc sleep medicine interact', 'Focus (Drug)': 'rivastigmine', ...})

Each row is (1-based number, {column: value}); a file that cannot be read is one `Rejection` naming why. The
`.xlsx` reader is a small SpreadsheetML reader (shared strings, inline strings, numbers; first sheet; first row
is the header) with an XML parser that never resolves entities or touches the network.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from medc.qa_formats import iter_json_rows, strip_bom
from medc.records import Rejection

SUFFIXES = (".json", ".jsonl", ".csv", ".parquet", ".xlsx")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL = re.compile(r"([A-Z]+)")

Row = tuple[int, dict[str, Any]]


def iter_rows(data: bytes, name: str, origin: str) -> Iterator[Row | Rejection]:
    lower = name.lower()
    if lower.endswith(".csv"):
        yield from _csv_rows(data, origin)
    elif lower.endswith(".parquet"):
        yield from _parquet_rows(data, origin)
    elif lower.endswith(".xlsx"):
        yield from _xlsx_rows(data, origin)
    else:
        yield from iter_json_rows(data, origin)


def _csv_rows(data: bytes, origin: str) -> Iterator[Row | Rejection]:
    try:
        text = strip_bom(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        yield Rejection(origin, "bad_encoding", f"not UTF-8 ({exc.reason} at byte {exc.start})")
        return
    yield from enumerate(csv.DictReader(io.StringIO(text, newline="")), start=1)


def _parquet_rows(data: bytes, origin: str) -> Iterator[Row | Rejection]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError) as exc:
        yield Rejection(origin, "bad_parquet", f"not a readable Parquet file: {exc}")
        return
    yield from enumerate(table.to_pylist(), start=1)


def _xlsx_rows(data: bytes, origin: str) -> Iterator[Row | Rejection]:
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            strings = _shared_strings(book, etree)
            sheet = _first_sheet(book)
            root = etree.fromstring(book.read(sheet), _xml_parser(etree))
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        yield Rejection(origin, "bad_xlsx", f"not a readable .xlsx workbook: {type(exc).__name__}: {exc}")
        return
    table = [_row_values(row, strings) for row in root.iter(f"{_MAIN}row")]
    if not table:
        yield Rejection(origin, "empty_file", "the first sheet has no rows")
        return
    header = table[0]
    for number, values in enumerate(table[1:], start=1):
        yield number, {name: values.get(column, "") for column, name in header.items() if name}


def _xml_parser(etree: Any) -> Any:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _shared_strings(book: zipfile.ZipFile, etree: Any) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    root = etree.fromstring(book.read("xl/sharedStrings.xml"), _xml_parser(etree))
    # A string item is one <t>, or runs <r><t>..</t></r> of rich text: its text is all of them joined.
    return ["".join(t.text or "" for t in si.iter(f"{_MAIN}t")) for si in root.iter(f"{_MAIN}si")]


def _first_sheet(book: zipfile.ZipFile) -> str:
    sheets = sorted(n for n in book.namelist() if n.startswith("xl/worksheets/sheet") and n.endswith(".xml"))
    if not sheets:
        raise KeyError("no worksheet in xl/worksheets/")
    return min(sheets, key=lambda n: (len(n), n))  # sheet1.xml before sheet10.xml


def _row_values(row: Any, strings: list[str]) -> dict[str, str]:
    """{column letters: text} of one <row>; a cell's type says where its text is."""
    values = {}
    for cell in row.iter(f"{_MAIN}c"):
        match = _CELL.match(cell.get("r", ""))
        if not match:
            continue
        kind, value = cell.get("t", "n"), cell.find(f"{_MAIN}v")
        if kind == "s" and value is not None and (value.text or "").isdigit() and int(value.text) < len(strings):
            text = strings[int(value.text)]
        elif kind == "inlineStr":
            text = "".join(t.text or "" for t in cell.iter(f"{_MAIN}t"))
        else:
            text = value.text or "" if value is not None else ""
        values[match.group(1)] = text
    return values
