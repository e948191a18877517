"""Page geometry of the books builder: running headers and footers, columns, tables, superscripts, EPUB."""

from __future__ import annotations

import io
import zipfile

import pymupdf

from builders import books
from builders.books.fragments import merge_fragments
from builders.books.layout import Line, PageText, top_down
from builders.books.order import Run, reading_order
from builders.books.pages import extract_pages
from builders.books.running import mark_running_lines
from builders.books.text import ParagraphFlow
from medc.records import Document
from medc.sources import WorkUnit


def line(text: str, x0: float, y0: float, x1: float | None = None, size: float = 10.0, block: int = 0) -> Line:
    return Line(text, x0, y0, x1 if x1 is not None else x0 + 5 * len(text), y0 + size * 1.2, size, False, block)


def page(index: int, *lines: Line) -> PageText:
    return PageText(index, 600.0, 800.0, sorted(lines, key=top_down))  # as extract_page leaves them


def body(index: int) -> Line:
    return line(f"Body text of page {index} runs on here.", 60, 300)


def texts(pages: list[PageText]) -> list[list[str]]:
    return [[ln.text for ln in p.lines] for p in pages]


def test_headers_with_varying_numbers_footers_and_page_numbers_go():
    pages = []
    for i in range(6):
        header = f"{i + 11}   Clinical Notes" if i % 2 else f"Cardiology   {i + 11}"
        pages.append(page(i, line(header, 60, 30, size=8), body(i), line(str(i + 11), 290, 770)))
    mark_running_lines(pages, band=0.1, min_repeats=3, body_size=10.0)
    assert texts(pages) == [[f"Body text of page {i} runs on here."] for i in range(6)]


def test_a_heading_that_opens_pages_far_apart_is_kept():
    pages = [page(i, body(i)) for i in range(30)]
    for i in (2, 12, 25):  # "Summary" at the top of three pages in different chapters
        pages[i].lines.insert(0, line("Summary", 60, 40, size=13))
    mark_running_lines(pages, band=0.1, min_repeats=3, body_size=10.0)
    assert [p.lines[0].text for p in pages if p.index in (2, 12, 25)] == ["Summary"] * 3


def test_a_lone_header_is_recognised_by_its_place_font_and_page_number():
    pages = [page(i, line(f"Page {i + 1}", 280, 770), body(i)) for i in range(4)]
    pages[1].lines.append(line("Chapter 2: The Kidney   2", 300, 30, size=8))  # one header per chapter page
    pages[2].lines.append(line("3   Clinical Notes", 60, 30, size=8))
    pages[3].lines.append(line("Body line at the top, not a header", 60, 60))
    mark_running_lines(pages, band=0.1, min_repeats=3, body_size=10.0)
    assert texts(pages)[1:] == [
        ["Body text of page 1 runs on here."],
        ["Body text of page 2 runs on here."],
        ["Body text of page 3 runs on here.", "Body line at the top, not a header"],
    ]
    assert pages[1].removed.chars["books.running_header"] == len("Chapter 2: The Kidney   2") + len("Page 2")


def test_a_body_line_holding_the_page_number_stays():
    # stands for the case: on printed page 5 "the dose was raised to 5 mg twice daily in all" sat in the
    # top tenth of the page and went as a header
    pages = [page(i, line(f"{i + 1}", 290, 770), body(i)) for i in range(6)]
    pages[4].lines.insert(0, line("the dose was raised to 5 mg twice daily in all", 60, 50))
    mark_running_lines(pages, band=0.1, min_repeats=3, body_size=10.0)
    assert texts(pages)[4] == ["the dose was raised to 5 mg twice daily in all", "Body text of page 4 runs on here."]
    assert all(p.removed.chars["books.running_header"] == 1 for p in pages)  # the page numbers


def test_a_title_with_a_footnote_mark_is_no_page_number_and_a_stamp_moved_on_a_wider_page_goes():
    # stands for devcorpus pdf/tufte_sample_handout p. 1: its title "...Tufte-Handout Style1" (footnote 1 on
    # page 1); and pdf/entityfishing_medrxiv p. 21: a landscape page on which the server's stamp stands lower
    stamp = "medRxiv preprint doi: 10.1101/2020.06.09"
    pages = [page(i, line(stamp, 51, 2, size=8), line(f"{i + 1}", 290, 770), body(i)) for i in range(5)]
    pages[0].lines.insert(1, line("An Example of the Usage of the Style1", 72, 69, size=14))
    wide = PageText(5, 1280.0, 989.0, [line(stamp, 51, 147, size=8), body(5)])
    mark_running_lines([*pages, wide], band=0.1, min_repeats=3, body_size=10.0)
    assert texts(pages)[0] == ["An Example of the Usage of the Style1", "Body text of page 0 runs on here."]
    assert texts([wide]) == [["Body text of page 5 runs on here."]]


