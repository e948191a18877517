"""The fast cleaner gives, character for character, what the line-by-line recipe (`reference.py`) gives."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medc.clean import CleanConfig, clean_text
from medc.clean.clues import mojibake_clues
from tests.medc.clean.reference import reference_clean_text

_SINGLES, _FIRSTS, _SECONDS = (sorted(chars) for chars in mojibake_clues())
# Pieces that exercise every path: mojibake and its clues, entities (also one that only appears after NFC:
# U+037E GREEK QUESTION MARK normalizes to ";"), C1 controls, combining marks, ligatures (Ǆ yields the clue Ž),
# quotes, layout characters, NFKC-only foldings (ℎ, ¼, …, ¨ → space + combining mark), line breaks, indentation.
PIECES = st.one_of(
    st.sampled_from(
        [
            *"aeE ,.\n\t&;#'\"",
            *"Ã©€™â\u00a0\u200bﬁﬂǄŉ“”’‘\u0301\u0303\x85\x81\x07Ａ\u2028\u3000Ñ°±µ×²¼…ℎ¨\u037eαβΓ",
            "&amp;",
            "&amp\u037e",
            "&#x2019;",
            "&#8203;",
            "Â\xa0",
            "â€™",
            "Ã‘",
            "\ud800",
            "\x1b[31m",
            "e\u0301",
            "A\u0303",
            "  ",
            "\n\n\n",
            "\r\n",
            "\n   ",
        ]
    ),
    st.sampled_from(_SINGLES + _FIRSTS + _SECONDS),
)
TRICKY = st.lists(PIECES, max_size=60).map("".join)
CONFIGS = st.builds(
    CleanConfig,
    fix_unicode=st.booleans(),
    fix_ligatures=st.booleans(),
    uncurl_quotes=st.booleans(),
    normalization=st.sampled_from(["NFC", "NFKC"]),
    max_blank_lines=st.integers(0, 2),
)


@settings(max_examples=3 * settings.default.max_examples, suppress_health_check=list(HealthCheck))
@given(st.one_of(TRICKY, st.text(max_size=120)), CONFIGS)
def test_same_as_the_line_by_line_recipe(text, config):
    assert clean_text(text, config) == reference_clean_text(text, config)


@pytest.mark.parametrize(
    "text",
    [
        # stands for devcorpus jats/scielo_rsp_47-02-0231: Portuguese with accents, en dashes, degree signs
        "A prevalência foi de 1,95% (IC95%: 1,30–2,89), a 37 °C e pH 7,4 ± 0,2; “média” de 12 µm².\n",
        # stands for devcorpus pdf/kaobook_documentation_margin_notes: math italic letters, NFKC folds them
        "  ℎ Planck constant\n   𝑐 speed of light\n\n\n\nﬁnal ﬂow — the end…  \n",
        # mojibake on one line among clean ones; an entity; a line that repairs empty the first line
        "&#8203;\n   cafÃ© au lait\nTNF–α and IL‑1β, ×² 3\nR&amp;D costs\n",
        # a C1 control (Windows-1252 read as Latin-1) and a line made of invisible characters only
        "\u200b\u00ad\nIt\x92s a \x93quote\x94 \x85 and more",
        "",
        "\n\n  \n",
    ],
)
def test_authored_texts(text):
    for config in (CleanConfig(), CleanConfig(normalization="NFKC"), CleanConfig(fix_unicode=False)):
        assert clean_text(text, config) == reference_clean_text(text, config)
