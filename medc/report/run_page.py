"""The report of a training run (`medc train pretrain|sft --out RUN`): loss and validation loss against steps and
tokens, learning rate, throughput and MFU, and the data mix actually drawn against the configured weights.

    >>> page = run_page(Path("runs/k"))
    >>> page.facts[:3]
    [('stage', 'pretrain'), ('steps', '30 of 30'), ('tokens seen', '15,224')]

Reads `metrics.jsonl`, `data.json`, `config.toml` and the checkpoints' `trainer_state.json` (the sampler's
position: how many sequences each source has given); whatever is missing leaves its section out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from medc.report import plots
from medc.report.page import Figure, Note, Page, Section, Table
from medc.report.readers import RunFiles, as_dict, as_number, read_run


def run_page(root: Path) -> Page:
    run = read_run(root)
    sections = [
        loss_section(run),
        schedule_section(run),
        throughput_section(run),
        mix_section(run),
        settings_section(run),
    ]
    return Page(
        f"Training run report ({run.stage})",
        str(root.resolve()),
        headline(run),
        [s for s in sections if s is not None and s.blocks],
        footer="Written by `medc report` from metrics.jsonl, data.json, config.toml and "
        "checkpoints/*/trainer_state.json. Nothing on this page is fetched from the network.",
    )


def _series(rows: list[dict[str, Any]], key: str, x: str = "step") -> tuple[list[float], list[float]]:
    pairs = [(as_number(r.get(x)), as_number(r.get(key))) for r in rows]
    pairs = [(a, b) for a, b in pairs if a is not None and b is not None]
    return [a for a, _ in pairs], [b for _, b in pairs]


def headline(run: RunFiles) -> list[tuple[str, str]]:
    facts = [("stage", run.stage)]
    total = as_number(run.config.get("max_steps")) or as_number(run.data.get("total_steps"))
    if run.train_rows:
        last = run.train_rows[-1]
        facts.append(("steps", f"{int(last['step']):,}" + (f" of {int(total):,}" if total else "")))
        if as_number(last.get("tokens_seen")) is not None:
            facts.append(("tokens seen", f"{int(last['tokens_seen']):,}"))
        facts.append(("last loss", f"{last['loss']:.4f}"))
    if run.val_rows:
        facts.append(("last validation loss", f"{run.val_rows[-1]['val_loss']:.4f}"))
    rates = _series(run.train_rows, "tokens_per_s")[1]
    if rates:
        facts.append(("median tokens/s", f"{float(np.median(rates)):,.0f}"))
    mfu = _series(run.train_rows, "mfu")[1]
    if mfu:
        facts.append(("median MFU", f"{float(np.median(mfu)):.1%}"))
    return facts


def loss_section(run: RunFiles) -> Section | None:
    if not run.train_rows and not run.val_rows:
        return Section("Loss", [Note("metrics.jsonl holds no loss yet: the run has not logged a step.")])
    by_step = {"training loss": _series(run.train_rows, "loss")}
    if run.val_rows:
        by_step["validation loss"] = _series(run.val_rows, "val_loss")
    blocks: list = [Figure(plots.lines("loss_steps", "Loss per target token", by_step, xlabel="step", ylabel="loss"))]
    steps, tokens = _series(run.train_rows, "tokens_seen")
    if steps:
        by_tokens = {"training loss": (tokens, _series(run.train_rows, "loss")[1])}
        if run.val_rows:
            val_steps, val_loss = _series(run.val_rows, "val_loss")
            by_tokens["validation loss"] = (list(np.interp(val_steps, steps, tokens)), val_loss)
        blocks.append(
            Figure(
                plots.lines("loss_tokens", "Loss against tokens seen", by_tokens, xlabel="tokens seen", ylabel="loss")
            )
        )
    if run.val_rows:
        rows = [[int(r["step"]), r["val_loss"], r.get("val_ppl", ""), r.get("val_tokens", "")] for r in run.val_rows]
        blocks.append(Table(["step", "validation loss", "perplexity", "tokens"], rows))
    return Section(
        "Loss", blocks, "Mean loss per target token of each logged step, and on the held-out validation data."
    )


def schedule_section(run: RunFiles) -> Section | None:
    lr = _series(run.train_rows, "lr")
    if not lr[0]:
        return None
    blocks: list = [Figure(plots.lines("lr", "Learning rate", {"lr": lr}, xlabel="step", ylabel="learning rate"))]
    grad = _series(run.train_rows, "grad_norm")
    if grad[0]:
        blocks.append(
            Figure(plots.lines("grad_norm", "Gradient norm (before clipping)", {"grad norm": grad}, xlabel="step"))
        )
    return Section("Learning rate and gradients", blocks)


def throughput_section(run: RunFiles) -> Section | None:
    rate = _series(run.train_rows, "tokens_per_s")
    if not rate[0]:
        return None
    blocks: list = [
        Figure(
            plots.lines("tokens_per_s", "Throughput (all ranks)", {"tokens/s": rate}, xlabel="step", ylabel="tokens/s")
        )
    ]
    mfu = _series(run.train_rows, "mfu")
    if mfu[0]:
        blocks.append(
            Figure(
                plots.lines("mfu", "Model FLOPs utilisation", {"MFU": mfu}, xlabel="step", ylabel="MFU", percent=True)
            )
        )
    else:
        blocks.append(Note("No MFU: the peak FLOP/s of the device is unknown (a CPU run, or set peak_tflops)."))
    return Section("Throughput", blocks, "Tokens per second over each logging window, all ranks together.")


def mix_section(run: RunFiles) -> Section | None:
    blocks: list = []
    sources = {k: as_dict(v) for k, v in as_dict(run.data.get("sources")).items()}
    if sources:
        columns = sorted({k for v in sources.values() for k in v})
        rows = [[name, *(_cell(v.get(c, "")) for c in columns)] for name, v in sources.items()]
        caption = "From data.json: what each source holds after tokenizing."
        blocks.append(Table(["source", *columns], rows, caption))
    blocks += _drawn_against_configured(run)
    intro = "The mix the run was configured with (weights of the sources that exist, normalised) and the mix it drew."
    return Section("Data mix", blocks, intro) if blocks else None


def _drawn_against_configured(run: RunFiles) -> list:
    configured = run.configured_mix
    weights = as_dict(as_dict(run.config.get("data")).get("mix"))
    last = run.drawn[-1] if run.drawn else None
    taken = last.taken if last else {}
    names = sorted(set(configured) | set(taken))
    if not names:
        return []
    total = sum(taken.values())
    drawn = {n: taken.get(n, 0) / total for n in names} if total else {}
    label = f"drawn by step {last.step}" if last else "drawn"
    rows = [[n, weights.get(n, ""), _share(configured.get(n)), taken.get(n, ""), _share(drawn.get(n))] for n in names]
    blocks: list = [Table(["source", "weight", "configured share", label, "drawn share"], rows, numeric={1, 2, 3, 4})]
    if not drawn:
        return [*blocks, Note("No checkpoint records yet what the run drew.")]
    series = {"configured": [configured.get(n) for n in names], label: [drawn[n] for n in names]}
    title = "Share of the mix per source"
    blocks.append(Figure(plots.grouped_bars("mix_drawn", title, names, series, ylabel="share", percent=True)))
    caption = "Items drawn per source by each checkpoint kept (the sampler's exact position)."
    blocks.append(Table(["step", *names], [[d.step, *(d.taken.get(n, 0) for n in names)] for d in run.drawn], caption))
    return blocks


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items()) or "none"
    return value if not isinstance(value, list) else ", ".join(map(str, value))


def settings_section(run: RunFiles) -> Section | None:
    rows = []
    for table in ("data", "optim", "engine"):
        for key, value in as_dict(run.config.get(table)).items():
            rows.append([f"{table}.{key}", value if not isinstance(value, (dict, list)) else str(value)])
    top = [[k, v] for k, v in run.config.items() if not isinstance(v, dict)]
    if not rows and not top:
        return None
    return Section(
        "Settings", [Table(["setting", "value"], top + rows, "From config.toml (reloads the run as it was).")]
    )
