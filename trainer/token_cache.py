"""The on-disk token cache: one entry per (data, tokenizer, settings), one part per work unit, memory-mapped.

    >>> corpus = tokenize_corpus(Source("papers", "medc-k/", "papers"), tokenizer, add_bos=True)
    >>> corpus.tokens[:8], corpus.doc_starts[:3]     # <s> Aspirin ... </s> <s> Sepsis ...
    (array([1, 412, 87, ..., 2, 1], dtype=uint16), array([0, 734, 1502]))

    ~/.cache/medc/tokens/papers-3f9c.../
      units.json                  the source's work units (Parquet row groups, or row ranges), fixed once
      parts/000012.bin            the tokens of unit 12 (uint16 when the vocabulary fits, else uint32)
      parts/000012.lens.npy       the length of each of its documents
      parts/000012.json           written last: unit 12 is finished (documents, tokens, empty texts skipped)
      claims/000012               who is tokenizing unit 12 now (see `trainer.claims`)
      meta.json                   every unit finished

Each document becomes `[BOS] tokens EOS` (BOS optional), in stored order. The entry is named by a key over the
data (`data.fingerprint`), the tokenizer (its full JSON and special tokens) and the settings, so any change
tokenizes afresh. A corpus is read as the prefix of parts that covers what the plan needs (`open_corpus` with
`need_tokens`): a source drawn at 1-2% of its size is tokenized only that far (see `trainer.tokenize_work`).

Encoding runs on all cores in Rust: tiktoken's BPE core when it gives exactly this tokenizer's ids (byte-level BPE
in tiktoken form, as Llama 3's; see `trainer.fast_encode`), else `tokenizers`' `encode_batch_fast`. The Python
side only moves token ids into NumPy arrays, vectorized.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from trainer.claims import tmp_name
from trainer.fast_encode import Encoder, batch_encoder

log = logging.getLogger(__name__)

CACHE_VERSION = 2


class TokenStream:
    """Token runs (memory-mapped parts, or slices of them) read as one array: `stream[a:b]` gathers across runs."""

    def __init__(self, runs: list[np.ndarray], dtype: Any = np.uint16) -> None:
        self.runs = [r for r in runs if len(r)]
        self.dtype = np.dtype(runs[0].dtype if runs else dtype)
        self.offsets = np.concatenate([[0], np.cumsum([len(r) for r in self.runs], dtype=np.int64)])

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def __getitem__(self, index: slice) -> np.ndarray:
        a, b, _ = index.indices(len(self))
        pieces = self.pieces(a, b)
        return np.concatenate(pieces) if len(pieces) != 1 else np.asarray(pieces[0])

    def pieces(self, a: int, b: int) -> list[np.ndarray]:
        """The runs' slices that make up tokens [a, b)."""
        if b <= a:
            return [np.zeros(0, self.dtype)]
        first = int(np.searchsorted(self.offsets, a, side="right")) - 1
        out = []
        for k in range(first, len(self.runs)):
            lo, hi = self.offsets[k], self.offsets[k + 1]
            if lo >= b:
                break
            out.append(self.runs[k][max(a, lo) - lo : min(b, hi) - lo])
        return out


@dataclass
class TokenizedCorpus:
    """One source as a token stream plus document offsets."""

    name: str
    tokens: Any  # TokenStream or np.ndarray: anything sliced as tokens[a:b]
    doc_starts: np.ndarray  # int64, one per document plus the total at the end
    path: Path | None = None
    skipped_empty: int = 0
    complete: bool = True  # False: a prefix of the source, as far as the plan needs

    @property
    def n_tokens(self) -> int:
        return int(self.doc_starts[-1])

    @property
    def n_docs(self) -> int:
        return len(self.doc_starts) - 1

    @property
    def key(self) -> str:
        """What identifies these tokens: the cache entry and how much of it (a resume compares it)."""
        entry = self.path.name if self.path is not None else self.name
        return f"{entry}:{self.n_docs}:{self.n_tokens}"


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


