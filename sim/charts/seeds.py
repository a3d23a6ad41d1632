"""Page 1's chart of a run over several paired seeds: each headline effect in every seed and its mean
with the 95% interval, the numbers the page quotes (imports nothing of the package).

A panel is an `EffectPanel`: the effect in each seed (program world minus its twin, in the panel's
units), the mean and interval over the seeds, and which way is better. A seed's dot is BETTER or
WORSE by the side of zero it falls on; the mean is a line in ink over its interval's grey band,
labelled "unclear" when the interval spans zero.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .style import BETTER, STYLE, WORSE, figure, plt, save

INK, ZERO, BAND = "#222222", "#666666", "#d9d9d9"
HEIGHT = 1.45  # inches: squat, so that it fits under page 1's text at the page's width


@dataclass(frozen=True)
class EffectPanel:
    title: str  # what the effect is, with its unit and its better direction
    values: tuple  # the effect in each seed, in the panel's units
    mean: float
    low: float
    high: float
    lower_is_better: bool
    fmt: str = "{:+.2f}"  # the mean's label


def _better(value: float, lower_is_better: bool) -> bool:
    return value < 0 if lower_is_better else value > 0


def effects_by_seed(panels: list[EffectPanel], path: Path) -> Path:
    """One panel a headline effect, side by side: a dot a seed, the mean over its 95% interval."""
    fig, _ = figure(width=8.0, height=HEIGHT)
    fig.clear()  # a row of panels over a row for the key, which the layout then makes room for
    with plt.rc_context(STYLE):
        grid = fig.add_gridspec(2, len(panels), height_ratios=(1.0, 0.22))
        axes = [fig.add_subplot(grid[0, j]) for j in range(len(panels))]
        key = fig.add_subplot(grid[1, :])
    for ax, p in zip(axes, panels):
        values = np.asarray(p.values, dtype=float)
        values = values[np.isfinite(values)]
        colours = [BETTER if _better(v, p.lower_is_better) else WORSE for v in values]
        defined = bool(np.isfinite([p.mean, p.low, p.high]).all())
        if defined:
            ax.axvspan(p.low, p.high, color=BAND, zorder=1, linewidth=0)
            ax.plot([p.mean, p.mean], [-0.55, 0.55], color=INK, linewidth=2, zorder=2)
            unclear = p.low <= 0 <= p.high
            ax.annotate(f"mean {p.fmt.format(p.mean)}" + (", unclear" if unclear else ""), (p.mean, 0.55),
                        xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=8.5,
                        color=INK, bbox=dict(facecolor="white", edgecolor="none", alpha=0.85, pad=0.6))
        ax.scatter(values, np.zeros_like(values), s=24, c=colours, alpha=0.9, linewidths=0, zorder=3)
        ax.axvline(0, color=ZERO, linewidth=0.9, linestyle="--", zorder=2)
        span = np.concatenate([values, [0.0], [p.low, p.high] if defined else []])
        pad = 0.06 * (span.max() - span.min() or 1.0)
        ax.set_xlim(span.min() - pad, span.max() + pad)
        ax.set_ylim(-0.8, 1.25)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="x", labelsize=8.5)
        ax.set_title(p.title, loc="left", fontsize=9.5)
    dot = dict(marker="o", linestyle="none", markersize=5, markeredgewidth=0)
    key.axis("off")
    key.legend([Line2D([], [], color=BETTER, **dot), Line2D([], [], color=WORSE, **dot),
                Line2D([], [], color=INK, linewidth=2), Patch(color=BAND)],
               ["a seed where the program did better", "a seed where it did worse", "mean over the seeds",
                "its 95% interval"], loc="center", ncol=4, fontsize=8, handletextpad=0.4, columnspacing=1.5,
               borderaxespad=0.0, frameon=False)
    return save(fig, path)