def run_texts(p: PageText) -> list[list[str]]:
    return [[ln.text for ln in run.lines] for run in reading_order(p, 10.0)]


def test_two_columns_read_left_then_right_around_a_full_width_heading():
    left = [line(f"left {i}", 60, 100 + 14 * i, 280, block=1) for i in range(4)]
    right = [line(f"right {i}", 320, 100 + 14 * i, 540, block=2) for i in range(4)]
    heading = line("A full-width section heading", 60, 170, 540, size=13, block=3)
    lower = [line(f"lower left {i}", 60, 200 + 14 * i, 280, block=4) for i in range(2)]
    lower += [line(f"lower right {i}", 320, 200 + 14 * i, 540, block=5) for i in range(2)]
    p = page(0, *reversed(right), *left, *lower, heading)
    assert run_texts(p) == [
        [f"left {i}" for i in range(4)],
        [f"right {i}" for i in range(4)],
        ["A full-width section heading"],
        ["lower left 0", "lower left 1"],
        ["lower right 0", "lower right 1"],
    ]


def test_margin_notes_stay_whole_and_apart_from_the_body():
    # stands for devcorpus pdf/tufte_sample_handout_sidenotes.pdf and pdf/kaobook_documentation_margin_notes.pdf:
    # notes in a wide right margin, level with body lines, and a full-width figure caption crossing the margin
    body_lines = [line(f"body line {i} of the main text column", 60, 100 + 14 * i, 400, block=1) for i in range(8)]
    note = [line(f"note {i}", 420, 128 + 10 * i, 540, size=8, block=1) for i in range(3)]  # MuPDF: one block
    wide = line("Figure 1: a wide figure caption across body and margin", 60, 230, 540, block=3)
    after = [line(f"after line {i}", 60, 260 + 14 * i, 400, block=4) for i in range(3)]
    runs = reading_order(page(0, *body_lines, *note, wide, *after), 10.0)
    assert [([ln.text for ln in r.lines], r.aside) for r in runs] == [
        ([ln.text for ln in body_lines], False),
        ([ln.text for ln in note], True),
        ([wide.text], False),
        ([ln.text for ln in after], False),
    ]


def test_asides_wait_for_the_body_paragraph_beside_them_to_end():
    flow = ParagraphFlow(10.0)
    flow.add(Run([line("The gradient in the", 60, 100, 400), line("artery rises with flow.", 60, 114, 300)]), 0)
    flow.add(Run([line("Clinical pearl: check the pulse.", 420, 100, 540, size=8)], aside=True), 0)
    flow.add(Run([line("and it falls again later on.", 60, 100, 400)]), 1)
    assert [p.lines for p in flow.finish()] == [
        ["The gradient in the", "artery rises with flow."],
        ["Clinical pearl: check the pulse."],
        ["and it falls again later on."],
    ]


def test_a_paragraph_runs_on_past_a_footnote_between_its_columns():
    # stands for devcorpus pdf/entityfishing_PMC2649809_mcp_huntington_csf.pdf: `two labora-` ends the left
    # column, a footnote block is read next, and `tories identifying ...` opens the right column
    flow = ParagraphFlow(10.0)
    flow.add(Run([line("Concordance is greatest between the two labora-", 60, 100, 280)]), 0)
    flow.add(Run([line("* Measured in 2009 on the second instrument.", 60, 700, 280, size=8)]), 0)
    flow.add(Run([line("tories identifying the most proteins.", 320, 100, 540)]), 0)
    assert [p.lines for p in flow.finish()] == [
        ["Concordance is greatest between the two labora-", "tories identifying the most proteins."],
        ["* Measured in 2009 on the second instrument."],
    ]


