"""Thresholds of the MedC-K quality filters (`[filters]` in a build's TOML, `--set filters.min_words=100`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FilterConfig:
    """Thresholds of the quality filters (see `medc.filters` for what each measure means)."""

    min_words: int = 50
    min_alpha_ratio: float = 0.4
    max_repeated_line_ratio: float = 0.3
    min_stopword_ratio: float = 0.05
    languages: tuple[str, ...] = ("en",)  # ISO 639-1 codes kept; empty: no language identification
    min_language_score: float = 0.5  # drop another language only when the model is at least this sure
    language_sample_chars: int = 1000  # py3langid walks the bytes in Python: about 0.1 ms per 1000 characters

    def __post_init__(self) -> None:
        for name in ("min_alpha_ratio", "max_repeated_line_ratio", "min_stopword_ratio", "min_language_score"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} is a share between 0 and 1, got {value}")
        if self.min_words < 0 or self.language_sample_chars < 100:
            raise ValueError(
                f"min_words must be >= 0 and language_sample_chars >= 100, got {self.min_words} "
                f"and {self.language_sample_chars}"
            )
        bad = [code for code in self.languages if not (len(code) in (2, 3) and code.isalpha() and code.islower())]
        if bad:
            raise ValueError(f"languages are lowercase ISO 639-1 codes such as 'en', got {bad}")


DEFAULT_FILTERS = FilterConfig()
