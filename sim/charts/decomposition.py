"""Waterfall of a program's effect by mechanism: table in, PNG out (imports nothing of the package).

The table has one row per (panel, part): `panel` (its title, units included), `label` (the
channel, in words), `value` (in the panel's units), `unit` (the suffix of the printed numbers) and
`lower_is_better` (per panel: True for turnover). Each panel's parts are drawn as running steps from
zero and its total, their sum, as a last outlined bar; a part is coloured BETTER when it moves the
outcome the good way for its panel and WORSE otherwise.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .style import BETTER, WORSE, drawn_in_style, figure, pinned_title, save

TOTAL = "Total effect"
# The parts of the decomposition (docs/MODEL.md 8.13), in the order of metrics.json, in words.
PART_WORDS = {
    "mentee_retention": "mentees' own retention", "mentor_retention": "mentors' retention",
    "alumni": "alumni retention", "belonging": "mentees' belonging and engagement", "sponsorship": "sponsorship",
    "skill_promotion": "new skills counting for promotion", "skill_market": "new skills drawing market offers",
    "passed_over": "passed-over events", "costs": "the program's cost", "other": "other (not a channel)",
}
# (metric, panel title, scale to the panel's units, unit suffix, lower is better)
PANELS = (
    ("turnover_annual", "Annual turnover, points", 100.0, "", True),
    ("promotions_total", "Promotions over the run, people", 1.0, "", False),
    ("value.net", "Net value, thousands", 0.001, "k", False),
)


def mechanism_table(metrics: dict) -> pd.DataFrame:
    """The `decomposition.<part>.<metric>` keys of a run as the waterfall's table (empty without them).

    Parts that are exactly zero in every panel are left out."""
    rows = []
    for metric, panel, scale, unit, lower in PANELS:
        for part in PART_WORDS:
            value = metrics.get(f"decomposition.{part}.{metric}")
            if value is not None and value == value:
                rows.append({"part": part, "panel": panel, "label": PART_WORDS[part][0].upper() + PART_WORDS[part][1:],
                             "value": float(value) * scale, "unit": unit, "lower_is_better": lower})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    live = table.groupby("part")["value"].apply(lambda v: (v != 0).any())
    return table[table["part"].map(live)].reset_index(drop=True)


def mechanism(result, path: Path) -> Path | None:
    """The run's waterfall (a run chart): None when the run has no decomposition."""
    table = mechanism_table(result.metrics)
    return waterfall(table, path, "Why the outcome moved: the program's effect by mechanism") if len(table) else None


def _label(value: float, unit: str) -> str:
    """Signed; two decimals below 10, one below 100, none above (trailing zeros dropped: the parts are
    often halves); a part that rounds to 0 is "0"."""
    digits = 2 if abs(value) < 10 else 1 if abs(value) < 100 and unit != "k" else 0  # thousands: whole
    if round(value, digits) == 0:
        return f"0{unit}"
    text = f"{value:+,.{digits}f}"
    return (text.rstrip("0").rstrip(".") if digits else text) + unit


@drawn_in_style
def waterfall(table: pd.DataFrame, path: Path, title: str = "") -> Path | None:
    """One waterfall panel per `panel` of `table`, side by side, sharing the parts' order."""
    from matplotlib.patches import Patch

    if table.empty:
        return None
    panels = list(dict.fromkeys(table["panel"]))
    labels = list(dict.fromkeys(table["label"]))
    rows = labels + [TOTAL]
    fig, axes = figure(len(panels), width=3.2 * len(panels) + 2.4, height=0.42 * len(rows) + 1.6)
    y = np.arange(len(rows))[::-1]  # the first part on top, the total at the bottom
    for ax, panel in zip(axes[0], panels):
        part = table[table["panel"] == panel].set_index("label")
        lower_better = bool(part["lower_is_better"].iloc[0])
        unit = str(part["unit"].iloc[0])
        values = part["value"].reindex(labels).fillna(0.0).to_numpy(dtype=float)
        starts = np.concatenate([[0.0], np.cumsum(values)[:-1]])
        total = float(values.sum())
        widths = np.append(values, total)
        lefts = np.append(starts, 0.0)
        better = (widths < 0) if lower_better else (widths > 0)
        colours = [BETTER if b else WORSE for b in better]
        bars = ax.barh(y, widths, left=lefts, color=colours, height=0.62)
        bars[-1].set_edgecolor("black")
        bars[-1].set_linewidth(1.2)
        # connectors, where one step ends the next begins: one collection, not a line each
        n = len(values) - 1
        ax.vlines((starts + values)[:n], y[:n] - 0.31, y[1:n + 1] + 0.31, color="#555555", lw=0.6,
                  capstyle="projecting")
        span = max(np.abs(np.append(starts + values, [0.0, total])).max(), 1e-12)
        for bar, w, x0 in zip(bars, widths, lefts):
            edge = max(x0, x0 + w)
            ax.text(edge + 0.03 * span, bar.get_y() + bar.get_height() / 2, _label(w, unit), va="center",
                    fontsize=8)
        lo = min(0.0, (lefts + np.minimum(widths, 0)).min())
        hi = max(0.0, (lefts + np.maximum(widths, 0)).max())
        ax.set_xlim(lo - 0.1 * span, hi + 0.45 * span)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels(rows if ax is axes[0][0] else [""] * len(rows))
        pinned_title(ax, panel, fontsize=10)
        ax.grid(axis="y", visible=False)
    axes[0][0].legend(handles=[Patch(color=BETTER, label="Better (turnover down; promotions and value up)"),
                               Patch(color=WORSE, label="Worse")], fontsize=8, loc="upper center",
                      bbox_to_anchor=(0.5, -0.6 / max(len(rows), 1) - 0.06), ncol=2)
    if title:
        fig.suptitle(title, fontsize=11.5, fontweight="bold")
    return save(fig, path)
