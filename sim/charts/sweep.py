"""Charts of sweeps: a two-factor heatmap, cost against value by scenario, a sensitivity tornado."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from .style import BETTER, PALETTE, WORSE, drawn_in_style, figure, figure_with_key, save


def t_half_width(sd, n, confidence: float = 0.95):
    """Half-width of the t-interval of a mean over n seeds (NaN below two seeds)."""
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(0.5 + confidence / 2, np.where(n > 1, n - 1, np.nan))
        return sd * t / np.sqrt(n)


@drawn_in_style
def heatmap(runs: pd.DataFrame, row: str, col: str, metric: str, path: Path, scale: float = 1.0,
            unit: str = "", labels: tuple[str, str, str] | None = None) -> Path | None:
    """Mean of `metric` over seeds for each (row, col) override pair, with the 95% half-width;
    `labels`: the row key, column key and metric in words (the keys themselves otherwise)."""
    done = runs[runs["status"] == "complete"]
    row_c, col_c = f"ov.{row}", f"ov.{col}"
    if row_c not in done or col_c not in done or metric not in done or done.empty:
        return None
    grouped = done.groupby([row_c, col_c])[metric]
    mean = grouped.mean().unstack(col_c) * scale
    half = t_half_width(grouped.std(ddof=1), grouped.count()).unstack(col_c) * scale

    def order(values):
        try:
            return sorted(values, key=float)
        except ValueError:
            return sorted(values)

    mean = mean.reindex(index=order(mean.index), columns=order(mean.columns))
    half = half.reindex_like(mean)
    fig, axes = figure(width=8.5, height=5)
    ax = axes[0, 0]
    image = ax.imshow(mean.to_numpy(float), cmap="RdYlBu", aspect="auto")
    ax.set_xticks(range(mean.shape[1]), mean.columns)
    ax.set_yticks(range(mean.shape[0]), mean.index)
    row_label, col_label, metric_label = labels or (row, col, metric)
    ax.set_xlabel(col_label)
    ax.set_ylabel(row_label)
    ax.grid(False)
    for i in range(mean.shape[0]):
        for j in range(mean.shape[1]):
            v, h = mean.iat[i, j], half.iat[i, j]
            text = f"{v:.2f}" + ("" if not np.isfinite(h) else f"\n±{h:.2f}")
            ax.text(j, i, text, ha="center", va="center", fontsize=8)
    fig.colorbar(image, ax=ax, label=f"{metric_label}{unit}")
    # no "lowest" in the title: a cell is best only where its interval separates from the others'
    ax.set_title(f"{metric_label}{unit}: mean over seeds, ±95% half-width")
    return save(fig, path)


VERDICT_WORDS = {BETTER: "net value clearly above zero", WORSE: "net value clearly below zero",
                 PALETTE[7]: "net value unclear (its interval spans zero)"}


@drawn_in_style
def cost_value_scatter(runs: pd.DataFrame, path: Path, names: dict[str, str] | None = None) -> Path | None:
    """Mean cost against mean value per scenario, with 95% intervals over seeds; `names`: each scenario's
    label (the scenario itself otherwise). Blue above break-even, vermillion below, grey where the
    interval of value minus cost spans zero. Each design is numbered beside its point and named in a key
    under the axes (names written at the points ran over each other's intervals)."""
    from matplotlib.lines import Line2D

    done = runs[runs["status"] == "complete"]
    if "cost.total" not in done or "value.total" not in done or done.empty:
        return None
    g = done.groupby("scenario")[["cost.total", "value.total"]]
    mean, sd, n = g.mean() / 1000, g.std(ddof=1) / 1000, g.count()
    half = t_half_width(sd, n)
    columns = 1 if len(mean) <= 4 else 2
    key_rows = -(-len(mean) // columns)
    key_height = 0.45 + 0.19 * key_rows  # inches: the colours' meaning, then a line per row of designs
    fig, (ax,), key = figure_with_key(height=4.2 + key_height, key_height=key_height)
    net = (done["value.total"] - done["cost.total"]).groupby(done["scenario"])
    net_half = t_half_width(net.std(ddof=1), net.count()) / 1000
    net_mean = net.mean() / 1000
    colours = []
    for number, (name, r) in enumerate(mean.iterrows(), start=1):
        colour = interval_colour(net_mean[name], net_mean[name] - net_half[name], net_mean[name] + net_half[name],
                                 lower_is_better=False)
        colours.append(colour)
        ax.errorbar([r["cost.total"]], [r["value.total"]], xerr=[half.at[name, "cost.total"]],
                    yerr=[half.at[name, "value.total"]], fmt="o", color=colour, ecolor=colour, capsize=3)
        # right of the point's cost interval, where no part of its own cross is
        ax.annotate(str(number), (r["cost.total"] + np.nan_to_num(half.at[name, "cost.total"]), r["value.total"]),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize=8, fontweight="bold")
    ax.axline((0, 0), slope=1, ls="--", color="grey", lw=1)  # across the whole axes, whatever their range
    ax.set_xlabel("Program cost (thousands)")
    ax.set_ylabel("Value against the twin (thousands)")
    ax.set_title("Each design's cost and value against its twin\n(means over seeds, 95% intervals)")
    dot = dict(marker="o", linestyle="none", markersize=6)
    meaning = key.legend([*(Line2D([], [], color=c, **dot) for c in VERDICT_WORDS if c in colours),
                          Line2D([], [], color="grey", ls="--", lw=1)],
                         [*(w for c, w in VERDICT_WORDS.items() if c in colours), "break-even (value = cost)"],
                         loc="upper center", ncol=4, fontsize=8, borderaxespad=0, columnspacing=1.2)
    key.add_artist(meaning)  # the designs' numbers under it
    nothing = Line2D([], [], linestyle="none")
    key.legend([nothing] * len(mean), [f"{k}  {(names or {}).get(name, name)}" for k, name in enumerate(mean.index, 1)],
               loc="lower center", ncol=columns, fontsize=8, handlelength=0, handletextpad=0, borderaxespad=0)
    return save(fig, path)


# The dummy parameter of a sensitivity analysis (sim.studies.sensitivity_spec.DUMMY): its index
# is the noise floor. The charts layer imports nothing else of the package, so the name is here too.
NOISE_FLOOR_PARAMETER = "dummy"


@drawn_in_style
def tornado(table: pd.DataFrame, outcome: str, path: Path, outcome_label: str | None = None,
            names: dict[str, str] | None = None, scale: float = 1.0, unit: str = "") -> Path:
    """Parameters ranked by importance for one outcome, largest at the top.

    When the table holds the dummy parameter (one the model never reads), its
    index is drawn as a line, not a bar: the noise floor. Bars that end left
    of it are indistinguishable from seed noise. `outcome_label`, `names` (parameter -> words),
    `scale` and `unit` put a report's plain words and units on it (Morris mu* is in the outcome's units).
    """
    rows = table[table["outcome"] == outcome].sort_values("importance")
    dummy = rows[rows["parameter"] == NOISE_FLOOR_PARAMETER]
    rows = rows[rows["parameter"] != NOISE_FLOOR_PARAMETER]
    if "mu_star" in rows:
        conf, label = "mu_star_conf", f"Morris mu* (mean |elementary effect|{', ' + unit if unit else ''}, 95% CI)"
    else:
        conf, label, scale = "ST_conf", "Sobol total-order index ST (95% CI)", 1.0
    fig, axes = figure(width=9.0, height=max(3.5, 2.0 + 0.45 * len(rows)))
    ax = axes[0, 0]
    ax.barh([(names or {}).get(p, p) for p in rows["parameter"]], rows["importance"] * scale,
            xerr=rows[conf] * scale, color=PALETTE[0], capsize=3)
    ax.set_xlabel(label)
    # "depends most on" only where the top bar's interval clears the next one's
    title = f"{outcome_label or outcome}: parameters ranked by influence"
    if len(rows) >= 2:
        top, second = rows.iloc[-1], rows.iloc[-2]
        if top["importance"] - top[conf] > second["importance"] + second[conf]:
            title = f"{outcome_label or outcome} depends most on {(names or {}).get(top['parameter'], top['parameter'])}"
    if len(dummy):
        floor, half = float(dummy["importance"].iloc[0]) * scale, float(dummy[conf].iloc[0]) * scale
        ax.axvspan(max(floor - half, 0.0), floor + half, color=PALETTE[7], alpha=0.25, lw=0, zorder=0)
        ax.axvline(floor, color=PALETTE[3], ls="--", lw=1.5,
                   label="noise floor: a dummy parameter the model never reads (95% CI shaded);\n"
                         "parameters left of this line are indistinguishable from noise")
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.3))
        above = int((rows["importance"] * scale > floor).sum())
        title += (f"\n{above} of {len(rows)} parameters above the noise floor" if above else
                  "\nno parameter stands out from the noise floor")
    ax.set_title(title)
    return save(fig, path)


