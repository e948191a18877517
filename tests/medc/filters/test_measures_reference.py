"""`measure_quality` (one lowercase, one split, C iterators) gives the numbers of the plain definitions."""

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from medc.filters import STOPWORDS, FilterConfig, measure_quality
from medc.records import Quality

_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’«»–—…"
# Words and separators that probe each measure: function words with punctuation around them, case (İ and the
# Kelvin sign change length or script when lowercased), letters and not-letters, every kind of whitespace,
# repeated lines.
PIECES = st.sampled_from(
    [
        *[
            "THE",
            "the",
            "The",
            "of,",
            "(and)",
            "e.g.",
            "it's",
            "à",
            "À",
            "às",
            "ÀS",
            "für",
            "FÜR",
            "più",
            "é",
            "É",
            "İ",
            "K",
            "ß",
            "123",
            "4.5",
            "α",
            "β",
            "∑",
            "°",
            "±",
        ],
        "the,",
        "“the”",
        "…of…",
        "Running header\n",
        *" \n\t\u00a0\u2009\u3000\x85\u2028\x0b\x1c",
    ]
)
TEXTS = st.one_of(st.lists(PIECES, max_size=80).map(" ".join), st.lists(PIECES, max_size=80).map("".join), st.text())


def reference_measure_quality(text: str) -> Quality:
    words = text.split()
    lines = Counter(line.strip() for line in text.split("\n"))
    lines.pop("", None)
    total = sum(len(line) * n for line, n in lines.items())
    repeated = sum(len(line) * (n - 1) for line, n in lines.items())
    stop = sum(1 for word in text.lower().split() if word.strip(_PUNCTUATION) in STOPWORDS)

    def share(part: int, whole: int) -> float:
        return round(part / whole, 4) if whole else 0.0

    return Quality(
        chars=len(text),
        words=len(words),
        alpha_ratio=share(sum(c.isalpha() for c in text), sum(map(len, words))),
        repeated_line_ratio=share(repeated, total),
        stopword_ratio=share(stop, len(words)),
    )


@given(TEXTS)
def test_measures_are_the_plain_definitions(text):
    assert measure_quality(text, FilterConfig(languages=())) == reference_measure_quality(text)
