"""Quality filters for MedC-K: measure scores into `Document.quality`, then let thresholds decide.

    >>> steps = DocumentSteps(CleanConfig(), FilterConfig())
    >>> steps(Document(id="pmc:PMC1", source="papers", title="Erratum", origin="PMC1.xml", meta=PaperMeta(),
    ...                text="Erratum: in Table 2 the dose should read 10 mg."))
    Rejection(origin='PMC1.xml', reason='too_short', detail='10 words, fewer than min_words=50',
              record_id='pmc:PMC1')

Files: `config.py` (thresholds), `measures.py` (what is measured, in one walk over the words), `language.py`
(language identification), `steps.py` (`judge`, and `DocumentSteps`, the per-document step of a build).

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

from medc.filters.config import FilterConfig
from medc.filters.language import identify_language
from medc.filters.measures import STOPWORDS, count_letters, count_stopwords, measure_quality, repeated_line_ratio
from medc.filters.steps import DocumentSteps, judge

__all__ = [
    "STOPWORDS",
    "DocumentSteps",
    "FilterConfig",
    "count_letters",
    "count_stopwords",
    "identify_language",
    "judge",
    "measure_quality",
    "repeated_line_ratio",
]