def interval_colour(mean: float, low: float, high: float, lower_is_better: bool) -> str:
    """BETTER or WORSE when the whole interval is on one side of zero, the neutral grey when it spans zero
    (or is undefined): a colour claims a direction only when the interval does."""
    if not (np.isfinite(low) and np.isfinite(high)) or low <= 0 <= high:
        return PALETTE[7]
    return BETTER if (mean < 0) == lower_is_better else WORSE


@drawn_in_style
def design_intervals(panels: list[tuple[str, pd.DataFrame, bool]], path: Path, title: str) -> Path:
    """Side-by-side designs: one panel per figure (title, rows design/mean/low/high, lower is better),
    each design a dot with its 95% interval, against zero (no change from the twin); `title` names the
    designs' axis. Colours as `interval_colour` (the caption says which is which)."""
    fig, axes = figure(ncols=len(panels), width=4.2 * len(panels), height=1.4 + 0.45 * max(
        len(rows) for _, rows, _ in panels))
    for ax, (label, rows, lower_is_better) in zip(axes[0], panels):
        y = np.arange(len(rows))[::-1]
        for yi, r in zip(y, rows.itertuples()):
            colour = interval_colour(r.mean, r.low, r.high, lower_is_better)
            if np.isfinite(r.low) and np.isfinite(r.high):
                ax.plot([r.low, r.high], [yi, yi], color=colour, lw=2.5, solid_capstyle="butt")
            ax.plot([r.mean], [yi], "o", color=colour, ms=7)
        ax.axvline(0, color="#222222", lw=0.8)
        ax.set_yticks(y, list(rows["design"]))
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_title(label, fontsize=10)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("0 = the same as the twin", fontsize=8)
    axes[0, 0].set_ylabel(title)
    return save(fig, path)
