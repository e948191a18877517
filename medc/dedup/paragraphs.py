"""Paragraph-level exact dedup inside a book: boilerplate that every chapter repeats is kept only once.

    >>> book = BookParagraphs(min_chars=40)
    >>> book.dedup("sha1-of-book", "book:x:1", "Copyright 2020 Example Press. All rights reserved.\\n\\nIntro ...")
    ('Copyright 2020 Example Press. All rights reserved.\\n\\nIntro ...', {})
    >>> book.dedup("sha1-of-book", "book:x:2", "Copyright 2020 Example Press. All rights reserved.\\n\\nCells ...")
    ('Cells ...', {'book:x:1': (1, 50)})        # removed 1 paragraph of 50 characters, first seen in book:x:1

Paragraphs are the blocks between empty lines of the cleaned text, compared exactly (xxh64 of the stripped
paragraph). Only paragraphs of at least `min_chars` characters count: short ones are headings ("Summary",
"References") that rightly recur. A paragraph repeated within one chapter stays (the repeated-lines filter
judges that). Chapters of one book arrive one after the other (they come from one file), so only the current
book's hashes are held in memory.
"""

from __future__ import annotations

import xxhash


class BookParagraphs:
    def __init__(self, min_chars: int = 40) -> None:
        self.min_chars = min_chars
        self._book: str | None = None
        self._first_seen: dict[int, str] = {}  # paragraph hash → id of the chapter it was first seen in

    def dedup(self, book: str, chapter_id: str, text: str) -> tuple[str, dict[str, tuple[int, int]]]:
        """`text` without the paragraphs an earlier chapter of `book` has, and for each such earlier chapter
        the number and characters of the paragraphs removed."""
        if book != self._book:
            self._book, self._first_seen = book, {}
        kept: list[str] = []
        removed: dict[str, tuple[int, int]] = {}
        for paragraph in text.split("\n\n"):
            stripped = paragraph.strip()
            if len(stripped) < self.min_chars:
                kept.append(paragraph)
                continue
            first = self._first_seen.setdefault(xxhash.xxh64_intdigest(stripped.encode("utf-8", "replace")), chapter_id)
            if first == chapter_id:
                kept.append(paragraph)
            else:
                count, chars = removed.get(first, (0, 0))
                removed[first] = (count + 1, chars + len(stripped))
        return ("\n\n".join(kept) if removed else text), removed
