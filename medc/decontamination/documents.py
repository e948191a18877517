"""MedC-K decontamination: remove documents that carry an evaluation item, in the build's workers, before dedup.

    >>> step = DocumentDecontamination(DocumentIndex(load_eval_set(["pubmedqa/data/"]).items))
    >>> step(Document(id="pmc:PMC3120000", origin="oa_comm.tar.gz::PMC3120000.xml",
    ...               meta=PaperMeta(pmid="21645374"), ...))
    Rejection(origin='oa_comm.tar.gz::PMC3120000.xml', reason='contaminated', record_id='pmc:PMC3120000',
              detail="pubmedqa item pubmedqa:21645374, by pmid: the article's PMID is the item's")

PubMedQA's test items are abstracts of PubMed articles, many of which PMC holds in full, and MedQA's vignettes
come from the review books users put on the shelf. Two tests, the first that fires wins:
- pmid: a PubMedQA item is keyed by its PMID; an article whose `meta.pmid` is one of them goes.
- ngram: the document holds `min_overlap` of the `ngram`-token windows of an item's context (PubMedQA) or of its
  question plus answer (MedQA, MedMCQA). Items with fewer than `document_min_windows` windows are left to the
  identifier test: a one-line fact inside a chapter is knowledge, not a leaked item.
The index is a dict of PMIDs, the evaluation vocabulary and numpy arrays of window hashes (a few MB for MedQA,
MedMCQA and PubMedQA together); it is pickled once into every worker with the task.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from medc.decontamination.config import DecontaminationConfig
from medc.decontamination.hits import Hit, benchmark_of, method_of
from medc.decontamination.text import tokens
from medc.decontamination.windows import Vocabulary, WindowIndex, hash_levels
from medc.records import Document, QAItem, Rejection

log = logging.getLogger(__name__)


class DocumentIndex:
    """PubMedQA PMIDs and the windows of every item long enough to be recognized inside a document."""

    def __init__(self, items: Sequence[QAItem], config: DecontaminationConfig | None = None) -> None:
        self.config = config or DecontaminationConfig()
        self.pmids = {item.id.split(":", 1)[1]: item.id for item in items if item.dataset == "pubmedqa"}
        parts = [_item_parts(item) for item in items]
        n = self.config.ngram
        windows = [sum(max(len(words) - n + 1, 0) for words in p) for p in parts]
        kept = [i for i, count in enumerate(windows) if count >= self.config.document_min_windows]
        self.item_ids = [items[i].id for i in kept]
        self.vocab = Vocabulary(words for i in kept for words in parts[i])
        targets = [self.vocab.joined_ids(parts[i]) for i in kept]
        groups = list(range(len(kept)))
        self.windows = WindowIndex.build(targets, self.config.ngram, self.config.common_items, groups)
        log.info("decontamination: %d PMIDs, %d items checked by text", len(self.pmids), len(kept))

    def check(self, pmid: str | None, text: str) -> Hit | None:
        """The evaluation item a document with this PMID and text carries, or None."""
        if pmid and pmid.strip() in self.pmids:
            return Hit("pmid", self.pmids[pmid.strip()], f"the article's PMID {pmid.strip()} is the item's")
        n = self.config.ngram
        ids = self.vocab.ids(tokens(text))
        for _, hashes in hash_levels(ids, n, {n}):
            best = self.windows.best_targets(hashes, np.zeros(len(hashes), dtype=np.int64)).get(0)
            if best is not None and best[1] >= self.config.min_overlap:
                item = self.item_ids[best[0]]
                return Hit("ngram", item, f"{best[1]:.2f} of the item's {n}-token windows are in the document")
        return None


@dataclasses.dataclass(frozen=True)
class DocumentDecontamination:
    """The per-document step of build-k (after cleaning and filters): the document, or a `contaminated`
    rejection that names the benchmark, the item and the evidence."""

    index: DocumentIndex

    def __call__(self, doc: Document) -> Document | Rejection:
        hit = self.index.check(getattr(doc.meta, "pmid", None), f"{doc.title}\n{doc.text}")
        if hit is None:
            return doc
        return Rejection(doc.origin, "contaminated", hit.detail(), record_id=doc.id)


class DecontaminationReport:
    """Wraps a finalizer: counts the staged `contaminated` rejections per benchmark, method and config into
    `manifest.extra["decontamination"]` (with what `facts` says about the evaluation files), then finalizes."""

    def __init__(self, finalizer: Any, facts: dict[str, Any]) -> None:
        self.finalizer, self.facts = finalizer, facts

    def __call__(self, staged: Any, output: Any, executor: Any) -> None:
        output.extra["decontamination"] = {**self.facts, **contamination_counts(staged.rejections())}
        self.finalizer(staged, output, executor)


def contamination_counts(rejections: Any) -> dict[str, dict[str, int]]:
    """{"removed": per benchmark, "removed_by_method": ..., "removed_by_config": ...} of (config, Rejection)s."""
    benchmarks: Counter[str] = Counter()
    methods: Counter[str] = Counter()
    configs: Counter[str] = Counter()
    for config, rejection in rejections:
        if rejection.reason == "contaminated":
            benchmarks[benchmark_of(rejection.detail)] += 1
            methods[method_of(rejection.detail)] += 1
            configs[config] += 1
    return {
        "removed": dict(sorted(benchmarks.items())),
        "removed_by_method": dict(sorted(methods.items())),
        "removed_by_config": dict(sorted(configs.items())),
    }


def _item_parts(item: QAItem) -> list[list[str]]:
    """What of an item a document would repeat: a PubMedQA abstract (its context, section by section), or a
    question and its answer (the question alone when the item has none)."""
    if item.context:
        return [tokens(section) for section in item.context.split("\n")]
    answer = item.options[item.answer] if item.answer is not None and item.answer < len(item.options) else ""
    return [tokens(item.question), tokens(answer)]
