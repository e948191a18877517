"""Render MedC-I records as prompt text and tokenize them with a loss mask: only assistant turns are trained.

    >>> record = Instruction(instruction="Answer the question.", input="Is aspirin an NSAID?", output="Yes.", ...)
    >>> render_segments(record, "pmc_llama", tokenizer)
    [('Below is an instruction that describes a task, paired with an input ...### Response:\\n', False),
     ('Yes.</s>', True)]
    >>> ex = encode_segments(segments, tokenizer, add_bos=True, max_len=2048)
    >>> ex.ids, ex.trained                  # trained[j]: token j is a target (predicted from tokens < j)
    ([1, 421, 97, ..., 88, 2], [False, False, ..., True, True])

Templates:
- `pmc_llama`: the Alpaca prompt PMC-LLaMA trained with (`### Instruction:` / `### Input:` / `### Response:`),
  the response followed by EOS. A record with several user/assistant turns repeats the instruction/response
  block per turn, and every assistant turn is trained. A leading system message replaces the preamble.
- `chat`: the tokenizer's own chat template over `messages`. Each assistant turn's text is found by rendering the
  conversation up to it with and without the turn (`add_generation_prompt=True` for the prompt), so the trained
  span includes whatever the template closes a turn with (`<|im_end|>`, `</s>`, ...), which is what teaches the
  model to stop.

Labels come from character spans: the full text is tokenized once (as at inference, not segment by segment), and a
token is trained when it starts inside an assistant span.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from medc.records import Instruction, Message

PREAMBLE_INPUT = (
    "Below is an instruction that describes a task, paired with an input that provides further "
    "context. Write a response that appropriately completes the request."
)
PREAMBLE = "Below is an instruction that describes a task. Write a response that appropriately completes the request."
TURN = "### Instruction:\n{instruction}\n\n### Response:\n"
TURN_INPUT = "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n"

Segments = list[tuple[str, bool]]


class TemplateError(ValueError):
    """A record that the template cannot render (kept out of training and counted)."""


@dataclass
class EncodedExample:
    ids: np.ndarray  # int64 token ids
    trained: np.ndarray  # bool, same length: token j is a target
    truncated: bool = False


def render_segments(record: Instruction, template: str, tokenizer: Any) -> Segments:
    """The record's text as (piece, trained) pieces in order; `trained` pieces are the assistant turns."""
    if template == "chat":
        return chat_segments(record.messages, tokenizer)
    if template != "pmc_llama":
        raise ValueError(f"unknown template {template!r}; use pmc_llama or chat")
    eos = tokenizer.eos_token or ""
    turns = record.messages
    if len(turns) > 2 or not record.output:
        return pmc_llama_turns(turns, eos)
    if record.input:
        prompt = PREAMBLE_INPUT + "\n\n" + TURN_INPUT.format(instruction=record.instruction, input=record.input)
    else:
        prompt = PREAMBLE + "\n\n" + TURN.format(instruction=record.instruction)
    return [(prompt, False), (record.output + eos, True)]


def pmc_llama_turns(messages: list[Message], eos: str) -> Segments:
    """The multi-turn form: one instruction/response block per user/assistant pair."""
    if not any(m.role == "assistant" for m in messages):
        raise TemplateError("no assistant turn to train on")
    preamble, rest = PREAMBLE, messages
    if messages and messages[0].role == "system":
        preamble, rest = messages[0].content, messages[1:]
    segments: Segments = []
    pending = preamble + "\n\n"
    for m in rest:
        if m.role == "user":
            pending += TURN.format(instruction=m.content)
        elif m.role == "assistant":
            segments += [(pending, False), (m.content + eos, True)]
            pending = "\n\n"
        else:
            raise TemplateError(f"role {m.role!r} after the first message; expected user or assistant")
    return segments


def chat_segments(messages: list[Message], tokenizer: Any) -> Segments:
    """Pieces of the tokenizer's chat template rendering; each assistant turn (with its end marker) is trained."""
    if not getattr(tokenizer, "chat_template", None):
        raise ValueError("the tokenizer has no chat template; use template = 'pmc_llama'")
    chat = [{"role": m.role, "content": m.content} for m in messages]
    segments: Segments = []
    done = ""
    for i, m in enumerate(chat):
        if m["role"] != "assistant":
            continue
        prompt = render_chat(tokenizer, chat[:i], add_generation_prompt=True)
        full = render_chat(tokenizer, chat[: i + 1])
        if not (prompt.startswith(done) and full.startswith(prompt)):
            raise TemplateError("the chat template renders earlier turns differently once later turns follow")
        segments += [(prompt[len(done) :], False), (full[len(prompt) :], True)]
        done = full
    if not segments:
        raise TemplateError("no assistant turn to train on")
    return segments


def render_chat(tokenizer: Any, chat: list[dict[str, str]], add_generation_prompt: bool = False) -> str:
    """The chat template's text for `chat`. The template's own errors (`raise_exception('Conversation roles must
    alternate ...')`, a syntax error, an undefined name) become a TemplateError: the record is counted as
    rejected, not the run crashed."""
    import jinja2

    try:
        return tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=add_generation_prompt)
    except jinja2.TemplateError as exc:
        raise TemplateError(f"chat template error: {exc}") from None


def encode_segments(segments: Segments, tokenizer: Any, *, add_bos: bool, max_len: int) -> EncodedExample:
    """Token ids of the joined text and which tokens are trained (a token is trained when it starts inside a
    trained piece). Truncated to `max_len` tokens."""
    text = "".join(piece for piece, _ in segments)
    encoding = tokenizer.backend_tokenizer.encode(text, add_special_tokens=False)
    return _label(encoding, segments, tokenizer, add_bos=add_bos, max_len=max_len)


def encode_batch(batch: list[Segments], tokenizer: Any, *, add_bos: bool, max_len: int) -> list[EncodedExample]:
    """`encode_segments` for many records, tokenized in one parallel call."""
    texts = ["".join(piece for piece, _ in segments) for segments in batch]
    encodings = tokenizer.backend_tokenizer.encode_batch(texts, add_special_tokens=False)
    return [_label(e, s, tokenizer, add_bos=add_bos, max_len=max_len) for e, s in zip(encodings, batch, strict=True)]


def _label(encoding: Any, segments: Segments, tokenizer: Any, *, add_bos: bool, max_len: int) -> EncodedExample:
    ids = np.asarray(encoding.ids, dtype=np.int64)
    starts = np.asarray([start for start, _ in encoding.offsets], dtype=np.int64)
    trained = np.zeros(len(ids), bool)
    position = 0
    for piece, is_trained in segments:
        if is_trained:
            trained |= (starts >= position) & (starts < position + len(piece))
        position += len(piece)
    bos = tokenizer.bos_token_id
    if add_bos and bos is not None and (len(ids) == 0 or ids[0] != bos):
        ids, trained = np.concatenate([[bos], ids]), np.concatenate([[False], trained])
    truncated = len(ids) > max_len
    return EncodedExample(ids[:max_len], trained[:max_len], truncated)
