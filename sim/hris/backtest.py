"""Backtest a calibration: fit on the data before the cut, simulate from the people employed at the
cut to the end of the data over several seeds, and see whether each year's observed figures fall in
the simulated 90% band.

Compared, per year after the cut and per level: `headcount` at the year's end, `hires` into the
level, `promotions` out of it and `exits` (every reason) from it. Year k is [cut + k years,
cut + k + 1 years) in the data and weeks [k W, (k + 1) W) in the simulation (week 0 = the cut, as in
`hris export`). The band of a cell is from the 5% to the 95% quantile of the seeds' values, taken
as values that occurred (`lower` / `higher`), so a discrete count equal to an edge is inside it; the
coverage is the share of cells whose observed value is inside. On data the model generated itself
it should be near 90% (slightly above: discrete counts tie at the edges).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .history import counts_by_level
from .load import DAYS_PER_YEAR, HRData
from .privacy import MIN_CELL, suppress_small_cells

MEASURES = ("headcount", "hires", "promotions", "exits")
EXIT_KINDS = ("voluntary_exit", "retirement", "involuntary_exit", "cycle_exit")
BAND = (0.05, 0.95)
DEFAULT_SEEDS = 20


@dataclass
class Backtest:
    table: pd.DataFrame  # year, level, measure, observed, low, high, covered, sim_median
    seeds: int
    cut: pd.Timestamp
    end: pd.Timestamp

    @property
    def coverage(self) -> float:
        return float(self.table["covered"].mean())

    @property
    def cells(self) -> int:
        return len(self.table)


def years_between(cut: pd.Timestamp, end: pd.Timestamp) -> int:
    """Whole years from the cut to the end of observation."""
    return int((end - cut).days // DAYS_PER_YEAR)


def year_start(cut: pd.Timestamp, k: int) -> pd.Timestamp:
    return cut + pd.Timedelta(days=round(k * DAYS_PER_YEAR))


def observed_years(data: HRData, spells: pd.DataFrame, cut: pd.Timestamp, years: int) -> pd.DataFrame:
    """The data's figures per year after the cut and level (long format: year, level, measure, value)."""
    rows = []
    for k in range(years):
        lo, hi = year_start(cut, k), year_start(cut, k + 1)
        counts = counts_by_level(data, lo, hi, spells)
        # Headcount at the year's end: people whose spell began before it and had not ended.
        held = (spells["start"] < hi) & (spells["end"].isna() | (spells["end"] >= hi))
        headcount = spells.loc[held, "level"].value_counts().reindex(data.level_names, fill_value=0)
        exits = counts[["voluntary", "involuntary", "retirement"]].sum(axis=1)
        for measure, values in (("headcount", headcount), ("hires", counts["hires"]),
                                ("promotions", counts["promotions"]), ("exits", exits)):
            rows += [(k, level, measure, int(v)) for level, v in values.items()]
    return pd.DataFrame(rows, columns=["year", "level", "measure", "value"])


def simulated_years(result, level_names: list[str], years: int, wpy: int) -> np.ndarray:
    """One run's figures as an array [year, level, measure] (MEASURES order)."""
    n = len(level_names)
    rank = {name: i for i, name in enumerate(level_names)}
    ev = result.events
    kind = ev["kind"].astype(str).to_numpy()
    level = ev["level"].astype(str).map(rank).to_numpy()
    year = ev["week"].to_numpy() // wpy
    keep = year < years
    out = np.zeros((years, n, len(MEASURES)), dtype=np.int64)

    def count(mask, levels):
        m = mask & keep
        return np.bincount(year[m] * n + levels[m], minlength=years * n).reshape(years, n)

    hires = count(kind == "hire", level)
    promoted = kind == "promotion"
    promotions_out = count(promoted, np.where(promoted, level - 1, 0))  # event level: the level moved to
    promotions_in = count(promoted, level)
    exits = count(np.isin(kind, EXIT_KINDS), level)
    people = result.people
    hired = ev.loc[kind == "hire", "employee"]
    starting = (people["joined_week"] == 0) & ~people["employee"].isin(hired)  # not a week-0 hire
    start = np.bincount(people.loc[starting, "level"].astype(str).map(rank).to_numpy(), minlength=n)
    headcount = start + np.cumsum(hires + promotions_in - promotions_out - exits, axis=0)
    out[..., 0], out[..., 1], out[..., 2], out[..., 3] = headcount, hires, promotions_out, exits
    return out


def run_seeds(config, seeds: int, years: int, progress=None) -> tuple[np.ndarray, list[str]]:
    """[seed, year, level, measure] of `seeds` runs of `config` (sim.seed = 0, 1, ...), no program."""
    from ..runs.result import simulate

    names = [lv.name for lv in config.org.levels]
    out = []
    for seed in range(seeds):
        cfg = copy.deepcopy(config)
        cfg.sim.seed = seed
        cfg.sim.horizon_years = float(years)
        cfg.output.events = True
        result = simulate(cfg, [])
        out.append(simulated_years(result, names, years, cfg.sim.weeks_per_year))
        if progress:
            progress(seed + 1, seeds)
    return np.stack(out), names


def compare(observed: pd.DataFrame, simulated: np.ndarray, names: list[str]) -> pd.DataFrame:
    """Observed against the simulated band, one row per (year, level, measure)."""
    low = np.quantile(simulated, BAND[0], axis=0, method="lower")
    high = np.quantile(simulated, BAND[1], axis=0, method="higher")
    median = np.median(simulated, axis=0)
    rank = {name: i for i, name in enumerate(names)}
    k = observed["year"].to_numpy()
    li = observed["level"].map(rank).to_numpy()
    mi = observed["measure"].map({m: i for i, m in enumerate(MEASURES)}).to_numpy()
    table = observed.rename(columns={"value": "observed"}).copy()
    table["low"], table["high"] = low[k, li, mi], high[k, li, mi]
    table["sim_median"] = median[k, li, mi]
    table["covered"] = (table["low"] <= table["observed"]) & (table["observed"] <= table["high"])
    return table


def suppressed(bt: Backtest, headcount_at_cut: pd.Series, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """The table as written: levels with fewer than `min_cell` people at the cut are blanked."""
    table = bt.table.copy()
    table["people"] = table["level"].map(headcount_at_cut).astype(int)
    table = suppress_small_cells(table, "people", ["observed", "low", "high", "sim_median", "covered"], min_cell)
    return table.drop(columns="people")
