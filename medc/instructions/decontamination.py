"""Find training records that overlap evaluation questions (MedQA test, MedMCQA dev, PubMedQA test ...).

    >>> items, _ = read_eval_file(Path("test.jsonl").read_bytes(), "test.jsonl")
    >>> index = EvalIndex(items)
    >>> index.check([("Answer the question.", "###Question: A 23-year-old ...\\n###Options:\\nA. ...")])
    [('exact', 'medqa:test:7')]

Two tests, on the user side of a record (its instruction and input), after normalizing text to lower-case
alphanumeric tokens:
- exact: a line of the record (or the line without up to three leading words, for labels such as
  `###Question:` or `Concept A:`), or its whole input, equals an evaluation question; for multiple-choice
  items every option must appear in the record too, because stems like "All of the following are true
  except" recur with other options in honest training data.
- n-gram: the record contains at least `min_overlap` of the item's distinct `ngram`-token windows (question,
  plus the abstract for PubMedQA). Windows shared by more than `common_items` evaluation items are boilerplate
  ("comes to the physician because of a 2 week history of") and do not count.
N-gram windows are hashed with numpy over whole batches of records, so checking costs little more than
tokenizing.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from medc import qa_formats
from medc.records import QAItem, Rejection

log = logging.getLogger(__name__)

LABEL_WORDS = 3
_PRIME = np.uint64(0x100000001B3)
ANSWERS = frozenset(qa_formats.PUBMEDQA_OPTIONS)


@dataclass(frozen=True)
class DecontaminationConfig:
    ngram: int = 13
    """Tokens per window for the overlap test (13, as GPT-3's contamination study)."""
    min_overlap: float = 0.5
    """Fraction of an evaluation item's windows a record must contain to be removed."""
    common_items: int = 10
    """Windows found in more evaluation items than this are boilerplate and ignored."""

    def __post_init__(self) -> None:
        if self.ngram < 4:
            raise ValueError(f"ngram={self.ngram}: windows under 4 tokens match ordinary phrases; use 8-13")
        if not 0.0 < self.min_overlap <= 1.0:
            raise ValueError(f"min_overlap={self.min_overlap}: give a fraction in (0, 1]")


# Lower-cases ASCII letters, keeps digits and line breaks, turns everything else into a space. Applied to UTF-8
# bytes (after NFKC for non-ASCII text), it tokenizes several times faster than a regex.
_ASCII_WORDS = bytes(
    c + 32 if 65 <= c <= 90 else c if (48 <= c <= 57 or 97 <= c <= 122 or c == 10) else 32 for c in range(256)
)


def line_tokens(text: str) -> list[list[str]]:
    """The lower-case alphanumeric tokens of each line of `text` (after NFKC: `ﬁ` → fi, `²` → 2)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return [line.split() for line in text.encode().translate(_ASCII_WORDS).decode("ascii").split("\n")]


def tokens(text: str) -> list[str]:
    return [w for line in line_tokens(text) for w in line]


def normalize(text: str) -> str:
    return " ".join(tokens(text))


def read_eval_file(data: bytes, origin: str) -> tuple[list[QAItem], int]:
    """(items, rejected lines) of an evaluation file in any native format medc reads; unlabeled items count
    too (a test split without answers still must not leak into training)."""
    kind = _eval_kind(data, origin)
    if kind == "medmcqa":
        try:
            found = list(qa_formats.read_medmcqa(data, origin, "auto", keep_unlabeled=True))
        except ValueError:  # answers all in 1..3: either numbering keeps every question, which is what matters
            found = list(qa_formats.read_medmcqa(data, origin, 1, keep_unlabeled=True))
    elif kind == "pubmedqa":
        found = list(qa_formats.read_pubmedqa(data, origin, keep_unlabeled=True))
    else:
        found = list(qa_formats.read_medqa(data, origin))
    items = [x for x in found if isinstance(x, QAItem)]
    return items, sum(isinstance(x, Rejection) for x in found)


def _eval_kind(data: bytes, origin: str) -> str:
    head = data.lstrip()[:1]
    if head == b"{":
        try:
            whole = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            whole = None
        if isinstance(whole, dict) and whole and all(str(v).lower() in ANSWERS for v in whole.values()):
            raise ValueError(
                f"{origin} holds only PubMedQA answers (test_ground_truth.json); pass the questions "
                "file instead (ori_pqal.json or test_set.json)"
            )
        if isinstance(whole, dict) and whole and all(isinstance(v, dict) for v in whole.values()):
            return "pubmedqa"  # ori_pqal.json: {pmid: {"QUESTION": ...}}
    first = next((r for r in qa_formats.iter_json_rows(data, origin) if not isinstance(r, Rejection)), None)
    keys = set(first[1]) if first else set()
    if "opa" in keys:
        return "medmcqa"
    if "pubid" in keys or "QUESTION" in keys:
        return "pubmedqa"
    if keys & {"options", "sent1", "answer_idx"}:
        return "medqa"
    raise ValueError(f"{origin}: not a MedQA, MedMCQA or PubMedQA file (columns {sorted(keys)})")


class EvalIndex:
    """The evaluation items' normalized questions and hashed n-gram windows."""

    def __init__(self, items: Sequence[QAItem], config: DecontaminationConfig | None = None) -> None:
        self.config = config or DecontaminationConfig()
        self.items = list(items)
        self.exact: dict[str, list[int]] = {}
        self.options: list[list[str]] = []
        self.vocab: dict[str, int] = {}
        for i, item in enumerate(self.items):
            self.exact.setdefault(normalize(item.question), []).append(i)
            self.options.append([] if item.dataset == "pubmedqa" else [normalize(o) for o in item.options])
        self.lengths = frozenset(len(q.split()) for q in self.exact if q)  # only lines this long can match
        self._index_windows()

    def _index_windows(self) -> None:
        per_item = [np.unique(self._windows(tokens(f"{it.question}\n{it.context}"))) for it in self.items]
        counts = Counter(h for hashes in per_item for h in hashes.tolist())
        common = {h for h, n in counts.items() if n > self.config.common_items}
        self.owners: dict[int, list[int]] = {}
        self.totals = np.zeros(len(self.items), dtype=np.int64)
        for i, hashes in enumerate(per_item):
            kept = [h for h in hashes.tolist() if h not in common]
            self.totals[i] = len(kept)
            for h in kept:
                self.owners.setdefault(h, []).append(i)
        self.hashes = np.array(sorted(self.owners), dtype=np.uint64)

    def _ids(self, words: Iterable[str], grow: bool) -> list[int]:
        if grow:
            return [self.vocab.setdefault(w, len(self.vocab) + 1) for w in words]
        return [self.vocab.get(w, 0) for w in words]  # 0: a word no evaluation item has breaks every window

    def _windows(self, words: list[str]) -> np.ndarray:
        return window_hashes(np.array(self._ids(words, grow=True), dtype=np.uint64), self.config.ngram)

    def __len__(self) -> int:
        return len(self.items)

    def check(self, records: Sequence[tuple[str, str]]) -> list[tuple[str, str] | None]:
        """For each (instruction, input) pair, None, or (`exact` | `ngram`, the id of the evaluation item it
        overlaps)."""
        found: list[tuple[str, str] | None] = []
        words: list[list[str]] = []
        for instruction, input_text in records:
            instruction_words, input_words = line_tokens(instruction), line_tokens(input_text)
            flat = [w for line in instruction_words + input_words for w in line]
            found.append(self._exact(instruction_words + input_words, flat, sum(map(len, instruction_words))))
            words.append(flat)
        if len(self.hashes):
            for row, item in self._ngram_hits(words).items():
                found[row] = found[row] or ("ngram", self.items[item].id)
        return found

    def _exact(self, line_words: list[list[str]], flat: list[str], input_start: int) -> tuple[str, str] | None:
        # Candidates: each line, the line without up to LABEL_WORDS leading words (`###Question:`, `Concept A:`,
        # `Patient:`), the whole input and the whole instruction.
        lengths = self.lengths
        candidates = {
            " ".join(w[k:])
            for w in line_words
            for k in range(min(LABEL_WORDS, len(w) - 1) + 1)
            if len(w) - k in lengths
        }
        if len(flat) - input_start in lengths:
            candidates.add(" ".join(flat[input_start:]))
        if input_start in lengths:
            candidates.add(" ".join(flat[:input_start]))
        padded = ""
        for candidate in candidates:
            for i in self.exact.get(candidate, ()) if candidate else ():
                padded = padded or f" {' '.join(flat)} "
                if all(f" {o} " in padded for o in self.options[i]):
                    return "exact", self.items[i].id
        return None

    def _ngram_hits(self, words: list[list[str]]) -> dict[int, int]:
        """{record row: evaluation item} for rows holding `min_overlap` of some item's windows."""
        n = self.config.ngram
        ids = [[*self._ids(w, grow=False), 0] for w in words]  # a 0 between records: no window spans two
        flat = np.array([i for row in ids for i in row], dtype=np.uint64)
        hashes = window_hashes(flat, n, keep_positions=True)
        starts = np.cumsum([0] + [len(r) for r in ids])
        where = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        hit_pos = np.flatnonzero(self.hashes[where] == hashes)
        hits: dict[int, int] = {}
        rows = np.searchsorted(starts, hit_pos, side="right") - 1
        for row in np.unique(rows).tolist():
            shared: Counter[int] = Counter()
            for h in set(hashes[hit_pos[rows == row]].tolist()):
                shared.update(self.owners[h])
            best, count = max(shared.items(), key=lambda kv: (kv[1] / self.totals[kv[0]], -kv[0]))
            if count >= self.config.min_overlap * self.totals[best]:
                hits[row] = best
        return hits


def window_hashes(ids: np.ndarray, n: int, keep_positions: bool = False) -> np.ndarray:
    """Polynomial hashes (wrapping uint64) of every `n`-token window without a 0 id. With `keep_positions`,
    one value per start position (invalid windows hash to 0, which no valid window is given); else only the
    valid ones."""
    count = len(ids) - n + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64)
    acc = np.zeros(count, dtype=np.uint64)
    for j in range(n):
        acc = acc * _PRIME + ids[j : j + count]
    zeros = np.concatenate(([0], np.cumsum(ids == 0)))
    valid = (zeros[n : n + count] - zeros[:count]) == 0
    acc[acc == 0] = 1  # keep 0 free to mean "no window here"
    if keep_positions:
        return np.where(valid, acc, np.uint64(0))
    return acc[valid]
