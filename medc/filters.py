"""Quality filters for MedC-K: measure scores into `Document.quality`, then let thresholds decide.

    >>> steps = DocumentSteps(CleanConfig(), FilterConfig())
    >>> steps(Document(id="pmc:PMC1", source="papers", title="Erratum", origin="PMC1.xml", meta=PaperMeta(),
    ...                text="Erratum: in Table 2 the dose should read 10 mg."))
    Rejection(origin='PMC1.xml', reason='too_short', detail='10 words, fewer than min_words=50',
              record_id='pmc:PMC1')

`DocumentSteps` is the per-document step the build runs in its workers right after parsing: clean text and
title (`medc.clean`), measure, decide, and compute the dedup keys the finalizer needs (`medc.dedup`). A
measure is kept on every document that passes, so a stricter threshold can be applied later from the Parquet
files without re-parsing.

The defaults suit scientific and textbook text. There is deliberately no rule against `{`, `\\`, short lines or
few terminal periods (web-text filters have them): LaTeX, tables, lists and formulas are normal here.

| reason           | measure               | default        | catches                                          |
|------------------|-----------------------|----------------|--------------------------------------------------|
| `too_short`      | `words`               | < 50           | title pages, empty chapters, abstracts-only stubs |
| `low_alpha`      | `alpha_ratio`         | < 0.4          | tables of numbers, sequence dumps, OCR noise      |
| `repeated_lines` | `repeated_line_ratio` | > 0.3          | running headers on every page, template pages     |
| `non_language`   | `stopword_ratio`      | < 0.05         | keyword lists, tables of words, formula dumps     |
| `wrong_language` | `language`            | not in ("en",) | articles in other languages (if confident)        |

- `alpha_ratio`: letters / non-space characters. English prose is about 0.85, LaTeX-heavy text 0.7, a
  methods paragraph dense with units and numbers 0.5, a table of numbers 0.1-0.35.
- `repeated_line_ratio`: characters in non-empty lines that repeat an earlier line of the document, over all
  characters in non-empty lines (Gopher's duplicate-line measure, counted in characters so that short repeated
  table cells weigh little).
- `stopword_ratio`: share of words that are common function words (the, of, and, de, la, der, ...) of the main
  Latin-script languages of PubMed Central. Running text in any of them scores 0.2-0.5 (formulas and
  numbers lower it to about 0.1), a reference list 0.1-0.2, a keyword list or a table near 0. Text in other
  scripts scores 0 here: set `min_stopword_ratio = 0` to build such a corpus.
- `language`: py3langid (a naive Bayes model shipped inside the package, nothing downloaded) on a sample of up
  to `language_sample_chars` characters taken from four places in the document. A document is dropped as
  `wrong_language` only when the model is at least `min_language_score` sure of a language not in
  `languages`; an empty `languages` turns language identification off.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import string
from collections import Counter
from dataclasses import dataclass, field

from medc.clean import CleanConfig, clean_text, clean_title
from medc.dedup.config import DedupConfig
from medc.dedup.keys import dedup_keys
from medc.records import Document, Quality, Rejection

_WINDOWS = 4  # places in the document the language sample is taken from
_ASCII_LETTERS = string.ascii_letters.encode()
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_PUNCTUATION = string.punctuation + "“”‘’«»–—…"

# Function words of the languages most common in PubMed Central (en, es, pt, fr, de, it).
_STOPWORD_TEXT = """
a about after all also an and are as at be been before between both but by can could did do does during each
for from had has have he her his how if in into is it its may more most no not of on or other our she should
so some such than that the their them then there these they this those through to under up was we were what
when where which while who will with within without would you
al con de del el en es la las lo los para por que se su un una y
ao às com da das do dos em na nas no nos os ou pelo pela uma é
au aux ce dans des du est et il les leur mais ont par pas plus pour qui sont sur une été
auf aus bei das dem den der des die ein eine einer für im ist mit nicht oder sich sind und von wird wurde zu
che di gli il nel nella non per più sono
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class FilterConfig:
    """Thresholds of the quality filters (see the module docstring for what each measure means)."""

    min_words: int = 50
    min_alpha_ratio: float = 0.4
    max_repeated_line_ratio: float = 0.3
    min_stopword_ratio: float = 0.05
    languages: tuple[str, ...] = ("en",)  # ISO 639-1 codes kept; empty: no language identification
    min_language_score: float = 0.5  # drop another language only when the model is at least this sure
    language_sample_chars: int = 1000  # py3langid walks the bytes in Python: about 1 ms per 1000 characters

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


def measure_quality(text: str, config: FilterConfig = FilterConfig()) -> Quality:
    """Every score the filters use, measured on (cleaned) `text`."""
    words = text.split()
    nonspace = sum(map(len, words))
    letters = count_letters(text)
    quality = Quality(
        chars=len(text),
        words=len(words),
        alpha_ratio=_share(letters, nonspace),
        repeated_line_ratio=repeated_line_ratio(text),
        stopword_ratio=_share(count_stopwords(text), len(words)),
    )
    if config.languages and words:
        quality.language, quality.language_score = identify_language(text, config.language_sample_chars)
    return quality


def judge(quality: Quality, config: FilterConfig = FilterConfig()) -> tuple[str, str] | None:
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
        quality = measure_quality(text, self.filters)
        verdict = judge(quality, self.filters)
        if verdict is not None:
            return Rejection(doc.origin, verdict[0], verdict[1], record_id=doc.id)
        text_hash, minhash = dedup_keys(text, self.dedup)
        return dataclasses.replace(
            doc,
            text=text,
            title=clean_title(doc.title, self.clean),
            quality=quality,
            _text_hash=text_hash,
            _minhash=minhash,
        )


def repeated_line_ratio(text: str) -> float:
    """Characters in non-empty lines that repeat an earlier line, over characters in all non-empty lines."""
    counts = Counter(line.strip() for line in text.split("\n"))
    counts.pop("", None)
    total = sum(len(line) * n for line, n in counts.items())
    repeated = sum(len(line) * (n - 1) for line, n in counts.items())
    return _share(repeated, total)


def count_stopwords(text: str) -> int:
    """Words of `text` that are function words once lowercased and stripped of surrounding punctuation."""
    counts = Counter(text.lower().split())  # each distinct word is then looked at once
    return sum(n for word, n in counts.items() if word.strip(_PUNCTUATION) in STOPWORDS)


def count_letters(text: str) -> int:
    """Alphabetic characters in `text`: ASCII ones counted at C speed, the few others one by one."""
    data = text.encode("utf-8", "surrogatepass")
    ascii_letters = len(data) - len(data.translate(None, _ASCII_LETTERS))
    return ascii_letters + sum(c.isalpha() for c in _NON_ASCII.findall(text))


def identify_language(text: str, sample_chars: int = 1000) -> tuple[str, float]:
    """(ISO 639-1 code, probability) of the language of a sample of `text`."""
    lang, score = _language_identifier().classify(_sample(text, sample_chars))
    return lang, round(float(score), 4)


@functools.cache
def _language_identifier():  # -> py3langid.langid.LanguageIdentifier, loaded once per process (~0.7 s)
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _sample(text: str, size: int) -> str:
    """Up to `size` characters from `_WINDOWS` evenly spaced places (an abstract alone may be in another
    language than the body; a reference list alone says little)."""
    if len(text) <= size:
        return text
    width = size // _WINDOWS
    step = (len(text) - width) / (_WINDOWS - 1)
    return "\n".join(text[int(i * step) : int(i * step) + width] for i in range(_WINDOWS))


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0
