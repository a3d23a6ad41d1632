"""Voluntary exit hazards by level with a first-year term: a piecewise-constant hazard model,
fitted as a Poisson GLM with log link on exposure aggregated by level and tenure band (statsmodels).

Each job spell is clipped to the window and measured in months of tenure (a month = 365.25 / 12
days, so the first twelve are exactly the first year). Its exposure is split between the first year
and after; a voluntary exit counts in the band its tenure falls in (a < t <= b). With a constant
hazard within a level and band, exits E and exposure T in months give the likelihood of the
continuous-time model, which is the Poisson likelihood of E with mean h T, so

    log E[E_Lb] = log h_L + beta_first_year * [b = first year] + log T_Lb      (log T an offset)

fitted on 2 rows per level is exactly the maximum-likelihood fit on every person (the pieces need
not be kept: it runs in milliseconds on any extract). exp(coefficient) is a hazard per month:
12 exp(log h_L) is the level's annual rate (voluntary exits per person-year, `base_turnover`) and
exp(beta_first_year) the `first_year_multiplier`. Intervals are Wald intervals on the log scale. A
level with no voluntary exit has no finite maximum-likelihood estimate (it would be 0, and a rate of
0 forecasts no exit ever): it gets the median-unbiased ln 2 / person-years (the rate at which seeing
no exit has probability 1/2) and the rule-of-three upper bound 3 / person-years; without exits both inside and after the first year the first-year term is left out
(the config keeps its multiplier).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

DAYS_PER_MONTH = 365.25 / 12
FIRST_YEAR_MONTHS = 12


def exposure_by_band(spells: pd.DataFrame, since: pd.Timestamp, until: pd.Timestamp,
                     edges=(0, FIRST_YEAR_MONTHS)) -> pd.DataFrame:
    """Exposure in [since, until) by level and tenure band: one row per (`rank`, `band`) with
    `months` of exposure and voluntary `exits`. Bands are [edges[i], edges[i + 1]) months of tenure,
    the last open-ended. Exposure before `since` is left out (people seen from then on: left
    truncation), as is anything after `until` (right censoring)."""
    day = np.timedelta64(1, "D")
    hire = spells["hire_date"].to_numpy()
    lo = np.maximum(spells["start"].to_numpy(), np.datetime64(since))
    hi = np.minimum(spells["end"].fillna(until).to_numpy(), np.datetime64(until))
    keep = hi > lo
    voluntary = (spells["last"] & (spells["exit_reason"] == "voluntary")).to_numpy()[keep]
    exited = voluntary & (spells["exit_date"].fillna(until).to_numpy()[keep] < np.datetime64(until))
    rank = spells["rank"].to_numpy()[keep]
    t0 = (lo[keep] - hire[keep]) / day / DAYS_PER_MONTH  # tenure in months at the ends of the clipped spell
    t1 = (hi[keep] - hire[keep]) / day / DAYS_PER_MONTH
    bounds = np.append(np.asarray(edges, dtype=float), np.inf)
    n_levels = int(spells["rank"].max()) + 1 if len(spells) else 0
    rows = []
    for b in range(len(edges)):
        a, z = bounds[b], bounds[b + 1]
        months = np.clip(np.minimum(t1, z) - np.maximum(t0, a), 0, None)
        exits = exited & (t1 > a) & (t1 <= z) if b else exited & (t1 <= z)
        rows.append(pd.DataFrame({"rank": np.arange(n_levels), "band": b,
                                  "months": np.bincount(rank, weights=months, minlength=n_levels),
                                  "exits": np.bincount(rank, weights=exits, minlength=n_levels).astype(int)}))
    return pd.concat(rows, ignore_index=True)


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
    rows: int  # aggregated rows in the GLM


def fit_voluntary_hazard(exposure: pd.DataFrame, n_levels: int) -> HazardFit:
    """The Poisson GLM on `exposure_by_band(...)` with the default bands (first year, after)."""
    import statsmodels.api as sm

    exposure = exposure[exposure["rank"] < n_levels]
    exits = np.bincount(exposure["rank"], weights=exposure["exits"], minlength=n_levels).astype(int)
    years = np.bincount(exposure["rank"], weights=exposure["months"], minlength=n_levels) / 12
    fitted = np.flatnonzero(exits > 0)
    rate = np.zeros(n_levels)
    low = np.zeros(n_levels)
    high = np.where(years > 0, 3.0 / np.maximum(years, 1e-12), np.inf)  # rule of three where no exit
    rate[(exits == 0) & (years > 0)] = np.log(2) / years[(exits == 0) & (years > 0)]  # median-unbiased
    use = exposure[exposure["rank"].isin(fitted) & (exposure["months"] > 0)]
    first_year = (use["band"] == 0).to_numpy(float)
    dummies = (use["rank"].to_numpy()[:, None] == fitted[None, :]).astype(float)
    # The first-year term needs exits on both sides of the first anniversary to have an estimate.
    by_band = use.groupby("band")["exits"].sum()
    has_first_year = by_band.get(0, 0) > 0 and by_band.get(1, 0) > 0
    exog = np.column_stack([dummies, first_year]) if has_first_year else dummies
    model = sm.GLM(use["exits"].to_numpy(float), exog, family=sm.families.Poisson(),
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
                     multiplier_high=float(mult_hi), first_year_exits=int(use.loc[use["band"] == 0, "exits"].sum()),
                     rows=len(use))
