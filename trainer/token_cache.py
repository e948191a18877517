"""Tokenize a text source once, into a flat token file on disk that every later run memory-maps.

    >>> corpus = tokenize_corpus(Source("papers", "medc-k/", "papers"), tokenizer, add_bos=True)
    >>> corpus.tokens[:8], corpus.doc_starts[:3]     # <s> Aspirin ... </s> <s> Sepsis ...
    (memmap([1, 412, 87, ..., 2, 1], dtype=uint16), array([0, 734, 1502]))

Each document becomes `[BOS] tokens EOS` (BOS optional), concatenated in stored order: `tokens.bin` (uint16 when
the vocabulary fits, else uint32) and `doc_starts.npy` (the offset of every document, then the total). The cache
directory is named by a key over the data (`data.fingerprint`), the tokenizer (its full JSON and special tokens)
and the settings, so a rerun with the same three reuses it and any change tokenizes afresh. Entries are written
under a temporary name and renamed into place, so an interrupted run leaves nothing that looks finished.

Encoding runs on all cores in Rust: tiktoken's BPE core when it gives exactly this tokenizer's ids (byte-level BPE
in tiktoken form, as Llama 3's; see `trainer.fast_encode`), else `tokenizers`' `encode_batch_fast` (no offsets
computed). The Python side only moves token ids into NumPy arrays, vectorized.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from trainer.data import Source, fingerprint, iter_columns
from trainer.fast_encode import Encoder, batch_encoder

log = logging.getLogger(__name__)

CACHE_VERSION = 1


@dataclass
class TokenizedCorpus:
    """One source as a flat token array (memory-mapped) plus document offsets."""

    name: str
    tokens: np.ndarray
    doc_starts: np.ndarray  # int64, one per document plus the total at the end
    path: Path | None = None
    skipped_empty: int = 0

    @property
    def n_tokens(self) -> int:
        return int(self.doc_starts[-1])

    @property
    def n_docs(self) -> int:
        return len(self.doc_starts) - 1


def default_cache_dir() -> Path:
    return Path(os.environ.get("MEDC_CACHE", Path.home() / ".cache" / "medc")) / "tokens"


def tokenizer_fingerprint(tokenizer: Any) -> str:
    """Changes with anything that changes token ids: vocabulary, merges, normalizer, special tokens."""
    special = [tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.pad_token_id, tokenizer.unk_token_id]
    text = tokenizer.backend_tokenizer.to_str() + json.dumps(special)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def token_dtype(vocab_size: int) -> np.dtype:
    return np.dtype(np.uint16) if vocab_size <= 1 << 16 else np.dtype(np.uint32)


def cache_key(parts: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps({"v": CACHE_VERSION, **parts}, sort_keys=True).encode()).hexdigest()[:24]


def tokenize_corpus(
    source: Source,
    tokenizer: Any,
    *,
    column: str = "text",
    add_bos: bool = True,
    cache_dir: str | Path | None = None,
    batch_size: int = 1000,
) -> TokenizedCorpus:
    """The tokenized corpus of `source`, from the cache when it is there, else tokenized now and cached."""
    if tokenizer.eos_token_id is None:
        raise ValueError("the tokenizer has no EOS token; documents are separated by EOS, so set one (eos_token)")
    add_bos = add_bos and tokenizer.bos_token_id is not None
    key = cache_key(
        {
            "data": fingerprint(source),
            "tokenizer": tokenizer_fingerprint(tokenizer),
            "column": column,
            "add_bos": add_bos,
        }
    )
    entry = Path(cache_dir or default_cache_dir()) / f"{source.name}-{key}"
    if not (entry / "meta.json").exists():
        log.info("Tokenizing %s (%s) into %s", source.name, source.describe(), entry)
        texts = (batch[column] for batch in iter_columns(source, [column], batch_size))
        write_corpus(entry, texts, tokenizer, add_bos=add_bos, meta={"source": source.describe()})
    else:
        log.info("Reusing tokenized %s from %s", source.name, entry)
    return open_corpus(entry, source.name)


def write_corpus(
    entry: Path,
    batches: Iterable[list[str | None]],
    tokenizer: Any,
    *,
    add_bos: bool,
    meta: dict[str, Any] | None = None,
) -> None:
    """Encode text batches into `entry/` (tokens.bin, doc_starts.npy, meta.json), atomically."""
    dtype = token_dtype(len(tokenizer))
    tmp = entry.with_name(f".{entry.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    lengths: list[np.ndarray] = []
    skipped = 0
    encode = batch_encoder(tokenizer)
    with open(tmp / "tokens.bin", "wb") as out:
        for texts in batches:
            kept = [t for t in texts if t]
            skipped += len(texts) - len(kept)
            if kept:
                flat, doc_lens = encode_documents(kept, tokenizer, add_bos=add_bos, dtype=dtype, encode=encode)
                out.write(flat.tobytes())
                lengths.append(doc_lens)
    doc_lens = np.concatenate(lengths) if lengths else np.zeros(0, np.int64)
    np.save(tmp / "doc_starts.npy", np.concatenate([[0], np.cumsum(doc_lens)]).astype(np.int64))
    info = {
        **(meta or {}),
        "dtype": dtype.name,
        "documents": len(doc_lens),
        "tokens": int(doc_lens.sum()),
        "skipped_empty": skipped,
        "add_bos": add_bos,
    }
    (tmp / "meta.json").write_text(json.dumps(info, indent=1))
    if skipped:
        log.warning("%s: %d empty or null texts skipped (not tokenized)", entry.name, skipped)
    try:
        tmp.rename(entry)
    except OSError:  # another process finished the same entry first: theirs is identical
        shutil.rmtree(tmp, ignore_errors=True)


def encode_documents(
    texts: list[str], tokenizer: Any, *, add_bos: bool, dtype: Any = np.uint32, encode: Encoder | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """`[BOS] ids EOS` for every text, concatenated, and each document's length (BOS and EOS included)."""
    ids = (encode or batch_encoder(tokenizer))(texts)
    lens = np.fromiter(map(len, ids), np.int64, count=len(ids))
    extra = 2 if add_bos else 1
    doc_lens = lens + extra
    ends = np.cumsum(doc_lens)
    starts = ends - doc_lens
    out = np.empty(int(ends[-1]), dtype)
    content = np.ones(len(out), bool)
    content[ends - 1] = False
    out[ends - 1] = tokenizer.eos_token_id
    if add_bos:
        content[starts] = False
        out[starts] = tokenizer.bos_token_id
    out[content] = np.fromiter(itertools.chain.from_iterable(ids), dtype, count=int(lens.sum()))
    return out, doc_lens


def open_corpus(entry: Path, name: str) -> TokenizedCorpus:
    meta = json.loads((entry / "meta.json").read_text())
    doc_starts = np.load(entry / "doc_starts.npy")
    if doc_starts[-1] == 0:
        tokens = np.zeros(0, meta["dtype"])  # np.memmap refuses empty files
    else:
        tokens = np.memmap(entry / "tokens.bin", dtype=meta["dtype"], mode="r")
    return TokenizedCorpus(name, tokens, doc_starts, entry, meta.get("skipped_empty", 0))
