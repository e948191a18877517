"""The one normal form every decontamination comparison uses: lower-case alphanumeric tokens, whitespace and line
breaks ignored, British spellings folded onto American ones.

    >>> tokens("Which is a feature of a\\nLeukaemoid reaction?")
    ['which', 'is', 'a', 'feature', 'of', 'a', 'leukemoid', 'reaction']
    >>> tokens("Oedema of the foetus (haemoglobin 7 g/dL)")
    ['edema', 'of', 'the', 'fetus', 'hemoglobin', '7', 'g', 'dl']

The spelling folds (ae/oe → e, -our → -or, -ise → -ize, -tre → -ter, sulph → sulf, ...) are applied to both sides
of every comparison, so a fold that merges two unrelated words (four/for) costs nothing: it can only make two
texts that already share long runs of words look alike.
"""

from __future__ import annotations

import re
import unicodedata

from medc.filters import STOPWORDS

# Lower-cases ASCII letters, keeps digits, turns everything else (line breaks included) into a space. Applied to
# UTF-8 bytes (after NFKC for non-ASCII text), it tokenizes several times faster than a regex.
_ASCII_WORDS = bytes(c + 32 if 65 <= c <= 90 else c if (48 <= c <= 57 or 97 <= c <= 122) else 32 for c in range(256))

# British → American medical spellings, in one pass over the lower-cased text: anaemia, leukaemoid, oedema,
# foetus (ae/oe → e); sulphate; tumour, colour (-our); organise, analyse (-ise/-yse); centre, fibre (-re);
# analogue (-ogue); labelled, travelling (-ll-).
_FOLD = re.compile(
    r"ae|oe|sulph|(?<=[a-z])our(?=s?\b)|(?<=[a-z])[iy]s(?:e|ed|es|ing|ation|ations)\b|(?<=[a-z])[bt]re(?=s?\b)|ogue\b"
    r"|(?<=[aeiou])ll(?:ed|ing|er)\b"
)
_FIXED = {"ae": "e", "oe": "e", "sulph": "sulf", "our": "or", "ogue": "og"}


def _fold(match: re.Match[str]) -> str:
    found = match.group(0)
    if found in _FIXED:
        return _FIXED[found]
    if found.startswith("ll"):
        return "l" + found[2:]
    if len(found) == 3 and found.endswith("re"):
        return found[0] + "er"
    return found[0] + "z" + found[2:]  # [iy]s... → [iy]z...


# Words that say how an exam question is asked rather than what it is about: with the function words, they do
# not make a question specific ("Which of the following is true" is every other MedMCQA question).
_STEM_TEXT = """
following true false except correct incorrect statement statements feature features seen common commonly likely
least best usually all none given regarding associated characteristic characteristics most option options answer
answers question questions choose select which what type types case cases patient patients found called known used
use
"""
STEM_WORDS = frozenset(_STEM_TEXT.split())
LABEL_WORDS = frozenset({"question", "questions", "option", "options", "answer", "choices", "context"})


def canonical(text: str) -> str:
    """`text` lower-cased, with every run of non-alphanumeric characters a single space, spellings folded."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    folded = text.encode("utf-8", "surrogatepass").translate(_ASCII_WORDS).decode("ascii")
    return _FOLD.sub(_fold, folded)


def tokens(text: str) -> list[str]:
    return canonical(text).split()


def normalize(text: str) -> str:
    """The tokens of `text` joined by single spaces: equal for texts that differ in case, spacing, line breaks,
    punctuation or British/American spelling."""
    return " ".join(tokens(text))


def content_words(words: list[str]) -> int:
    """How many of `words` say what a question is about (not function words, not exam-stem words, 3+ letters)."""
    return sum(1 for w in words if len(w) >= 3 and w not in STOPWORDS and w not in STEM_WORDS and not w.isdigit())


def similarity_words(words: list[str]) -> list[str]:
    """The words of `words` that say what a text is about: no function words, exam-stem words, option letters or
    layout labels (`A.`, `###Options:`), which a record adds and an evaluation item lacks. Numbers stay: "two
    weeks" and "six months" are different answers."""
    return [
        w
        for w in words
        if (len(w) > 1 or w.isdigit()) and w not in STOPWORDS and w not in STEM_WORDS and w not in LABEL_WORDS
    ]
