"""MinHash signatures of word n-grams, computed with numpy over all shingles of a document at once.

    >>> hasher = MinHasher(ngram=5, num_perm=128, seed=1)
    >>> sig = hasher.signature("Aspirin irreversibly inhibits cyclooxygenase-1 in platelets ...")
    >>> sig.dtype, sig.shape
    (dtype('uint32'), (128,))
    >>> estimate_jaccard(sig, hasher.signature("Aspirin irreversibly inhibits cyclooxygenase-1 ..."))
    0.9375

Words are runs of ASCII letters and digits or non-ASCII characters in the lowercased UTF-8 text (so `Naïve`
and `α` are words, punctuation and spaces separate them); a shingle is `ngram` consecutive words, and a text
with fewer words has one shingle of all of them. Each word is hashed by tabulation (a random 64-bit value per
position and byte, XORed), a shingle by XORing its words' hashes rotated by their position, folded to 32 bits.

The permutations are datasketch's default scheme ("affine32", datasketch >= 2.0): the 32-bit shingle hash is
pre-mixed with the MurmurHash3 finalizer, then `a * h + b mod 2^32` for `num_perm` pairs `(a, b)` drawn from
`numpy.random.RandomState(seed)` exactly as datasketch draws them. The arithmetic is done in uint32, whose
products and sums wrap modulo 2^32: the low 32 bits of the exact values, all the scheme keeps (a test checks
against Python's unbounded integers). The signature is bit-for-bit what `datasketch.MinHash(num_perm,
seed).update_batch` gives for the same 32-bit shingle hashes, so `as_lean_minhash` can feed
`datasketch.MinHashLSH`. No step hashes one shingle at a time in Python.
"""

from __future__ import annotations

import numpy as np
import xxhash

SCHEME = "affine32"  # datasketch's name for these permutations
_M32 = np.uint64(0xFFFFFFFF)
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))
_BLOCK = 8192  # shingles per block: long rows, for numpy's fast loops...
_GROUP = 16  # ...and permutations per pass: a (16, 8192) uint32 block (512 KiB) stays in the core's cache
_TOKEN_POSITIONS = 32  # tabulation table rows; byte positions past 32 in a word reuse rows (mod 32)
_ROTATION = 11  # bits a word's hash is rotated per position in its shingle

# Bytes that belong to words: ASCII letters and digits, and every byte of a non-ASCII character.
_WORD_BYTE = np.zeros(256, dtype=bool)
_WORD_BYTE[np.frombuffer(b"abcdefghijklmnopqrstuvwxyz0123456789", dtype=np.uint8)] = True
_WORD_BYTE[0x80:] = True


