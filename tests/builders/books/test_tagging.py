"""Tables and figure labels of the books builder (`tagging`): what is a table, how its rows come out, and the
look-alikes that are not tables (each fixture names the real page it stands for)."""

from __future__ import annotations

from builders.books.layout import Line, PageText, top_down
from builders.books.tagging import tag_page


def line(text: str, x0: float, y0: float, x1: float | None = None, size: float = 10.0, block: int = 0) -> Line:
    return Line(text, x0, y0, x1 if x1 is not None else x0 + 5 * len(text), y0 + size * 1.2, size, False, block)


def page(*lines: Line) -> PageText:
    return PageText(0, 600.0, 800.0, sorted(lines, key=top_down))


def rows(p: PageText) -> list[str]:
    return [ln.text for ln in p.lines if ln.kind == "table"]


def grid(table: list[list[str]], xs: tuple[float, ...], top: float, step: float = 14.0, block: int = 2) -> list[Line]:
    return [
        line(text, x, top + step * r, block=block + r)
        for r, cells in enumerate(table)
        for text, x in zip(cells, xs, strict=True)
        if text
    ]


def test_rows_of_cells_become_one_line_per_row_in_a_block_of_their_own():
    prose = line("Prose above the table that runs across.", 60, 100, 540)
    after = line("Prose below the table continues here.", 60, 180, 540, block=9)
    p = page(prose, *grid([["Drug", "Dose", "Route"], ["Aspirin", "75 mg", "Oral"]], (60, 240, 420), 130), after)
    tag_page(p, 10.0)
    assert rows(p) == ["Drug | Dose | Route", "Aspirin | 75 mg | Oral"]
    assert len({ln.block for ln in p.lines if ln.kind == "table"}) == 1
    assert [ln.kind for ln in p.lines if "Prose" in ln.text] == ["", ""]


def test_a_wrapped_cell_joins_its_row_and_an_empty_cell_keeps_its_place():
    # stands for devcorpus pdf/olmocr_bmb2015 Table 3: "ENT | Hearing test (diagnosis) ENT referral if
    # appropriate | Hearing test", its second column wrapping onto a line of its own
    cells = grid([["System", "At diagnosis", "Yearly"], ["ENT", "Hearing test", "Hearing test"]], (60, 200, 400), 130)
    wrapped = line("ENT referral if appro-", 200, 156, block=3)
    more = line("priate", 200, 168, block=3)
    empty = grid([["Renal", "", "Urine culture"], ["Liver", "Liver function", "Liver function"]], (60, 200, 400), 186)
    p = page(*cells, wrapped, more, *empty)
    tag_page(p, 10.0, join=lambda parts: " ".join(parts).replace("- ", ""))
    assert rows(p) == [
        "System | At diagnosis | Yearly",
        "ENT | Hearing test ENT referral if appropriate | Hearing test",
        "Renal |  | Urine culture",
        "Liver | Liver function | Liver function",
    ]


def test_a_justified_line_cut_at_its_wide_spaces_is_no_row():
    # stands for devcorpus pdf/entityfishing_PMC1636350_nar2006 p. 1: MuPDF gave each word of "probabilistic
    # consistency. MUMMALS improves" a line of its own, 11 points apart, and the next line's words happen to line up
    words = [("probabilistic", 41, 100), ("consistency.", 111, 171), ("MUMMALS", 182, 234), ("improves", 245, 289)]
    more = [("alignment", 41, 88), ("quality", 97, 129), ("using", 158, 185), ("pairwise", 193, 233)]
    p = page(*[line(t, a, 293, b, block=1) for t, a, b in words], *[line(t, a, 305, b, block=1) for t, a, b in more])
    tag_page(p, 9.0)
    assert rows(p) == [] and all(ln.kind == "" for ln in p.lines)


def test_three_columns_of_running_text_are_no_table():
    # stands for devcorpus pdf/pdf2md_tragedy_of_the_commons p. 6: three magazine columns, a paragraph's short
    # last line level with two full lines
    lines = [
        line(text, x, 100 + 12 * r, x + 170, block=c)
        for r in range(4)
        for c, (x, text) in enumerate(
            [
                (40, "would also have to be abandoned. Re-"),
                (215, "other goals. I believe it was Hegel who"),
                (390, 'said, "Freedom is the recognition" of' if r else "(1966)."),
            ]
        )
    ]
    p = page(*lines)
    tag_page(p, 10.0)
    assert rows(p) == []


def test_tick_labels_of_a_chart_are_no_table_and_a_caption_beside_a_table_stays_out():
    # stands for devcorpus pdf/entityfishing_PMC2649809_mcp FIG. 3: axis numbers in rows, the caption at the side
    ticks = grid([["-1.5", "-0.5", "0.5", "1.5"], ["-2", "0", "2", "4"]], (60, 110, 160, 210), 100)
    p = page(*ticks)
    tag_page(p, 10.0)
    assert rows(p) == []
    table = grid(
        [["Lab", "Method", "Pooled"], ["Lab 1", "DIGE", "No"], ["Lab 2", "Label-free", "No"]], (60, 140, 220), 300
    )
    caption = [
        line("FIG. 3. Correlations of", 300, 300, 420, block=20),
        line("protein ratios", 300, 314, 400, block=20),
    ]
    p = page(*table, *caption)
    tag_page(p, 10.0)
    assert rows(p) == ["Lab | Method | Pooled", "Lab 1 | DIGE | No", "Lab 2 | Label-free | No"]
    assert [ln.text for ln in p.lines if ln.block == 20] == ["FIG. 3. Correlations of", "protein ratios"]


def test_labels_on_a_figure_image_go_but_headings_bullets_and_stray_lines_on_a_picture_stay():
    # stands for devcorpus pdf/olmocr_braz_j_microbiol p. 3: "Healthy cell", "Death cell", "Nuc" drawn on a
    # figure; and pdf/niddk_eating_and_diabetes: "Milk" (18 pt), "• measuring cups" and the end of a sentence,
    # "by learning", on food photos
    labels = [line(t, 100, 200 + 20 * i, 160, block=1 + i) for i, t in enumerate(["Healthy cell", "Death cell", "Nuc"])]
    small = line("Left atrium", 400, 500, 450, size=7.0, block=9)
    asked = []

    def boxes() -> list[tuple[float, float, float, float]]:
        asked.append(True)
        return [(80.0, 180.0, 300.0, 320.0)]

    p = page(*labels, small)
    tag_page(p, 10.0, boxes)
    assert [ln.kind for ln in p.lines] == ["figure"] * 4
    photo = [
        line("Milk", 100, 200, 130, size=18.0, block=1),
        line("• measuring cups", 100, 240, 190, block=2),
        line("by learning", 100, 280, 160, block=3),
    ]
    p = page(*photo)
    tag_page(p, 10.0, boxes)
    assert [ln.kind for ln in p.lines] == ["", "", ""] and len(asked) == 1  # fewer than three labels: not asked
