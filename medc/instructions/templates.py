"""Every piece of MedC-I wording in one place: instruction paraphrases per task, input/output layouts, and the
rule that turns a record into chat `messages`.

PMC-LLaMA sampled among paraphrased instructions; we do the same, but deterministically: `pick(TEMPLATES,
seed, sample_id)` hashes the seed and the record's id, so a rebuild with the same seed words every record the
same way, whatever the worker count, and another seed rewords them.

    >>> pick(QA_ANSWER_ONLY, 0, "medqa:test:7")
    'You are a medical expert. Select the correct answer to the question below.'
    >>> to_messages("Explain this term.", "Aspirin", "Aspirin is ...")
    [Message(role='user', content='Explain this term.\\n\\nAspirin'),
     Message(role='assistant', content='Aspirin is ...')]

The layouts of QA inputs and outputs follow PMC-LLaMA's released instruction data (`###Question:`,
`###Options:`, `###Rationale:`, `###Answer: OPTION C IS CORRECT.`) so that a model tuned on medc data answers
in the format the PMC-LLaMA evaluation scripts parse.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Sequence

from medc.records import Message

# --- instruction paraphrases ------------------------------------------------------------------------------
# Used only when a source brings no instruction of its own (ChatDoctor and medical_meadow rows keep theirs).
DIALOGUE = (
    "You are a doctor. Answer the patient's question based on what they describe.",
    "Act as a physician and reply to the patient's message below.",
    "Respond as a caring, knowledgeable doctor would to the following patient query.",
    "Read the patient's description and give a helpful medical answer.",
)

CONSUMER_QA = (
    "Answer the following health question from a member of the public clearly and accurately.",
    "You are a medical information specialist. Reply to the consumer health question below.",
    "Give a reliable, plain-language answer to this question about health or medicines.",
    "Respond to the patient's question with accurate medical information.",
)

QA_ANSWER_ONLY = (
    "Answer the following multiple-choice medical question with the best option.",
    "Choose the single best option for this medical exam question.",
    "You are a medical expert. Select the correct answer to the question below.",
    "Pick the correct option for the following clinical question and answer directly.",
)

QA_RATIONALE = (
    "Answer the following multiple-choice medical question. Explain your reasoning, then give the answer.",
    "You are a medical expert. Work through the question below, give the rationale, then the best option.",
    "Explain which option is correct for this medical exam question and why, then state the answer.",
    "Reason step by step about the clinical question below, then select the correct option.",
)

CONTEXT_QA_ANSWER_ONLY = (
    "Read the context from a biomedical abstract and answer the research question with the best option.",
    "Based on the abstract below, is the answer to the question yes, no or maybe? Choose the option.",
    "Use the study context to answer the question. Choose the correct option directly.",
)

CONTEXT_QA_RATIONALE = (
    "Read the context from a biomedical abstract, explain what it shows, and answer the research question.",
    "Based on the abstract below, give the conclusion it supports, then choose yes, no or maybe.",
    "Use the study context to reason about the question, then select the correct option.",
)

UMLS_DEFINITION = (
    "Describe the following medical concept and give its semantic type.",
    "What does this biomedical term mean? Define it and name its semantic type.",
    "Explain the medical concept below.",
    "Give a definition of the following term from the medical vocabulary.",
)

UMLS_RELATION = (
    "What is the relationship between the two medical concepts below?",
    "State how concept A relates to concept B.",
    "Name the relation that links these two biomedical concepts.",
    "Describe the medical relationship between the following concepts.",
)

UMLS_OBJECT = (
    "Complete the medical fact with the right concept.",
    "Name the concept that stands in the given relation to the first one.",
    "Fill in the missing concept of this biomedical relation.",
    "Which concept completes the following relation?",
)

UMLS_OBJECTS = (
    "List the concepts that complete the medical fact.",
    "Name every concept that stands in the given relation to the first one.",
    "Fill in the missing concepts of this biomedical relation.",
    "Which concepts complete the following relation?",
)

# --- input and output layouts -------------------------------------------------------------------------------
LETTERS = string.ascii_uppercase
QA_INPUT = "###Question: {question}\n###Options:\n{options}"
CONTEXT_QA_INPUT = "###Context: {context}\n###Question: {question}\n###Options:\n{options}"
OPTION_LINE = "{letter}. {text}"
DEFAULT_ANSWER_FORMAT = "###Answer: OPTION {letter} IS CORRECT."
RATIONALE_OUTPUT = "###Rationale: {rationale}\n\n{answer}"

DEFINITION_INPUT = "{name}"
DEFINITION_OUTPUT = "{name} ({semantic_type}): {definition}"
DEFINITION_OUTPUT_UNTYPED = "{name}: {definition}"
RELATION_INPUT = "Concept A: {subject}\nConcept B: {object}"
RELATION_OUTPUT = "{subject} {relation} {object}."
OBJECT_INPUT = "Concept: {subject}\nRelation: {relation}"
OBJECT_OUTPUT = "{object}"

# --- the PMC-LLaMA layout (`--preset pmc-llama`) -------------------------------------------------------------
# The released instruction set (axiong/pmc_llama_instructions) writes the instruction as two lines, a role and
# a task; the input as `###Question:` / `###Options:` with one option per line and a final line break; answers
# as `###Answer: OPTION D IS CORRECT.`, after `###Rationale: ...` when there is one. Its PubMedQA rows answer
# with the long answer and then `###Answer: yes|no|maybe` (what the PMC-LLaMA evaluation scripts parse).
PMC_LLAMA_ROLE = (
    "You are a physician answering medical questions from the details given.",
    "As a medical doctor, address the question below using the information provided.",
    "Acting as a clinician, respond to the medical query based on the account that follows.",
)
PMC_LLAMA_TASK = {
    "answer": ("Reply with the correct option only.", "Give the best option without explanation."),
    "rationale": (
        "Explain your reasoning first, then give the correct option.",
        "Work through the options step by step, then state the answer.",
    ),
    "context_answer": ("Read the context and give the yes, no or maybe decision directly.",),
    "context_rationale": ("Read the context, give the long answer, then the yes, no or maybe decision.",),
}
PMC_LLAMA_QA_INPUT = "###Question: {question}\n###Options:\n{options}\n"
PMC_LLAMA_CONTEXT_INPUT = "###Question: {question}\n###Context: {context}"
PMC_LLAMA_DECISION = "###Answer: {decision}"
PMC_LLAMA_LONG_ANSWER = "{rationale}\n{answer}"

# How a relation reads between subject and object. UMLS rows are read right to left (CUI2 REL/RELA CUI1), so
# the subject is CUI2. RELA labels become words (`may_treat` → "may treat"); these read badly as they are.
RELA_WORDS = {
    "isa": "is a",
    "inverse_isa": "has the subtype",
    "part_of": "is part of",
    "has_part": "has the part",
    "tradename_of": "is a trade name of",
    "has_tradename": "has the trade name",
}
REL_WORDS = {
    "PAR": "is a parent of",
    "CHD": "is a child of",
    "RB": "is broader than",
    "RN": "is narrower than",
    "RO": "is related to",
}


def qa_input(question: str, options: Sequence[str], context: str = "") -> str:
    """The input block of a QA item as MedC-I trains on it and `medc eval --method generate` asks it."""
    block = options_block(options)
    if context:
        return CONTEXT_QA_INPUT.format(context=context, question=question, options=block)
    return QA_INPUT.format(question=question, options=block)


def relation_words(rel: str, rela: str) -> str:
    """The phrase for a UMLS relation: its RELA when there is one, else its REL."""
    if rela:
        return RELA_WORDS.get(rela, rela.replace("_", " "))
    return REL_WORDS.get(rel, f"has the relation {rel} to")


def pick(templates: Sequence[str], seed: int, key: str) -> str:
    """The template for the record `key` under `seed`: stable across runs, workers and Python versions."""
    digest = hashlib.blake2b(f"{seed}\x00{key}".encode(), digest_size=8).digest()
    return templates[int.from_bytes(digest, "little") % len(templates)]


def options_block(options: Sequence[str]) -> str:
    return "\n".join(OPTION_LINE.format(letter=LETTERS[i], text=text) for i, text in enumerate(options))


def join_prompt(instruction: str, input_text: str) -> str:
    """What the user says in the first turn: the instruction, then a blank line, then the input."""
    return f"{instruction}\n\n{input_text}" if instruction and input_text else instruction or input_text


def to_messages(instruction: str, input_text: str, output: str) -> list[Message]:
    return [Message("user", join_prompt(instruction, input_text)), Message("assistant", output)]


def dialogue_messages(instruction: str, turns: Sequence[tuple[str, str]]) -> list[Message]:
    """Alternating (role, text) turns, user first and assistant last; the instruction opens the first turn."""
    messages = [Message(role, text) for role, text in turns]
    messages[0] = Message("user", join_prompt(instruction, messages[0].content))
    return messages
