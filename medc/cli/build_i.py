"""`medc build-i`: dialogues, rationale QA and UMLS knowledge-graph prompts into the MedC-I configs `dialogue`,
`rationale_qa` and `umls_kg`, each with splits `train` and `validation`.

    medc build-i --dialogues HealthCareMagic-100k.json --dialogues meddialog/ --medqa US/train.jsonl \\
                 --medmcqa medmcqa/train.json --pubmedqa ori_pqaa.json --umls 2025AB/META \\
                 --decontaminate US/test.jsonl --decontaminate medmcqa/dev.json --out medc-i/
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import click

from builders import dialogues, qa, umls
from medc.cli.build_options import build_options, run_and_report
from medc.instructions.assembly import AssemblyConfig
from medc.instructions.decontamination import DecontaminationConfig
from medc.shards import ShardConfig

log = logging.getLogger(__name__)

DIALOGUE, RATIONALE_QA, UMLS_KG = "dialogue", "rationale_qa", "umls_kg"
SEEDED = ("dialogues", "qa", "umls", "assembly")


@dataclass(frozen=True)
class BuildIConfig:
    """Every setting of a MedC-I build; a TOML file has one table per field (`[qa]`, `[assembly.caps]`, ...)."""

    dialogues: dialogues.DialogueOptions = field(default_factory=dialogues.DialogueOptions)
    qa: qa.QAOptions = field(default_factory=qa.QAOptions)
    umls: umls.UmlsOptions = field(default_factory=umls.UmlsOptions)
    assembly: AssemblyConfig = field(default_factory=AssemblyConfig)
    decontamination: DecontaminationConfig = field(default_factory=DecontaminationConfig)
    shards: ShardConfig = field(default_factory=ShardConfig)


PATHS = {"multiple": True, "metavar": "PATH"}
# source name (as the build names it) -> the option that gives its inputs, for messages about an input
OPTIONS = {DIALOGUE: "--dialogues", UMLS_KG: "--umls"} | {f"{RATIONALE_QA} ({d})": f"--{d}" for d in qa.DATASETS}


@click.command("build-i")
@click.option(
    "--dialogues",
    "dialogue_inputs",
    **PATHS,
    help="Dialogue files or directories (ChatDoctor, "
    "iCliniq, medical_meadow JSON, MedDialog .txt, or JSON/JSONL/CSV with --dialogue-columns).",
)
@click.option("--medqa", "medqa_inputs", **PATHS, help="MedQA jsonl training file(s) (4 or 5 options).")
@click.option("--medmcqa", "medmcqa_inputs", **PATHS, help="MedMCQA JSON Lines training file(s).")
@click.option("--pubmedqa", "pubmedqa_inputs", **PATHS, help="PubMedQA ori_pqaa.json / ori_pqal.json.")
@click.option(
    "--umls",
    "umls_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="UMLS release directory holding MRCONSO/MRDEF/MRREL/MRSTY/MRSAB.RRF (or its META/).",
)
@click.option(
    "--rationales",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSONL of {"id": "<QA item id>", "rationale": "..."}; wins over MedMCQA exp / PubMedQA LONG_ANSWER.',
)
@click.option(
    "--decontaminate",
    "eval_inputs",
    **PATHS,
    help="Evaluation files (MedQA test, MedMCQA dev, PubMedQA ori_pqal/test_set) to remove overlaps with.",
)
@click.option(
    "--medmcqa-cop-base",
    type=click.Choice(["auto", "0", "1"]),
    default=None,
    help="MedMCQA `cop` numbering: 1 raw release, 0 Hugging Face export; auto (default) reads the file.",
)
@click.option(
    "--dialogue-columns",
    metavar="user=COL,assistant=COL[,instruction=COL][,id=COL]",
    help="Column map for dialogue files in no known format.",
)
@click.option(
    "--umls-max-srl",
    type=click.IntRange(0, 9),
    default=None,
    help="Highest UMLS source restriction level to use (default 0; raise only if your licence allows).",
)
@click.option(
    "--validation-fraction",
    type=click.FloatRange(0, 1, max_open=True),
    default=None,
    help="Share of records in the validation split, by item (default 0.02).",
)
@click.option("--seed", type=int, default=None, help="Seeds template choice, caps, weights and the split (default 0).")
@build_options
def command(
    dialogue_inputs: tuple[str, ...],
    medqa_inputs: tuple[str, ...],
    medmcqa_inputs: tuple[str, ...],
    pubmedqa_inputs: tuple[str, ...],
    umls_dir: Path | None,
    rationales: Path | None,
    eval_inputs: tuple[str, ...],
    medmcqa_cop_base: str | None,
    dialogue_columns: str | None,
    umls_max_srl: int | None,
    validation_fraction: float | None,
    seed: int | None,
    out: Path,
    config_file: Path | None,
    overrides: tuple[str, ...],
    workers: int | None,
    unit_timeout: float | None,
    fresh: bool,
    drop_staging: bool,
    allow_empty: bool,
) -> None:
    """Build MedC-I: dialogues, rationale QA and UMLS prompts into train/validation instruction shards."""
    from medc.build import run_build
    from medc.config import load_config, to_dict
    from medc.instructions.assembly import InstructionFinalizer

    qa_inputs = {"medqa": medqa_inputs, "medmcqa": medmcqa_inputs, "pubmedqa": pubmedqa_inputs}
    if not dialogue_inputs and not any(qa_inputs.values()) and umls_dir is None:
        raise click.UsageError("Nothing to build: give --dialogues, --medqa, --medmcqa, --pubmedqa and/or --umls.")
    flags = _flag_settings(seed, medmcqa_cop_base, dialogue_columns, umls_max_srl, validation_fraction)
    config = load_config(BuildIConfig, config_file, list(overrides), flags=flags)
    settings = to_dict(config)
    parse_settings: dict[str, Any] = {k: settings[k] for k in ("dialogues", "qa", "umls")}
    del parse_settings["qa"]["dataset"]  # set per source below
    extra: dict[str, Any] = {}
    sources = _dialogue_sources(config, dialogue_inputs) + _qa_sources(config, qa_inputs, rationales, parse_settings)
    if umls_dir is not None:
        sources.append(_umls_source(config, umls_dir, parse_settings, extra))
    eval_index = _eval_index(config, eval_inputs, extra)
    finalize_settings = {k: settings[k] for k in ("assembly", "decontamination", "shards")}
    finalize_settings["decontaminate"] = extra.get("decontamination", {}).get("eval_files", [])
    run_and_report(
        out,
        lambda progress: run_build(
            out,
            sources,
            kind="medc-i",
            parse_settings=parse_settings,
            finalize_settings=finalize_settings,
            finalizer=InstructionFinalizer(config.assembly, eval_index, extra),
            workers=workers,
            fresh=fresh,
            keep_staging=not drop_staging,
            unit_timeout=unit_timeout,
            shards=config.shards,
            progress=progress,
        ),
        allow_empty=allow_empty,
        options=OPTIONS,
        checks=[partial(_refuse_guessed_numbering, out)],  # says more than the empty-input check would
    )


def _flag_settings(
    seed: int | None, cop_base: str | None, columns: str | None, max_srl: int | None, validation_fraction: float | None
) -> dict[str, Any]:
    """The flags as a settings dict under the TOML file and --set (which win over them)."""
    base: dict[str, Any] = {name: {} for name in SEEDED}
    if seed is not None:
        for name in SEEDED:
            base[name]["seed"] = seed
    if cop_base is not None:
        base["qa"]["cop_base"] = cop_base if cop_base == "auto" else int(cop_base)
    if columns:
        try:
            base["dialogues"]["columns"] = dataclasses.asdict(dialogues.ColumnMap.parse(columns))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--dialogue-columns") from None
    if max_srl is not None:
        base["umls"]["max_srl"] = max_srl
    if validation_fraction is not None:
        base["assembly"]["validation_fraction"] = validation_fraction
    return {k: v for k, v in base.items() if v}


def _dialogue_sources(config: BuildIConfig, inputs: tuple[str, ...]) -> list[Any]:
    from medc.build import SourceSpec
    from medc.records import instruction_schema

    if not inputs:
        return []
    task = partial(dialogues.parse, options=config.dialogues)
    return [SourceSpec(DIALOGUE, task, instruction_schema(internal=True), list(inputs), dialogues.accepts)]


def _qa_sources(
    config: BuildIConfig,
    inputs: dict[str, tuple[str, ...]],
    rationales_path: Path | None,
    parse_settings: dict[str, Any],
) -> list[Any]:
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
            "path": str(rationales_path),
            "sha256": hashlib.sha256(data).hexdigest(),
            "items": len(rationales),
        }
    specs = []
    for dataset, paths in inputs.items():
        if paths:
            options = dataclasses.replace(config.qa, dataset=dataset)
            task = partial(qa.parse, options=options, rationales=rationales)
            specs.append(
                SourceSpec(
                    RATIONALE_QA,
                    task,
                    instruction_schema(internal=True),
                    list(paths),
                    qa.accepts,
                    name=f"{RATIONALE_QA} ({dataset})",
                )
            )
    return specs


def _umls_source(config: BuildIConfig, root: Path, parse_settings: dict[str, Any], extra: dict[str, Any]) -> Any:
    from builders.umls_release import load_release, release_fingerprint
    from medc.build import SourceSpec
    from medc.records import instruction_schema

    try:
        release = load_release(root, config.umls)
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    parse_settings["umls_release"] = release_fingerprint(root)
    extra["umls"] = release.info
    return SourceSpec(UMLS_KG, release.task, instruction_schema(internal=True), units=release.units(), name=UMLS_KG)


def _eval_index(config: BuildIConfig, paths: tuple[str, ...], extra: dict[str, Any]) -> Any:
    from medc.instructions.decontamination import EvalIndex, read_eval_file
    from medc.sources import InputError, InputWalker

    if not paths:
        return None
    items, files = [], []
    walker = InputWalker(list(paths), lambda name: name.lower().endswith((".json", ".jsonl")))
    try:
        for unit in walker:
            found, rejected = read_eval_file(unit.data, unit.origin) if not unit.problem else ([], 1)
            items += found
            files.append(
                {
                    "path": unit.origin,
                    "items": len(found),
                    "rejected": rejected,
                    "sha256": hashlib.sha256(unit.data).hexdigest(),
                }
            )
    except (InputError, ValueError) as exc:
        raise click.ClickException(f"--decontaminate: {exc}") from None
    if not items:
        raise click.ClickException(f"--decontaminate: no evaluation questions found in {', '.join(paths)}")
    log.info("decontaminating against %d evaluation items from %d files", len(items), len(files))
    extra["decontamination"] = {
        "eval_files": files,
        "eval_items": len(items),
        "ngram": config.decontamination.ngram,
        "min_overlap": config.decontamination.min_overlap,
    }
    return EvalIndex(items, config.decontamination)


def _refuse_guessed_numbering(out: Path, manifest: dict[str, Any]) -> None:
    """A MedMCQA file whose `cop` numbering could not be told was left out; say so loudly, with the fix."""
    if not manifest["rejections"].get("medmcqa_cop_base"):
        return
    with open(out / "rejections.jsonl", encoding="utf-8") as fh:
        detail = next(json.loads(line)["detail"] for line in fh if '"medmcqa_cop_base"' in line)
    raise click.ClickException(
        f"MedMCQA file(s) left out of the build. {detail}. "
        "Rerun with --medmcqa-cop-base 1 (raw release) or 0 (Hugging Face export)."
    )
