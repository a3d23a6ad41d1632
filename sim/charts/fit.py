"""Charts of a fit report (`mentorsim calibrate`): the data against the fitted hazards and against
simulations of the calibrated organization. Inputs are plain tables; levels a report must not
show (small cells) are left out by the caller."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .style import PALETTE, TWIN, drawn_in_style, figure, save

OBSERVED, SIMULATED = PALETTE[0], TWIN


@drawn_in_style
def hazards(table: pd.DataFrame, path: Path) -> Path:
    """Voluntary exits per person-year by level (x) and tenure band (offset colours): observed with
    95% Poisson intervals, the fitted rate as a black bar."""
    fig, axes = figure(width=8.5, height=4.3)
    ax = axes[0, 0]
    levels = list(dict.fromkeys(table["level"]))
    bands = list(dict.fromkeys(table["tenure"]))
    width = 0.8 / len(bands)
    for j, band in enumerate(bands):
        part = table[table["tenure"] == band].set_index("level").reindex(levels)
        x = np.arange(len(levels)) - 0.4 + width * (j + 0.5)
        obs = part["observed"].to_numpy(float)
        err = np.vstack([obs - part["low"].to_numpy(float), part["high"].to_numpy(float) - obs])
        ax.errorbar(x, obs, yerr=np.nan_to_num(err), fmt="o", color=PALETTE[j + 1], ms=5, capsize=2,
                    label=f"observed, {band}")
        ax.hlines(part["fitted"].to_numpy(float), x - width * 0.4, x + width * 0.4, color="black", lw=2,
                  label="fitted" if j == 0 else None)
    ax.set_xticks(np.arange(len(levels)), levels, rotation=20, ha="right")
    ax.set_ylabel("voluntary exits per person-year")
    # Intervals of thin cells run far up; the axis shows the estimates, clipped bars say "beyond".
    top = np.nanmax(np.concatenate([table["observed"].to_numpy(float), table["fitted"].to_numpy(float)]))
    ax.set_ylim(0, 2.0 * top if np.isfinite(top) and top > 0 else 1.0)
    ax.set_title("Voluntary exit hazard by level and tenure: data (95% intervals) and fit")
    ax.legend(fontsize=8, ncol=2, loc="upper right")
    return save(fig, path)


@drawn_in_style
def tenure_survival(panels: list[dict], path: Path, horizon: float) -> Path:
    """Kaplan-Meier share of hires not yet left voluntarily, by years since hire: the data's hires and
    the simulated organization's with their 95% bands, one panel for all hires and one per level hired
    into. A panel is {"title", "observed", "simulated", "note"}, a curve (t, s, low, high, n) or None;
    a panel with no curve shows its note (e.g. "suppressed") instead."""
    ncols = min(4, len(panels))
    nrows = -(-len(panels) // ncols)
    fig, axes = figure(ncols, width=3.2 * ncols + 0.6, height=2.7 * nrows + 0.4, nrows=nrows, sharex=True,
                       sharey=True)
    # tight_layout leaves the x tick labels out of the room between panels: the last of one panel and
    # the first of the next met ("3.00.0") with the default padding
    fig.set_layout_engine("tight", w_pad=3.0)  # in font sizes: room for half of each of two labels
    for ax, panel in zip(axes.flat, panels):
        drawn = False
        for key, colour, label in (("observed", OBSERVED, "data"), ("simulated", SIMULATED, "simulated")):
            curve = panel.get(key)
            if curve is None:
                continue
            t, s, lo, hi, n = curve
            keep = t <= horizon
            ax.step(t[keep], s[keep], where="post", color=colour, label=f"{label} ({n:,})")
            ax.fill_between(t[keep], lo[keep], hi[keep], step="post", color=colour, alpha=0.2, lw=0)
            drawn = True
        if drawn:
            ax.legend(fontsize=7.5, loc="lower left")
        else:
            ax.text(0.5, 0.5, panel.get("note", ""), ha="center", va="center", transform=ax.transAxes,
                    fontsize=9, color="0.35", wrap=True)
        ax.set_title(panel["title"], fontsize=9.5)
        ax.set_ylim(0, 1.02)
        ax.set_xlim(0, horizon)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for col in range(ncols):  # the lowest panel of each column carries the axis' labels
        ax = axes[(len(panels) - 1 - col) // ncols, col]
        ax.xaxis.set_tick_params(labelbottom=True)
        ax.set_xlabel("years since hire")
    for ax in axes[:, 0]:
        ax.set_ylabel("not left voluntarily")
    # on one line it needs three panels' width
    fig.suptitle("Tenure of hires: Kaplan-Meier (95% bands), data and calibrated simulation,"
                 + (" " if ncols >= 3 else "\n") + "by level hired into", fontsize=10.5, fontweight="bold")
    return save(fig, path)


@drawn_in_style
def promotions(table: pd.DataFrame, path: Path) -> Path:
    """Per level: promotions per person-year (95% Poisson intervals) and mean years in level at
    promotion, observed and simulated."""
    fig, axes = figure(ncols=2, width=10, height=4.3)
    levels = table["level"].tolist()
    x = np.arange(len(levels))
    ax = axes[0, 0]
    for offset, (col, lo, hi), colour, label in (
            (-0.12, ("observed", "low", "high"), OBSERVED, "observed"),
            (0.12, ("simulated", "sim_low", "sim_high"), SIMULATED, "simulated")):
        v = table[col].to_numpy(float)
        err = np.vstack([v - table[lo].to_numpy(float), table[hi].to_numpy(float) - v])
        ax.errorbar(x + offset, v, yerr=np.nan_to_num(err), fmt="o", color=colour, capsize=2, label=label)
    ax.set_xticks(x, levels, rotation=20, ha="right")
    ax.set_ylabel("promotions out of the level per person-year")
    ax.set_ylim(bottom=0)
    ax.set_title("Promotion rate")
    ax.legend()
    ax = axes[0, 1]
    ax.bar(x - 0.2, table["years_in_level"].to_numpy(float), 0.4, color=OBSERVED, label="observed")
    ax.bar(x + 0.2, table["sim_years_in_level"].to_numpy(float), 0.4, color=SIMULATED, label="simulated")
    ax.set_xticks(x, levels, rotation=20, ha="right")
    ax.set_ylabel("mean years in level at promotion")
    ax.set_title("Time in level before promotion")
    ax.legend()
    return save(fig, path)
