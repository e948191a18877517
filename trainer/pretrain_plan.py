"""What stage 1 tokenizes: every source the run draws from, each only as far as the plan draws from it.

    >>> corpora = tokenize_for_plan(data, tokenizer, seed=42, global_batch=512)   # books 15 : papers 4 : general 1
    >>> {n: (c.n_tokens, c.complete) for n, c in corpora.items()}
    {'books': (1_843_211_000, True), 'papers': (1_004_000_000, False), 'general': (251_000_000, False)}

The run's length comes first: `max_steps` x global batch sequences, or `token_budget / seq_len`, or `epochs`
passes over `epoch_source` at its share (which needs that source tokenized whole: it is, first). Every other
source then needs its share of those sequences plus its validation documents; it is tokenized until its leading
units hold that many tokens (plus `MARGIN` sequences), never further. At the paper's 15:4:1 one pass over the
books draws 1-2% of the papers' 75B tokens, so that is all the papers that get tokenized.

`medc train tokenize` runs this ahead of the job (with several workers); the job runs it again, finds every part
in the cache and opens them, with no collective: ranks that do find work divide it through claims on files.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np

from trainer.config import PretrainData
from trainer.data import Source
from trainer.pretrain_data import planned_samples, pretrain_sources, split_documents
from trainer.token_cache import TokenizedCorpus
from trainer.tokenize_work import tokenize_corpus

log = logging.getLogger(__name__)

MARGIN = 16  # sequences beyond the planned draws (and 1% more), so a capped source does not run out and repeat


def tokenize_for_plan(
    data: PretrainData,
    tokenizer: Any,
    *,
    seed: int,
    global_batch: int,
    max_steps: int | None = None,
    threads: int | None = None,
) -> dict[str, TokenizedCorpus]:
    """The corpora of the run, each tokenized as far as the plan needs (see the module docstring)."""
    sources = pretrain_sources(data)
    weights = {s.name: data.mix[s.name] for s in sources}
    shares = {name: w / sum(weights.values()) for name, w in weights.items()}

    def tokenize(source: Source, need: int | None) -> TokenizedCorpus:
        return tokenize_corpus(
            source,
            tokenizer,
            column=data.text_column,
            add_bos=data.add_bos,
            cache_dir=data.cache_dir,
            need_tokens=need,
            threads=threads,
        )

    corpora: dict[str, TokenizedCorpus] = {}
    total = fixed_samples(data, global_batch, max_steps)
    if total is None:
        ref = next((s for s in sources if s.name == data.epoch_source), None)
        if ref is None:  # one epoch = one pass over everything: nothing can be capped
            return {s.name: tokenize(s, None) for s in sources}
        corpora[ref.name] = tokenize(ref, None)
        train, _ = split_documents(corpora[ref.name], data, 0, seed)
        total = planned_samples(data, {ref.name: len(train)}, shares)
    for source in sources:
        if source.name not in corpora:
            corpora[source.name] = tokenize(source, need_tokens(data, shares[source.name], total))
    log.info(
        "Plan: %d sequences of %d tokens; tokenized %s",
        total,
        data.seq_len,
        ", ".join(f"{n} {c.n_tokens:,}{'' if c.complete else ' (as needed)'}" for n, c in corpora.items()),
    )
    return {s.name: corpora[s.name] for s in sources}  # in mix order, as the sampler lists them


def fixed_samples(data: PretrainData, global_batch: int, max_steps: int | None) -> int | None:
    """The run's sequences when they do not depend on the data: `max_steps` or `token_budget`."""
    if max_steps is not None:
        return max_steps * global_batch
    if data.token_budget is not None:
        return math.ceil(data.token_budget / data.seq_len)
    return None


def need_tokens(data: PretrainData, share: float, total: int) -> int:
    """Tokens a source must hold to serve `share` of `total` sequences without repeating, plus its validation
    documents: about `val_sequences` sequences' worth (`holdout_documents` stops just past that)."""
    draws = math.ceil(share * total * 1.01) + MARGIN
    return int(np.int64(draws + 2 * data.val_sequences) * data.seq_len) + 1
