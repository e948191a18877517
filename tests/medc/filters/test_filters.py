import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medc.dedup import DedupConfig, MinHasher, text_hash
from medc.filters import (
    DocumentSteps,
    FilterConfig,
    count_letters,
    judge,
    measure_quality,
    repeated_line_ratio,
)
from medc.records import Document, PaperMeta, Quality, Rejection

PROSE = (
    "Aspirin irreversibly inhibits cyclooxygenase-1 in platelets and is widely used for the secondary "
    "prevention of cardiovascular disease. We conducted a randomized trial in 1,204 patients undergoing hip "
    "arthroplasty; the primary outcome was symptomatic venous thromboembolism within 90 days. "
)
GOOD = Quality(
    chars=1000,
    words=50,
    alpha_ratio=0.4,
    repeated_line_ratio=0.3,
    stopword_ratio=0.05,
    language="en",
    language_score=0.99,
)


def reason(**changes):
    verdict = judge(dataclasses.replace(GOOD, **changes))
    return verdict and verdict[0]


def test_thresholds_keep_their_boundary_values():
    assert judge(GOOD) is None


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"words": 49}, "too_short"),
        ({"alpha_ratio": 0.3999}, "low_alpha"),
        ({"repeated_line_ratio": 0.3001}, "repeated_lines"),
        ({"stopword_ratio": 0.0499}, "non_language"),
        ({"language": "es", "language_score": 0.5}, "wrong_language"),
        ({"language": "es", "language_score": 0.4999}, None),  # not sure enough to drop
        ({"words": 10, "alpha_ratio": 0.1}, "too_short"),  # the first failing rule is reported
    ],
)
def test_each_threshold_just_past_its_boundary(changes, expected):
    assert reason(**changes) == expected


def test_no_language_filter_when_no_languages():
    assert judge(dataclasses.replace(GOOD, language="es"), FilterConfig(languages=())) is None


def test_measures():
    q = measure_quality("The cat, of  dog\nabc 123\n", FilterConfig(languages=()))
    assert (q.chars, q.words) == (25, 6)
    assert q.alpha_ratio == round(14 / 18, 4)  # letters / non-space characters
    assert q.stopword_ratio == round(2 / 6, 4)  # "The," and "of"
    assert q.language is None  # not measured without languages
    text = "Running header\nfirst line of text\nRunning header\nsecond line\nRunning header\n\n"
    # 2 of the 3 headers repeat: 2*14 of 3*14 + 18 + 11 characters
    assert repeated_line_ratio(text) == round(28 / 71, 4)
    assert measure_quality("").alpha_ratio == 0.0


def test_latex_and_tables_of_prose_pass_the_defaults():
    latex = (
        r"Let $\hat\theta$ maximize $\ell(\theta) = \sum_{i=1}^{n} \log f_\theta(X_i)$; then "
        r"$\sqrt{n}(\hat\theta - \theta_0) \to \mathcal{N}(0, I^{-1})$ where $I$ is the Fisher information "
        "of the model. "
    ) * 4
    assert judge(measure_quality(latex)) is None


def test_language_is_identified_on_a_sample():
    spanish = "La aspirina inhibe de forma irreversible la ciclooxigenasa en las plaquetas de los pacientes. " * 8
    q = measure_quality(spanish)
    assert q.language == "es" and q.language_score >= 0.5
    assert judge(q)[0] == "wrong_language"
    assert measure_quality(PROSE * 40, FilterConfig(language_sample_chars=400)).language == "en"


def test_text_in_another_script_is_the_wrong_language_not_non_language():
    # stands for issue 15's Korean book, rejected `non_language` ("0% function words"): Hangul has none of the
    # listed function words, yet it is a language, and the language setting is what turns it away
    korean = "혈액 투석 환자에서 심혈관 질환은 가장 흔한 사망 원인이며 그 위험 인자에 대한 연구가 필요하다. " * 12
    q = measure_quality(korean)
    assert q.stopword_ratio == 0.0 and q.language == "ko"
    assert judge(q)[0] == "wrong_language"


def doc(text, title="  A  title\n"):
    return Document(
        id="pmc:PMC1",
        source="papers",
        title=title,
        text=text,
        origin="a.tar.gz::PMC1.xml",
        meta=PaperMeta(pmcid="PMC1"),
    )


def test_document_steps_clean_measure_and_key_a_kept_document():
    steps = DocumentSteps(filters=FilterConfig(languages=()))
    kept = steps(doc("\u00a0" + PROSE.replace("the", "the\u200b") * 2 + " ﬁnal  "))
    assert isinstance(kept, Document)
    assert kept.text == (PROSE * 2).strip() + " final" and kept.title == "A title"
    assert kept.quality.words == 77 and kept.quality.stopword_ratio > 0.2
    assert kept._text_hash == text_hash(kept.text)
    hasher = MinHasher(5, 128, 1)
    assert (hasher.from_bytes(kept._minhash) == hasher.signature(kept.text)).all()


def test_document_steps_reject_with_reason_and_record_id():
    rejected = DocumentSteps()(doc("Erratum: in Table 2 the dose should read 10 mg."))
    assert rejected == Rejection(
        "a.tar.gz::PMC1.xml", "too_short", "10 words, fewer than min_words=50", record_id="pmc:PMC1"
    )


def test_document_steps_key_with_the_given_dedup_settings():
    kept = DocumentSteps(filters=FilterConfig(languages=()), dedup=DedupConfig(num_perm=64, ngram=3))(doc(PROSE * 2))
    assert len(kept._minhash) == 8 + 4 * 64
    assert MinHasher(3, 64, 1).from_bytes(kept._minhash) is not None
    assert MinHasher(5, 64, 1).from_bytes(kept._minhash) is None  # other shingling: never compared


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_alpha_ratio": 1.5}, "min_alpha_ratio is a share"),
        ({"languages": ("English",)}, "ISO 639-1"),
        ({"min_words": -1}, "min_words must be"),
    ],
)
def test_filter_config_is_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        FilterConfig(**kwargs)


@given(st.text())
def test_letters_are_counted_like_str_isalpha(text):
    assert count_letters(text) == sum(c.isalpha() for c in text)
