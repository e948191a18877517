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

from medc.decontamination.config import DecontaminationConfig
from medc.decontamination.eval_files import EvalFileError, EvalSet, load_eval_set, read_eval_file
from medc.decontamination.hits import Hit, benchmark_of, method_of
from medc.decontamination.instructions import InstructionIndex
from medc.decontamination.text import normalize, tokens

__all__ = [
    "DecontaminationConfig",
    "EvalFileError",
    "EvalSet",
    "Hit",
    "InstructionIndex",
    "benchmark_of",
    "load_eval_set",
    "method_of",
    "normalize",
    "read_eval_file",
    "tokens",
]
