"""Page 1's chart of a run over several paired seeds: each headline effect in every seed and its mean
with the 95% interval, the numbers the page quotes (imports nothing of the package).

A panel is an `EffectPanel`: the effect in each seed (program world minus its twin, in the panel's
units), the mean and interval over the seeds, and which way is better. A seed's dot is BETTER or
WORSE by the side of zero it falls on (grey exactly on it); dots that would touch are set on lanes
above and below; the mean is a line in ink over its interval's grey band, labelled "unclear" when
the band holds zero.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import StrMethodFormatter

from .style import BETTER, WORSE, drawn_in_style, figure_with_key, save

INK, ZERO, BAND, SAME = "#222222", "#666666", "#d9d9d9", "#9d9790"
HEIGHT = 1.4  # inches: squat, so that it fits under page 1's text at the page's width
KEY_HEIGHT = 0.23  # inches of it for the key
LANES = (0.0, 0.3, -0.3, 0.6, -0.6)  # heights a seed's dot may take, nearest the row first
GAP = 0.018  # dots closer than this share of the axis would touch: the later one takes another lane


@dataclass(frozen=True)
class EffectPanel:
    title: str  # what the effect is, with its unit and its better direction
    values: tuple  # the effect in each seed, in the panel's units
    mean: float
    low: float
    high: float
    lower_is_better: bool
    fmt: str = "{:+.2f}"  # the mean's label
    ticks: str = "{x:g}"  # the axis' numbers (StrMethodFormatter)


def colour_of(value: float, lower_is_better: bool) -> str:
    if value == 0:
        return SAME
    return BETTER if (value < 0) == lower_is_better else WORSE


def lanes(values: np.ndarray, gap: float) -> np.ndarray:
    """A height for each value: the nearest lane where the last dot placed is at least `gap` away
    (left to right; the outer lane once all are taken)."""
    heights = np.zeros(values.size)
    last = [-np.inf] * len(LANES)
    for i in np.argsort(values, kind="stable"):
        lane = next((k for k in range(len(LANES)) if values[i] - last[k] >= gap), len(LANES) - 1)
        heights[i], last[lane] = LANES[lane], values[i]
    return heights


@drawn_in_style
def effects_by_seed(panels: list[EffectPanel], path: Path) -> Path:
    """One panel a headline effect, side by side: a dot a seed, the mean over its 95% interval."""
    fig, axes, key = figure_with_key(len(panels), width=8.0, height=HEIGHT, key_height=KEY_HEIGHT)
    zero_seen = False
    for ax, p in zip(axes, panels):
        values = np.asarray(p.values, dtype=float)
        values = values[np.isfinite(values)]
        zero_seen |= bool((values == 0).any())
        defined = bool(np.isfinite([p.mean, p.low, p.high]).all())
        span = np.concatenate([values, [0.0], [p.low, p.high] if defined else []])
        pad = 0.06 * (span.max() - span.min() or 1.0)
        ax.set_xlim(span.min() - pad, span.max() + pad)
        if defined:
            ax.axvspan(p.low, p.high, color=BAND, zorder=1, linewidth=0)
            ax.plot([p.mean, p.mean], [-0.75, 0.75], color=INK, linewidth=2, zorder=2)
            unclear = p.low <= 0 <= p.high
            ax.annotate(f"mean {p.fmt.format(p.mean)}" + (", unclear" if unclear else ""), (p.mean, 0.75),
                        xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=8.5,
                        color=INK, bbox=dict(facecolor="white", edgecolor="none", alpha=0.85, pad=0.6))
        heights = lanes(values, GAP * (span.max() - span.min() + 2 * pad))
        ax.scatter(values, heights, s=22, c=[colour_of(v, p.lower_is_better) for v in values], alpha=0.9,
                   linewidths=0, zorder=3)
        ax.axvline(0, color=ZERO, linewidth=0.9, linestyle="--", zorder=2)
        ax.set_ylim(-0.9, 1.45)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.xaxis.set_major_formatter(StrMethodFormatter(p.ticks))
        ax.tick_params(axis="x", labelsize=8.5)
        ax.set_title(p.title, loc="left", fontsize=9.5)
    dot = dict(marker="o", linestyle="none", markersize=5, markeredgewidth=0)
    entries = [(Line2D([], [], color=BETTER, **dot), "a seed where the program did better"),
               (Line2D([], [], color=WORSE, **dot), "a seed where it did worse"),
               *([(Line2D([], [], color=SAME, **dot), "no change")] if zero_seen else []),
               (Line2D([], [], color=INK, linewidth=2), "mean over the seeds"),
               (Patch(color=BAND), "its 95% interval")]
    key.legend(*zip(*entries), loc="center", ncol=len(entries), fontsize=8, handletextpad=0.4, columnspacing=1.5,
               borderaxespad=0.0, frameon=False)
    return save(fig, path)
