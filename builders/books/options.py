"""Settings of the books builder (TOML table `[books]`, `--set books.keep_tables=true`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BookOptions:
    """How textbooks become documents (TOML table `[books]`)."""

    split_chapters: bool = True  # one document per top-level outline entry; False: one per book
    keep_tables: bool = True  # tables, one line per row ("Aspirin | 75 mg | oral"), with their captions
    keep_captions: bool = True  # figure captions ("Figure 2.1 The conduction system ..."), each a paragraph
    keep_figure_text: bool = False  # labels drawn on figures ("Left atrium")
    drop_toc: bool = True  # table-of-contents pages, outline entries and contents blocks in the front matter
    drop_index: bool = True  # index pages and outline entries
    drop_bibliography: bool = True  # "References", "Bibliography", "Further reading" sections
    drop_front_matter: bool = True  # title, copyright, dedication pages; "Cover", "Contributors" entries
    remove_callouts: bool = True  # "(see Fig. 3.2)", "(Table 4)", "(Chapter 5)"
    remove_citations: bool = True  # "[12]", "(Smith et al., 2001)", superscript citation numbers
    remove_urls: bool = True  # URLs, DOIs and e-mail addresses
    # The invisible text layer (render mode 3) of scanned pages, as OCRmyPDF and digitisation projects write it:
    # kept and flagged (`BookMeta.text_layer == "ocr"`, `ocr_quality`); False rejects such books (`ocr_text`).
    keep_ocr_text: bool = True
    # Share of the OCR'd letters in English dictionary words below which the OCR text counts as garbage (a bad OCR
    # of handwriting scores about 0.3, a clean scan over 0.9): such a book is rejected `ocr_low_quality`.
    min_ocr_quality: float = 0.5
    dedup_paragraphs: bool = True  # drop a paragraph an earlier chapter of the same book has (boilerplate)
    paragraph_min_chars: int = 40  # shorter paragraphs (headings like "Summary") always stay
    min_chars_per_page: int = 20  # a page with fewer visible characters and an image counts as needing OCR
    running_band: float = 0.1  # fraction of the page height at top and bottom searched for headers/footers
    running_min_repeats: int = 3  # pages a header/footer must repeat on (2 when its page numbers vary)
    max_page_content_bytes: int = 4 << 20  # a PDF page whose (compressed) content is larger is skipped, and counted
    max_page_lines: int = 4000  # a page with more text lines than this is skipped, and counted

    def __post_init__(self) -> None:
        if not 0.0 < self.running_band < 0.5:
            raise ValueError(
                f"running_band must be between 0 and 0.5 (a fraction of the page height), got {self.running_band}"
            )
        if self.running_min_repeats < 2:
            raise ValueError(
                f"running_min_repeats must be at least 2, got {self.running_min_repeats}; "
                "a line on one page cannot be told from body text"
            )
        if not 0.0 <= self.min_ocr_quality <= 1.0:
            raise ValueError(f"min_ocr_quality is a share between 0 and 1, got {self.min_ocr_quality}")
        for name in ("min_chars_per_page", "max_page_content_bytes", "max_page_lines", "paragraph_min_chars"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)}")
