"""Settings of decontamination, shared by MedC-I (`[decontamination]` of build-i) and MedC-K (of build-k)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DecontaminationConfig:
    ngram: int = 13
    """Tokens per window of the overlap test (13, as GPT-3's contamination study)."""
    min_overlap: float = 0.3
    """Share of an evaluation item's windows a record or document must contain to be removed. Measured (README,
    "Decontamination"): an item's own text shares 1.0, with one word in 40 edited 0.70, one in 20 0.36; real PMC
    articles share 0.0 with other articles' abstracts, generated MedQA-style vignettes at most 0.20 with others."""
    common_items: int = 10
    """Windows found in more evaluation items than this are boilerplate ("comes to the physician because of a 2
    week history of") and do not count."""
    min_question_tokens: int = 4
    """Questions at least this long (and shorter than `ngram`) are looked up whole, anywhere in a record."""
    specific_content_words: int = 3
    """A short question found whole removes a record by itself when it has this many content words (not
    function or exam-stem words) and no other evaluation item asks it; else half its options must be there."""
    similarity: float = 0.85
    """Share of the words of an item's question plus options a record's input must hold (with all of the item's
    key words) to be removed as a near match."""
    similarity_max_tokens: int = 64
    """Items whose question plus options has at most this many tokens get the similarity check."""
    document_min_windows: int = 8
    """MedC-K: items with fewer windows than this (short MedMCQA questions) are matched by identifier only: a
    12-word fact in a 5,000-word chapter is knowledge, not a leaked item."""

    def __post_init__(self) -> None:
        if self.ngram < 4:
            raise ValueError(f"ngram={self.ngram}: windows under 4 tokens match ordinary phrases; use 8-13")
        if not 0.0 < self.min_overlap <= 1.0:
            raise ValueError(f"min_overlap={self.min_overlap}: give a fraction in (0, 1]")
        if not 0.0 < self.similarity <= 1.0:
            raise ValueError(f"similarity={self.similarity}: give a share of words in (0, 1]")
        if not 2 <= self.min_question_tokens < self.ngram:
            raise ValueError(f"min_question_tokens={self.min_question_tokens}: give 2..ngram-1 ({self.ngram - 1})")
        if self.common_items < 1 or self.document_min_windows < 1 or self.similarity_max_tokens < 1:
            raise ValueError(
                f"common_items={self.common_items}, document_min_windows={self.document_min_windows} and "
                f"similarity_max_tokens={self.similarity_max_tokens} must all be at least 1"
            )
