"""`medc build-i`: dialogues, rationale QA and UMLS knowledge-graph prompts into the MedC-I configs `dialogue`,
`rationale_qa` and `umls_kg`, each with splits `train` and `validation`.

    medc build-i --dialogues HealthCareMagic-100k.json --dialogues meddialog/ --medqa US/train.jsonl \\
                 --medmcqa medmcqa/train.json --pubmedqa ori_pqaa.json --umls 2025AB/META \\
                 --liveqa TREC-2017-LiveQA-Medical-Train-1.xml --medicationqa MedInfo2019-QA-Medications.xlsx \\
                 --decontaminate US/test.jsonl --decontaminate medmcqa/dev.json --preset pmc-llama --out medc-i/
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import click

from builders import consumer_qa, dialogues, qa
from builders.umls.prompts import UmlsOptions
from medc.cli.build_options import build_options, run_and_report, run_settings
from medc.cli.decontaminate import decontaminate_option, load_evaluations
from medc.cli.instruction_sources import DIALOGUE, RATIONALE_QA, UMLS_KG
from medc.decontamination.config import DecontaminationConfig
from medc.instructions.assembly import AssemblyConfig
from medc.instructions.presets import PRESETS
from medc.shards import ShardConfig

log = logging.getLogger(__name__)

SEEDED = ("dialogues", "consumer_qa", "qa", "umls", "assembly")
PATHS = {"multiple": True, "metavar": "PATH"}


@dataclass(frozen=True)
class BuildIConfig:
    """Every setting of a MedC-I build; a TOML file has one table per field (`[qa]`, `[assembly.caps]`, ...)."""

    dialogues: dialogues.DialogueOptions = field(default_factory=dialogues.DialogueOptions)
    consumer_qa: consumer_qa.ConsumerQAOptions = field(default_factory=consumer_qa.ConsumerQAOptions)
    qa: qa.QAOptions = field(default_factory=qa.QAOptions)
    umls: UmlsOptions = field(default_factory=UmlsOptions)
    assembly: AssemblyConfig = field(default_factory=AssemblyConfig)
    decontamination: DecontaminationConfig = field(default_factory=DecontaminationConfig)
    shards: ShardConfig = field(default_factory=ShardConfig)


# source name (as the build names it) -> the option that gives its inputs, for messages about an input
OPTIONS = (
    {DIALOGUE: "--dialogues", UMLS_KG: "--umls"}
    | {f"{RATIONALE_QA} ({d})": f"--{d}" for d in qa.DATASETS}
    | {f"{DIALOGUE} ({d})": f"--{d}" for d in consumer_qa.DATASETS}
)


@click.command("build-i")
@click.option(
    "--dialogues",
    "dialogue_inputs",
    **PATHS,
    help="Dialogue files or directories (ChatDoctor, iCliniq, medical_meadow JSON, MedDialog .txt or "
    "english-*.json, or JSON/JSONL/CSV with --dialogue-columns).",
)
@click.option("--liveqa", "liveqa_inputs", **PATHS, help="LiveQA (TREC 2017 medical) XML, or JSON/CSV/Parquet.")
@click.option("--medicationqa", "medicationqa_inputs", **PATHS, help="MedicationQA .xlsx, or JSON/CSV/Parquet.")
@click.option("--medqa", "medqa_inputs", **PATHS, help="MedQA jsonl training file(s) (4 or 5 options, bigbio).")
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
    "--preset",
    type=click.Choice(sorted(PRESETS)),
    default=None,
    help="Settings bundle: pmc-llama reproduces the released PMC-LLaMA instruction set's source names and layout.",
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
@decontaminate_option
@build_options
def command(**args: Any) -> None:
    """Build MedC-I: dialogues, rationale QA and UMLS prompts into train/validation instruction shards."""
    from medc.build import run_build
    from medc.config import to_dict
    from medc.instructions.assembly import InstructionFinalizer

    config = _config(args)
    parse_settings, extra = _parse_settings(config, args), {}
    sources = _sources(config, args, parse_settings, extra)
    eval_index = _eval_index(config, args["eval_inputs"], extra)
    settings = to_dict(config)
    finalize_settings = {k: settings[k] for k in ("assembly", "decontamination", "shards")}
    finalize_settings["decontaminate"] = extra.get("decontamination", {}).get("eval_files", [])
    out = args["out"]
    run_kwargs = run_settings(args)
    run_and_report(
        out,
        lambda progress: run_build(
            out,
            sources,
            kind="medc-i",
            parse_settings=parse_settings,
            finalize_settings=finalize_settings,
            finalizer=InstructionFinalizer(config.assembly, eval_index, extra),
            shards=config.shards,
            progress=progress,
            **run_kwargs,
        ),
        allow_empty=args["allow_empty"],
        options=OPTIONS,
        checks=[partial(_refuse_guessed_numbering, out)],  # says more than the empty-input check would
    )


def _config(args: dict[str, Any]) -> BuildIConfig:
    """The settings: the preset, then the TOML file, the flags and `--set`, later winning."""
    from medc.config import load_config
    from medc.instructions.presets import preset_settings

    inputs = ["dialogue", *qa.DATASETS, *consumer_qa.DATASETS]
    if not any(args[f"{name}_inputs"] for name in inputs) and not args["umls_dir"]:
        raise click.UsageError(
            "Nothing to build: give --dialogues, --liveqa, --medicationqa, --medqa, --medmcqa, --pubmedqa "
            "and/or --umls."
        )
    overrides, base = list(args["overrides"]), preset_settings(args["preset"])
    return load_config(BuildIConfig, args["config_file"], overrides, base=base, flags=_flags(args))


def _parse_settings(config: BuildIConfig, args: dict[str, Any]) -> dict[str, Any]:
    from medc.config import to_dict

    settings = to_dict(config)
    parse_settings: dict[str, Any] = {k: settings[k] for k in ("dialogues", "consumer_qa", "qa", "umls")}
    parse_settings["preset"] = args["preset"]
    for section in ("qa", "consumer_qa"):
        del parse_settings[section]["dataset"]  # set per source
    return parse_settings


def _sources(config: BuildIConfig, args: dict[str, Any], parse_settings: dict[str, Any], extra: dict) -> list:
    from medc.cli import instruction_sources as src

    consumer = {name: args[f"{name}_inputs"] for name in consumer_qa.DATASETS}
    sources = src.dialogue_sources(config, args["dialogue_inputs"], consumer)
    qa_inputs = {name: args[f"{name}_inputs"] for name in qa.DATASETS}
    sources += src.qa_sources(config, qa_inputs, args["rationales"], parse_settings)
    if args["umls_dir"] is not None:
        sources.append(src.umls_source(config, args["umls_dir"], parse_settings, extra))
    return sources


def _flags(args: dict[str, Any]) -> dict[str, Any]:
    """The flags as a settings dict under the TOML file and --set (which win over them)."""
    base: dict[str, Any] = {name: {} for name in SEEDED}
    if args["seed"] is not None:
        for name in SEEDED:
            base[name]["seed"] = args["seed"]
    cop_base = args["medmcqa_cop_base"]
    if cop_base is not None:
        base["qa"]["cop_base"] = cop_base if cop_base == "auto" else int(cop_base)
    if args["dialogue_columns"]:
        try:
            base["dialogues"]["columns"] = dataclasses.asdict(dialogues.ColumnMap.parse(args["dialogue_columns"]))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--dialogue-columns") from None
    if args["umls_max_srl"] is not None:
        base["umls"]["max_srl"] = args["umls_max_srl"]
    if args["validation_fraction"] is not None:
        base["assembly"]["validation_fraction"] = args["validation_fraction"]
    return {k: v for k, v in base.items() if v}


def _eval_index(config: BuildIConfig, paths: tuple[str, ...], extra: dict[str, Any]) -> Any:
    from medc.decontamination import InstructionIndex

    loaded = load_evaluations(paths, config.decontamination)
    if loaded is None:
        return None
    evals, facts = loaded
    extra["decontamination"] = facts
    return InstructionIndex(evals.items, config.decontamination)


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
