"""The sources of a MedC-I build (`medc build-i`): which builder parses which inputs into which config.

dialogue      --dialogues (ChatDoctor, iCliniq, MedDialog, ...), --liveqa, --medicationqa
rationale_qa  --medqa, --medmcqa, --pubmedqa (with --rationales)
umls_kg       --umls (a release directory)
"""

from __future__ import annotations

import dataclasses
import hashlib
from functools import partial
from pathlib import Path
from typing import Any

import click

from builders import consumer_qa, dialogues, qa

DIALOGUE, RATIONALE_QA, UMLS_KG = "dialogue", "rationale_qa", "umls_kg"


def dialogue_sources(config: Any, inputs: tuple[str, ...], consumer: dict[str, tuple[str, ...]]) -> list[Any]:
    """Dialogue files, and the LiveQA / MedicationQA files, all into config `dialogue`."""
    from medc.build import SourceSpec
    from medc.records import instruction_schema

    specs = []
    if inputs:
        task = partial(dialogues.parse, options=config.dialogues)
        specs.append(SourceSpec(DIALOGUE, task, instruction_schema(internal=True), list(inputs), dialogues.accepts))
    for dataset, paths in consumer.items():
        if paths:
            options = dataclasses.replace(config.consumer_qa, dataset=dataset)
            task = partial(consumer_qa.parse, options=options)
            schema = instruction_schema(internal=True)
            specs.append(
                SourceSpec(DIALOGUE, task, schema, list(paths), consumer_qa.accepts, name=f"{DIALOGUE} ({dataset})")
            )
    return specs


def qa_sources(
    config: Any, inputs: dict[str, tuple[str, ...]], rationales_path: Path | None, parse_settings: dict[str, Any]
) -> list[Any]:
    """MedQA, MedMCQA and PubMedQA files into config `rationale_qa`, one source per benchmark."""
    from medc.build import SourceSpec
    from medc.records import instruction_schema

    rationales: dict[str, str] = {}
    if rationales_path is not None:
        data = rationales_path.read_bytes()
        try:
            rationales = qa.read_rationales(data, str(rationales_path))
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        parse_settings["rationales"] = {
            "path": rationales_path.name,  # no local path in published settings
            "sha256": hashlib.sha256(data).hexdigest(),
            "items": len(rationales),
        }
    specs = []
    for dataset, paths in inputs.items():
        if paths:
            options = dataclasses.replace(config.qa, dataset=dataset)
            task = partial(qa.parse, options=options, rationales=rationales)
            schema = instruction_schema(internal=True)
            name = f"{RATIONALE_QA} ({dataset})"
            specs.append(SourceSpec(RATIONALE_QA, task, schema, list(paths), qa.accepts, name=name))
    return specs


def umls_source(config: Any, root: Path, parse_settings: dict[str, Any], extra: dict[str, Any]) -> Any:
    """The UMLS release at `root` into config `umls_kg` (loading it reads MRSAB, MRCONSO, MRSTY and MRREL once)."""
    from builders.umls.release import load_release, release_fingerprint
    from medc.build import SourceSpec
    from medc.records import instruction_schema

    try:
        release = load_release(root, config.umls)
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    parse_settings["umls_release"] = release_fingerprint(root)
    extra["umls"] = release.info
    return SourceSpec(UMLS_KG, release.task, instruction_schema(internal=True), units=release.units(), name=UMLS_KG)
