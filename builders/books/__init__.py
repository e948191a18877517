"""MedC-K books: textbook PDFs (and EPUB, and plain-text books) into clean running text, one document per chapter.

How a PDF becomes chapters, module by module:

    clinical-notes.pdf (300 pages; outline "Cover", "Contents", "1 Cardiac Physiology" p. 5, "2 The Kidney" p. 31,
                        ..., "Index")
    opening.open_book     MuPDF opens it: not a PDF, encrypted, corrupt, truncated → a Rejection
    pages.extract_pages   every page's text lines with boxes, fonts and MuPDF blocks (`layout`); an OCR'd scan's
                          invisible text layer is read and flagged; words placed one by one are joined, letter-
                          spaced text gets its words back (`fragments`), unreadable text layers are dropped
    running               running headers, footers and page numbers go (repeated across pages + same place or font)
    chapters              outline entries → page ranges (TeX in titles decoded, `titles`); contents, index,
                          copyright and title pages dropped; outline entries "Index", "References", ... dropped
    per chapter, per page: tagging (a table becomes one line per row, "Aspirin | 75 mg | oral", in a block of its
                          own; labels drawn on figures are marked) → order (XY-cut over blocks: columns, sidebars
                          and margin notes apart) → text.ParagraphFlow (paragraphs across columns and pages, asides
                          kept whole; figure and table captions found)
    sections              a contents block in the front matter, reference sections
    clean                 hyphenation undone by the book's own vocabulary, ligatures, callouts, citations, URLs
    repeats               a paragraph an earlier chapter of the book has (boilerplate) goes; a chapter left empty
                          is not written
    →  Document(id="book:<sha1 of the file>:2", source="books", title="1 Cardiac Physiology",
                text="1 Cardiac Physiology\\n\\nThe heart has four chambers. Cardiac output is ...\\n\\n...",
                origin="books/clinical-notes.pdf",
                meta=BookMeta(file_name="clinical-notes.pdf", sha1="...", book_title="Clinical Notes",
                              chapter="1 Cardiac Physiology", page_start=5, page_end=30, page_count=300,
                              text_layer="digital"),
                removed=[Removal("books.running_header", 1412, 52), Removal("books.references", 3310, 1), ...])

A book without an outline is one document. `page_count` is the book's; `page_start`/`page_end` are the chapter's,
1-based. Nothing is dropped silently: whole files are `Rejection`s (reasons in `opening`, plus `empty_file`,
`not_text` for `.txt`, `invisible_text` when `keep_ocr_text` is off and `ocr_low_quality` for an OCR layer that
did not read the scan); whole pages and chapters are `Notice`s naming the pages (`dropped_toc_pages`,
`dropped_front_matter_pages`, `needs_ocr_pages`, `broken_text_layer_pages`, `pages_too_complex`,
`duplicate_chapter`, `empty_chapter`, ...); text taken out of a kept chapter is in its `removed` list, by rule.
"""

from builders.books.builder import SUFFIXES, accepts, parse
from builders.books.options import BookOptions

__all__ = ["SUFFIXES", "BookOptions", "accepts", "parse"]
