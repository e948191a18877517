"""Fixed-length training sequences over a tokenized corpus, cut from the concatenated token stream.

    >>> seqs = PackedSequences(corpus, seq_len=4, pad_id=3, isolate=True)
    >>> corpus.tokens                     # <s> a b </s> <s> c </s>   (two documents, N = 7 tokens)
    [1, 10, 11, 2, 1, 12, 2]
    >>> seqs[0]                           # inputs, next-token targets, position ids
    PackedSequence(input_ids=[1, 10, 11, 2], targets=[10, 11, 2, -100], position_ids=[0, 1, 2, 3])
    >>> seqs[1]                           # the tail: padded, padding has no target
    PackedSequence(input_ids=[1, 12, 2, 3], targets=[12, 2, -100, -100], position_ids=[0, 1, 2, 3])

Sequence `i` takes inputs `t[iL : iL+L]` and targets `t[iL+1 : iL+L+1]` (windows overlap by one token), so every
token but the first is a target exactly once: nothing at a sequence boundary is lost, unlike cutting the stream
into independent blocks, and the last partial block is padded rather than dropped (PMC-LLaMA took one random
512-token window per paper and counted padding in its loss). Padding never has a target.

With `isolate=True`, position ids restart at each document start inside a sequence. transformers reads restarts
in `position_ids` (with no attention mask) as packed sequences and confines attention to each (SDPA: a
block-diagonal mask; flash-attention: varlen), and the target that would predict a new document's first token
from the previous document is dropped. A document split across two sequences continues at position 0 in the next.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trainer.token_cache import TokenizedCorpus, TokenStream

IGNORE = -100


@dataclass
class PackedSequence:
    input_ids: np.ndarray  # int64 [L]
    targets: np.ndarray  # int64 [L], IGNORE where there is nothing to predict
    position_ids: np.ndarray  # int64 [L]
    n_real: int = 0  # input tokens that are not padding


class PackedSequences:
    """Random access to the packed sequences of one corpus."""

    def __init__(
        self, corpus: TokenizedCorpus, seq_len: int, pad_id: int, isolate: bool = False, limit: int | None = None
    ) -> None:
        self.corpus, self.seq_len, self.pad_id, self.isolate = corpus, seq_len, pad_id, isolate
        n = corpus.n_tokens
        self._len = -(-(n - 1) // seq_len) if n > 1 else 0
        if limit is not None:  # the first `limit` sequences only
            self._len = min(self._len, limit)

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, index: int) -> PackedSequence:
        if not 0 <= index < self._len:
            raise IndexError(f"sequence {index} of {self._len}")
        L, n = self.seq_len, self.corpus.n_tokens
        start = index * L
        stop = min(start + L + 1, n)  # one token more than the inputs: the last target
        window = np.asarray(self.corpus.tokens[start:stop], dtype=np.int64)  # reads across parts and gaps
        inputs = np.full(L, self.pad_id, np.int64)
        targets = np.full(L, IGNORE, np.int64)
        n_in = min(L, len(window))
        inputs[:n_in] = window[:n_in]
        targets[: len(window) - 1] = window[1:]
        positions = np.arange(L, dtype=np.int64)
        if self.isolate:
            lo, hi = np.searchsorted(self.corpus.doc_starts, [start + 1, stop])
            crossing = self.corpus.doc_starts[lo:hi] - start  # document starts inside the window, as offsets >= 1
            targets[crossing - 1] = IGNORE  # no target crosses from one document into the next
            segment = np.zeros(L, np.int64)
            restarts = crossing[crossing < n_in]
            segment[restarts] = restarts
            positions -= np.maximum.accumulate(segment)
        return PackedSequence(inputs, targets, positions, n_in)


def select_documents(corpus: TokenizedCorpus, doc_ids: np.ndarray) -> TokenizedCorpus:
    """The corpus of documents `doc_ids` (ascending) only, in order, without copying tokens: each run of
    consecutive documents is a slice of the memory-mapped parts."""
    starts = corpus.doc_starts
    lens = np.diff(starts)[doc_ids]
    runs: list[np.ndarray] = []
    if len(doc_ids):
        breaks = np.flatnonzero(np.diff(doc_ids) != 1) + 1
        firsts = np.concatenate([[0], breaks])
        lasts = np.concatenate([breaks, [len(doc_ids)]]) - 1
        for a, b in zip(doc_ids[firsts], doc_ids[lasts], strict=True):
            lo, hi = int(starts[a]), int(starts[b + 1])
            runs += corpus.tokens.pieces(lo, hi) if isinstance(corpus.tokens, TokenStream) else [corpus.tokens[lo:hi]]
    doc_starts = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    dtype = getattr(corpus.tokens, "dtype", np.uint16)
    return TokenizedCorpus(corpus.name, TokenStream(runs, dtype), doc_starts, corpus.path, corpus.skipped_empty)