class MinHasher:
    """Signatures for one setting of (ngram, num_perm, seed). Cheap to create; not shared between threads."""

    def __init__(self, ngram: int = 5, num_perm: int = 128, seed: int = 1) -> None:
        if ngram < 1 or num_perm < 2:
            raise ValueError(f"need ngram >= 1 and num_perm >= 2, got ngram={ngram}, num_perm={num_perm}")
        self.ngram, self.num_perm, self.seed = ngram, num_perm, seed
        self.a, self.b = affine32_permutations(num_perm, seed)
        # Fixed, so that word hashes never depend on the seed, the process or the machine.
        table = np.random.default_rng(0x6D656463).bytes(_TOKEN_POSITIONS * 256 * 8)
        self._table = np.frombuffer(table, dtype="<u8").astype(np.uint64)
        # The same table with 0 for the bytes that are not part of words (the XOR of a word ignores them).
        self._word_table = self._table.reshape(_TOKEN_POSITIONS, 256) * _WORD_BYTE
        self._word_table = self._word_table.ravel()
        self.a32, self.b32 = self.a.astype(np.uint32), self.b.astype(np.uint32)
        self._buffer = np.empty(_BLOCK * _GROUP, dtype=np.uint32)
        self._values = np.empty(0, dtype=np.uint64)
        # Identifies how a stored signature was made, so a signature from other settings is never compared.
        self.fingerprint = xxhash.xxh64_digest(f"medc-minhash-v1/{SCHEME}/{ngram}/{num_perm}/{seed}".encode())

    def signature(self, text: str) -> np.ndarray:
        """The MinHash signature of `text`: `num_perm` uint32 values (all 2^32-1 for a text without words)."""
        return self.signature_of(self.shingle_hashes(text))

    def shingle_hashes(self, text: str, lowered: bytes | None = None) -> np.ndarray:
        """The 32-bit hashes of the word n-grams of `text`, in text order (repeats included); `lowered`:
        `text.lower()` in UTF-8, if the caller has it."""
        if lowered is None:
            lowered = text.lower().encode("utf-8", "surrogatepass")
        words = self._word_hashes(np.frombuffer(lowered, dtype=np.uint8))
        if words.size == 0:
            return np.empty(0, dtype=np.uint64)
        n = min(self.ngram, words.size)
        count = words.size - n + 1
        shingles = words[:count].copy()
        for i in range(1, n):
            shingles ^= _rotate_left(words[i : i + count], (_ROTATION * i) % 64)
        return (shingles ^ (shingles >> np.uint64(32))) & _M32

    def signature_of(self, hashes: np.ndarray) -> np.ndarray:
        """The signature of a set given by its 32-bit hashes (an integer array of values below 2^32)."""
        signature = np.full(self.num_perm, 0xFFFFFFFF, dtype=np.uint32)
        mixed = _fmix32(hashes.astype(np.uint32))
        for start in range(0, mixed.size, _BLOCK):
            block = mixed[start : start + _BLOCK]
            # One row per permutation: numpy's fast loops are "scalar op contiguous row". uint32 arithmetic
            # wraps modulo 2^32, the `mod 2^32` of the permutation, at twice the SIMD width of uint64. A few
            # permutations at a time: the products are written, added to and read back while still in cache
            # (all 128 rows at once are 4 MiB, which a build, between parses, pays for in memory traffic).
            for first in range(0, self.num_perm, _GROUP):
                a, b, mins = self.a32[first : first + _GROUP], self.b32[first : first + _GROUP], signature[first:]
                out = self._buffer[: a.size * block.size].reshape(a.size, block.size)
                np.multiply(a[:, None], block[None, :], out=out)
                np.add(out, b[:, None], out=out)
                np.minimum(mins[: a.size], out.min(axis=1), out=mins[: a.size])
        return signature

    def _word_hashes(self, data: np.ndarray) -> np.ndarray:
        """The tabulation hash of every word of the lowercased UTF-8 `data`, in order.

        Over all bytes at once: each byte's offset in its word (a running count, in uint8 since only its low
        five bits are used, that steps back at each word start), its table value (0 for a byte outside words),
        and the XOR of each stretch from a word's start to the next word's start. No step is per word or per
        byte in Python, and the arrays are the text's size in bytes or words, not eight times that."""
        is_word = ((data - np.uint8(97)) < 26) | ((data - np.uint8(48)) < 10) | (data >= 0x80)
        starts = np.flatnonzero(np.diff(is_word, prepend=False, append=False))[0::2]
        if starts.size == 0:
            return np.empty(0, dtype=np.uint64)
        step = np.ones(data.size, dtype=np.uint8)
        step[starts] = (1 - np.diff(starts, prepend=0)).astype(np.uint8)  # wraps: only the low bits count
        step[0] = 0
        keys = (np.cumsum(step, dtype=np.uint8) & np.uint8(_TOKEN_POSITIONS - 1)).astype(np.uint16)
        keys <<= 8
        keys |= data
        if self._values.size < data.size:  # kept between calls: a fresh array this big costs page faults
            self._values = np.empty(max(data.size, 2 * self._values.size), dtype=np.uint64)
        values = np.take(self._word_table, keys, out=self._values[: data.size], mode="clip")  # keys < 8192
        return np.bitwise_xor.reduceat(values, starts)

    def to_bytes(self, signature: np.ndarray) -> bytes:
        """The signature with this hasher's fingerprint in front (for `Document._minhash`)."""
        return self.fingerprint + signature.astype("<u4", copy=False).tobytes()

    def from_bytes(self, blob: bytes | None) -> np.ndarray | None:
        """The signature stored by `to_bytes`, or None if it is missing or was made with other settings."""
        if blob is None or len(blob) != 8 + 4 * self.num_perm or blob[:8] != self.fingerprint:
            return None
        return np.frombuffer(blob, dtype="<u4", offset=8).astype(np.uint32)


def affine32_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 parameters (`MinHash._init_permutations`), widened to uint64: a odd, b any."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32).astype(np.uint64) * np.uint64(2) + np.uint64(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32).astype(np.uint64)
    return a, b


def estimate_jaccard(first: np.ndarray, second: np.ndarray) -> float:
    """The share of equal signature slots: an unbiased estimate of the Jaccard similarity of the two sets."""
    return float(np.count_nonzero(first == second)) / first.size


def as_lean_minhash(signature: np.ndarray, seed: int):  # -> datasketch.LeanMinHash
    """The signature as a datasketch `LeanMinHash`, e.g. to insert into or query a `MinHashLSH`."""
    from datasketch import LeanMinHash

    return LeanMinHash(seed=seed, hashvalues=signature, scheme=SCHEME)


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, in uint32 (products wrap modulo 2^32, as the finalizer wants)."""
    shift1, mul1, shift2, mul2 = _FMIX
    h = h ^ (h >> shift1)
    h *= mul1
    h ^= h >> shift2
    h *= mul2
    return h ^ (h >> shift1)


def _rotate_left(x: np.ndarray, bits: int) -> np.ndarray:
    if bits == 0:
        return x
    return (x << np.uint64(bits)) | (x >> np.uint64(64 - bits))
