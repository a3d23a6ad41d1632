"""Checks of a fit for its report: the data against the fitted hazards, and against simulations of
the calibrated organization (tenure survival, promotion rates, time in level at promotion; these
are outputs of the model, not inputs of the fit).

The simulations start from the snapshot (the people at the end of the window) and run the window's
length (at most 5 years) forward on a few seeds; comparing them with the window assumes the
organization's dynamics did not change, which is what the check is for.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .fit import Fit
from .hazard import exposure_by_band
from .history import counts_by_level, spell_table
from .load import DAYS_PER_YEAR

TENURE_BANDS = ((0, 12, "first year"), (12, 36, "1-3 years"), (36, None, "3+ years"))  # months
CHECK_SEEDS = 4
CHECK_FIRST_SEED = 2000


def poisson_interval(k: np.ndarray, exposure: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) 95% interval of a rate from k events over exposure."""
    k = np.asarray(k, dtype=float)
    lo = np.where(k > 0, stats.chi2.ppf(0.025, 2 * k) / 2, 0.0)
    hi = stats.chi2.ppf(0.975, 2 * k + 2) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return lo / exposure, hi / exposure


def hazard_table(fit: Fit, data) -> pd.DataFrame:
    """Per level and tenure band: observed voluntary exits, person-years, rate with its interval, and
    the fitted (realized) rate: base x the first-year multiplier in the first year, base after."""
    exposure = exposure_by_band(spell_table(data), fit.since, fit.until, [lo for lo, _, _ in TENURE_BANDS])
    h = fit.hazard
    mult = h.first_year_multiplier if np.isfinite(h.first_year_multiplier) else 1.0
    rows = []
    for rank, level in enumerate(data.level_names):
        for b, (_, _, band) in enumerate(TENURE_BANDS):
            part = exposure[(exposure["rank"] == rank) & (exposure["band"] == b)]
            years, exits = part["months"].sum() / 12, int(part["exits"].sum())
            rows.append((level, band, exits, years, h.annual_rate[rank] * (mult if b == 0 else 1)))
    table = pd.DataFrame(rows, columns=["level", "tenure", "exits", "person_years", "fitted"])
    table["observed"] = np.divide(table["exits"], table["person_years"],
                                  out=np.full(len(table), np.nan), where=table["person_years"] > 0)
    table["low"], table["high"] = poisson_interval(table["exits"].to_numpy(), table["person_years"].to_numpy())
    return table


@dataclass
class Simulated:
    """What the check simulations produced, pooled over seeds."""

    tenure: tuple[np.ndarray, np.ndarray, np.ndarray]  # hires' years to a voluntary exit, whether it
    # happened, and the level hired into
    promotions: np.ndarray  # per level (out of it)
    person_years: np.ndarray
    years_in_level: list[np.ndarray]  # per level: years in level at each promotion out of it
    seeds: int
    years: float


def simulate_checks(config, years: float, seeds: int = CHECK_SEEDS) -> Simulated:
    from ..runs.result import simulate

    names = [lv.name for lv in config.org.levels]
    rank = {name: i for i, name in enumerate(names)}
    n = len(names)
    durations, events, hired_into, promotions, person_years = [], [], [], np.zeros(n), np.zeros(n)
    in_level = [[] for _ in range(n)]
    for seed in range(CHECK_FIRST_SEED, CHECK_FIRST_SEED + seeds):
        cfg = copy.deepcopy(config)
        cfg.sim.seed, cfg.sim.horizon_years, cfg.output.events = seed, float(years), True
        result = simulate(cfg, [])
        wpy, horizon = cfg.sim.weeks_per_year, cfg.sim.horizon_weeks
        ev = result.events
        kind = ev["kind"].astype(str)
        hires = ev[kind == "hire"].drop_duplicates("employee").set_index("employee")
        hired = hires["week"]
        left = ev[kind.isin(["voluntary_exit", "retirement", "involuntary_exit", "cycle_exit"])]
        left = left.drop_duplicates("employee").set_index("employee")
        end = left["week"].reindex(hired.index)
        voluntary = left["kind"].astype(str).reindex(hired.index).eq("voluntary_exit").to_numpy()
        durations.append((end.fillna(horizon).to_numpy() - hired.to_numpy()) / wpy)
        events.append(voluntary)
        hired_into.append(hires["level"].astype(str).to_numpy())
        promo = ev[kind == "promotion"]
        from_rank = promo["level"].astype(str).map(rank).to_numpy() - 1
        promotions += np.bincount(from_rank, minlength=n)
        for r in range(n):
            in_level[r].append(promo["detail"].to_numpy()[from_rank == r] / wpy)
        vacancy = result.level_timeseries.groupby("level", observed=False)["vacancy_weeks"].sum()
        seats = np.array([lv.seats for lv in cfg.org.levels])
        person_years += (seats * horizon - vacancy.reindex(names, fill_value=0).to_numpy()) / wpy
    return Simulated(tenure=(np.concatenate(durations), np.concatenate(events), np.concatenate(hired_into)),
                     promotions=promotions, person_years=person_years,
                     years_in_level=[np.concatenate(x) for x in in_level], seeds=seeds, years=years)


def observed_tenure(data, since, until) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Years from hire to a voluntary exit (event) or to another exit or the window's end (censored),
    and the level hired into (the first spell's), for the people hired in the window."""
    emp = data.employees
    hired = emp[(emp["hire_date"] >= since) & (emp["hire_date"] < until)]
    end = hired["exit_date"].where(hired["exit_date"] < until, until)
    event = (hired["exit_reason"] == "voluntary") & (hired["exit_date"] < until)
    first = data.job_history.sort_values("start_date", kind="stable").drop_duplicates("employee_id")
    level = hired["employee_id"].map(first.set_index("employee_id")["level"])
    return (((end - hired["hire_date"]).dt.days / DAYS_PER_YEAR).to_numpy(), event.to_numpy(),
            level.astype(str).to_numpy())


def promotion_table(fit: Fit, data, sim: Simulated) -> pd.DataFrame:
    """Per level: promotions out of it per person-year and mean years in level at promotion, observed
    in the window and simulated, with intervals (Poisson for rates, t for means)."""
    spells = spell_table(data)
    counts = counts_by_level(data, fit.since, fit.until, spells)
    years = fit.hazard.person_years
    moved = spells[spells["promoted"] & (spells["end"] >= fit.since) & (spells["end"] < fit.until)]
    rows = []
    for rank, level in enumerate(data.level_names):
        k = int(counts["promotions"].iloc[rank])
        lo, hi = poisson_interval(np.array([k]), np.array([years[rank]]))
        sk = sim.promotions[rank]
        slo, shi = poisson_interval(np.array([sk]), np.array([sim.person_years[rank]]))
        stay = ((moved.loc[moved["rank"] == rank, "end"] - moved.loc[moved["rank"] == rank, "start"]).dt.days
                / DAYS_PER_YEAR)
        sim_stay = sim.years_in_level[rank]
        rows.append((level, k, k / years[rank] if years[rank] else np.nan, lo[0], hi[0],
                     sk / sim.person_years[rank] if sim.person_years[rank] else np.nan, slo[0], shi[0],
                     stay.mean() if len(stay) else np.nan, sim_stay.mean() if len(sim_stay) else np.nan))
    return pd.DataFrame(rows, columns=["level", "promotions", "observed", "low", "high", "simulated", "sim_low",
                                       "sim_high", "years_in_level", "sim_years_in_level"])
