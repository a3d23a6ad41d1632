"""Charts of one run (and of its counterfactual twin when it has one).

Every function takes a RunResult (live, or loaded from a run folder with
`sim.present.report.load_run`) and a path, and returns the path, or None when the run
lacks what the chart needs (e.g. a twin).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..mentoring.person_effects import same_people
from .decomposition import mechanism
from .style import (BETTER, PALETTE, PROGRAM, TWIN, WORSE, by_sign, chart_style, drawn_in_style, figure, heap_frozen,
                    level_colours, pct, pinned_title, save)
from .survival import durations, exit_weeks, kaplan_meier, mentee_starts, status_spells, survival_at


def _levels(result) -> list[str]:
    return [lv.name for lv in result.config.org.levels]


def _groups(result) -> list[str]:
    return [g.name for g in result.config.org.groups]


@drawn_in_style
def retention(result, path: Path) -> Path | None:
    """Mentees' survival from enrollment: program vs the same people in the twin, and the naive view."""
    if result.twin is None or result.events.empty:
        return None
    starts = mentee_starts(result.events)
    if starts.empty:
        return None
    horizon = result.config.sim.horizon_weeks
    wpy = result.config.sim.weeks_per_year
    pairs = same_people(result, result.twin, starts.index)  # program id -> twin id, matched by draw key
    same = starts.reindex(pairs.index)
    fig, axes = figure(2, width=11)
    ax = axes[0, 0]
    curves = {}
    for label, events, color in (("With the program", result.events, PROGRAM),
                                 ("Same people, no program (twin)", result.twin.events, TWIN)):
        origins = same if events is result.events else pd.Series(same.to_numpy(), index=pairs.to_numpy())
        hired = events[events["kind"] == "hire"].groupby("employee")["week"].min().reindex(origins.index)
        origins = origins[(hired.isna() | (hired <= origins)).to_numpy()]  # the twin may hire them later
        d, e = durations(origins, exit_weeks(events), horizon)  # the twin's pre-enrolment leavers drop out
        t, s, lo, hi = kaplan_meier(d, e)
        ax.step(t / wpy, s, where="post", color=color, lw=2, label=f"{label} (n={len(d)})")
        ax.fill_between(t / wpy, lo, hi, step="post", color=color, alpha=0.15)
        curves[label] = (t, s)
    year = {k: survival_at(t, s, wpy) for k, (t, s) in curves.items()}
    prog, twin = year["With the program"], year["Same people, no program (twin)"]
    # two lines each: in the charts' bold titles, one line ran into the next panel's title
    pinned_title(ax, f"Caused: 1-year retention {pct(prog)} vs {pct(twin)}\n({len(same)} mentees, in both worlds)")
    ax.set_xlabel("Years since enrolling")
    ax.set_ylabel("Still employed (share, 95% band)")
    ax.legend(loc="lower left", fontsize=8)
    # The naive view, by status at each time: a late enrollee counts as a non-participant until enrolling.
    ax = axes[0, 1]
    spells = status_spells(result.events, result.metrics["headcount_start"], horizon, int(starts.min()))
    for key, label, color in (("mentee", "Mentees, from enrolling", PROGRAM),
                              ("none", "Non-participants, while not taking part", PALETTE[1])):
        d, e = spells[key]
        t, s, lo, hi = kaplan_meier(d, e)
        ax.step(t / wpy, s, where="post", color=color, lw=2, label=label)
        ax.fill_between(t / wpy, lo, hi, step="post", color=color, alpha=0.15)
    pinned_title(ax, "Naive: participants vs non-participants\n(selection included)")
    ax.set_xlabel("Years in the status")
    ax.legend(loc="lower left", fontsize=8)
    return save(fig, path)


