from medc.dedup.paragraphs import BookParagraphs


def test_paragraphs_repeated_across_chapters_of_one_book_are_dropped_once_seen():
    notice = "Copyright 2020 Example Press. All rights reserved. No reproduction without permission."
    book = BookParagraphs(min_chars=40)
    assert book.dedup("b1", "ch1", f"{notice}\n\nIntro text.\n\n{notice}") == (
        f"{notice}\n\nIntro text.\n\n{notice}",
        {},
    )  # repeats within a chapter stay
    assert book.dedup("b1", "ch2", f"Summary\n\n{notice}\n\nCells.") == ("Summary\n\nCells.", {"ch1": (1, 86)})
    assert book.dedup("b1", "ch3", "Summary\n\nTissues.")[1] == {}  # short headings always stay
    assert book.dedup("b2", "other", notice) == (notice, {})  # another book starts afresh
