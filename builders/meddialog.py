"""MedDialog-EN (healthcaremagic.com and icliniq.com conversations) into `Instruction` records, from either of
the two shapes the dataset is shipped in.

The raw text files (`healthcaremagic_dialogue_1.txt`, ...):

    id=501
    https://www.healthcaremagic.com/questions/...
    Description
    Chest tightness when climbing stairs.
    Dialogue
    Patient:
    Hello doctor, I am 58 and I get a tight feeling in my chest ...
    Doctor:
    Hi. Chest tightness on exertion that settles with rest can be angina. ...

and the processed splits (`english-train.json`, `english-dev.json`, `english-test.json`): a JSON array of
`{"description": "...", "utterances": ["patient: hello doctor ...", "doctor: hi ..."]}`.

Both become one record per dialogue: a two-turn dialogue is input = what the patient said, output = the doctor's
answer; a longer one keeps every turn in `messages` and shows the earlier turns as a `Patient:`/`Doctor:`
transcript in `input`, the last doctor turn being the output. A doctor-first dialogue gets the description as its
opening question; a dialogue without a doctor turn is a rejection (`no_doctor_turn`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from medc.instructions import templates
from medc.qa_formats import iter_json_rows
from medc.records import Instruction, Rejection

SPEAKERS = {"patient": "user", "doctor": "assistant"}
TRANSCRIPT_NAMES = {"user": "Patient", "assistant": "Doctor"}
_ID_LINE = re.compile(r"^id\s*=\s*(\d+)\s*$")
_SPEAKER = re.compile(r"^\s*(patient|doctor)\s*:\s*", re.IGNORECASE)

Output = Iterator[Instruction | Rejection]
Turns = list[tuple[str, str]]


def is_processed(obj: dict[str, Any]) -> bool:
    """A row of the processed `english-*.json` splits."""
    return isinstance(obj.get("utterances"), list)


def parse_text(text: str, origin: str, stem: str, source: str, seed: int) -> Output:
    """The dialogues of a raw MedDialog-EN text file."""
    for dialogue_id, lines in _text_blocks(text):
        description, said = _text_turns(lines)
        yield dialogue_record(said, description, origin, source, f"{stem}:{dialogue_id}", seed)


def parse_processed(data: bytes, origin: str, stem: str, source: str, seed: int) -> Output:
    """The dialogues of a processed split (`english-train.json`): rows numbered from 1."""
    for row in iter_json_rows(data, origin):
        if isinstance(row, Rejection):
            yield row
            continue
        number, obj = row
        sample_id = f"{stem}:{number}"
        utterances = obj.get("utterances")
        if not is_processed(obj) or not all(isinstance(u, str) for u in utterances):
            yield Rejection(origin, "missing_field", f"{sample_id}: `utterances` is not a list of texts", sample_id)
            continue
        turns = []
        for utterance in utterances:
            match = _SPEAKER.match(utterance)
            role = SPEAKERS[match.group(1).lower()] if match else ""
            turns.append((role, utterance[match.end() :].strip() if match else utterance.strip()))
        if any(not role for role, _ in turns):
            detail = f"{sample_id}: an utterance starts with neither patient: nor doctor:"
            yield Rejection(origin, "unknown_speaker", detail, sample_id)
            continue
        description = str(obj.get("description") or "").strip()
        yield dialogue_record(turns, [description] if description else [], origin, source, sample_id, seed)


def dialogue_record(
    said: Turns, description: list[str], origin: str, source: str, sample_id: str, seed: int
) -> Instruction | Rejection:
    turns = merge_turns(said, description)
    if not turns:
        detail = f"{sample_id}: dialogue has no usable patient/doctor exchange"
        return Rejection(origin, "no_doctor_turn", detail, sample_id)
    instruction = templates.pick(templates.DIALOGUE, seed, sample_id)
    if len(turns) == 2:
        user = turns[0][1]
    else:
        user = "\n".join(f"{TRANSCRIPT_NAMES[role]}: {text}" for role, text in turns[:-1])
    messages = templates.dialogue_messages(instruction, turns)
    return Instruction(instruction, user, turns[-1][1], source, sample_id, messages, origin)


def merge_turns(said: Turns, description: list[str]) -> Turns:
    """Alternating (role, text) turns starting with the patient and ending with the doctor (empty when there is
    no such exchange). Consecutive turns of one speaker are one turn."""
    merged: Turns = []
    for role, text in said:
        if not text:
            continue
        if merged and merged[-1][0] == role:  # two Doctor: blocks in a row are one turn
            merged[-1] = (role, f"{merged[-1][1]}\n{text}")
        else:
            merged.append((role, text))
    if merged and merged[0][0] == "assistant" and description:
        merged.insert(0, ("user", "\n".join(description)))  # the description is the patient's opening question
    while merged and merged[0][0] == "assistant":
        merged.pop(0)
    while merged and merged[-1][0] == "user":  # a question left unanswered teaches nothing
        merged.pop()
    return merged


def _text_blocks(text: str) -> Iterator[tuple[str, list[str]]]:
    """(dialogue id, the lines after its `id=` line) for each record; a record runs to the next `id=` line."""
    current: tuple[str, list[str]] | None = None
    for line in text.splitlines():
        match = _ID_LINE.match(line)
        if match:
            if current:
                yield current
            current = (match.group(1), [])
        elif current is not None:
            current[1].append(line)
    if current:
        yield current


def _text_turns(lines: list[str]) -> tuple[list[str], Turns]:
    """(description lines, (role, text) turns) of a raw record. A turn runs from its `Patient:`/`Doctor:` line
    to the next one; blank lines inside are dropped."""
    section, description, turns = "", [], []
    for line in lines:
        stripped = line.strip()
        if stripped in ("Description", "Dialogue"):
            section = stripped
        elif section == "Dialogue" and stripped.rstrip(":").lower() in SPEAKERS and stripped.endswith(":"):
            turns.append((SPEAKERS[stripped.rstrip(":").lower()], []))
        elif section == "Description" and stripped:
            description.append(stripped)
        elif section == "Dialogue" and stripped and turns:
            turns[-1][1].append(stripped)
    return description, [(role, "\n".join(parts)) for role, parts in turns]