@drawn_in_style
def turnover_by_level(result, path: Path) -> Path:
    """Annual turnover per level with Poisson 95% error bars; the twin beside when there is one."""
    levels = _levels(result)
    fig, axes = figure()
    ax = axes[0, 0]
    worlds = [("With the program" if result.twin is not None else "This run", result, PROGRAM)]
    if result.twin is not None:
        worlds.append(("Twin, no program", result.twin, TWIN))
    width = 0.8 / len(worlds)
    x = np.arange(len(levels))
    top = None
    for j, (label, res, color) in enumerate(worlds):
        m = res.metrics
        rate = np.array([m.get(f"turnover_annual.level.{lv}") or 0.0 for lv in levels])
        exits = res.timeseries.groupby("level", observed=False)["exits"].sum().reindex(levels).to_numpy(float)
        exposure = np.where(rate > 0, exits / np.where(rate > 0, rate, 1), np.nan)
        err = np.nan_to_num(1.96 * np.sqrt(exits) / exposure)
        ax.bar(x + (j - (len(worlds) - 1) / 2) * width, 100 * rate, width=width, color=color, label=label,
               yerr=100 * np.vstack([np.minimum(err, rate), err]), capsize=2)  # a rate is never below zero
        if top is None:
            top = (levels[int(np.argmax(rate))], rate.max())
    ax.set_xticks(x, levels, rotation=20)
    ax.set_ylabel("Exits per 100 person-years (95% CI)")
    ax.set_ylim(bottom=0)
    pinned_title(ax, f"Turnover is highest at {top[0]} ({100 * top[1]:.0f} per 100 a year)")
    # under the axes, where it covers no bar or error bar (loc="best" searched the data for room three
    # times a chart, and found none when the bars are tall); not beside them, which would widen the
    # chart and so shrink its text on the report's page
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=len(worlds), fontsize=9)
    return save(fig, path)


@drawn_in_style
def pipeline(result, path: Path) -> Path:
    """Headcount by level (stacked) and mean readiness by level over time."""
    ts = result.timeseries
    levels = _levels(result)
    head = ts.groupby(["year", "level"], observed=False)["headcount"].sum().unstack("level")[levels]
    weighted = ts.assign(r=ts["mean_readiness"].fillna(0) * ts["headcount"])
    ready = (weighted.groupby(["year", "level"], observed=False)["r"].sum().unstack("level")[levels] / head)
    # levels are an order, not worlds: a sequential, colour-blind safe map, so no level borrows the
    # program's blue or the vermillion of a loss
    shades = level_colours(len(levels))
    fig, axes = figure(2, width=13)
    ax = axes[0, 0]
    ax.stackplot(head.index, head.T.values, labels=levels, colors=shades, alpha=0.9)
    ax.set_xlabel("Year")
    ax.set_ylabel("Employees")
    # automatic placement: a headcount of a million or more puts an offset text ("1e6") above the y axis
    ax.set_title(f"Headcount {head.iloc[0].sum():,.0f} -> {head.iloc[-1].sum():,.0f}; open seats fill the gap")
    ax.set_ylim(0, 1.05 * float(head.sum(axis=1).max()))
    handles, labels = ax.get_legend_handles_labels()  # listed top to bottom, as stacked
    ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, title="Level",
              title_fontsize=7)
    ax = axes[0, 1]
    for i, lv in enumerate(levels[:-1]):
        ax.plot(ready.index, ready[lv], color=shades[i], lw=1.8, label=lv)
    ax.set_xlabel("Year")
    ax.set_ylabel("Mean readiness for the next level (0-1)")
    ax.set_ylim(0, 1)
    pinned_title(ax, "Readiness for the next level, by level")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="Level", title_fontsize=7)
    return save(fig, path)


def _internal_fill_by_year(result) -> tuple[np.ndarray, np.ndarray]:
    lt = result.level_timeseries
    lead = [lv.name for lv in result.config.org.levels if lv.leadership]
    sel = lt[lt["level"].isin(lead)].copy()
    sel["year"] = np.ceil(sel["week_end"] / result.config.sim.weeks_per_year)
    per = sel.groupby("year")[["fills_internal", "fills_external"]].sum()
    total = per.sum(axis=1)
    return per.index.to_numpy(), (per["fills_internal"] / total.where(total > 0)).to_numpy()


