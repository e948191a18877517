"""Formulas as text: TeX cleaned of PMC's document wrapper, MathML converted, nothing ever failing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from builders.pmc import PmcOptions, parse
from builders.pmc.formulas import clean_tex, mathml_text, wrap
from medc.sources import WorkUnit

MML = 'xmlns="http://www.w3.org/1998/Math/MathML"'


def mathml(inner: str) -> str:
    return mathml_text(etree.fromstring(f"<math {MML}>{inner}</math>"))


@pytest.mark.parametrize(
    ("raw", "tex"),
    [
        ("\\documentclass[12pt]{minimal}\n\\usepackage{amsmath}\n\\begin{document}$$a+b$$\n\\end{document}", "a+b"),
        ("$x_i$", "x_i"),
        ("\\[ \\int_0^1 f \\]", "\\int_0^1 f"),
        ("\\usepackage{amssymb} \\alpha  =\n 1", "\\alpha = 1"),
    ],
)
def test_clean_tex(raw: str, tex: str) -> None:
    assert clean_tex(raw) == tex


@pytest.mark.parametrize(
    ("inner", "text"),
    [
        ("<mi>p</mi><mo>&lt;</mo><mn>0.001</mn>", "p < 0.001"),
        ("<msub><mi>x</mi><mi>i</mi></msub>", "x_i"),
        ("<msubsup><mi>x</mi><mn>0</mn><mn>2</mn></msubsup>", "x_0^2"),
        ("<msup><mi>x</mi><mrow><mi>n</mi><mo>+</mo><mn>1</mn></mrow></msup>", "x^{n + 1}"),
        ("<mfrac><mi>a</mi><mi>b</mi></mfrac>", "\\frac{a}{b}"),
        ("<mroot><mi>x</mi><mn>3</mn></mroot>", "\\sqrt[3]{x}"),
        ("<mover><mi>v</mi><mo>&#x2192;</mo></mover>", "\\vec{v}"),
        ("<munder><mo>lim</mo><mrow><mi>n</mi><mo>&#x2192;</mo><mi>&#x221e;</mi></mrow></munder>", "\\lim_{n → ∞}"),
        ("<mfenced open='[' close=']'><mi>a</mi><mi>b</mi></mfenced>", "[a,b]"),
        ("<mi>sin</mi><mo>&#x2061;</mo><mi>&#x3b8;</mi>", "\\sin θ"),
        ("<mn>2</mn><mo>&#x2062;</mo><mi>x</mi>", "2x"),
        ("<mtext>dose </mtext><mo>=</mo><mn>5</mn>", "dose = 5"),
        ("<mglyph/><unknown><mi>q</mi></unknown>", "q"),  # unknown elements give their children's text
        ("<mo>&#x2212;</mo><mi>k</mi><mi>t</mi>", "−kt"),  # a leading sign stays on its operand
        # devcorpus jats/f1000research_jats1.2_tables_mathml.xml: a mean written with < and >, not "<X_i>"
        ("<mo>&lt;</mo><msub><mi>X</mi><mi>i</mi></msub><mo>&gt;</mo><mo>=</mo><mi>p</mi>", "< X_i > = p"),
    ],
)
def test_mathml_text(inner: str, text: str) -> None:
    assert mathml(inner) == text


def test_wrap_marks_tex_and_leaves_plain_text() -> None:
    assert wrap("x^2", display=False, tex=False) == "$x^2$"
    assert wrap("p < 0.05", display=False, tex=False) == "p < 0.05"
    assert wrap("a = b", display=True, tex=True) == "$$a = b$$"


_ELEMENTS = st.sampled_from(
    [
        "mrow",
        "msup",
        "msub",
        "mfrac",
        "msqrt",
        "mover",
        "munderover",
        "mtable",
        "mtr",
        "mtd",
        "mfenced",
        "semantics",
        "mstyle",
        "menclose",
        "mmultiscripts",
        "mi",
        "mn",
        "mo",
    ]
)


@st.composite
def _trees(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(_ELEMENTS)
    if depth > 4 or tag in ("mi", "mn", "mo"):
        return f"<{tag}>{draw(st.sampled_from(['x', '1', '+', '', 'ab']))}</{tag}>"
    children = draw(st.lists(_trees(depth + 1), max_size=3))
    return f"<{tag}>{''.join(children)}</{tag}>"


@given(_trees())
def test_any_mathml_tree_converts_without_error(inner: str) -> None:
    text = mathml(inner)
    assert isinstance(text, str) and "  " not in text


def test_plain_text_formula_and_tex_only_display_formula() -> None:
    # Older articles put plain text in <inline-formula>; some put a bare <tex-math> in <disp-formula>.
    data = (
        b'<article><front><article-meta><article-id pub-id-type="pmc">7</article-id></article-meta></front><body>'
        b"<p>Significant at <inline-formula><italic>P</italic> &lt; 0.05</inline-formula> in both arms.</p>"
        b"<disp-formula><label>(2)</label><tex-math>$$\\chi^2 = 4.1$$</tex-math></disp-formula></body></article>"
    )
    (doc,) = parse(WorkUnit("PMC7.xml", data), PmcOptions())
    assert doc.text == "Significant at P < 0.05 in both arms.\n\n$$\\chi^2 = 4.1$$"  # type: ignore[union-attr]
