"""A generated corpus of varied JATS articles for the PMC builder benchmark (original text, seeded, no downloads).

    >>> data = generate_article(random.Random(0), 0)    # bytes of one article, 20-150 kB, like real PMC files

Articles vary the way PMC files do: DOCTYPE (NLM 2.3, NLM 3.0, JATS 1.3) or the JATS 1.4 default namespace of
OAI/Cloud Service files; structured or plain abstracts; 3-9 sections, some nested; citations as `[n]`, ranges,
superscripts, author-year; figure/table callouts; lists, boxed text, tables, MathML and TeX formulas; back
matter with acknowledgements, competing interests, footnotes and a 15-90 entry reference list.
"""

from __future__ import annotations

import random
from xml.sax.saxutils import escape

_VOCABULARY = (
    "patients cohort renal hepatic serum plasma levels increased decreased significantly associated with the of "
    "and in a to was were treatment therapy outcome mortality infection inflammation cytokine expression protein "
    "receptor pathway signalling activation cells tissue biopsy clinical trial randomised controlled study "
    "analysis regression adjusted ratio interval confidence baseline follow-up months years age sex diabetes "
    "hypertension kidney liver lung cardiac vascular endothelial fibrosis injury acute chronic disease model mice "
    "rats in vitro in vivo dose response concentration measured observed compared between groups control healthy "
    "volunteers sample size power statistical median mean standard deviation range score index marker biomarker"
)
WORDS = tuple(_VOCABULARY.split())
DOCTYPES = (
    '<!DOCTYPE article PUBLIC "-//NLM//DTD Journal Archiving and Interchange DTD v2.3 20070202//EN" '
    '"archivearticle.dtd">',
    '<!DOCTYPE article PUBLIC "-//NLM//DTD Journal Archiving and Interchange DTD v3.0 20080202//EN" '
    '"archivearticle3.dtd">',
    '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD with MathML3 '
    'v1.3 20210610//EN" "JATS-archivearticle1-3-mathml3.dtd">',
)
NAMESPACES = 'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:mml="http://www.w3.org/1998/Math/MathML"'
SECTION_TITLES = (
    "Introduction",
    "Methods",
    "Results",
    "Discussion",
    "Conclusions",
    "Study design",
    "Patients",
    "Statistical analysis",
    "Limitations",
    "Background",
)


def generate_article(rng: random.Random, index: int) -> bytes:
    refs = rng.randint(15, 90)
    namespaced = rng.random() < 0.25
    parts = ['<?xml version="1.0" encoding="UTF-8"?>']
    if not namespaced:
        parts.append(rng.choice(DOCTYPES))
    default_ns = ' xmlns="https://jats.nlm.nih.gov/ns/archiving/1.4/"' if namespaced else ""
    parts.append(f'<article{default_ns} {NAMESPACES} article-type="research-article" xml:lang="en">')
    parts.append(_front(rng, index))
    parts.append(_body(rng, refs))
    parts.append(_back(rng, refs))
    parts.append("</article>")
    return "\n".join(parts).encode()


def _sentence(rng: random.Random, refs: int, citations: bool = True) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 24))]
    for _ in range(rng.randint(0, 2)):
        at = rng.randrange(len(words))
        tag = rng.choice(("italic", "bold", "sc"))
        words[at] = f"<{tag}>{words[at]}</{tag}>"
    if rng.random() < 0.05:
        words.append(f"10<sup>{rng.randint(2, 9)}</sup>")
    if rng.random() < 0.03:
        words.append(
            "<inline-formula><mml:math><mml:mi>p</mml:mi><mml:mo>&lt;</mml:mo><mml:mn>0.05</mml:mn>"
            "</mml:math></inline-formula>"
        )
    text = " ".join(words).capitalize()
    if citations and rng.random() < 0.35:
        text += " " + _citation(rng, refs)
    if rng.random() < 0.06:
        text += f' (<xref ref-type="fig" rid="f{rng.randint(1, 4)}">Fig. {rng.randint(1, 4)}</xref>)'
    return text + "."


def _xref(n: int) -> str:
    return f'<xref ref-type="bibr" rid="b{n}">{n}</xref>'


def _citation(rng: random.Random, refs: int) -> str:
    a = rng.randint(1, refs - 3)
    style = rng.random()
    if style < 0.4:
        return f"[{_xref(a)}]"
    if style < 0.6:
        return f"[{_xref(a)}&#x2013;{_xref(a + 3)}]"
    if style < 0.8:
        return f"({_xref(a)}, {_xref(a + 1)})"
    return f'(<xref ref-type="bibr" rid="b{a}">Author et al., {2000 + a % 20}</xref>)'


def _paragraph(rng: random.Random, refs: int) -> str:
    return "<p>" + " ".join(_sentence(rng, refs) for _ in range(rng.randint(3, 8))) + "</p>"


