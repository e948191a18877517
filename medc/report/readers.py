"""Every file format the reports read, in one place, read defensively: a missing file or field gives None or an
empty value (and the report leaves that section out), never an exception.

    >>> run = read_run(Path("runs/k"))
    >>> run.train_rows[0]
    {'step': 5, 'loss': 6.54, 'lr': 0.00299, 'tokens_per_s': 205.2, 'tokens_seen': 2544, ...}
    >>> run.drawn[-1]
    Draw(step=20, taken={'books': 64, 'papers': 16})

What the builders and the trainer write is still changing (per-rule removals in the manifest, origins in
`duplicates.jsonl`, trainer metrics), so the field names each reader accepts are listed here and nowhere else.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medc.config import tomllib

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
REJECTIONS = "rejections.jsonl"
DUPLICATES = "duplicates.jsonl"
METRICS = "metrics.jsonl"
RUN_DATA = "data.json"
RUN_CONFIG = "config.toml"
EVAL_SUMMARY = "summary.json"
# Fields of a rejection row that may hold the rejected text itself (none do yet; a builder that adds one is shown).
EXCERPT_FIELDS = ("excerpt", "text", "sample")


def read_json(path: Path) -> Any:
    """The parsed JSON in `path`, or None when it is missing or not JSON (logged)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("%s: cannot read it (%s); the report leaves it out", path, exc)
        return None