@drawn_in_style
def succession(result, path: Path) -> Path:
    """Bench strength over time and the yearly internal fill rate of leadership seats."""
    wpy = result.config.sim.weeks_per_year
    worlds = [("With the program" if result.twin is not None else "This run", result, PROGRAM)]
    if result.twin is not None:
        worlds.append(("Twin, no program", result.twin, TWIN))
    fig, axes = figure(2, width=12)
    for label, res, color in worlds:
        mt = res.model_timeseries
        axes[0, 0].plot(mt["week"] / wpy, mt["bench_strength"], color=color, lw=2, label=label)
        years, fill = _internal_fill_by_year(res)
        axes[0, 1].plot(years, 100 * fill, marker="o", color=color, lw=1.8, label=label)
    m = result.metrics
    pinned_title(axes[0, 0], f"Bench strength: {m['bench_strength_end']:.2f} ready-now per leadership seat at the end")
    axes[0, 0].set_xlabel("Year")
    axes[0, 0].set_ylabel("Ready-now successors per leadership seat")
    # legends in one row at the top, in room the axes keep above the data (a line may run along the
    # bottom: an internal fill rate of 0 in a small organization's year, a bench that empties)
    axes[0, 0].set_ylim(0, 1.25 * max(float(res.model_timeseries["bench_strength"].max()) for _, res, _ in worlds))
    axes[0, 0].legend(fontsize=8, loc="upper left", ncol=2)
    axes[0, 0].annotate("One seed: no interval. A sweep over seeds gives one.", (0.99, 0.02),
                        xycoords="axes fraction", ha="right", fontsize=7, color="#555555")
    pinned_title(axes[0, 1],
                 f"Leadership seats filled from inside: {pct(m['internal_fill_rate_leadership'], 0)} overall")
    axes[0, 1].set_xlabel("Year")
    axes[0, 1].set_ylabel("Internal fills (% of leadership fills)")
    axes[0, 1].set_ylim(0, 120)
    axes[0, 1].set_yticks(range(0, 101, 20))  # no tick in the legend's room above 100%
    axes[0, 1].legend(fontsize=8, loc="upper left", ncol=2)
    return save(fig, path)


@drawn_in_style
def representation(result, path: Path) -> Path:
    """Share of the last group (the presets' under-represented one) by level: start, end, twin's end."""
    m = result.metrics
    levels, focus = _levels(result), _groups(result)[-1]
    bars = [("Start", m, "start", PALETTE[1]), ("End" + (" with the program" if result.twin else ""), m, "end",
                                                   PROGRAM)]
    if result.twin is not None:
        bars.append(("End, twin (no program)", result.twin.metrics, "end", TWIN))
    fig, axes = figure(width=10)
    ax = axes[0, 0]
    x = np.arange(len(levels))
    width = 0.8 / len(bars)
    for j, (label, metrics, when, color) in enumerate(bars):
        share = [100 * (metrics.get(f"representation_{when}.{focus}.level.{lv}") or 0) for lv in levels]
        ax.bar(x + (j - (len(bars) - 1) / 2) * width, share, width=width, color=color, label=label)
    ax.set_xticks(x, levels, rotation=20)
    ax.set_ylabel(f"Share of group {focus} (%)")
    top_start = 100 * (m.get(f"representation_start.{focus}.level.{levels[-1]}") or 0)
    top_end = 100 * (m.get(f"representation_end.{focus}.level.{levels[-1]}") or 0)
    title = f"Group {focus} holds {top_end:.0f}% of {levels[-1]} seats at the end"
    if result.twin is not None:
        twin_end = 100 * (result.twin.metrics.get(f"representation_end.{focus}.level.{levels[-1]}") or 0)
        title += f" with the program,\n{twin_end:.0f}% without it (twin)"
    pinned_title(ax, f"{title}; {top_start:.0f}% at the start")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return save(fig, path)


