"""The prompts `medc eval` shows a model, versioned so a number in a report says exactly what was asked.

Log-likelihood prompts (method `loglik`) reproduce lm-evaluation-harness's tasks (lm_eval/tasks/medqa,
medmcqa, pubmedqa, v0.4 YAML + preprocess functions), so scores are comparable with numbers people publish from
it. The harness scores `context + " " + choice` (its `target_delimiter` is one space):

- `medqa_4options` (dataset GBaker/MedQA-USMLE-4-options-hf):
      Question: {question}\\nA. {option A}\\nB. {option B}\\nC. {option C}\\nD. {option D}\\nAnswer:
  choices A, B, C, D. The harness knows only 4-option MedQA; a 5-option file gets an `E.` line and choice E.
- `medmcqa` (openlifescienceai/medmcqa, validation split):
      Question: {question}\\nChoices:\\nA. {opa}\\nB. {opb}\\nC. {opc}\\nD. {opd}\\nAnswer:
  choices A, B, C, D.
- `pubmedqa` (pubmed_qa / pqa_labeled):
      Abstract: {contexts joined by "\\n"}\\nQuestion: {question}\\nAnswer:
  choices yes, no, maybe.

Generation prompts (method `generate`) are exactly what `medc train sft` trains on for an answer-only MedC-I
record: the Alpaca-style prompt PMC-LLaMA was instruction-tuned with (`trainer.sft`), the first answer-only
instruction wording of `medc.instructions.templates`, and the same `###Question:` / `###Options:` input block
(`templates.qa_input`). The model is expected to answer like MedC-I's default answer string,
`###Answer: OPTION C IS CORRECT.` One renderer on both sides means a tuned model is asked what it learned.
"""

from __future__ import annotations

import string
from typing import Any

from medc.instructions import templates
from medc.records import QAItem
from trainer.sft import PREAMBLE_INPUT, TURN_INPUT

TASKS = ("medqa", "medmcqa", "pubmedqa")
LETTERS = string.ascii_uppercase

# The harness release whose tasks and HF backend the loglik scores were checked against, item by item
# (tests/trainer/test_lm_eval_parity.py: per-choice log-likelihoods within 1e-6, same acc and acc_norm, with
# add_bos False = its default and True = its `add_bos_token=True`).
HARNESS_VERSION = "lm-eval 0.4.13"
# Bump a version whenever the text a model sees changes; reports carry it.
LOGLIK_PROMPTS = {
    "medqa": "lm-eval/medqa_4options@v1",
    "medmcqa": "lm-eval/medmcqa@v1",
    "pubmedqa": "lm-eval/pubmedqa@v1",
}
GENERATE_PROMPT = "pmc-llama/alpaca@v2"  # v2: the MedC-I training layout (options one per line)
CHAT_PROMPT = "medc-i/chat-template@v1"  # the same user turn, rendered by the model's own chat template


def prompt_version(task: str, method: str, template: str | None = None) -> str:
    if method == "loglik":
        return LOGLIK_PROMPTS[task]
    return CHAT_PROMPT if template == "chat" else GENERATE_PROMPT


def loglik_context(item: QAItem) -> str:
    """The text the answer continuations are scored after, as lm-evaluation-harness builds it."""
    if item.dataset == "pubmedqa":
        return f"Abstract: {item.context}\nQuestion: {item.question}\nAnswer:"
    listed = "".join(f"{LETTERS[i]}. {text}\n" for i, text in enumerate(item.options))
    if item.dataset == "medmcqa":
        return f"Question: {item.question}\nChoices:\n{listed}Answer:"
    return f"Question: {item.question}\n{listed}Answer:"


def loglik_choices(item: QAItem) -> list[str]:
    """The choice strings (scored as `" " + choice`); acc_norm divides by their length."""
    if item.dataset == "pubmedqa":
        return list(item.options)
    return [LETTERS[i] for i in range(len(item.options))]


def generate_prompt(item: QAItem) -> str:
    """The prompt of an answer-only MedC-I record for `item`, up to where the model's answer starts."""
    pool = templates.CONTEXT_QA_ANSWER_ONLY if item.context else templates.QA_ANSWER_ONLY
    body = templates.qa_input(item.question, item.options, item.context)
    return PREAMBLE_INPUT + "\n\n" + TURN_INPUT.format(instruction=pool[0], input=body)


def chat_prompt(item: QAItem, tokenizer: Any) -> str:
    """For a model tuned with `--template chat`: the answer-only MedC-I record's user turn (instruction, blank
    line, input block: `templates.to_messages`), rendered by the tokenizer's chat template up to where the
    assistant's answer starts, exactly as `trainer.sft.chat_segments` rendered it in training."""
    pool = templates.CONTEXT_QA_ANSWER_ONLY if item.context else templates.QA_ANSWER_ONLY
    body = templates.qa_input(item.question, item.options, item.context)
    user = templates.join_prompt(pool[0], body)
    return tokenizer.apply_chat_template(
        [{"role": "user", "content": user}], tokenize=False, add_generation_prompt=True
    )
