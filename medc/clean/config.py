"""Settings of text cleaning (`[clean]` in a build's TOML, `--set clean.normalization=NFKC`)."""

from __future__ import annotations

from dataclasses import dataclass

_NORMALIZATIONS = ("NFC", "NFKC")


@dataclass(frozen=True)
class CleanConfig:
    """How text and titles are normalized (the same for papers and books)."""

    fix_unicode: bool = True  # ftfy: mojibake, stray HTML entities, control characters
    fix_ligatures: bool = True  # ﬁ → fi
    uncurl_quotes: bool = True  # ‘’“” → '"
    normalization: str = "NFC"  # or "NFKC", which also folds superscripts (m² → m2): usually not wanted
    max_blank_lines: int = 1  # empty lines kept in a row; paragraphs are separated by one empty line

    def __post_init__(self) -> None:
        if self.normalization not in _NORMALIZATIONS:
            raise ValueError(f"normalization must be one of {list(_NORMALIZATIONS)}, got {self.normalization!r}")
        if self.max_blank_lines < 0:
            raise ValueError(f"max_blank_lines must be 0 or more, got {self.max_blank_lines}")


DEFAULT_CLEAN = CleanConfig()