def _front(rng: random.Random, index: int) -> str:
    authors = "".join(
        f'<contrib contrib-type="author"><name><surname>{rng.choice(WORDS).capitalize()}</surname>'
        f'<given-names>{rng.choice("ABCDEFGHJK")}</given-names></name><xref ref-type="aff" rid="aff1">1</xref>'
        "</contrib>"
        for _ in range(rng.randint(2, 12))
    )
    if rng.random() < 0.5:
        abstract = "".join(
            f"<sec><title>{t}</title>{_paragraph(rng, 20)}</sec>"
            for t in ("Background", "Methods", "Results", "Conclusions")
        )
    else:
        abstract = _paragraph(rng, 20)
    title = escape(" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize())
    return (
        f'<front><journal-meta><journal-id journal-id-type="nlm-ta">J Gen Med</journal-id>'
        f"<journal-title-group><journal-title>Journal of General Medicine</journal-title></journal-title-group>"
        f'<issn pub-type="epub">1234-5678</issn></journal-meta><article-meta>'
        f'<article-id pub-id-type="pmc">{1000000 + index}</article-id>'
        f'<article-id pub-id-type="pmid">{30000000 + index}</article-id>'
        f'<article-id pub-id-type="doi">10.1000/jgm.{index}</article-id>'
        f"<article-categories><subj-group><subject>Research Article</subject></subj-group></article-categories>"
        f"<title-group><article-title>{title}</article-title></title-group>"
        f'<contrib-group>{authors}</contrib-group><aff id="aff1">Department of Medicine, Example University'
        f'</aff><pub-date pub-type="epub"><day>3</day><month>5</month><year>{2005 + index % 19}</year>'
        f'</pub-date><pub-date pub-type="collection"><year>{2005 + index % 19}</year></pub-date>'
        f"<volume>{index % 40}</volume><fpage>{index % 900}</fpage><permissions><license "
        f'xlink:href="http://creativecommons.org/licenses/by/4.0/"><license-p>This is an open access article.'
        f"</license-p></license></permissions><abstract>{abstract}</abstract><kwd-group><kwd>medicine</kwd>"
        f"</kwd-group></article-meta></front>"
    )


def _body(rng: random.Random, refs: int) -> str:
    sections = []
    for s in range(rng.randint(3, 9)):
        blocks = [_paragraph(rng, refs) for _ in range(rng.randint(2, 7))]
        if rng.random() < 0.3:
            items = "".join(
                f"<list-item><p>{_sentence(rng, refs, False)}</p></list-item>" for _ in range(rng.randint(2, 6))
            )
            blocks.append(f'<list list-type="{rng.choice(("bullet", "order"))}">{items}</list>')
        if rng.random() < 0.35:
            blocks.append(
                f'<fig id="f{s}"><label>Figure {s}</label><caption><title>{_sentence(rng, refs, False)}'
                f'</title><p>{_sentence(rng, refs, False)}</p></caption><graphic xlink:href="f{s}.jpg"/>'
                "</fig>"
            )
        if rng.random() < 0.3:
            blocks.append(_table(rng, s))
        if rng.random() < 0.15:
            blocks.append(
                '<disp-formula id="e1"><label>(1)</label><alternatives><tex-math id="t1">'
                "\\documentclass[12pt]{minimal}\\begin{document}$$y=\\beta_0+\\beta_1x$$\\end{document}"
                "</tex-math><mml:math><mml:mi>y</mml:mi></mml:math></alternatives></disp-formula>"
            )
        if rng.random() < 0.08:
            blocks.append(
                f"<boxed-text><caption><title>Key points</title></caption>{_paragraph(rng, refs)}</boxed-text>"
            )
        if rng.random() < 0.3:
            blocks.append(f"<sec><title>{rng.choice(SECTION_TITLES)}</title>{_paragraph(rng, refs)}</sec>")
        sections.append(f'<sec id="s{s}"><title>{rng.choice(SECTION_TITLES)}</title>{"".join(blocks)}</sec>')
    return "<body>" + "".join(sections) + "</body>"


def _table(rng: random.Random, s: int) -> str:
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{rng.randint(0, 999)}.{rng.randint(0, 9)}</td>" for _ in range(rng.randint(3, 7)))
        + "</tr>"
        for _ in range(rng.randint(4, 20))
    )
    return (
        f'<table-wrap id="t{s}"><label>Table {s}</label><caption><p>Baseline characteristics</p></caption>'
        f'<table frame="hsides"><thead><tr><th>Variable</th><th>Value</th></tr></thead><tbody>{rows}</tbody>'
        "</table><table-wrap-foot><fn><p>Values are mean.</p></fn></table-wrap-foot></table-wrap>"
    )


def _back(rng: random.Random, refs: int) -> str:
    references = "".join(
        f'<ref id="b{n}"><label>{n}</label><element-citation publication-type="journal"><person-group '
        f'person-group-type="author"><name><surname>{rng.choice(WORDS).capitalize()}</surname><given-names>A'
        f"</given-names></name><name><surname>{rng.choice(WORDS).capitalize()}</surname><given-names>B"
        f"</given-names></name></person-group><article-title>{_sentence(rng, refs, False)}</article-title>"
        f"<source>J Gen Med</source><year>{1990 + n % 30}</year><volume>{n}</volume><fpage>{n * 3}</fpage>"
        f'<pub-id pub-id-type="pmid">{20000000 + n}</pub-id></element-citation></ref>'
        for n in range(1, refs + 1)
    )
    return (
        f'<back><ack><p>{_sentence(rng, refs, False)}</p></ack><fn-group><fn fn-type="conflict"><p>The '
        f"authors declare no competing interests.</p></fn></fn-group><ref-list><title>References</title>"
        f"{references}</ref-list></back>"
    )
