"""PDFs whose text layers are built the odd ways real files build them, written glyph by glyph into raw content
streams with pymupdf (all text here is written for these tests).

    words_one_by_one(lines)   every word (or piece of a word) in its own text object after a space of size 0
                              (as devcorpus pdf/olmocr_braz_j_microbiol_review_letterspaced_header.pdf is made):
                              MuPDF starts a new line at every piece
    letter_spaced(lines, gaps)  every letter placed on its own, `gaps(i)` points after the i-th letter of a word
                              and a space's width more between words (a letter-spaced epigraph, as in devcorpus
                              pdf/tufte_sample_book_sidenotes_index.pdf); random gaps make a layer nothing can read
"""

from __future__ import annotations

from collections.abc import Callable

import pymupdf

SIZE = 10.0
_FONT = pymupdf.Font("helv")


def _page_with_font(doc: pymupdf.Document) -> tuple[pymupdf.Page, str]:
    page = doc.new_page(width=595, height=842)
    page.insert_text((72, 72), "x", fontname="helv", fontsize=SIZE)  # brings a Helvetica resource along
    return page, page.get_fonts()[0][4]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def words_one_by_one(lines: list[str], top: float = 120.0) -> bytes:
    """Each piece of a line in a text object of its own, after a space glyph of size 0 (as the Elsevier file draws
    its spaces): MuPDF makes a line of every piece. Pieces are the words; `|` splits a word into pieces that
    touch (`a|v|ailable`), as a TeX preprint's kerned glyphs come out one letter or syllable per line."""
    doc = pymupdf.open()
    page, font = _page_with_font(doc)
    ops = []
    for n, line in enumerate(lines):
        y, x = 842 - top - 14 * n, 72.0
        for word in line.split():
            for piece in word.split("|"):
                ops.append(f"BT /{font} 0 Tf 0 0 0 0 {x - 1:.3f} {y:.3f} Tm ( ) Tj ET")  # the size-0 space
                ops.append(f"BT /{font} 1 Tf {SIZE} 0 0 {SIZE} {x:.3f} {y:.3f} Tm ({_escape(piece)}) Tj ET")
                x += _FONT.text_length(piece, SIZE)
            x += _FONT.text_length(" ", SIZE)
    doc.update_stream(page.get_contents()[0], "\n".join(ops).encode())
    return doc.tobytes()


def letter_spaced(lines: list[str], gaps: Callable[[int], float], top: float = 120.0) -> bytes:
    doc = pymupdf.open()
    page, font = _page_with_font(doc)
    ops = []
    for n, line in enumerate(lines):
        y, x = 842 - top - 14 * n, 72.0
        for word in line.split():
            for i, char in enumerate(word):
                ops.append(f"BT /{font} 1 Tf {SIZE} 0 0 {SIZE} {x:.3f} {y:.3f} Tm ({_escape(char)}) Tj ET")
                x += _FONT.text_length(char, SIZE) + gaps(i)
            x += _FONT.text_length(" ", SIZE)
    doc.update_stream(page.get_contents()[0], "\n".join(ops).encode())
    return doc.tobytes()