def iter_jsonl(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSON Lines file; a line that is not an object is skipped (and counted in the log)."""
    if not path.is_file():
        return
    bad = 0
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in itertools.islice(fh, limit):
            try:
                row = json.loads(line)
            except ValueError:
                bad += line.strip() != ""
                continue
            if isinstance(row, dict):
                yield row
            else:
                bad += 1
    if bad:
        log.warning("%s: %d lines are not JSON objects; skipped", path, bad)


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


# --- builds ---------------------------------------------------------------------------------------------------


def filter_thresholds(manifest: dict[str, Any]) -> dict[str, Any]:
    """The quality-filter settings a MedC-K build ran with (`settings.parse.filters`: FilterConfig)."""
    return as_dict(as_dict(as_dict(manifest.get("settings")).get("parse")).get("filters"))


def removed_per_rule(manifest: dict[str, Any]) -> dict[str, dict[str, int]] | None:
    """Text removed inside kept records, per rule: `{rule: {"chars": n, "count": k}}`, from `manifest["removed"]`
    (either that shape or `{rule: chars}`), or from `manifest["extra"]["removed"]`. None when not recorded."""
    raw = manifest.get("removed", as_dict(manifest.get("extra")).get("removed"))
    if not isinstance(raw, dict) or not raw:
        return None
    out = {}
    for rule, value in raw.items():
        if isinstance(value, dict):
            out[str(rule)] = {
                "chars": int(as_number(value.get("chars")) or 0),
                "count": int(as_number(value.get("count")) or 0),
            }
        elif as_number(value) is not None:
            out[str(rule)] = {"chars": int(value), "count": 0}
    return out or None


def instruction_sources(manifest: dict[str, Any]) -> dict[str, dict[str, int]]:
    """MedC-I records per source through assembly (`extra.instructions.sources`): staged, duplicates, ..."""
    sources = as_dict(as_dict(as_dict(manifest.get("extra")).get("instructions")).get("sources"))
    return {
        str(k): {str(c): int(n) for c, n in v.items() if as_number(n) is not None}
        for k, v in sources.items()
        if isinstance(v, dict)
    }


def decontamination(manifest: dict[str, Any]) -> dict[str, Any]:
    """What decontamination was run against and removed (`extra.decontamination`): eval_files, eval_items,
    removed (per source, MedC-I; per benchmark, MedC-K), ngram, min_overlap."""
    return as_dict(as_dict(manifest.get("extra")).get("decontamination"))


@dataclass(slots=True)
class RejectionRow:
    config: str
    origin: str
    reason: str
    detail: str
    record_id: str
    excerpt: str | None  # the rejected text, when the build recorded it


def read_rejections(root: Path) -> Iterator[RejectionRow]:
    for row in iter_jsonl(root / REJECTIONS):
        excerpt = next((row[k] for k in EXCERPT_FIELDS if isinstance(row.get(k), str) and row[k].strip()), None)
        yield RejectionRow(
            str(row.get("config", "")),
            str(row.get("origin", "")),
            str(row.get("reason", "unknown")),
            str(row.get("detail", "")),
            str(row.get("record_id", "")),
            excerpt,
        )


@dataclass(slots=True)
class DuplicateRow:
    kind: str
    kept: str
    removed: str
    similarity: float | None
    kept_origin: str | None
    removed_origin: str | None


def read_duplicates(root: Path) -> Iterator[DuplicateRow]:
    for row in iter_jsonl(root / DUPLICATES):
        yield DuplicateRow(
            str(row.get("kind", "")),
            str(row.get("kept", "")),
            str(row.get("removed", "")),
            as_number(row.get("similarity")),
            row.get("kept_origin") if isinstance(row.get("kept_origin"), str) else None,
            row.get("removed_origin") if isinstance(row.get("removed_origin"), str) else None,
        )


# --- training runs --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Draw:
    """How many sequences (or examples) each source had given the model by `step` (the sampler's `taken`)."""

    step: int
    taken: dict[str, int]


@dataclass
class RunFiles:
    root: Path
    stage: str  # pretrain | sft | train (from config.toml's first line)
    train_rows: list[dict[str, Any]] = field(default_factory=list)  # rows with `loss`
    val_rows: list[dict[str, Any]] = field(default_factory=list)  # rows with `val_loss`
    data: dict[str, Any] = field(default_factory=dict)  # data.json: sources, total_steps, ...
    config: dict[str, Any] = field(default_factory=dict)  # config.toml
    drawn: list[Draw] = field(default_factory=list)  # by step, from checkpoints (or metrics rows with `taken`)

    @property
    def configured_mix(self) -> dict[str, float]:
        """Each source's configured share of the mix: data.json's `share` (weights of the sources that exist,
        normalised), else config.toml's `data.mix` normalised."""
        sources = as_dict(self.data.get("sources"))
        shares = {k: as_number(as_dict(v).get("share")) for k, v in sources.items()}
        if shares and all(v is not None for v in shares.values()):
            return {k: float(v) for k, v in shares.items()}  # type: ignore[arg-type]
        mix = {k: as_number(v) for k, v in as_dict(as_dict(self.config.get("data")).get("mix")).items()}
        mix = {k: v for k, v in mix.items() if v}
        total = sum(mix.values())  # type: ignore[arg-type]
        return {k: v / total for k, v in mix.items()} if total else {}  # type: ignore[operator]


def read_run(root: Path) -> RunFiles:
    run = RunFiles(root, stage=_stage(root / RUN_CONFIG))
    for row in iter_jsonl(root / METRICS):
        if as_number(row.get("step")) is None:
            continue
        if as_number(row.get("loss")) is not None:
            run.train_rows.append(row)
        if as_number(row.get("val_loss")) is not None:
            run.val_rows.append(row)
    run.data = as_dict(read_json(root / RUN_DATA))
    try:
        run.config = tomllib.loads((root / RUN_CONFIG).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        run.config = {}
    run.drawn = _draws_from_metrics(run.train_rows) or _draws_from_checkpoints(root / "checkpoints")
    return run


def _stage(path: Path) -> str:
    try:
        first = path.read_text(encoding="utf-8").splitlines()[0]
    except (OSError, IndexError):
        return "train"
    return first.removeprefix("# medc train").strip() or "train"


def _draws_from_metrics(rows: list[dict[str, Any]]) -> list[Draw]:
    """Metrics rows that carry the sampler's counts (`taken` or `drawn_per_source`), if the trainer logs them."""
    draws = []
    for row in rows:
        taken = row.get("taken", row.get("drawn_per_source"))
        if isinstance(taken, dict):
            draws.append(Draw(int(row["step"]), {str(k): int(v) for k, v in taken.items() if as_number(v) is not None}))
    return draws


def _draws_from_checkpoints(root: Path) -> list[Draw]:
    """`checkpoints/step_*/trainer_state.json` → `data.sampler.taken` (the exact data position of the run)."""
    draws = []
    for state_file in sorted(root.glob("step_*/trainer_state.json")):
        state = as_dict(read_json(state_file))
        taken = as_dict(as_dict(as_dict(state.get("data")).get("sampler")).get("taken"))
        if taken and as_number(state.get("step")) is not None:
            draws.append(Draw(int(state["step"]), {str(k): int(v) for k, v in taken.items()}))
    return sorted(draws, key=lambda d: d.step)


# --- evaluations ----------------------------------------------------------------------------------------------


def read_eval(root: Path) -> list[dict[str, Any]]:
    """Task summaries of an evaluation directory: `summary.json` (a list), else every `*.summary.json`. Each is
    an `EvalSummary` as a dict (task, method, model, items, metrics {acc, acc_norm, ...}, ...)."""
    summaries = read_json(root / EVAL_SUMMARY)
    if not isinstance(summaries, list):
        summaries = [read_json(p) for p in sorted(root.glob("*.summary.json"))]
    return [s for s in summaries if isinstance(s, dict) and s.get("task") and isinstance(s.get("metrics"), dict)]


def detect_kind(root: Path) -> str | None:
    """`build`, `run` or `eval`, from the files `root` holds; None when it holds none of them."""
    if (root / MANIFEST).is_file() or (root / "data").is_dir():
        return "build"
    if (root / METRICS).is_file() or (root / RUN_DATA).is_file():
        return "run"
    if (root / EVAL_SUMMARY).is_file() or any(root.glob("*.summary.json")):
        return "eval"
    return None
