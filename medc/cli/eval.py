"""`medc eval`: accuracy of a model on MedQA, MedMCQA and PubMedQA, read from their native files.

    medc eval --model out/pmc-llama-sft --task medqa --data US/4_options/phrases_no_exclude_test.jsonl
    medc eval --model axiong/PMC_LLaMA_13B --all --medqa test.jsonl --medmcqa dev.json \\
              --pubmedqa ori_pqal.json --ground-truth test_ground_truth.json --method generate
"""

from __future__ import annotations

import re
from pathlib import Path

import click

TASKS = ("medqa", "medmcqa", "pubmedqa")
FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("eval")
@click.option("--model", required=True, metavar="PATH_OR_ID", help="A local model directory or a Hub model id.")
@click.option("--task", type=click.Choice(TASKS), help="The benchmark --data holds.")
@click.option("--data", type=FILE, help="The benchmark file in its native format.")
@click.option("--all", "run_all", is_flag=True, help="Run all three (--medqa, --medmcqa, --pubmedqa files).")
@click.option("--medqa", type=FILE, help="With --all: MedQA jsonl (e.g. 4_options/phrases_no_exclude_test.jsonl).")
@click.option("--medmcqa", type=FILE, help="With --all: MedMCQA JSON Lines (e.g. dev.json).")
@click.option("--pubmedqa", type=FILE, help="With --all: PubMedQA ori_pqal.json, test_set.json or a JSONL export.")
@click.option(
    "--method",
    type=click.Choice(["loglik", "generate"]),
    default="loglik",
    show_default=True,
    help="loglik: score each option's log-likelihood (lm-evaluation-harness prompts); generate: greedy "
    "answer in PMC-LLaMA's prompt format, then parse it.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N readable items of each file.")
@click.option("--batch-size", type=click.IntRange(min=1), default=8, show_default=True)
@click.option(
    "--max-new-tokens", type=click.IntRange(min=1), default=64, show_default=True, help="generate: the longest answer."
)
@click.option(
    "--cop-base",
    type=click.Choice(["auto", "0", "1"]),
    default="auto",
    show_default=True,
    help="MedMCQA `cop` numbering: 1 in the raw release, 0 in the Hugging Face export; auto detects "
    "and stops when the file cannot tell.",
)
@click.option("--ground-truth", type=FILE, help="PubMedQA test_ground_truth.json: score only its PMIDs.")
@click.option(
    "--pubmedqa-all-items",
    is_flag=True,
    help="Score every item of a PubMedQA file without --ground-truth, though ori_pqal.json's 1,000 include the "
    "500-item training fold (refused otherwise).",
)
@click.option("--device", default="auto", show_default=True, help="auto (cuda if available), cpu, cuda, cuda:1 ...")
@click.option(
    "--dtype",
    type=click.Choice(["auto", "float32", "bfloat16", "float16"]),
    default="auto",
    show_default=True,
    help="auto: bfloat16 on GPU, float32 on CPU.",
)
@click.option("--revision", help="Hub revision (branch, tag or commit) of --model.")
@click.option(
    "--device-map",
    help="Spread a model too large for one device over several (accelerate's device_map, e.g. auto); "
    "replaces --device.",
)
@click.option(
    "--bos/--no-bos",
    default=True,
    show_default=True,
    help="Encode with the tokenizer's special tokens (a BOS for Llama); --no-bos matches "
    "lm-evaluation-harness's default for Hugging Face models.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where predictions and summaries go (default: medc-eval/<model name>).",
)
def command(
    model: str,
    task: str | None,
    data: Path | None,
    run_all: bool,
    medqa: Path | None,
    medmcqa: Path | None,
    pubmedqa: Path | None,
    method: str,
    limit: int | None,
    batch_size: int,
    max_new_tokens: int,
    cop_base: str,
    ground_truth: Path | None,
    pubmedqa_all_items: bool,
    device: str,
    dtype: str,
    revision: str | None,
    device_map: str | None,
    bos: bool,
    out: Path | None,
) -> None:
    """Evaluate a model on MedQA, MedMCQA and PubMedQA: accuracy, per-item predictions, and a summary."""
    jobs = _jobs(task, data, run_all, {"medqa": medqa, "medmcqa": medmcqa, "pubmedqa": pubmedqa})
    if ground_truth is not None and "pubmedqa" not in jobs:
        raise click.UsageError("--ground-truth is for PubMedQA; give --task pubmedqa or --all --pubmedqa FILE.")
    if cop_base != "auto" and "medmcqa" not in jobs:
        raise click.UsageError("--cop-base is for MedMCQA; give --task medmcqa or --all --medmcqa FILE.")
    from medc.cli.paths import check_model
    from trainer.evaluate.model import load_model
    from trainer.evaluate.report import write_run, write_task
    from trainer.evaluate.run import EvalSettings, evaluate

    settings = EvalSettings(method, batch_size, max_new_tokens, bos, limit)
    benches = _benchmarks(
        jobs, limit, cop_base, ground_truth, pubmedqa_all_items
    )  # before the slow model load: mistakes show early
    check_model(model, "--model", revision)
    _check_device(device)
    loaded = load_model(model, device=device, dtype=dtype, revision=revision, device_map=device_map)
    out_dir = out or Path("medc-eval") / re.sub(r"[^A-Za-z0-9._-]+", "_", model.strip("/"))
    summaries = []
    for bench in benches:
        summary, results = evaluate(loaded, bench, settings)
        write_task(out_dir, summary, results)
        summaries.append(summary)
    path = write_run(out_dir, summaries)
    click.echo(path.read_text("utf-8"))
    click.echo(f"Predictions and summaries: {out_dir}")


