from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from medc.filters import language
from medc.filters.language import identify_language, language_identifier, model_cache_folder

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
