"""Tokenize a source into the cache as far as the plan needs, sharing the work with any other process.

    >>> corpus = tokenize_corpus(Source("papers", "medc-k/", "papers"), tokenizer, need_tokens=40_000_000)
    >>> corpus.n_tokens, corpus.complete           # the fewest leading units holding 40M tokens
    (40_212_733, False)

Every caller runs the same loop: while the leading finished parts do not cover `need_tokens` (None: the whole
source), claim the first unit nobody works on and tokenize it, else wait for the units others hold. Ranks of a
training job, the workers of `medc train tokenize` and other machines on a shared cache divide the units between
them that way, with no collective: a rank that has nothing left to claim polls the file system. Which parts make
the corpus depends only on `need_tokens`, never on who tokenized what or how many processes helped.

A streamed source (a Hub dataset) is read front to back by one process at a time, a unit of `UNIT_ROWS` rows
after another; each part records the stream's state after it, so an interrupted run continues where it stopped.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from trainer import data as data_module
from trainer.claims import POLL_S, Claim, is_claimed
from trainer.data import Source, Unit, fingerprint, iter_stream, iter_unit, open_stream, units
from trainer.fast_encode import batch_encoder
from trainer.token_cache import (
    TokenizedCorpus,
    cache_key,
    covering_prefix,
    default_cache_dir,
    finished_parts,
    open_corpus,
    tokenizer_fingerprint,
    write_json_atomic,
    write_part,
)

log = logging.getLogger(__name__)


def corpus_entry(source: Source, tokenizer: Any, *, column: str, add_bos: bool, cache_dir: str | Path | None) -> Path:
    key = cache_key(
        {
            "data": fingerprint(source),
            "tokenizer": tokenizer_fingerprint(tokenizer),
            "column": column,
            "add_bos": add_bos,
        }
    )
    return Path(cache_dir or default_cache_dir()) / f"{source.name}-{key}"


def tokenize_corpus(
    source: Source,
    tokenizer: Any,
    *,
    column: str = "text",
    add_bos: bool = True,
    cache_dir: str | Path | None = None,
    need_tokens: int | None = None,
    batch_size: int = 1000,
    threads: int | None = None,
    poll_s: float = POLL_S,
) -> TokenizedCorpus:
    """The tokenized corpus of `source` (its leading parts holding `need_tokens`, or all of it), from the cache
    as far as it is there; the rest is tokenized now, together with whoever else is at it."""
    if tokenizer.eos_token_id is None:
        raise ValueError("the tokenizer has no EOS token; documents are separated by EOS, so set one (eos_token)")
    add_bos = add_bos and tokenizer.bos_token_id is not None
    entry = corpus_entry(source, tokenizer, column=column, add_bos=add_bos, cache_dir=cache_dir)
    if (entry / "meta.json").exists():
        log.info("Reusing tokenized %s from %s", source.name, entry)
        done = finished_parts(entry)
        return open_corpus(entry, source.name, covering_prefix(done, len(done), need_tokens))
    work = _Work(entry, source, tokenizer, column, add_bos, batch_size, threads)
    n_parts = work.run(need_tokens, poll_s)
    return open_corpus(entry, source.name, n_parts)


class _Work:
    """One process's share of tokenizing one source entry."""

    def __init__(
        self, entry: Path, source: Source, tokenizer: Any, column: str, add_bos: bool, batch_size: int, threads: Any
    ) -> None:
        self.entry, self.source, self.tokenizer, self.column = entry, source, tokenizer, column
        self.add_bos, self.batch_size, self.threads = add_bos, batch_size, threads
        self.units = self._units()
        self._encode = None

    def _units(self) -> list[Any] | None:
        path = self.entry / "units.json"
        if path.exists():
            saved = json.loads(path.read_text())
            return None if saved is None else [Unit(**u) for u in saved]
        found = units(self.source)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(path, None if found is None else [u.__dict__ for u in found])
        return found

    @property
    def encode(self) -> Any:
        if self._encode is None:
            self._encode = batch_encoder(self.tokenizer, self.threads)
        return self._encode

    def run(self, need_tokens: int | None, poll_s: float) -> int:
        """Work and wait until the leading parts cover `need_tokens`; returns how many parts that is."""
        announced = False
        while True:
            done = finished_parts(self.entry)
            n_units = None if self.units is None else len(self.units)
            covered = covering_prefix(done, n_units, need_tokens)
            self._mark_complete(done, n_units)
            if covered is not None:
                return covered
            if not announced:
                log.info("Tokenizing %s (%s) into %s", self.source.name, self.source.describe(), self.entry)
                announced = True
            worked = self._stream(done, need_tokens) if self.units is None else self._one_unit(done, need_tokens)
            if not worked:
                time.sleep(poll_s)

    def _one_unit(self, done: dict[int, dict[str, Any]], need_tokens: int | None) -> bool:
        index = self._next_unit(done, need_tokens)
        if index is None:
            return False
        claim = Claim.take(self.entry / "claims" / f"{index:06d}")
        if claim is None:
            return True  # someone took it first: look again at once
        try:
            if not (self.entry / "parts" / f"{index:06d}.json").exists():
                unit = self.units[index]

                def texts():
                    for batch in iter_unit(self.source, unit, [self.column], self.batch_size):
                        claim.beat()
                        yield batch[self.column]

                marker = write_part(
                    self.entry, index, texts(), self.tokenizer, add_bos=self.add_bos, encode=self.encode,
                    extra={"worker": claim.owner},
                )  # fmt: skip
                log.debug("%s: unit %d/%d, %d tokens", self.source.name, index + 1, len(self.units), marker["tokens"])
        finally:
            claim.release()
        return True

    def _next_unit(self, done: dict[int, dict[str, Any]], need_tokens: int | None) -> int | None:
        """The first unit that is neither finished nor held, unless the finished and held units are expected to
        cover `need_tokens` already (held ones counted at the mean size of finished ones)."""
        mean = sum(m["tokens"] for m in done.values()) / len(done) if done else 0.0
        expected = 0.0
        for index in range(len(self.units)):
            if need_tokens is not None and done and expected >= need_tokens:
                return None
            if index in done:
                expected += done[index]["tokens"]
            elif is_claimed(self.entry / "claims" / f"{index:06d}"):
                expected += mean
            else:
                return index
        return None

    def _stream(self, done: dict[int, dict[str, Any]], need_tokens: int | None) -> bool:
        """Continue the stream after its last finished part, one unit at a time, until the need is covered."""
        claim = Claim.take(self.entry / "claims" / "stream")
        if claim is None:
            return False
        try:
            index, state, total = 0, None, 0
            while index in done:
                state, total = done[index]["state"], total + done[index]["tokens"]
                index += 1
            if need_tokens is not None and total >= need_tokens:
                return True
            rows = data_module.UNIT_ROWS  # read now, so a test can make units small
            for texts, after in iter_stream(open_stream(self.source, state), self.source, self.column, rows):
                claim.beat()
                marker = write_part(
                    self.entry, index, [texts], self.tokenizer, add_bos=self.add_bos, encode=self.encode,
                    extra={"state": after},
                )  # fmt: skip
                total += marker["tokens"]
                index += 1
                if need_tokens is not None and total >= need_tokens:
                    return True
            self._write_empty_part(index)
        finally:
            claim.release()
        return True

    def _write_empty_part(self, index: int) -> None:
        """The end of a stream: a part with no documents and the `last` flag."""
        write_part(
            self.entry, index, [], self.tokenizer, add_bos=self.add_bos, encode=self.encode, extra={"last": True}
        )

    def _mark_complete(self, done: dict[int, dict[str, Any]], n_units: int | None) -> None:
        finished = n_units is not None and len(done) == n_units
        ended = n_units is None and any(m.get("last") for m in done.values())
        if (finished or ended) and not (self.entry / "meta.json").exists():
            parts = n_units if finished else 1 + max(i for i, m in done.items() if m.get("last"))
            tokens = sum(m["tokens"] for i, m in done.items() if i < parts)
            write_json_atomic(
                self.entry / "meta.json", {"source": self.source.describe(), "parts": parts, "tokens": tokens}
            )
