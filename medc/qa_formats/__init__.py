"""Read the medical QA benchmarks in their native files into `QAItem`s (pure: bytes in, records out).

Line 7 of MedQA's `data_clean/questions/US/4_options/phrases_no_exclude_test.jsonl`

    {"question": "A 23-year-old ...", "answer": "Nitrofurantoin", "options": {"A": "Ampicillin",
     "B": "Ceftriaxone", "C": "Doxycycline", "D": "Nitrofurantoin"}, "meta_info": "step2&3",
     "answer_idx": "D", "metamap_phrases": [...]}

becomes

    QAItem(id="medqa:phrases_no_exclude_test:7", dataset="medqa", question="A 23-year-old ...",
           options=["Ampicillin", "Ceftriaxone", "Doxycycline", "Nitrofurantoin"], answer=3,
           subject="step2&3", origin="phrases_no_exclude_test.jsonl")

and a line that is not JSON becomes `Rejection(origin, "bad_json", "line 8: Expecting ',' delimiter ...")`.

Formats (FORMATS.md section 5):
- MedQA jsonl (`question`, `options` {letter: text}, `answer_idx`, `answer`, `meta_info`), 4 or 5
  options; also the SWAG-style mirror `GBaker/MedQA-USMLE-4-options-hf` (`id`, `sent1`, `ending0..3`,
  `label`) and the bigbio exports: `med_qa_en_source` (`options` as `[{"key": "A", "value": ...}]`) and
  `med_qa_en_bigbio_qa` (`choices`, `answer` as a one-text list).
- Any of these as a JSON array instead of JSON Lines, with or without a UTF-8 byte-order mark.
- MedMCQA JSON Lines (`id`, `question`, `opa..opd`, `cop`, `exp`, `subject_name`). The raw release numbers
  `cop` from 1 (1 = opa); the Hugging Face copy `openlifescienceai/medmcqa` from 0, with -1 on the
  unlabeled test split. `cop_base="auto"` decides from the file and refuses to guess when it cannot tell.
- PubMedQA `ori_pqal.json` / `ori_pqaa.json` / `test_set.json` (a dict keyed by PMID with `QUESTION`,
  `CONTEXTS`, `final_decision`, `LONG_ANSWER`), optionally with `test_ground_truth.json`
  ({pmid: decision}); also a JSON Lines export of `qiaojin/PubMedQA` (`pubid`, `question`,
  `context.contexts`, `long_answer`, `final_decision`).

Data problems never raise: they become `Rejection`s with a stable reason (`bad_json`, `bad_encoding`,
`missing_field`, `bad_options`, `bad_answer`, `unlabeled`, `empty_file`, ...). The one exception is a
usage error: `read_medmcqa(cop_base="auto")` on a file whose `cop` numbering cannot be told raises
`ValueError`.
"""

from medc.qa_formats.medmcqa import CopBase, detect_cop_base, read_medmcqa
from medc.qa_formats.medqa import read_medqa
from medc.qa_formats.pubmedqa import parse_pubmedqa_ground_truth, read_pubmedqa
from medc.qa_formats.rows import (
    LETTERS,
    MEDMCQA_OPTION_FIELDS,
    PUBMEDQA_OPTIONS,
    Row,
    file_stem,
    iter_json_rows,
    strip_bom,
)

__all__ = [
    "LETTERS",
    "MEDMCQA_OPTION_FIELDS",
    "PUBMEDQA_OPTIONS",
    "CopBase",
    "Row",
    "detect_cop_base",
    "file_stem",
    "iter_json_rows",
    "parse_pubmedqa_ground_truth",
    "read_medmcqa",
    "read_medqa",
    "read_pubmedqa",
    "strip_bom",
]
