"""Generated documents for dedup tests and benchmarks: English-like text, planted near duplicates at a chosen
Jaccard similarity, and unrelated documents that share boilerplate.

    >>> gen = CorpusGenerator(seed=0)
    >>> base = gen.tokens(400)
    >>> copy = gen.variant(base, target_jaccard=0.9)
    >>> round(jaccard(shingles(base), shingles(copy)), 2)
    0.9
    >>> gen.render(base)[:60]
    'Valoru of the mesidane in tabe pralon, with the covidal ...'

Texts are pseudo-words (random syllables, Zipf-distributed like real vocabulary) with function words mixed in
at the rate of English prose, so they pass the quality filters. A variant substitutes random words; its
exact similarity is measured on the same 5-word shingles MinHash uses (`shingles`), not assumed.
"""

from __future__ import annotations

import re

import numpy as np

_FUNCTION_WORD_TEXT = "the of and in to a with for was were is that by on as from at this be or are"
FUNCTION_WORDS = _FUNCTION_WORD_TEXT.split(" ")
BOILERPLATE = (
    (
        "This is an open access article distributed under the terms of the Creative Commons Attribution License "
        "which permits unrestricted use distribution and reproduction in any medium provided the original author "
        "and source are credited. Funding: the authors received no specific funding for this work. Competing "
        "interests: the authors have declared that no competing interests exist. Data availability: all relevant "
        "data are within the manuscript and its supporting information files. Ethics statement: the study was "
        "approved by the institutional review board and all participants gave written informed consent before "
        "enrolment in the study at each of the participating centres."
    )
    .lower()
    .split()
)
_WORD = re.compile(rb"[a-z0-9\x80-\xff]+")


class CorpusGenerator:
    def __init__(self, seed: int = 0, vocabulary: int = 20_000) -> None:
        self.rng = np.random.default_rng(seed)
        syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"] + ["an", "er", "ol", "in", "ax"]
        lengths = self.rng.integers(2, 5, size=vocabulary)
        picks = self.rng.integers(0, len(syllables), size=(vocabulary, 4))
        self.vocabulary = ["".join(syllables[p] for p in row[:n]) for row, n in zip(picks, lengths, strict=True)]

    def tokens(self, n: int) -> list[str]:
        """`n` lowercase words: 40% function words, the rest Zipf-distributed content words."""
        content = (self.rng.zipf(1.15, size=n) - 1) % len(self.vocabulary)
        function = self.rng.integers(0, len(FUNCTION_WORDS), size=n)
        is_function = self.rng.random(n) < 0.4
        return [
            FUNCTION_WORDS[f] if is_f else self.vocabulary[c]
            for c, f, is_f in zip(content, function, is_function, strict=True)
        ]

    def variant(self, tokens: list[str], target_jaccard: float, ngram: int = 5) -> list[str]:
        """A copy with random words substituted, aiming at `target_jaccard` of 5-gram shingle sets."""
        shingle_count = max(1, len(tokens) - ngram + 1)
        # Each isolated substitution removes `ngram` shingles and adds `ngram` new ones.
        edits = round(shingle_count * (1 - target_jaccard) / (ngram * (1 + target_jaccard)))
        copy = list(tokens)
        for position in self.rng.choice(len(tokens), size=min(edits, len(tokens)), replace=False):
            copy[position] = self.vocabulary[self.rng.integers(len(self.vocabulary))] + "x"
        return copy

    def with_boilerplate(self, n: int) -> list[str]:
        """An unrelated document: `n` words of its own, then the boilerplate every such document shares."""
        return self.tokens(n) + BOILERPLATE

    def render(self, tokens: list[str]) -> str:
        """Sentences of 8-20 words, capitalized, in paragraphs of 3-6 sentences."""
        out, sentence, paragraph = [], [], []
        target = self.rng.integers(8, 21)
        for token in tokens:
            sentence.append(token)
            if len(sentence) >= target:
                paragraph.append(_sentence(sentence))
                sentence, target = [], self.rng.integers(8, 21)
                if len(paragraph) >= self.rng.integers(3, 7):
                    out.append(" ".join(paragraph))
                    paragraph = []
        if sentence:
            paragraph.append(_sentence(sentence))
        if paragraph:
            out.append(" ".join(paragraph))
        return "\n\n".join(out)


def _sentence(words: list[str]) -> str:
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def shingles(tokens_or_text: list[str] | str, ngram: int = 5) -> set[tuple[bytes, ...]]:
    """The exact set of word n-grams, with the words MinHasher sees (lowercase runs of letters and digits)."""
    if isinstance(tokens_or_text, str):
        words = _WORD.findall(tokens_or_text.lower().encode())
    else:
        words = [w.encode() for w in tokens_or_text]
    if len(words) < ngram:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + ngram]) for i in range(len(words) - ngram + 1)}


def jaccard(first: set, second: set) -> float:
    return len(first & second) / len(first | second) if first or second else 1.0
