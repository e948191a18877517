"""The charts of the reports, drawn with matplotlib's object API on the Agg backend (no display, no pyplot state,
so it is safe in any process), returned as PNG bytes.

    >>> plot = histogram("lengths", "Document length", {"papers": [5400, 8100, 23000]}, xlabel="characters", log_x=True)
    >>> plot.png[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    >>> plot.data_uri()[:22]
    'data:image/png;base64,'

PNGs carry no timestamp or software tag, so the same data draws the same bytes (a rebuilt card re-uploads no
unchanged plot).
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

WIDTH, HEIGHT, DPI = 5.6, 2.8, 100
COLORS = ("#3b6ea8", "#d9822b", "#4f9a5b", "#b84a4a", "#7a5ca8", "#8c6d46", "#c45c9a", "#6f7780", "#a3a33a", "#3aa3a3")
THRESHOLD_COLOR = "#b84a4a"


@dataclass(frozen=True, slots=True)
class Plot:
    name: str  # a file name stem: `lengths`, `rejections`, ...
    title: str
    png: bytes
    caption: str = ""

    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def _figure(height: float = HEIGHT, width: float = WIDTH) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # No layout engine: constrained layout draws every figure twice to measure it (nearly half the time of a
    # report); `_fit` sets the margins from the tick labels' lengths instead.
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _fit(fig: Any, legend_rows: int = 0) -> None:
    """Margins in inches, from what the axes carry: the y tick labels' length, axis labels, a title, rows of a
    legend below the axes."""
    ax = fig.axes[0]
    ticks = ax.yaxis.get_major_formatter().format_ticks(list(ax.get_yticks()))
    longest = max((len(t) for t in ticks), default=3)
    left = 0.14 + (0.24 if ax.get_ylabel() else 0) + 0.068 * longest
    bottom = 0.34 + (0.2 if ax.get_xlabel() else 0) + 0.2 * legend_rows
    width, height = fig.get_size_inches()
    fig.subplots_adjust(left=left / width, right=1 - 0.25 / width, bottom=bottom / height, top=1 - 0.34 / height)


def _style(ax: Any, title: str = "", xlabel: str = "", ylabel: str = "") -> None:
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.tick_params(labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="both", color="#e4e4e4", linewidth=0.6)
    ax.set_axisbelow(True)


def _png(fig: Any, legend_rows: int = 0) -> bytes:
    _fit(fig, legend_rows)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def bars(
    name: str, title: str, counts: dict[str, float], *, xlabel: str = "", caption: str = "", top: int = 25
) -> Plot:
    """Horizontal bars, largest first (at most `top`), each labelled with its value."""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    fig = _figure(height=0.95 + 0.28 * len(items))
    ax = fig.add_subplot()
    labels = [k for k, _ in items][::-1]
    values = [v for _, v in items][::-1]
    drawn = ax.barh(labels, values, color=COLORS[0], height=0.6)
    ax.bar_label(drawn, labels=[format_number(v) for v in values], fontsize=8, padding=3)
    ax.margins(x=0.15)
    _integer_ticks(ax.xaxis, values)
    _style(ax, title, xlabel)
    ax.grid(axis="y", visible=False)
    return Plot(name, title, _png(fig), caption)


def histogram(
    name: str,
    title: str,
    groups: dict[str, Sequence[float]],
    *,
    xlabel: str,
    log_x: bool = False,
    threshold: float | None = None,
    threshold_label: str = "",
    caption: str = "",
    bins: int = 40,
) -> Plot:
    """One histogram per group, overlaid; `threshold` is drawn as a vertical line with its label."""
    import numpy as np

    fig = _figure()
    ax = fig.add_subplot()
    arrays = {k: np.asarray(v, dtype=float) for k, v in groups.items() if len(v)}
    edges = _edges(np.concatenate(list(arrays.values())) if arrays else np.zeros(1), bins, log_x, threshold)
    for i, (label, values) in enumerate(arrays.items()):
        counts, _ = np.histogram(values, bins=edges)
        ax.stairs(
            counts, edges, fill=True, alpha=0.45, color=COLORS[i % len(COLORS)], label=f"{label} ({len(values):,})"
        )
    if log_x:
        ax.set_xscale("log")
    if threshold is not None:
        label = threshold_label or f"threshold {format_number(threshold)}"
        ax.axvline(threshold, color=THRESHOLD_COLOR, linestyle="--", linewidth=1.4, label=label)
    _integer_ticks(ax.yaxis, [1.0])
    _style(ax, title, xlabel, "records")
    if arrays or threshold is not None:
        ax.legend(fontsize=8, frameon=False)
    return Plot(name, title, _png(fig), caption)


def _edges(values: Any, bins: int, log_x: bool, threshold: float | None) -> Any:
    import numpy as np

    low, high = float(values.min()), float(values.max())
    if threshold is not None:
        low, high = min(low, threshold), max(high, threshold)
    if log_x:
        low = max(low, 1.0)
        high = max(high, low * 1.01)
        return np.geomspace(low, high * 1.0001, bins + 1)
    if math.isclose(low, high):
        low, high = low - 0.5, high + 0.5
    return np.linspace(low, high, bins + 1)


def lines(
    name: str,
    title: str,
    series: dict[str, tuple[Sequence[float], Sequence[float]]],
    *,
    xlabel: str,
    ylabel: str = "",
    log_y: bool = False,
    percent: bool = False,
    caption: str = "",
) -> Plot:
    """One line per series (x, y); a series of one point is drawn as a marker."""
    fig = _figure()
    ax = fig.add_subplot()
    for i, (label, (xs, ys)) in enumerate(series.items()):
        ax.plot(
            xs,
            ys,
            marker="o" if len(xs) < 30 else None,
            markersize=3,
            linewidth=1.5,
            color=COLORS[i % len(COLORS)],
            label=label,
        )
    if log_y:
        ax.set_yscale("log")
    if percent:
        ax.yaxis.set_major_formatter(_percent_formatter())
    _style(ax, title, xlabel, ylabel)
    if len(series) > 1:
        ax.legend(fontsize=8, frameon=False)
    return Plot(name, title, _png(fig), caption)


def grouped_bars(
    name: str,
    title: str,
    categories: Sequence[str],
    series: dict[str, Sequence[float | None]],
    *,
    ylabel: str = "",
    caption: str = "",
    percent: bool = False,
) -> Plot:
    """Bars per category, one bar per series side by side (a None value leaves its bar out); values are written
    on the bars while there are few enough to read."""
    fig = _figure(height=HEIGHT + 0.2 * ((len(series) + 2) // 3))
    ax = fig.add_subplot()
    width = 0.8 / max(1, len(series))
    for i, (label, values) in enumerate(series.items()):
        xs = [c + (i - (len(series) - 1) / 2) * width for c in range(len(categories))]
        pairs = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
        drawn = ax.bar(
            [x for x, _ in pairs], [v for _, v in pairs], width=width * 0.92, color=COLORS[i % len(COLORS)], label=label
        )
        if len(series) <= 4:
            ax.bar_label(
                drawn, labels=[f"{v:.1%}" if percent else format_number(v) for _, v in pairs], fontsize=7, padding=2
            )
    ax.set_xticks(range(len(categories)), categories)
    if percent:
        ax.yaxis.set_major_formatter(_percent_formatter())
    ax.margins(y=0.15)
    _style(ax, title, "", ylabel)
    ax.grid(axis="x", visible=False)
    columns = min(3, len(series))
    fig.legend(fontsize=8, frameon=False, ncols=columns, loc="lower center")
    return Plot(name, title, _png(fig, legend_rows=-(-len(series) // columns)), caption)


def stacked_bars(
    name: str,
    title: str,
    categories: Sequence[str],
    layers: dict[str, Sequence[float]],
    *,
    xlabel: str = "",
    caption: str = "",
) -> Plot:
    """Horizontal bars per category, split into `layers` (kept, removed by X, ...)."""
    fig = _figure(height=1.2 + 0.3 * len(categories))
    ax = fig.add_subplot()
    left = [0.0] * len(categories)
    for i, (label, values) in enumerate(layers.items()):
        ax.barh(list(categories), list(values), left=left, height=0.6, color=COLORS[i % len(COLORS)], label=label)
        left = [a + b for a, b in zip(left, values, strict=True)]
    _style(ax, title, xlabel)
    ax.grid(axis="y", visible=False)
    ax.invert_yaxis()
    columns = min(5, len(layers))
    fig.legend(fontsize=8, frameon=False, ncols=columns, loc="lower center")
    return Plot(name, title, _png(fig, legend_rows=-(-len(layers) // columns)), caption)


def _integer_ticks(axis: Any, values: Sequence[float]) -> None:
    """Counts get whole-number ticks (no `0.5 records`)."""
    if all(float(v).is_integer() for v in values):
        from matplotlib.ticker import MaxNLocator

        axis.set_major_locator(MaxNLocator(integer=True))


def _percent_formatter() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1.0, decimals=0)


def format_number(value: float) -> str:
    """`3` for 3.0, `1,204` for 1204, `0.35` for 0.35."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3g}"
