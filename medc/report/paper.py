"""The reference numbers an evaluation report is shown beside: accuracy (%) on MedQA (USMLE, 4 options), MedMCQA
and PubMedQA as reported by the PMC-LLaMA paper.

    >>> PAPER_ROWS[-1]
    PaperRow(method='PMC-LLaMA', size='13B', medqa=56.36, medmcqa=56.04, pubmedqa=77.9)

Source: Wu, Lin, Zhang, Zhang, Xie, Wang, "PMC-LLaMA: Toward Building Open-source Language Models for Medicine",
JAMIA 2024 (doi:10.1093/jamia/ocae045; arXiv:2304.14454), the table comparing models on the three QA benchmarks
(Table 2 of the arXiv version); the authors' repository lists the same rows. They are the paper's numbers, not
rerun here; prompts and scoring (log-likelihood or a generated answer) differ between evaluations, so they are
a reference point, not a like-for-like comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

CITATION = (
    "Wu C, Lin W, Zhang X, Zhang Y, Xie W, Wang Y. PMC-LLaMA: Toward Building Open-source Language Models for "
    "Medicine. J Am Med Inform Assoc. 2024 (doi:10.1093/jamia/ocae045; arXiv:2304.14454), Table 2."
)
TASKS = (("medqa", "MedQA"), ("medmcqa", "MedMCQA"), ("pubmedqa", "PubMedQA"))


@dataclass(frozen=True, slots=True)
class PaperRow:
    method: str
    size: str
    medqa: float | None
    medmcqa: float | None
    pubmedqa: float | None

    def score(self, task: str) -> float | None:
        return getattr(self, task)


PAPER_ROWS = (
    PaperRow("Human (pass)", "-", 50.0, None, 60.0),
    PaperRow("Human (expert)", "-", 87.0, 90.0, 78.0),
    PaperRow("ChatGPT", "175B", 57.0, 44.7, 63.9),
    PaperRow("LLaMA-2", "13B", 42.73, 37.41, 68.0),
    PaperRow("LLaMA-2", "70B", 43.68, 35.02, 74.3),
    PaperRow("Med-Alpaca", "13B", 30.85, 31.13, 53.2),
    PaperRow("Chat-Doctor", "7B", 33.93, 31.10, 54.3),
    PaperRow("PMC-LLaMA", "13B", 56.36, 56.04, 77.9),
)
