"""Decide on a document's measures (`judge`), and the per-document step of a build (`DocumentSteps`).

>>> steps = DocumentSteps(CleanConfig(), FilterConfig())
>>> steps(Document(id="pmc:PMC1", source="papers", title="Erratum", origin="PMC1.xml", meta=PaperMeta(),
...                text="Erratum: in Table 2 the dose should read 10 mg."))
Rejection(origin='PMC1.xml', reason='too_short', detail='10 words, fewer than min_words=50',
          record_id='pmc:PMC1')
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from medc.clean import CleanConfig, clean_text, clean_title
from medc.dedup.config import DedupConfig
from medc.dedup.keys import dedup_keys
from medc.filters.config import DEFAULT_FILTERS, FilterConfig
from medc.filters.measures import measure_quality
from medc.filters.words import LoweredText
from medc.records import Document, Quality, Rejection


def judge(quality: Quality, config: FilterConfig = DEFAULT_FILTERS) -> tuple[str, str] | None:
    """`(reason, detail)` of the first threshold `quality` fails, or None when the document is kept."""
    if quality.words < config.min_words:
        return "too_short", f"{quality.words} words, fewer than min_words={config.min_words}"
    if quality.alpha_ratio < config.min_alpha_ratio:
        return "low_alpha", (
            f"{quality.alpha_ratio:.0%} of non-space characters are letters, below "
            f"min_alpha_ratio={config.min_alpha_ratio}"
        )
    if quality.repeated_line_ratio > config.max_repeated_line_ratio:
        return "repeated_lines", (
            f"{quality.repeated_line_ratio:.0%} of the text is in repeated lines, above "
            f"max_repeated_line_ratio={config.max_repeated_line_ratio}"
        )
    # Before non_language: text in another script has no function words of the list, and is a language.
    if (
        config.languages
        and quality.language not in config.languages
        and (quality.language_score or 0.0) >= config.min_language_score
    ):
        return "wrong_language", (
            f"language {quality.language!r} (score {quality.language_score:.2f}) is not one of {list(config.languages)}"
        )
    if quality.stopword_ratio < config.min_stopword_ratio:
        return "non_language", (
            f"{quality.stopword_ratio:.1%} of words are function words, below "
            f"min_stopword_ratio={config.min_stopword_ratio}: not running text"
        )
    return None


@dataclass(frozen=True)
class DocumentSteps:
    """Clean, measure, filter and key one document; picklable, run inside the build's workers.

    `dedup` gives the shingling settings of the MinHash signature computed here; the finalizer recomputes a
    signature made with other settings, so passing the build's `DedupConfig` saves that work."""

    clean: CleanConfig = field(default_factory=CleanConfig)
    filters: FilterConfig = field(default_factory=FilterConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)

    def __call__(self, doc: Document) -> Document | Rejection:
        text = clean_text(doc.text, self.clean)
        lowered = LoweredText.of(text)  # for the word counts and the MinHash words alike
        quality = measure_quality(text, self.filters, lowered)
        verdict = judge(quality, self.filters)
        if verdict is not None:
            return Rejection(doc.origin, verdict[0], verdict[1], record_id=doc.id)
        text_hash, minhash = dedup_keys(text, self.dedup, lowered.data, lowered.source)
        return dataclasses.replace(
            doc,
            text=text,
            title=clean_title(doc.title, self.clean),
            quality=quality,
            _text_hash=text_hash,
            _minhash=minhash,
        )