def write_json_atomic(path: Path, data: Any) -> None:
    tmp = tmp_name(path)
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)


def part_path(entry: Path, index: int, suffix: str) -> Path:
    return entry / "parts" / f"{index:06d}{suffix}"


def write_part(
    entry: Path,
    index: int,
    batches: Iterable[list[str | None]],
    tokenizer: Any,
    *,
    add_bos: bool,
    encode: Encoder | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Encode text batches as part `index` of `entry`: tokens and lengths under temporary names, renamed into place,
    then the finished marker. Returns the marker's content."""
    dtype = token_dtype(len(tokenizer))
    encode = encode or batch_encoder(tokenizer)
    part_path(entry, index, "").parent.mkdir(parents=True, exist_ok=True)
    tokens_tmp = tmp_name(part_path(entry, index, ".bin"))
    lengths, skipped = [], 0
    with open(tokens_tmp, "wb") as out:
        for texts in batches:
            kept = [t for t in texts if t]
            skipped += len(texts) - len(kept)
            if kept:
                flat, doc_lens = encode_documents(kept, tokenizer, add_bos=add_bos, dtype=dtype, encode=encode)
                out.write(flat.tobytes())
                lengths.append(doc_lens)
    doc_lens = np.concatenate(lengths) if lengths else np.zeros(0, np.int64)
    lens_tmp = tmp_name(part_path(entry, index, ".lens.npy"))
    with open(lens_tmp, "wb") as fh:
        np.save(fh, doc_lens.astype(np.int64))
    os.replace(tokens_tmp, part_path(entry, index, ".bin"))
    os.replace(lens_tmp, part_path(entry, index, ".lens.npy"))
    marker = {"documents": len(doc_lens), "tokens": int(doc_lens.sum()), "skipped_empty": skipped, **(extra or {})}
    write_json_atomic(part_path(entry, index, ".json"), {"dtype": dtype.name, **marker})
    return marker


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


def finished_parts(entry: Path) -> dict[int, dict[str, Any]]:
    """The markers of the finished parts, by unit index."""
    done = {}
    for marker in (entry / "parts").glob("*.json"):
        if marker.name[0] != ".":
            done[int(marker.name[:6])] = json.loads(marker.read_text())
    return done


def covering_prefix(done: dict[int, dict[str, Any]], n_units: int | None, need_tokens: int | None) -> int | None:
    """How many leading parts make up the corpus: all of them once every unit is finished (or the stream ended),
    or the fewest finished leading parts holding `need_tokens`; None while that prefix is not finished yet."""
    total = 0
    for i in itertools.count():
        if i not in done:
            return i if n_units is not None and i == n_units else None
        total += done[i]["tokens"]
        if (need_tokens is not None and total >= need_tokens) or done[i].get("last"):
            return i + 1


def open_corpus(entry: Path, name: str, n_parts: int | None = None) -> TokenizedCorpus:
    """The corpus made of the first `n_parts` parts of `entry` (default: all, as meta.json lists them)."""
    meta = json.loads((entry / "meta.json").read_text()) if (entry / "meta.json").exists() else None
    count = n_parts if n_parts is not None else meta["parts"]
    runs, lens, skipped = [], [], 0
    for i in range(count):
        marker = json.loads(part_path(entry, i, ".json").read_text())
        skipped += marker["skipped_empty"]
        lens.append(np.load(part_path(entry, i, ".lens.npy")))
        if marker["tokens"]:  # np.memmap refuses empty files
            runs.append(np.memmap(part_path(entry, i, ".bin"), dtype=marker["dtype"], mode="r"))
    doc_lens = np.concatenate(lens) if lens else np.zeros(0, np.int64)
    doc_starts = np.concatenate([[0], np.cumsum(doc_lens)]).astype(np.int64)
    complete = meta is not None and count == meta["parts"]
    return TokenizedCorpus(name, TokenStream(runs), doc_starts, entry, skipped, complete)
