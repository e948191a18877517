"""`medc train`: continued pretraining on MedC-K (`pretrain`), instruction tuning on MedC-I (`sft`), `export`
of a checkpoint to a Hugging Face model directory, and `init-tiny` (an offline tiny LLaMA for trying it out).

Tokenize before the job (optional):  medc train tokenize --model ./llama --data medc-k/ --out runs/k --workers 8
Single process (CPU or one GPU):     medc train pretrain --model ./llama --data medc-k/ --out runs/k
Several GPUs / nodes, same flags:    deepspeed --num_gpus 8 --no_local_rank --module medc train pretrain ...
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

RESUME_HELP = "Continue from the run's latest checkpoint (no value) or from the checkpoint PATH."


class SettingsCommand(click.Command):
    """A command whose help ends with every `--set` key of its config class, documented from the field
    docstrings (imported only when help is shown)."""

    def __init__(self, *args: Any, config_class: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config_class = config_class

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from trainer import config as train_config

        rows = [
            (key, f"{doc} [default: {default}]")
            for key, doc, default in train_config.describe(getattr(train_config, self.config_class))
        ]
        with formatter.section("Settings (config file keys; override any with --set KEY=VALUE)"):
            formatter.write_dl(rows)


def common_options(func: Any) -> Any:
    options = [
        click.option("--model", help="Local Hugging Face model directory or Hub model id."),
        click.option("--data", "data_path", help="Build directory or Hub dataset repo id."),
        click.option("--out", help="Run directory (checkpoints/, metrics.jsonl, final/)."),
        click.option(
            "--config",
            "config_file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="TOML file with settings (a run's config.toml reloads as it was).",
        ),
        click.option(
            "--set",
            "overrides",
            multiple=True,
            metavar="KEY=VALUE",
            help="Override one setting, e.g. --set optim.lr=1e-5 (repeatable; keys listed below).",
        ),
        click.option("--seq-len", type=int, help="Tokens per sequence (data.seq_len)."),
        click.option("--max-steps", type=int, help="Stop after this many optimizer steps."),
        click.option("--zero-stage", type=click.IntRange(0, 3), help="DeepSpeed ZeRO stage (engine.zero_stage)."),
        click.option("--resume", is_flag=False, flag_value="auto", default=None, metavar="[PATH]", help=RESUME_HELP),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def base_settings(
    model: str | None,
    data_path: str | None,
    out: str | None,
    seq_len: int | None,
    max_steps: int | None,
    zero_stage: int | None,
) -> dict[str, Any]:
    """CLI flags as a config dict (they win over a --config file; --set wins over both)."""
    base: dict[str, Any] = {
        "model": model,
        "out": out,
        "max_steps": max_steps,
        "data": {"path": data_path, "seq_len": seq_len},
        "engine": {"zero_stage": zero_stage},
    }
    return _drop_none(base)


def merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    out = {k: _drop_none(v) if isinstance(v, dict) else v for k, v in d.items() if v is not None}
    return {k: v for k, v in out.items() if v != {}}


def load_stage_config(
    config_class: str, base: dict[str, Any], config_file: Path | None, overrides: tuple[str, ...]
) -> Any:
    from medc.config import load_config, read_toml
    from trainer import config as train_config

    settings = read_toml(config_file) if config_file else {}
    merge(settings, base)  # flags given on the command line win over the file; --set wins over both
    return load_config(getattr(train_config, config_class), None, list(overrides), base=settings)


def check_paths(cfg: Any, base: dict[str, Any]) -> None:
    """Model, data and run directory usable, before a process group starts or a model loads; each named by the
    flag that gave it, or by its config key."""
    from medc.cli.paths import check_dataset, check_model, check_run_dir

    data_flags = base.get("data", {})
    check_model(cfg.model, "--model" if "model" in base else "model")
    check_dataset(cfg.data.path, "--data" if "path" in data_flags else "data.path")
    if getattr(cfg.data, "general", None):
        check_dataset(cfg.data.general, "--general" if "general" in data_flags else "data.general")
    check_run_dir(cfg.out, "--out" if "out" in base else "out")


def run_stage(
    config_class: str, base: dict[str, Any], config_file: Path | None, overrides: tuple[str, ...], resume: str | None
) -> None:
    from trainer.loop import run

    cfg = load_stage_config(config_class, base, config_file, overrides)
    check_paths(cfg, base)
    try:
        summary = run(cfg, resume=resume)
    except (ValueError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from None
    if not summary.get("is_main", True):
        return
    loss = summary["final_loss"]
    click.echo(
        f"Trained {summary['steps']} steps, {summary['tokens_seen']:,} tokens"
        + (f", final loss {loss:.4f}" if loss is not None else "")
        + (f"; model in {summary['export']}" if "export" in summary else ""),
        err=True,
    )


@click.group("train")
def command() -> None:
    """Train with DeepSpeed: continued pretraining (MedC-K), then instruction tuning (MedC-I).

    Multi-GPU and multi-node runs use the DeepSpeed launcher with the same flags:

      deepspeed --num_gpus 8 --no_local_rank --module medc train pretrain ...

      deepspeed --hostfile hosts --num_nodes 2 --num_gpus 8 --no_local_rank --module medc train pretrain ...

    (`torchrun --nproc_per_node 8 -m medc train ...` works too.)
    """


@command.command("pretrain", cls=SettingsCommand, config_class="PretrainConfig")
@common_options
@click.option("--general", help="General-domain text dataset (local file/dir or Hub id) for the `general` share.")
@click.option("--mix", help="Mixing weights, e.g. books=15,papers=4,general=1 (data.mix).")
def pretrain(
    model: str | None,
    data_path: str | None,
    out: str | None,
    config_file: Path | None,
    overrides: tuple[str, ...],
    seq_len: int | None,
    max_steps: int | None,
    zero_stage: int | None,
    resume: str | None,
    general: str | None,
    mix: str | None,
) -> None:
    """Continued pretraining on MedC-K: packed sequences of papers and books (+ general text), mixed by weight."""
    base = base_settings(model, data_path, out, seq_len, max_steps, zero_stage)
    if general:
        base.setdefault("data", {})["general"] = general
    if mix:
        base.setdefault("data", {})["mix"] = parse_mix(mix)
    run_stage("PretrainConfig", base, config_file, overrides, resume)


@command.command("tokenize", cls=SettingsCommand, config_class="PretrainConfig")
@common_options
@click.option("--general", help="General-domain text dataset (local file/dir or Hub id) for the `general` share.")
@click.option("--mix", help="Mixing weights, e.g. books=15,papers=4,general=1 (data.mix).")
@click.option(
    "--stage", type=click.Choice(["pretrain", "sft"]), default="pretrain", show_default=True, help="Whose data."
)
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes.")
@click.option(
    "--world-size",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes the training job will run (plans a --max-steps run's sequences).",
)
def tokenize(
    model: str | None,
    data_path: str | None,
    out: str | None,
    config_file: Path | None,
    overrides: tuple[str, ...],
    seq_len: int | None,
    max_steps: int | None,
    zero_stage: int | None,
    resume: str | None,
    general: str | None,
    mix: str | None,
    stage: str,
    workers: int,
    world_size: int,
) -> None:
    """Tokenize a run's data into the cache before the job, in parallel and resumably (a rerun continues).

    Takes the same flags or --config as the run; each source is tokenized only as far as the run's plan draws
    from it. The job then opens the finished cache without tokenizing or waiting. Settings listed below are
    those of `pretrain`; for `--stage sft` see `medc train sft --help`.
    """
    from trainer.tokenize_job import summary_rows
    from trainer.tokenize_job import tokenize as tokenize_data

    base = base_settings(model, data_path, out or "(tokenize)", seq_len, max_steps, zero_stage)
    if general:
        base.setdefault("data", {})["general"] = general
    if mix:
        base.setdefault("data", {})["mix"] = parse_mix(mix)
    cfg = load_stage_config("PretrainConfig" if stage == "pretrain" else "SFTConfig", base, config_file, overrides)
    check_paths(cfg, base)
    try:
        summary = tokenize_data(cfg, workers=workers, world=world_size)
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from None
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Tokenized for {stage}: {summary['total_steps']:,} steps planned")
    for column in ("source", "documents", "tokens", "tokenized"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for row in summary_rows(summary):
        table.add_row(*row)
    Console(stderr=True).print(table)


def parse_mix(text: str) -> dict[str, float]:
    try:
        return {name.strip(): float(weight) for name, weight in (item.split("=") for item in text.split(","))}
    except ValueError:
        raise click.BadParameter(f"{text!r}: expected NAME=WEIGHT,..., e.g. books=15,papers=4,general=1") from None


@command.command("sft", cls=SettingsCommand, config_class="SFTConfig")
@common_options
@click.option("--template", type=click.Choice(["pmc_llama", "chat"]), help="Prompt template (data.template).")
@click.option("--packing/--no-packing", default=None, help="Pack examples without padding (data.packing).")
def sft(
    model: str | None,
    data_path: str | None,
    out: str | None,
    config_file: Path | None,
    overrides: tuple[str, ...],
    seq_len: int | None,
    max_steps: int | None,
    zero_stage: int | None,
    resume: str | None,
    template: str | None,
    packing: bool | None,
) -> None:
    """Instruction tuning on MedC-I: loss on assistant turns only, normalized by target tokens."""
    base = base_settings(model, data_path, out, seq_len, max_steps, zero_stage)
    data = base.setdefault("data", {})
    if template:
        data["template"] = template
    if packing is not None:
        data["packing"] = packing
    run_stage("SFTConfig", base, config_file, overrides, resume)


@command.command("export")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--checkpoint", "tag", help="Checkpoint tag, e.g. step_00001000 (default: the latest).")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="Output directory (default RUN_DIR/final)."
)
@click.option("--dtype", type=click.Choice(["bfloat16", "float16", "float32"]), default="bfloat16", show_default=True)
def export(run_dir: Path, tag: str | None, out: Path | None, dtype: str) -> None:
    """Write a checkpoint of RUN_DIR as a Hugging Face model directory (ZeRO shards consolidated, safetensors)."""
    from trainer.export import export_checkpoint

    try:
        path = export_checkpoint(run_dir, out, tag, dtype)
    except (ValueError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Exported to {path}", err=True)


@command.command("init-tiny")
@click.option(
    "--corpus",
    "corpora",
    multiple=True,
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="medc build directory whose texts train the tokenizer (repeatable: MedC-K, MedC-I).",
)
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Model directory.")
@click.option("--vocab-size", default=1000, show_default=True, help="BPE vocabulary size.")
@click.option("--layers", default=2, show_default=True)
@click.option("--hidden", default=64, show_default=True)
@click.option("--heads", default=4, show_default=True)
@click.option("--intermediate", type=int, help="MLP inner size (default: 2 x hidden).")
@click.option("--max-texts", default=200_000, show_default=True, help="Texts read for tokenizer training at most.")
def init_tiny(
    corpora: tuple[str, ...],
    out: Path,
    vocab_size: int,
    layers: int,
    hidden: int,
    heads: int,
    intermediate: int | None,
    max_texts: int,
) -> None:
    """Build a tiny LLaMA with a BPE tokenizer trained on built corpora (offline; for tests and the demo)."""
    from trainer.tiny import TinyModelSpec, corpus_texts, init_tiny_model, train_tokenizer

    try:
        spec = TinyModelSpec(layers=layers, hidden=hidden, heads=heads, intermediate=intermediate or 2 * hidden)
        texts = corpus_texts(list(corpora), limit=max_texts)
    except (ValueError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from None
    tokenizer = train_tokenizer(texts, vocab_size=vocab_size)
    init_tiny_model(out, tokenizer, spec)
    click.echo(f"Wrote tiny model to {out} (vocab {len(tokenizer)})", err=True)
