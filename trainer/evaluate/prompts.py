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

Generation prompts (method `generate`) use the Alpaca-style format PMC-LLaMA was instruction-tuned with (its
README's MedQA example): the instruction, then `###Question: ... ###Options: A. ... B. ...` as input, and the
model is expected to answer like MedC-I's default answer string, `###Answer: OPTION C IS CORRECT.`
"""

from __future__ import annotations

import string

from medc.records import QAItem

TASKS = ("medqa", "medmcqa", "pubmedqa")
LETTERS = string.ascii_uppercase

# Bump a version whenever the text a model sees changes; reports carry it.
LOGLIK_PROMPTS = {
    "medqa": "lm-eval/medqa_4options@v1",
    "medmcqa": "lm-eval/medmcqa@v1",
    "pubmedqa": "lm-eval/pubmedqa@v1",
}
GENERATE_PROMPT = "pmc-llama/alpaca@v1"

ALPACA_WITH_INPUT = (
    "Below is an instruction that describes a task, paired with an input that provides further context. "
    "Write a response that appropriately completes the request.\n\n"
    "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:"
)
MC_INSTRUCTION = (
    "You're a doctor, kindly address the medical queries according to the patient's account. "
    "Answer with the best option directly."
)
PUBMEDQA_INSTRUCTION = (
    "Answer the medical research question according to the abstract. "
    "Answer with the best option directly: yes, no or maybe."
)


def prompt_version(task: str, method: str) -> str:
    return LOGLIK_PROMPTS[task] if method == "loglik" else GENERATE_PROMPT


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
    """PMC-LLaMA's instruction-tuning format for one item."""
    options = " ".join(f"{LETTERS[i]}. {text}" for i, text in enumerate(item.options))
    if item.dataset == "pubmedqa":
        body = f"###Context: {item.context}\n###Question: {item.question}\n###Options: {options}"
        instruction = PUBMEDQA_INSTRUCTION
    else:
        body = f"###Question: {item.question}\n###Options: {options}"
        instruction = MC_INSTRUCTION
    return ALPACA_WITH_INPUT.format(instruction=instruction, input=body)
