"""py3langid's scores computed with numpy: its byte automaton walked at every position at once, and its float16
model rows widened with integer operations. Same features, same order, same arithmetic: the same languages and
probabilities, bit for bit (a test compares them with py3langid's own on real and random text).

    >>> identifier = VectorIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    >>> identifier.attach_walk(depth=6)
    >>> identifier.classify("La aspirina inhibe de forma irreversible la ciclooxigenasa en las plaquetas.")
    ('es', 0.999...)

Why: py3langid walks the sample's bytes in a Python loop, one automaton state after the other; in a build,
between parses that fill the caches, each step waits on memory (0.8 ms for a 1,000-character sample, against
0.15 ms when the model is warm). The automaton is Aho-Corasick's: after a byte, the state is the longest suffix
of the text so far that is a node of its trie, and no node is deeper than `depth` bytes. So the state at a
position is also what a walk from the root over the `depth` bytes ending there reaches, and all positions can
walk together: `depth` rounds of independent gathers, which the memory system serves in parallel. Then the
features are counted in the order they first occur (the order py3langid's Counter keeps, which fixes the order
of the sums), and each row of float16 log-probabilities is widened to float32 exactly with integer operations
(numpy's float16 to float32 cast, element by element, took most of py3langid's scoring time).
"""

from __future__ import annotations

import numpy as np
from py3langid.langid import LanguageIdentifier


class VectorIdentifier(LanguageIdentifier):
    """A py3langid `LanguageIdentifier` whose raw scores are computed with numpy once `attach_walk` was called."""

    __slots__ = ("_walk",)

    def attach_walk(self, depth: int) -> None:
        """Use the vectorized walk; `depth`: `automaton_depth(...)` of this model (cache it: it takes 0.4 s)."""
        model = np.asarray(self.nb_ptc)
        self._walk = (
            np.asarray(self.tk_nextmove),
            np.asarray(self.tk_row, dtype=np.int64) << 8,
            np.asarray(self.tk_output, dtype=np.int64),
            depth,
            model.view(np.uint16) if model.dtype == np.float16 else model,
        )

    def _raw_score(self, text: bytes):  # overrides py3langid's Python walk (`visit_counts`)
        walk = getattr(self, "_walk", None)
        if walk is None or not len(text):
            return super()._raw_score(text)
        nextmove, rowbase, output, depth, model = walk
        data = np.frombuffer(text, dtype=np.uint8)
        states = np.zeros(data.size, dtype=np.int64)
        for back in range(min(depth, data.size) - 1, -1, -1):  # the window's bytes, oldest first
            states[back:] = nextmove[rowbase[states[back:]] + data[: data.size - back]]
        features = output[states]
        features = features[features >= 0]
        if not features.size:
            return super()._raw_score(text)  # no feature: py3langid's own answer
        index, first, counts = np.unique(features, return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")
        rows = np.take(model, index[order], axis=0)
        return (
            np.log1p(counts[order].astype(np.float32)) @ (widened(rows) if model.dtype == np.uint16 else rows)
            + self.nb_pc
        )


def automaton_depth(nextmove: np.ndarray, rows: np.ndarray) -> int:
    """The depth of the deepest state of the automaton (its trie's longest string), by a breadth-first walk from
    the root: every transition adds at most one to the depth, so the first time a state is reached is its depth."""
    nextmove, rowbase = np.asarray(nextmove), np.asarray(rows, dtype=np.int64) << 8
    depth = np.full(rowbase.size, -1, dtype=np.int64)
    depth[0] = 0
    frontier, level = np.zeros(1, dtype=np.int64), 0
    while frontier.size:
        targets = nextmove[(rowbase[frontier][:, None] + np.arange(256)).ravel()].astype(np.int64)
        frontier = np.unique(targets[depth[targets] < 0])
        level += 1
        depth[frontier] = level
    return int(depth.max())


def widened(half: np.ndarray) -> np.ndarray:
    """float16 values (given by their bits) as float32, exactly: a normal half-precision number keeps its sign
    and mantissa, and its exponent moves from bias 15 to bias 127, in a few in-place integer operations (faster
    than numpy's element-by-element cast). Zeros, subnormals, infinities and NaNs take numpy's cast."""
    bits = half.astype(np.uint32)
    exponent = bits & 0x7C00
    exponent -= 0x0400
    if np.any(exponent >= 0x7800):  # exponent 0 or 31 (the subtraction wraps)
        return half.view(np.float16).astype(np.float32)
    out = bits & 0x7FFF
    out <<= 13  # exponent and mantissa in place
    out += 0x38000000  # (127 - 15) << 23
    bits &= 0x8000
    bits <<= 16  # the sign
    out |= bits
    return out.view(np.float32)
