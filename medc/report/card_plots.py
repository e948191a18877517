"""The build's main plots as PNG files beside its dataset card (the Hub renders images a card links to).

    >>> write_card_plots(Path("out/medc-k"), read_build("out/medc-k"))
    [('Records per source', 'plots/records.png'), ('Record length', 'plots/lengths.png'),
     ('Rejections by reason', 'plots/rejections.png')]

The card section (`medc.publish.sections.plots`) links each file by its relative path, so `medc push` uploads
them with the card. The same functions draw them as the HTML report; a PNG is byte-identical when its data is,
so a re-push skips unchanged plots. Plots this build no longer draws are deleted, so none goes stale.
"""

from __future__ import annotations

import os
from pathlib import Path

from medc.publish.facts import BuildFacts
from medc.report import plots
from medc.report.build_extras import mix_sections, removed_section
from medc.report.build_page import lengths_section, records_section
from medc.report.corpus import corpus_stats
from medc.report.page import Figure, Section

PLOTS_DIR = "plots"
CARD_PLOTS = ("records", "lengths", "rejections", "mix", "decontamination", "removed_per_rule")


def card_plots(root: Path, build: BuildFacts) -> list[plots.Plot]:
    stats = corpus_stats(root, build)
    sections: list[Section | None] = [records_section(build, stats), lengths_section(stats)]
    rejections = build.manifest.get("rejections")
    if isinstance(rejections, dict) and rejections:
        counts = {str(k): v for k, v in rejections.items() if isinstance(v, int)}
        sections.append(
            Section("", [Figure(plots.bars("rejections", "Rejections by reason", counts, xlabel="records"))])
        )
    sections += [*mix_sections(build), removed_section(build, stats)]
    figures = [b.plot for s in sections if s is not None for b in s.blocks if isinstance(b, Figure)]
    return [p for p in figures if p.name in CARD_PLOTS]


def write_card_plots(root: Path, build: BuildFacts) -> list[tuple[str, str]]:
    """Write the card's plots under `root/plots/`; returns (title, path relative to root) of each."""
    drawn = card_plots(root, build)
    directory = root / PLOTS_DIR
    directory.mkdir(exist_ok=True)
    written = []
    for plot in drawn:
        path = directory / f"{plot.name}.png"
        if not path.is_file() or path.read_bytes() != plot.png:
            temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            temp.write_bytes(plot.png)
            temp.replace(path)
        written.append((plot.title, f"{PLOTS_DIR}/{path.name}"))
    for name in set(CARD_PLOTS) - {p.name for p in drawn}:
        (directory / f"{name}.png").unlink(missing_ok=True)
    if not any(directory.iterdir()):
        directory.rmdir()
    return written
