"""What a decontamination check found: the evaluation item, how it was found, and the evidence."""

from __future__ import annotations

from dataclasses import dataclass

METHODS = ("pmid", "question", "ngram", "similar")


@dataclass(frozen=True)
class Hit:
    method: str  # one of METHODS
    item: str  # the evaluation item's id, `<benchmark>:...` ("pubmedqa:21645374", "medqa:test:7")
    evidence: str  # for people: "PMID 21645374", "0.94 of its 13-token windows", ...

    @property
    def benchmark(self) -> str:
        return self.item.split(":", 1)[0]

    def detail(self) -> str:
        """The rejection detail, e.g. `pubmedqa item pubmedqa:21645374, by pmid: the article's PMID is the
        item's`; `benchmark_of` and `method_of` read it back."""
        return f"{self.benchmark} item {self.item}, by {self.method}: {self.evidence}"


def benchmark_of(detail: str) -> str:
    """The benchmark of a `contaminated` rejection's detail written by `Hit.detail`."""
    first = detail.split(" ", 1)[0]
    return first if detail.startswith(f"{first} item ") else "unknown"


def method_of(detail: str) -> str:
    """The method of a `contaminated` rejection's detail written by `Hit.detail`."""
    start = detail.find(", by ")
    method = detail[start + 5 :].split(":", 1)[0] if start >= 0 else ""
    return method if method in METHODS else "unknown"
