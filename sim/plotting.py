"""Charts of one run, in one style: titles that state the finding, labelled units.

Imported only when charts are drawn, so runs without charts never load matplotlib.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

STYLE = {
    "figure.figsize": (8, 4.5),
    "figure.dpi": 110,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "font.size": 10,
}
PALETTE = ["#1b6ca8", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#9c755f", "#bab0ac"]


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp)
    plt.close(fig)
    tmp.replace(path)
    return path


def headcount_by_level(result, path: Path) -> Path:
    """Stacked headcount by level over time: the shape of the pipeline."""
    ts = result.timeseries
    table = ts.groupby(["year", "level"], observed=True)["headcount"].sum().unstack("level")
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        ax.stackplot(table.index, table.T.values, labels=table.columns, colors=PALETTE[: table.shape[1]], alpha=0.85)
        ax.set_xlabel("Year")
        ax.set_ylabel("Employees (headcount)")
        start, end = table.iloc[0].sum(), table.iloc[-1].sum()
        ax.set_title(f"Headcount moves from {start:,.0f} to {end:,.0f} with seats held or open")
        ax.legend(loc="lower left", fontsize=8, ncol=3)
        return _save(fig, path)


def turnover_by_level(result, path: Path) -> Path:
    """Annual turnover per level, voluntary vs other exits."""
    m, levels = result.metrics, result.model.org.level_names if result.model else None
    levels = levels or [k.split(".level.")[1] for k in m if k.startswith("turnover_annual.level.")]
    total = np.array([m[f"turnover_annual.level.{lv}"] or 0 for lv in levels]) * 100
    vol = np.array([m[f"voluntary_turnover_annual.level.{lv}"] or 0 for lv in levels]) * 100
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        x = np.arange(len(levels))
        ax.bar(x, vol, color=PALETTE[0], label="Voluntary")
        ax.bar(x, total - vol, bottom=vol, color=PALETTE[1], label="Retirement and other")
        ax.set_xticks(x, levels, rotation=20)
        ax.set_ylabel("Exits per 100 person-years")
        worst = levels[int(np.argmax(total))]
        ax.set_title(f"Turnover is highest at {worst} ({total.max():.0f}% a year)")
        ax.legend()
        return _save(fig, path)


def succession(result, path: Path) -> Path:
    """Bench strength and open leadership seats over time."""
    mt = result.model_timeseries
    years = mt["week"] / result.config.sim.weeks_per_year
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        ax.plot(years, mt["bench_strength"], color=PALETTE[0], lw=2, label="Bench strength (ready-now per seat)")
        ax.set_xlabel("Year")
        ax.set_ylabel("Ready-now successors per leadership seat")
        ax2 = ax.twinx()
        ax2.plot(years, mt["leadership_open_vacancies"], color=PALETTE[3], lw=1.5, ls="--",
                 label="Open leadership seats")
        ax2.set_ylabel("Open leadership seats")
        ax2.grid(False)
        fill = result.metrics.get("internal_fill_rate_leadership")
        fill_text = f"{fill:.0%}" if fill is not None and fill == fill else "n/a"
        ax.set_title(f"Leadership seats were filled from inside {fill_text} of the time")
        lines = ax.get_lines() + ax2.get_lines()
        ax.legend(lines, [ln.get_label() for ln in lines], loc="upper right", fontsize=8)
        return _save(fig, path)


def representation(result, path: Path) -> Path:
    """Share of each group by level, at the start and at the end."""
    m = result.metrics
    org = result.model.org
    levels, groups = org.level_names, org.group_names
    focus = groups[-1]  # the last group is the one the presets under-represent at the top
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        x = np.arange(len(levels))
        for j, when in enumerate(("start", "end")):
            share = [100 * (m[f"representation_{when}.{focus}.level.{lv}"] or 0) for lv in levels]
            ax.bar(x + (j - 0.5) * 0.38, share, width=0.38, color=PALETTE[j], label=when.capitalize())
        ax.set_xticks(x, levels, rotation=20)
        ax.set_ylabel(f"Share of group {focus} (%)")
        top_start = 100 * (m[f"representation_start.{focus}.level.{levels[-1]}"] or 0)
        top_end = 100 * (m[f"representation_end.{focus}.level.{levels[-1]}"] or 0)
        ax.set_title(f"Group {focus} holds {top_end:.0f}% of {levels[-1]} seats at the end (from {top_start:.0f}%)")
        ax.legend()
        return _save(fig, path)


ENGINE_CHARTS = {
    "headcount_by_level": headcount_by_level,
    "turnover_by_level": turnover_by_level,
    "succession": succession,
    "representation": representation,
}


def engine_charts(result, folder: Path) -> list[Path]:
    """Draw every engine chart of a run into `folder`; returns the files."""
    return [draw(result, folder / f"{name}.png") for name, draw in ENGINE_CHARTS.items()]
