"""The `--decontaminate FILE...` option both build verbs share, and reading its files once for the build."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

import click

log = logging.getLogger(__name__)


def decontaminate_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--decontaminate",
        "eval_inputs",
        multiple=True,
        metavar="PATH",
        help="Evaluation files to remove overlaps with: MedQA test, MedMCQA dev, PubMedQA ori_pqal.json / "
        "test_set.json (with test_ground_truth.json to keep only the test split); files, folders or archives.",
    )(func)


def load_evaluations(paths: tuple[str, ...], config: Any) -> tuple[Any, dict[str, Any]] | None:
    """(EvalSet, facts for the manifest) of the `--decontaminate` inputs, or None without any. A file that yields
    no item stops the build with a message naming it."""
    from medc.decontamination import EvalFileError, load_eval_set

    if not paths:
        return None
    try:
        evals = load_eval_set(list(paths))
    except EvalFileError as exc:
        raise click.ClickException(f"--decontaminate: {exc}") from None
    log.info("decontaminating against %d evaluation items (%s)", len(evals.items), evals.counts())
    facts = {
        "eval_files": evals.files,
        "eval_items": evals.counts(),
        "settings": dataclasses.asdict(config),
    }
    return evals, facts
