"""What the books builder's tests and benchmark read: a small sample book with known text on each page, and a
large generated book of seeded filler prose. All text here is written for these tests.

    sample_book()      9 pages: title, copyright, contents, "1 The Heart" (3 pages: hyphenation, ligatures, callouts,
                       citations, a URL, a figure, a table, a section, references), "2 The Kidney" (two columns),
                       a scanned page, an index; outline entries Contents, 1 The Heart, 2 The Kidney, Index
    benchmark_book(n)  >= n pages: chapters alternating one and two columns, running headers and footers
"""

from __future__ import annotations

import random

from medc.demo.textbook_pdf import FixtureBook

_FILLER = (
    "the patient cardiac output renal function therapy clinical diagnosis treatment acute chronic tissue "
    "cell blood pressure increases decreases with during after before protein enzyme pathway glucose "
    "insulin hormone response membrane receptor artery vein lesion infection fever symptom dose risk"
)
WORDS = tuple(_FILLER.split())
LONG = (
    "pharma\xadco\xadki\xadnet\xadics",
    "hyper\xadten\xadsion",
    "glomer\xadu\xadlar",
    "myo\xadcar\xaddial",
    "anti\xadco\xadag\xadu\xadla\xadtion",
    "endo\xadthe\xadlial",
    "thrombo\xadcyto\xadpenia",
    "electro\xadcardio\xadgram",
    "well-known",
    "long-term",
)


def random_paragraph(rng: random.Random, sentences: int = 5) -> str:
    """Seeded filler prose for the benchmark, with long hyphenatable words sprinkled in."""
    out = []
    for _ in range(sentences):
        words = [rng.choice(LONG) if rng.random() < 0.15 else rng.choice(WORDS) for _ in range(rng.randint(9, 18))]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


def benchmark_book(pages: int = 300, seed: int = 7) -> bytes:
    """A book of at least `pages` pages: chapters alternating one and two columns, running headers, footers."""
    rng = random.Random(seed)
    book = FixtureBook("Principles of Clinical Medicine")
    chapter = 0
    while len(book.pages) < pages:
        chapter += 1
        paras = [random_paragraph(rng, rng.randint(3, 7)) for _ in range(45)]
        book.chapter(
            f"Chapter {chapter}: Topic {chapter}",
            paras,
            columns=2 if chapter % 2 else 1,
            sections={10: "Mechanisms", 25: "Clinical features"},
        )
    return book.to_bytes()


# -- the sample book the tests read ------------------------------------------------------------------------------
HEART_P1 = [
    "The heart is a muscular pump with four chambers. Its \ufb01bres contract in a well-",
    "known sequence that begins at the sinoatrial node (see Fig. 1.2) and spreads to the",
    "ventricles within a fraction of a second [3]. Drugs such as beta-",
    "blockers slow this sequence; the ef\ufb01cacy of each is judged in the exam-",
    "ple that follows. Lecture notes are kept at https://example.org/heart-notes for reference.",
]
HEART_P1_TEXT = (
    "The heart is a muscular pump with four chambers. Its fibres contract in a well-known sequence that begins "
    "at the sinoatrial node and spreads to the ventricles within a fraction of a second. Drugs such as "
    "beta-blockers slow this sequence; the efficacy of each is judged in the example that follows. Lecture notes "
    "are kept at for reference."
)
HEART_P2 = (
    "Heart rate rises with sympathetic tone and falls with vagal tone (Smith et al., 2001). Physicians "
    "prescribe beta-blockers after a myocardial infarction, and the effect on heart rate is seen within days "
    "(Table 1.1)."
)
HEART_P2_TEXT = (
    "Heart rate rises with sympathetic tone and falls with vagal tone. Physicians prescribe beta-blockers after a "
    "myocardial infarction, and the effect on heart rate is seen within days."
)
KIDNEY_LEFT = [
    "\tEach kidney holds about a million nephrons. The",
    "nephron filters plasma in the glomerulus and then",
    "reclaims water and salt along the tubule. The func-",
]
KIDNEY_RIGHT = [
    "tional reserve of the kidney is large, so that",
    "creatinine rises only after half of the nephrons",
    "are lost.",
    "\tUrine output falls when the blood pressure falls.",
]
KIDNEY_TEXT = (
    "Each kidney holds about a million nephrons. The nephron filters plasma in the glomerulus and then reclaims "
    "water and salt along the tubule. The functional reserve of the kidney is large, so that creatinine rises "
    "only after half of the nephrons are lost.\n\nUrine output falls when the blood pressure falls."
)
REFERENCES = [
    "1. Smith A, Jones B. Cardiac cycles in health. J Heart Stud. 2001;12:1-9.",
    "2. Lee C. Valve disease revisited. Heart Rev. 2003;4:5-6.",
]
INDEX = [
    f"{term}, {3 + i}, {10 + 2 * i}"
    for i, term in enumerate(
        [
            "aorta",
            "atrium",
            "beta-blockers",
            "creatinine",
            "glomerulus",
            "heart rate",
            "kidney",
            "nephron",
            "sinoatrial node",
            "stroke volume",
            "tubule",
            "urine output",
            "vagal tone",
            "valves",
            "ventricle",
        ]
    )
]


def sample_book(outline: bool = True) -> bytes:
    """Title and copyright pages, a contents page, a one-column chapter (hyphenation, ligatures, callouts,
    citations, a URL, a figure, a table, a section, references) long enough for running headers, a two-column
    chapter, a scanned page and an index."""
    rng = random.Random(3)
    book = FixtureBook("Clinical Notes")
    book.title_page()
    book.copyright_page()
    book.toc_page([("1 The Heart", 4), ("2 The Kidney", 7), ("Index", 9)])
    filler = [random_paragraph(rng, 6) for _ in range(16)]
    book.chapter(
        "1 The Heart",
        [HEART_P1, HEART_P2, *filler],
        sections={4: "Regulation"},
        figure_caption="Figure 1.2 The conduction system of the heart.",
        table=[["Drug", "Dose", "Route"], ["Aspirin", "75 mg", "Oral"], ["Heparin", "5000 units", "IV"]],
        references=REFERENCES,
    )
    book.columns_page([KIDNEY_LEFT, KIDNEY_RIGHT], heading="2 The Kidney")
    book.image_page()
    book.index_pages(INDEX)
    book.outline = [[1, "Contents", 3], *book.outline, [1, "Index", len(book.pages)]]
    return book.to_bytes(outline=outline)