def _check_device(device: str) -> None:
    """`--device` names a device this machine has, before the model loads onto it."""
    import torch

    from medc.cli.errors import SettingError

    if device == "auto":
        return
    try:
        kind = torch.device(device)
    except RuntimeError:
        raise SettingError(f"--device {device}: not a device name (auto, cpu, cuda, cuda:1, mps, ...)") from None
    if kind.type == "cuda" and not torch.cuda.is_available():
        raise SettingError(f"--device {device}: torch sees no CUDA device here; use --device cpu") from None
    if kind.type == "cuda" and kind.index is not None and kind.index >= torch.cuda.device_count():
        raise SettingError(f"--device {device}: only {torch.cuda.device_count()} CUDA device(s) here")


def _benchmarks(
    jobs: dict[str, Path], limit: int | None, cop_base: str, ground_truth: Path | None, all_items: bool = False
) -> list:
    from trainer.evaluate.benchmark import load_benchmark

    benches = []
    for name, path in jobs.items():
        base = int(cop_base) if cop_base != "auto" and name == "medmcqa" else "auto"
        truth = ground_truth if name == "pubmedqa" else None
        try:
            benches.append(
                load_benchmark(name, path, limit=limit, cop_base=base, ground_truth=truth, all_items=all_items)
            )
        except ValueError as exc:
            raise click.ClickException(str(exc) + _task_hint(name, path)) from None
    return benches


def _task_hint(task: str, path: Path) -> str:
    """'; this looks like MedQA: use --task medqa' when the file is another benchmark than `task`."""
    from medc.format_guess import FORMATS, guess_file

    found = guess_file(path)
    if found not in TASKS or found == task:
        return ""
    return f"; this looks like {FORMATS[found][0]}: use --task {found}"


def _jobs(task: str | None, data: Path | None, run_all: bool, files: dict[str, Path | None]) -> dict[str, Path]:
    given = {name: path for name, path in files.items() if path is not None}
    if run_all:
        if task or data:
            raise click.UsageError("--all takes --medqa/--medmcqa/--pubmedqa files, not --task/--data.")
        missing = [f"--{name}" for name in TASKS if name not in given]
        if missing:
            raise click.UsageError(f"--all runs the three benchmarks; also give {', '.join(missing)} FILE.")
        return given
    if given:
        raise click.UsageError(
            f"{', '.join('--' + n for n in given)} go with --all; for one task use --task NAME --data FILE."
        )
    if not task or data is None:
        raise click.UsageError("Give --task and --data (or --all with --medqa, --medmcqa and --pubmedqa).")
    return {task: data}
