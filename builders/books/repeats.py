"""Paragraphs a book repeats, for the books builder: boilerplate that every chapter carries is kept only once.

    >>> seen = BookParagraphs(min_chars=40)
    >>> seen.dedup("1", "Copyright 2020 Example Press. All rights reserved.\\n\\nIntro ...")
    ('Copyright 2020 Example Press. All rights reserved.\\n\\nIntro ...', 0, 0)
    >>> seen.dedup("2", "Copyright 2020 Example Press. All rights reserved.\\n\\nCells ...")
    ('Cells ...', 1, 50)        # 1 paragraph of 50 characters removed: chapter "1" has it

Paragraphs are the blocks between empty lines of a chapter's text, compared exactly (xxh64 of the stripped
paragraph). Only paragraphs of at least `min_chars` characters count: short ones are headings ("Summary",
"References") that rightly recur. A paragraph repeated within one chapter stays (the repeated-lines filter judges
that). All chapters of a book come from one file, so one instance per file holds what that book has shown.
"""

from __future__ import annotations

import xxhash


class BookParagraphs:
    def __init__(self, min_chars: int = 40) -> None:
        self.min_chars = min_chars
        self._first_seen: dict[int, str] = {}  # paragraph hash → key of the chapter it was first seen in

    def dedup(self, chapter: str, text: str) -> tuple[str, int, int]:
        """`text` without the paragraphs an earlier chapter has shown, with the number and characters of the
        paragraphs removed."""
        kept: list[str] = []
        count = chars = 0
        for paragraph in text.split("\n\n"):
            stripped = paragraph.strip()
            if len(stripped) >= self.min_chars:
                key = xxhash.xxh64_intdigest(stripped.encode("utf-8", "replace"))
                if self._first_seen.setdefault(key, chapter) != chapter:
                    count, chars = count + 1, chars + len(stripped)
                    continue
            kept.append(paragraph)
        return ("\n\n".join(kept) if count else text), count, chars
