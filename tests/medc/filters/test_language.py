import random

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from medc.filters import language
from medc.filters.language import identify_language, language_identifier, model_cache_folder
from medc.filters.language_scores import automaton_depth, widened

TEXTS = [
    "Aspirin irreversibly inhibits cyclooxygenase-1 in platelets and is widely used for secondary prevention.",
    "La aspirina inhibe de forma irreversible la ciclooxigenasa en las plaquetas de los pacientes.",
    "A prevalência de anomalias torácicas entre escolares de 11 a 14 anos de Manaus foi de 1,95%.",
    "ÜBERSICHT: Die Behandlung der Hypertonie",
    "12 34 5.6 ± 0.2 °C",
    "",
]


def test_the_cached_model_is_the_shipped_model(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDC_CACHE_DIR", str(tmp_path))
    language_identifier.cache_clear()
    try:
        first = language_identifier()  # py3langid's own loading; then the arrays are written to the cache
        assert model_cache_folder(MODEL_DIR / MODEL_FILE).parent == tmp_path
        assert len(list(tmp_path.iterdir())) == 1
        language_identifier.cache_clear()
        cached = language_identifier()  # reads the cache
        assert cached is not first and isinstance(cached, LanguageIdentifier)
        for text in TEXTS:
            assert cached.rank(text) == first.rank(text)
    finally:
        language_identifier.cache_clear()


def test_an_unusable_cache_falls_back_to_the_shipped_model(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MEDC_CACHE_DIR", str(blocker))  # nothing can be written under a file
    language_identifier.cache_clear()
    try:
        assert identify_language(TEXTS[1])[0] == "es"
    finally:
        language_identifier.cache_clear()


def test_the_sample_takes_four_windows():
    text = "".join(chr(ord("a") + i % 26) for i in range(10_000))
    sample = language.sample(text, 400)
    assert len(sample) == 4 * 100 + 3 and sample.startswith(text[:100]) and sample.endswith(text[-100:])


def test_vectorized_scores_are_py3langids_own():
    # `VectorIdentifier` walks the automaton at all positions at once and widens float16 rows with integer
    # operations; the languages and probabilities must be py3langid's, bit for bit, also for text without
    # any feature, a single byte, mixed scripts and random bytes.
    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ours = language_identifier()
    rng = random.Random(17)
    alphabet = "abcdefghijklmnopqrstuvwxyz      .,;éàüßøñçαβγδ日本語абв\n0123456789"
    texts = [
        *TEXTS,
        "a",
        "\n",
        *("".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 400))) for _ in range(60)),
    ]
    texts += [language.sample(" ".join(TEXTS) * 40, 1000)]
    for text in texts:
        assert ours.classify(text) == reference.classify(text), text
        assert ours.rank(text) == reference.rank(text), text


def test_half_precision_values_widen_exactly():
    half = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16)
    normal = half[((half & 0x7C00) != 0) & ((half & 0x7C00) != 0x7C00)]
    for bits in (half, normal):  # every pattern (specials go through numpy's cast), and the integer path
        assert np.array_equal(widened(bits).view(np.uint32), bits.view(np.float16).astype(np.float32).view(np.uint32))


def test_automaton_depth_is_the_longest_walk_from_the_root():
    # a toy automaton over bytes: root -a-> 1 -b-> 2, everything else back to the root
    rows = np.arange(3)
    nextmove = np.zeros(3 * 256, dtype=np.uint32)
    nextmove[0 * 256 + ord("a")], nextmove[1 * 256 + ord("b")] = 1, 2
    assert automaton_depth(nextmove, rows) == 2