def cost_value_rows(m: dict) -> list[tuple[str, float]]:
    """(label, amount) of each part of net value against the twin, in present value: costs negative,
    value as it came out (negative when the program made it worse); parts the run did not have
    (exactly zero, e.g. mentor training when it is off) are left out; the net last."""
    parts = [("Mentee time", -float(m.get("cost.mentee_time") or 0.0)),
             ("Mentor time", -float(m.get("cost.mentor_time") or 0.0)),
             ("Coordination", -float(m.get("cost.coordination") or 0.0)),
             ("Mentor training", -float(m.get("cost.training") or 0.0)),
             ("Avoided replacement of leavers" if float(m.get("value.replacement_savings") or 0.0) >= 0
              else "Extra replacement of leavers", float(m.get("value.replacement_savings") or 0.0)),
             ("Leadership seats filled inside", float(m.get("value.internal_fill_savings") or 0.0))]
    return [(k, v) for k, v in parts if v != 0] + [("Net value", float(m.get("value.net") or 0.0))]


@drawn_in_style
def cost_value(result, path: Path) -> Path | None:
    """What the programs cost against the value they created (against the twin): each bar coloured by
    its sign (a gain BETTER, a loss WORSE), whatever its label says."""
    from matplotlib.patches import Patch

    m = result.metrics
    if "cost.total" not in m:
        return None
    rows = cost_value_rows(m)
    labels, amounts = [r[0] for r in rows][::-1], np.array([r[1] for r in rows][::-1]) / 1000
    fig, axes = figure(width=9)
    ax = axes[0, 0]
    bars = ax.barh(labels, amounts, color=by_sign(amounts))
    bars[0].set_edgecolor("black")  # the net
    ax.bar_label(bars, labels=[f"{v:+,.0f}k" for v in amounts], padding=3, fontsize=8)
    ax.axvline(0, color="black", lw=0.8)
    span = np.abs(amounts).max() or 1.0
    ax.set_xlim(min(amounts.min(), 0) - 0.25 * span, max(amounts.max(), 0) + 0.25 * span)
    ax.set_xlabel("Thousands (currency of the salaries), present value at the start of the run")
    ax.legend(handles=[Patch(color=BETTER, label="Adds to net value (better)"),
                       Patch(color=WORSE, label="Takes from net value (worse)")], fontsize=8,
              loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)  # under the axes: inside, any corner may
    # hold a bar; beside them, the wider chart's text would shrink on the report's page
    roi = m.get("roi")
    pinned_title(ax, f"Net value {m.get('value.net', 0) / 1000:,.0f}k on a cost of {m['cost.total'] / 1000:,.0f}k "
                 f"(ROI {'n/a' if roi is None or roi != roi else f'{roi:+.2f}'})")
    return save(fig, path)


RUN_CHARTS = {
    "retention": retention,
    "turnover_by_level": turnover_by_level,
    "pipeline": pipeline,
    "succession": succession,
    "representation": representation,
    "cost_value": cost_value,
    "mechanism": mechanism,
}


# Charts that read the keys a run gains after its own simulation (the decomposition by mechanism, which
# worker processes may still be computing while the others are drawn).
SETTLED_CHARTS = ("mechanism",)


def run_charts(result, folder: Path, names=None) -> list[Path]:
    """Draw every chart the run supports (or those of `names`, in RUN_CHARTS order) into `folder`;
    returns the files written."""
    out = []
    with heap_frozen(), chart_style():  # set once for all the charts
        for name, draw in RUN_CHARTS.items():
            if names is not None and name not in names:
                continue
            path = draw(result, Path(folder) / f"{name}.png")
            if path is not None:
                out.append(path)
    return out
