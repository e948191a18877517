"""Which tokens end a generation: every EOS the base model knew, the tokenizer's, and the chat template's
end-of-turn marker; and how a run tells the evaluator which template it was tuned with.

    >>> stop_ids(base_generation_eos=[128001, 128008, 128009], model_eos=128001, tokenizer=tok, template="chat")
    [128001, 128008, 128009]                  # Llama 3.1 Instruct: all three kept, not just the tokenizer's EOS
    >>> end_of_turn_id(chatml_tokenizer)       # "<|im_end|>" closes every assistant turn of a ChatML template
    32001

A model tuned with a chat template learns to close each answer with the template's marker (`<|im_end|>` for
ChatML). When that marker is not the tokenizer's EOS, generation must stop on it too, or the model runs on into
an invented next turn; so the exported `generation_config.json` lists the union and `medc eval --method generate`
stops on it. `medc.json` beside the exported weights records the stage and template (`read_run_info`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RUN_INFO = "medc.json"
PROBE = "MEDC_END_OF_TURN_PROBE"


def as_list(ids: Any) -> list[int]:
    if ids is None:
        return []
    return [int(i) for i in ids] if isinstance(ids, (list, tuple)) else [int(ids)]


def end_of_turn_id(tokenizer: Any) -> int | None:
    """The special token the chat template writes right after an assistant turn's text, or None."""
    if not getattr(tokenizer, "chat_template", None):
        return None
    chat = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": PROBE}]
    try:
        text = tokenizer.apply_chat_template(chat, tokenize=False)
    except Exception:  # a template that cannot render a plain exchange has no usable marker (jinja errors vary)
        return None
    after = text[text.find(PROBE) + len(PROBE) :] if PROBE in text else ""
    special = set(tokenizer.all_special_ids) | {int(i) for i in getattr(tokenizer, "added_tokens_decoder", {})}
    for token in tokenizer(after, add_special_tokens=False)["input_ids"]:
        if token in special:
            return int(token)
    return None


def stop_ids(*, base_generation_eos: Any, model_eos: Any, tokenizer: Any, template: str | None) -> list[int]:
    """The union, in that order and without repeats: the base generation config's EOS ids, the model config's,
    the tokenizer's EOS, and (for a chat-template run) the template's end-of-turn token."""
    ids = as_list(base_generation_eos) + as_list(model_eos) + as_list(tokenizer.eos_token_id)
    if template == "chat":
        ids += as_list(end_of_turn_id(tokenizer))
    return list(dict.fromkeys(ids))


def write_run_info(directory: Path, *, stage: str, template: str | None) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / RUN_INFO).write_text(json.dumps({"stage": stage, "template": template}, indent=1) + "\n")


def read_run_info(directory: str | Path) -> dict[str, Any]:
    """What `medc train` recorded beside a model directory (empty for other models)."""
    path = Path(directory) / RUN_INFO
    return json.loads(path.read_text()) if path.is_file() else {}
