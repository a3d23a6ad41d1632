"""Voluntary exit hazards by level with a first-year term: a discrete-time hazard model on
person-months, fitted as a binomial GLM with the complementary log-log link (statsmodels).

Each job spell is cut into pieces at every month of tenure (a month = 365.25 / 12 days, so the first
twelve are exactly the first year) and at the window's ends. A piece of d months ends in a voluntary
exit or not; with a constant hazard h within it, P(exit) = 1 - exp(-h d), so

    cloglog P = log h_L + beta_first_year * [tenure < 1 year] + log d      (log d an offset)

and exp(coefficient) is a hazard per month: 12 exp(log h_L) is the level's annual rate (voluntary
exits per person-year, `base_turnover`) and exp(beta_first_year) the `first_year_multiplier`.
Intervals are Wald intervals on the log scale. A level with no voluntary exit has no finite estimate:
it gets 0 and the rule-of-three upper bound 3 / person-years; without exits both inside and after the
first year the first-year term is left out (the config keeps its multiplier).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

DAYS_PER_MONTH = 365.25 / 12
FIRST_YEAR_MONTHS = 12


def person_months(spells: pd.DataFrame, since: pd.Timestamp, until: pd.Timestamp) -> pd.DataFrame:
    """Pieces of exposure in [since, until): `rank`, `first_year`, `months` (the piece's length),
    `exit` (1 when a voluntary exit ends it) and `tenure_month` (whole months of tenure at its start). Exposure before `since` is left out (people seen
    from then on: left truncation), as is anything after `until` (right censoring)."""
    day = np.timedelta64(1, "D")
    hire = spells["hire_date"].to_numpy()
    lo = np.maximum(spells["start"].to_numpy(), np.datetime64(since))
    hi = spells["end"].fillna(until).to_numpy()
    hi = np.minimum(hi, np.datetime64(until))
    keep = hi > lo
    hire, lo, hi = hire[keep], lo[keep], hi[keep]
    voluntary = (spells["last"] & (spells["exit_reason"] == "voluntary")).to_numpy()[keep]
    exited = voluntary & (spells["exit_date"].fillna(until).to_numpy()[keep] < np.datetime64(until))
    rank = spells["rank"].to_numpy()[keep]
    t0 = (lo - hire) / day / DAYS_PER_MONTH  # tenure in months at the ends of the clipped spell
    t1 = (hi - hire) / day / DAYS_PER_MONTH
    first = np.floor(t0).astype(np.int64)
    n = np.maximum(np.ceil(t1).astype(np.int64) - first, 1)
    row = np.repeat(np.arange(len(t0)), n)
    month = first[row] + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    start = np.maximum(t0[row], month)
    end = np.minimum(t1[row], month + 1)
    last_piece = np.cumsum(n) - 1
    event = np.zeros(n.sum(), dtype=np.int8)
    event[last_piece] = exited
    pieces = pd.DataFrame({"rank": rank[row], "first_year": (month < FIRST_YEAR_MONTHS).astype(np.int8),
                           "months": end - start, "exit": event, "tenure_month": month})
    return pieces[pieces["months"] > 0].reset_index(drop=True)


@dataclass
class HazardFit:
    """Annual voluntary exit rate per level after the first year (with 95% intervals), the
    first-year multiplier (with its interval), and what they were fitted from."""

    annual_rate: np.ndarray
    rate_low: np.ndarray
    rate_high: np.ndarray
    exits: np.ndarray  # voluntary exits per level
    person_years: np.ndarray  # exposure per level
    first_year_multiplier: float
    multiplier_low: float
    multiplier_high: float
    first_year_exits: int
    rows: int  # person-month pieces in the GLM


def fit_voluntary_hazard(pieces: pd.DataFrame, n_levels: int) -> HazardFit:
    import statsmodels.api as sm

    exits = np.bincount(pieces["rank"], weights=pieces["exit"], minlength=n_levels).astype(int)
    years = np.bincount(pieces["rank"], weights=pieces["months"], minlength=n_levels) / 12
    fitted = np.flatnonzero(exits > 0)
    rate = np.zeros(n_levels)
    low = np.zeros(n_levels)
    high = np.where(years > 0, 3.0 / np.maximum(years, 1e-12), np.inf)  # rule of three where no exit
    use = pieces[pieces["rank"].isin(fitted)]
    dummies = (use["rank"].to_numpy()[:, None] == fitted[None, :]).astype(float)
    # The first-year term needs exits on both sides of the first anniversary to have an estimate.
    exits_by_year = use.groupby("first_year")["exit"].sum()
    has_first_year = exits_by_year.get(1, 0) > 0 and exits_by_year.get(0, 0) > 0
    exog = np.column_stack([dummies, use["first_year"].to_numpy(float)]) if has_first_year else dummies
    model = sm.GLM(use["exit"].to_numpy(float), exog,
                   family=sm.families.Binomial(link=sm.families.links.CLogLog()),
                   offset=np.log(use["months"].to_numpy()))
    with warnings.catch_warnings():  # a sparse level may warn; its wide interval says the same
        warnings.simplefilter("ignore")
        result = model.fit()
    coef, ci = np.asarray(result.params), np.asarray(result.conf_int(0.05))
    k = len(fitted)
    rate[fitted], low[fitted], high[fitted] = 12 * np.exp(coef[:k]), 12 * np.exp(ci[:k, 0]), 12 * np.exp(ci[:k, 1])
    if has_first_year:
        mult, mult_lo, mult_hi = np.exp(coef[k]), np.exp(ci[k, 0]), np.exp(ci[k, 1])
    else:
        mult, mult_lo, mult_hi = float("nan"), float("nan"), float("nan")
    return HazardFit(annual_rate=rate, rate_low=low, rate_high=high, exits=exits, person_years=years,
                     first_year_multiplier=float(mult), multiplier_low=float(mult_lo),
                     multiplier_high=float(mult_hi), first_year_exits=int(use.loc[use["first_year"] == 1, "exit"].sum()),
                     rows=len(use))
