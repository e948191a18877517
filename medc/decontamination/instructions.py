"""Find MedC-I records that carry an evaluation item, on the user side of a record (instruction and input).

    >>> index = InstructionIndex(load_eval_set(["medmcqa/dev.json"]).items)
    >>> index.check([("Answer.", "###Question: Which of the following is a feature of a\\nleukaemoid reaction?\\n"
    ...                          "###Options:\\nA. High LAP score\\nB. Philadelphia chromosome\\n...")])
    [Hit(method='question', item='medmcqa:e9ad821a', evidence='question found whole, 2 of 4 options')]

Three tests, all on `medc.decontamination.text` tokens (case, spacing, line breaks, punctuation and British
spellings ignored), the first that fires wins:
- question: a question of `min_question_tokens` to `ngram - 1` tokens (most of MedMCQA) found whole anywhere in
  the record. It removes the record by itself when it is specific (`specific_content_words` content words and
  no other evaluation item asks it); a generic stem ("All of the following are true about tetanus except")
  also needs half of the item's informative options in the record, because such stems recur with other options
  in honest training data.
- ngram: the record holds `min_overlap` of the `ngram`-token windows of the item's question, or of its question
  plus context (PubMedQA). Windows shared by more than `common_items` items are boilerplate and do not count.
- similar: the record's input holds `similarity` of the words of the item's question plus options (items up
  to `similarity_max_tokens` tokens), all of its key words (the rare content words: "anaphylaxis", not
  "drug"), and is not much longer: a reworded option or stem, or the question quoted in a few words of chat.
Window hashes are computed with numpy over whole batches of records, for every question length in one pass.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import numpy as np

from medc.decontamination.config import DecontaminationConfig
from medc.decontamination.hits import Hit
from medc.decontamination.similar import SimilarityIndex, key_words
from medc.decontamination.text import content_words, normalize, similarity_words, tokens
from medc.decontamination.windows import Vocabulary, WindowIndex, hash_levels, sequence_hash
from medc.records import QAItem

log = logging.getLogger(__name__)

# Options that say nothing about the item: matching them is no evidence.
GENERIC_OPTIONS = frozenset(
    {"all of the above", "none of the above", "both", "neither", "all", "none", "both a and b", "all of these"}
)


class InstructionIndex:
    """The evaluation items' questions, windows and word pairs, ready to check batches of records."""

    def __init__(self, items: Sequence[QAItem], config: DecontaminationConfig | None = None) -> None:
        self.config = config or DecontaminationConfig()
        self.item_ids = [item.id for item in items]
        questions = [tokens(item.question) for item in items]
        contexts = [[tokens(section) for section in item.context.split("\n") if section] for item in items]
        self.options = [_informative_options(item) for item in items]
        self.padded_options = [[f" {o} " for o in options] for options in self.options]
        sections = [words for context in contexts for words in context]
        self.vocab = Vocabulary([*questions, *sections, *(o.split() for opts in self.options for o in opts)])
        self._index_questions(questions)
        self._index_windows(questions, contexts)
        mcq = [i for i, item in enumerate(items) if item.dataset != "pubmedqa"]
        texts = [similarity_words(questions[i] + tokens(" ".join(items[i].options))) for i in mcq]
        keep = [k for k, words in enumerate(texts) if 2 <= len(words) <= self.config.similarity_max_tokens]
        keys = key_words([questions[i] for i in mcq])  # rarity is a fact of the whole evaluation set
        self.similar_items = [mcq[k] for k in keep]
        self.similar = SimilarityIndex([texts[k] for k in keep], [keys[k] for k in keep])

    def _index_questions(self, questions: list[list[str]]) -> None:
        low, high = self.config.min_question_tokens, self.config.ngram
        self.question_owners: dict[int, list[int]] = {}
        for i, words in enumerate(questions):
            if low <= len(words) < high:
                key = sequence_hash(self.vocab.ids(words))
                self.question_owners.setdefault(key, []).append(i)
        self.question_keys = np.array(sorted(self.question_owners), dtype=np.uint64)
        self.lengths = {len(w) for w in questions if low <= len(w) < high}
        shared = {i for owners in self.question_owners.values() if len(owners) > 1 for i in owners}
        self.specific = [
            i not in shared and content_words(w) >= self.config.specific_content_words for i, w in enumerate(questions)
        ]

    def _index_windows(self, questions: list[list[str]], contexts: list[list[str]]) -> None:
        targets, groups = [], []
        for i, (question, context) in enumerate(zip(questions, contexts, strict=True)):
            if len(question) >= self.config.ngram:
                targets.append(self.vocab.ids(question))
                groups.append(i)
            if context:  # PubMedQA: the question and the abstract, section by section
                targets.append(self.vocab.joined_ids([question, *context]))
                groups.append(i)
        self.target_item = groups
        self.windows = WindowIndex.build(targets, self.config.ngram, self.config.common_items, groups)

    def __len__(self) -> int:
        return len(self.item_ids)

    def check(self, records: Sequence[tuple[str, str]]) -> list[Hit | None]:
        """For each (instruction, input) pair, the evaluation item it carries, or None."""
        split = [(tokens(instruction), tokens(input_text)) for instruction, input_text in records]
        words = [a + b for a, b in split]
        found: list[Hit | None] = [None] * len(records)
        ids = [np.append(self.vocab.ids(w), np.uint64(0)) for w in words]  # a 0 after each: no window spans two
        flat = np.concatenate(ids) if ids else np.zeros(0, np.uint64)
        rows = np.repeat(np.arange(len(ids)), [len(x) for x in ids])
        for length, hashes in hash_levels(flat, self.config.ngram, self.lengths | {self.config.ngram}):
            if length == self.config.ngram:
                self._window_hits(hashes, rows, found)
            else:
                self._question_hits(hashes, rows, words, found)
        self._similar_hits([b or a for a, b in split], found)
        return found

    def _question_hits(self, hashes: np.ndarray, rows: np.ndarray, words: list[list[str]], found: list) -> None:
        if not len(self.question_keys):
            return
        where = np.minimum(np.searchsorted(self.question_keys, hashes), len(self.question_keys) - 1)
        hit = np.flatnonzero((self.question_keys[where] == hashes) & (hashes != 0))
        padded: dict[int, str] = {}  # the record's words between spaces, to find options as whole words
        for row, key in sorted(set(zip(rows[hit].tolist(), self.question_keys[where[hit]].tolist(), strict=True))):
            if found[row] is not None and found[row].method == "question":
                continue
            if row not in padded:
                padded[row] = f" {' '.join(words[row])} "
            for item in self.question_owners[key]:
                judged = self._judge_question(item, padded[row])
                if judged is not None:
                    found[row] = judged
                    break

    def _judge_question(self, item: int, padded: str) -> Hit | None:
        options = self.padded_options[item]
        present = sum(o in padded for o in options)
        if not (self.specific[item] or (options and present >= math.ceil(len(options) / 2))):
            return None
        evidence = f"question found whole, {present} of {len(options)} options" if options else "question found whole"
        return Hit("question", self.item_ids[item], evidence)

    def _window_hits(self, hashes: np.ndarray, rows: np.ndarray, found: list) -> None:
        n = self.config.ngram
        for row, (target, share) in self.windows.best_targets(hashes, rows).items():
            if found[row] is None and share >= self.config.min_overlap:
                found[row] = Hit(
                    "ngram", self.item_ids[self.target_item[target]], f"{share:.2f} of its {n}-token windows"
                )

    def _similar_hits(self, inputs: list[list[str]], found: list) -> None:
        """Records still clean, by the similarity of their input (or instruction, when they have none)."""
        texts: dict[tuple[str, ...], list[int]] = {}  # a QA item's rationale and answer records share one input
        for row, hit in enumerate(found):
            if hit is None:
                texts.setdefault(tuple(similarity_words(inputs[row])), []).append(row)
        keys = list(texts)
        for k, (item, value) in self.similar.best([list(t) for t in keys], self.config.similarity).items():
            item_id = self.item_ids[self.similar_items[item]]
            for row in texts[keys[k]]:
                found[row] = Hit("similar", item_id, f"{value:.2f} of the words of its question and options")


def _informative_options(item: QAItem) -> list[str]:
    """The normalized options of a multiple-choice item that say something about it (PubMedQA's yes/no/maybe,
    "All of the above" or a bare number do not)."""
    if item.dataset == "pubmedqa":
        return []
    normalized = [normalize(o) for o in item.options]
    return [o for o in normalized if o not in GENERIC_OPTIONS and len(o) >= 3 and not o.replace(" ", "").isdigit()]