def test_single_column_page_is_one_run_in_reading_order():
    lines = [
        line(f"line {i} of a single column of running text", 60, 100 + 14 * i, 540, block=i // 3) for i in range(8)
    ]
    assert run_texts(page(0, *reversed(lines))) == [[ln.text for ln in lines]]


def test_words_placed_one_by_one_are_joined_into_lines():
    # stands for devcorpus pdf/olmocr_braz_j_microbiol_review_letterspaced_header.pdf: each word its own MuPDF line
    words = ["Industrial", "l-asparaginase", "production", "presents", "some", "challenges"]
    pieces, x = [], 60.0
    for word in words:
        pieces.append(line(word, x, 100, x + 5 * len(word), size=8, block=len(pieces) % 3))
        x += 5 * len(word) + 2.2
    merged = merge_fragments(pieces)
    assert [ln.text for ln in merged] == [" ".join(words)]


def test_superscript_citation_numbers_go_and_exponents_stay():
    doc = pymupdf.open()
    pdf_page = doc.new_page()
    font = pymupdf.Font("tiro")
    writer = pymupdf.TextWriter(pdf_page.rect)
    x = 72.0
    for text, size, rise in [
        ("Sepsis is a common disease.", 10, 0),
        ("12,13", 6.5, 4),
        (" Skin area is 2 m", 10, 0),
        ("2", 6.5, 4),
        (" in adults.", 10, 0),
    ]:
        writer.append((x, 100 - rise), text, font=font, fontsize=size)
        x += font.text_length(text, size)
    writer.write_text(pdf_page)
    (out,) = books.parse(WorkUnit("s.pdf", doc.tobytes()))
    assert out.text == "Sepsis is a common disease. Skin area is 2 m2 in adults."


def epub(chapters: list[tuple[str, list[str]]]) -> bytes:
    buf = io.BytesIO()
    items = "".join(
        f'<item id="c{i}" href="c{i}.xhtml" media-type="application/xhtml+xml"/>' for i in range(len(chapters))
    )
    spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
    nav = "".join(
        f'<navPoint id="n{i}" playOrder="{i + 1}"><navLabel><text>{t}</text></navLabel>'
        f'<content src="c{i}.xhtml"/></navPoint>'
        for i, (t, _) in enumerate(chapters)
    )
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:'
            'names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" '
            'media-type="application/oebps-package+xml"/></rootfiles></container>',
        )
        z.writestr(
            "OEBPS/content.opf",
            '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" '
            'version="2.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:title>Epub Notes</dc:title><dc:identifier id="id">x</dc:identifier></metadata><manifest>'
            f'{items}<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/></manifest>'
            f'<spine toc="ncx">{spine}</spine></package>',
        )
        z.writestr(
            "OEBPS/toc.ncx",
            '<?xml version="1.0"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" '
            f'version="2005-1"><head/><docTitle><text>Epub Notes</text></docTitle><navMap>{nav}</navMap></ncx>',
        )
        for i, (title, paras) in enumerate(chapters):
            body_html = "".join(f"<p>{p}</p>" for p in paras)
            z.writestr(
                f"OEBPS/c{i}.xhtml",
                '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
                f"<title>{title}</title></head><body><h1>{title}</h1>{body_html}</body></html>",
            )
    return buf.getvalue()


def test_epub_chapters_and_paragraphs():
    data = epub(
        [
            ("Liver", ["The liver makes bile (see Fig. 2).", "Bile drains into the duodenum."]),
            ("Spleen", ["The spleen filters blood."]),
        ]
    )
    docs = [o for o in books.parse(WorkUnit("notes.epub", data)) if isinstance(o, Document)]
    assert [(d.title, d.meta.book_title, d.text) for d in docs] == [
        ("Liver", "Epub Notes", "Liver\n\nThe liver makes bile.\n\nBile drains into the duodenum."),
        ("Spleen", "Epub Notes", "Spleen\n\nThe spleen filters blood."),
    ]


class _FakePage:
    """Stands in for a pymupdf page whose font maps its glyphs to no Unicode (MuPDF gives U+FFFD for them)."""

    def get_text(self, kind: str, flags: int) -> dict:
        span = {
            "text": "\ufffd\ufffd\ufffd \ufffd\ufffd\ufffd\ufffd \ufffd\ufffd ok",
            "size": 10.0,
            "flags": 0,
            "char_flags": 16,
        }
        return {
            "width": 600.0,
            "height": 800.0,
            "blocks": [{"lines": [{"dir": (1.0, 0.0), "bbox": (60, 100, 300, 112), "spans": [span]}]}],
        }

    def get_images(self) -> list:
        return []


class _FakeDoc:
    is_pdf = False
    page_count = 1
    metadata = None

    def load_page(self, index: int) -> _FakePage:
        return _FakePage()


def test_a_page_of_unmapped_glyphs_counts_as_needing_ocr():
    book = extract_pages(_FakeDoc(), books.BookOptions())
    assert [(p.status, p.lines) for p in book.pages] == [("needs_ocr", [])]
