"""The report of an evaluation directory (`medc eval --out DIR`): accuracy per task and method, beside the
PMC-LLaMA paper's reference rows.

    >>> page = eval_page(Path("eval/"))
    >>> page.sections[0].blocks[1].rows[0]
    ['runs/sft/final', 'loglik', '28.00', '36.00', '52.00', '38.67']

Reads `summary.json` (or each `<task>-<method>.summary.json`) as `trainer/evaluate/report.py` writes them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from medc.report import plots
from medc.report.page import Figure, Note, Page, Section, Table
from medc.report.paper import CITATION, PAPER_ROWS, TASKS
from medc.report.readers import as_dict, as_number, read_eval

PAPER_SHOWN = (("ChatGPT", "175B"), ("LLaMA-2", "13B"), ("PMC-LLaMA", "13B"))  # in the chart; the table has all


def eval_page(root: Path) -> Page:
    summaries = read_eval(root)
    groups = _by_model_method(summaries)
    sections = [accuracy_section(groups), details_section(summaries)]
    facts = [
        ("tasks", ", ".join(sorted({s["task"] for s in summaries})) or "none"),
        ("model(s)", str(len({m for m, _ in groups}))),
    ]
    facts += [("items", f"{sum(int(as_number(s.get('items')) or 0) for s in summaries):,}")]
    return Page(
        "Evaluation report",
        str(root.resolve()),
        facts,
        [s for s in sections if s.blocks],
        footer=f"Written by `medc report` from the evaluation summaries. Reference rows: {CITATION} "
        "Nothing on this page is fetched from the network.",
    )


def _by_model_method(summaries: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    groups: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for s in summaries:
        groups.setdefault((str(s.get("model", "")), str(s.get("method", ""))), {})[str(s["task"])] = s
    return groups


def _accuracy(summary: dict[str, Any] | None) -> float | None:
    return as_number(as_dict((summary or {}).get("metrics")).get("acc"))


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _mean(values: list[float | None]) -> str:
    """The average of the three tasks; in brackets when some are missing (as `medc eval`'s table marks it)."""
    present = [v for v in values if v is not None]
    if not present:
        return "–"
    text = f"{sum(present) / len(present):.2f}"
    return text if len(present) == len(values) else f"({text})"


def accuracy_section(groups: dict[tuple[str, str], dict[str, dict[str, Any]]]) -> Section:
    if not groups:
        return Section("Accuracy", [Note("No task summaries (summary.json or *.summary.json) in this directory.")])
    rows = []
    series: dict[str, list[float | None]] = {}
    for (model, method), by_task in groups.items():
        accs = [_accuracy(by_task.get(task)) for task, _ in TASKS]
        pct = [None if a is None else 100 * a for a in accs]
        rows.append([f"{model} (this run)", method, *map(_pct, pct), _mean(pct)])
        series[f"{'/'.join(Path(model).parts[-2:]) or model} · {method}"] = accs
    for ref in PAPER_ROWS:
        scores = [ref.score(task) for task, _ in TASKS]
        rows.append(
            [f"{ref.method} {ref.size} (paper)".replace(" - ", " "), "paper", *map(_pct, scores), _mean(scores)]
        )
        if (ref.method, ref.size) in PAPER_SHOWN:
            series[f"{ref.method} {ref.size} (paper)"] = [None if v is None else v / 100 for v in scores]
    labels = [label for _, label in TASKS]
    return Section(
        "Accuracy",
        [
            Figure(
                plots.grouped_bars("accuracy", "Accuracy per task", labels, series, ylabel="accuracy", percent=True)
            ),
            Table(
                ["model", "method", *labels, "Avg"],
                rows,
                "Accuracy in %. Avg: the mean of the three tasks, computed here.",
                numeric={2, 3, 4, 5},
            ),
            Note(
                f"Rows marked (paper) are the reference numbers of the PMC-LLaMA paper, not rerun here: {CITATION} "
                "Prompts and scoring differ between evaluations; read them as a reference point."
            ),
        ],
        "Accuracy of each evaluated model and method, in the layout of the PMC-LLaMA paper's Table 2 (MedQA is "
        "its USMLE column).",
    )


def details_section(summaries: list[dict[str, Any]]) -> Section:
    rows = []
    for s in summaries:
        metrics = as_dict(s.get("metrics"))
        rows.append(
            [
                s["task"],
                s.get("method", ""),
                s.get("items", ""),
                *(_fraction(metrics.get(k)) for k in ("acc", "acc_stderr", "acc_norm", "unparseable")),
                ", ".join(f"{k} {v}" for k, v in as_dict(s.get("rejections")).items()) or "0",
                s.get("prompt_version", ""),
                Path(str(s.get("data_file", ""))).name,
                str(s.get("data_sha256", ""))[:16],
            ]
        )
    columns = [
        "task",
        "method",
        "items",
        "acc",
        "stderr",
        "acc_norm",
        "unparseable",
        "skipped",
        "prompt",
        "data file",
        "sha256",
    ]
    return Section(
        "Per task",
        [Table(columns, rows, "Skipped: items the evaluator could not use, by reason.", numeric={2, 3, 4, 5, 6})]
        if rows
        else [],
    )


def _fraction(value: Any) -> str:
    number = as_number(value)
    return "" if number is None else f"{number:.4f}"
