"""The dedup keys of one document, computed in the build's workers: an exact-text hash and a MinHash signature.

    >>> text_hash, minhash = dedup_keys("Aspirin irreversibly inhibits ...", DedupConfig())
    >>> len(text_hash), len(minhash)     # xxh3-128; 8-byte settings fingerprint + 128 uint32 values
    (16, 520)

They land in the internal columns `Document._text_hash` and `Document._minhash` of the staged records, so the
finalizer reads hashes and signatures, never texts, unless a signature was made with other settings.
"""

from __future__ import annotations

import functools

import xxhash

from medc.dedup.config import DedupConfig
from medc.dedup.minhash import MinHasher


def text_hash(text: str, utf8: bytes | None = None) -> bytes:
    """xxh3-128 of the UTF-8 text (`utf8`, if at hand): two texts with the same hash are, for all purposes, the
    same text."""
    return xxhash.xxh3_128_digest(utf8 if utf8 is not None else text.encode("utf-8", "surrogatepass"))


def dedup_keys(
    text: str, config: DedupConfig, lowered: str | bytes | None = None, utf8: bytes | None = None
) -> tuple[bytes, bytes]:
    """(text hash, stored MinHash signature) of a cleaned text; `lowered`: `text.lower()` (or its UTF-8 bytes)
    and `utf8`: the text's UTF-8 bytes, if at hand."""
    hasher = minhasher(config.ngram, config.num_perm, config.seed)
    if isinstance(lowered, str):
        lowered = lowered.encode("utf-8", "surrogatepass")
    signature = hasher.signature_of(hasher.shingle_hashes(text, lowered))
    return text_hash(text, utf8), hasher.to_bytes(signature)


@functools.lru_cache(maxsize=4)
def minhasher(ngram: int, num_perm: int, seed: int) -> MinHasher:
    """One hasher per process and setting (it keeps a scratch buffer between calls)."""
    return MinHasher(ngram, num_perm, seed)
