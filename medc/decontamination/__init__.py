"""Decontamination of both corpora against evaluation sets (MedQA test, MedMCQA dev, PubMedQA test).

    medc build-i ... --decontaminate MedQA/test.jsonl --decontaminate medmcqa/dev.json --out medc-i/
    medc build-k ... --decontaminate pubmedqa/data/ --out medc-k/

- `eval_files`: read the evaluation files (every format `medc.qa_formats` reads) into `QAItem`s.
- `text`: the one normal form of every comparison (case, spacing, line breaks, British spellings folded).
- `instructions`: MedC-I, in the finalizer: question found whole, long n-gram overlap, similarity of question
  plus options (`InstructionIndex`).
- `documents`: MedC-K, in the build's workers before dedup: PubMedQA PMIDs against the article's PMID and long
  n-gram overlap of an item's context, or question plus answer, with the document (`DocumentDecontamination`).
Every removal is a `contaminated` rejection whose detail starts with the item id (`Hit.detail`), so counts per
benchmark can be read back from rejections.jsonl and are written to `manifest.extra["decontamination"]`.
"""

from __future__ import annotations

import importlib
from typing import Any

# Imported on first use, so that reading a CLI's settings (`medc build-i --help`) loads no numpy index code.
_EXPORTS = {
    "DecontaminationConfig": "config",
    "EvalFileError": "eval_files",
    "EvalSet": "eval_files",
    "load_eval_set": "eval_files",
    "read_eval_file": "eval_files",
    "Hit": "hits",
    "benchmark_of": "hits",
    "method_of": "hits",
    "InstructionIndex": "instructions",
    "normalize": "text",
    "tokens": "text",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'medc.decontamination' has no attribute {name!r}")
    return getattr(importlib.import_module(f"medc.decontamination.{_EXPORTS[name]}"), name)
