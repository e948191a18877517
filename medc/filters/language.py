"""Language identification on a sample of a document: py3langid (a naive Bayes model shipped inside the package,
nothing downloaded).

    >>> identify_language("La aspirina inhibe de forma irreversible la ciclooxigenasa en las plaquetas de los "
    ...                   "pacientes. " * 8)
    ('es', 0.7542)

The sample is up to `sample_chars` characters from `_WINDOWS` evenly spaced places (an abstract alone may be in
another language than the body; a reference list alone says little).
"""

from __future__ import annotations

import functools

_WINDOWS = 4  # places in the document the sample is taken from


def identify_language(text: str, sample_chars: int = 1000) -> tuple[str, float]:
    """(ISO 639-1 code, probability) of the language of a sample of `text`."""
    lang, score = language_identifier().classify(sample(text, sample_chars))
    return lang, round(float(score), 4)


@functools.cache
def language_identifier():  # -> py3langid.langid.LanguageIdentifier, loaded once per process
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def sample(text: str, size: int) -> str:
    """Up to `size` characters of `text`, from `_WINDOWS` evenly spaced places."""
    if len(text) <= size:
        return text
    width = size // _WINDOWS
    step = (len(text) - width) / (_WINDOWS - 1)
    return "\n".join(text[int(i * step) : int(i * step) + width] for i in range(_WINDOWS))
