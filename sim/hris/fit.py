"""Everything fitted from an HR extract, each value with its interval and how it was obtained.

`fit_organization(data, since, until)` returns a `Fit`: a list of `Estimate`s by config key. The
voluntary exit hazards come from `hazard` (a Poisson GLM on exposure by level and tenure band); the
rest are counts and means:

    seats                       `levels.seats` when given (at least the headcount), else the headcount
                                per level on the last day of the window
    mean_age, mean_tenure_years that headcount's mean age and tenure (t intervals); ages of a
                                level of fewer than min_cell people are not used (privacy)
    hire_age                    mean age at hire of those hired into the level in the window
    external_share              external fills / all fills of the level (requisitions if given,
                                else hires into the level vs promotions into it); Wilson interval
    ttf_weeks                   mean weeks from opened to filled of external requisitions
    groups share / top_share    group shares among hires, and of the top level's headcount
    involuntary                 involuntary exits per person-year -> review.involuntary_probability
    retirement ages             youngest and oldest observed retirement ages (the model draws uniform)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .hazard import DAYS_PER_MONTH, HazardFit, exposure_by_band, fit_voluntary_hazard
from .history import counts_by_level, spell_table
from .load import DAYS_PER_YEAR, HRData
from .privacy import MIN_CELL

REVIEWS_PER_YEAR = 2  # review.period_weeks = 26 (the default the fitted config keeps)
LOW_SCORE_SHARE = float(stats.norm.cdf(-1.5))  # P(score < review.involuntary_threshold = -1.5)


@dataclass
class Estimate:
    value: float
    how: str  # one line: estimate, interval, how fitted (the comment in the written YAML)


@dataclass
class Fit:
    levels: list[dict[str, Estimate]]  # per level, org.levels[i] keys
    groups: list[tuple[str, Estimate, Estimate]]  # name, share, top_share
    departments: list[str]
    global_keys: dict[str, Estimate]  # dotted keys outside org (attrition.*, review.*)
    hazard: HazardFit
    counts: pd.DataFrame  # counts_by_level over the window
    since: pd.Timestamp
    until: pd.Timestamp
    notes: list[str] = field(default_factory=list)
    backtest: object = None  # a backtest.Backtest when calibrate was given a cut
    adjustment: object = None  # an adjust.Adjustment when the base rates were adjusted by simulation
    data: object = field(default=None, repr=False)  # the HRData fitted (set by calibrate, for its report)


def _mean(values: pd.Series, unit: str, what: str) -> tuple[float, str]:
    n = len(values)
    if n == 0:
        return float("nan"), f"no {what}"
    mean = float(values.mean())
    if n < 2:
        return mean, f"mean of {n} {what}"
    half = float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n))
    return mean, f"mean of {n} {what}, 95% CI {mean - half:.1f}-{mean + half:.1f} {unit}"


def _wilson(k: int, n: int) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    return float(lo), float(hi)


def _years(delta: pd.Series) -> pd.Series:
    return delta.dt.days / DAYS_PER_YEAR


def fit_levels(data: HRData, spells: pd.DataFrame, since, until, hazard: HazardFit,
               min_cell: int = MIN_CELL) -> list[dict]:
    held = spells[(spells["start"] <= until) & (spells["end"].isna() | (spells["end"] > until))]
    first = spells.drop_duplicates("employee_id")
    hired = first[(first["hire_date"] >= since) & (first["hire_date"] < until)]
    # Fills of each level: promotions into it (the spell after a promotion) and hires into it.
    promoted_in = spells[spells.groupby("employee_id")["promoted"].shift(1, fill_value=False).astype(bool)]
    promoted_in = promoted_in[(promoted_in["start"] >= since) & (promoted_in["start"] < until)]
    reqs = data.requisitions
    if reqs is not None:  # the window's fills only (a cut must not see later ones)
        reqs = reqs[(reqs["filled"] >= since) & (reqs["filled"] < until)]
    out = []
    for rank, name in enumerate(data.level_names):
        here = held[held["rank"] == rank]
        level: dict[str, Estimate] = {}
        seats = len(here)
        given = data.levels["seats"].iloc[rank] if "seats" in data.levels else float("nan")
        if pd.notna(given):  # budgeted seats: headcount plus the seats open on the day
            level["seats"] = Estimate(int(max(given, seats, 1)),
                                      f"from levels (headcount on {until:%Y-%m-%d}: {seats})")
        else:
            level["seats"] = Estimate(max(seats, 1), f"headcount on {until:%Y-%m-%d}" + (
                "" if seats else " was 0: one seat kept so the level exists"))
        rate = hazard.annual_rate[rank]
        exits, years = hazard.exits[rank], hazard.person_years[rank]
        how = (f"{exits} voluntary exits in {years:,.0f} person-years; 95% CI {hazard.rate_low[rank]:.3f}-"
               f"{hazard.rate_high[rank]:.3f}; Poisson GLM on exposure by level and first year, after the first year")
        if exits == 0:
            how = (f"no voluntary exit in {years:,.0f} person-years: median-unbiased ln 2 / person-years; 95% upper "
                   f"bound {hazard.rate_high[rank]:.3f} (rule of three)")
        level["base_turnover"] = Estimate(round(float(rate), 4), how)
        if data.has_ages and len(here) >= min_cell:
            age, how = _mean(_years(until - here["birth_date"]), "years", "people in the level")
            level["mean_age"] = Estimate(age, how)
            hire_ages = _years(hired.loc[hired["rank"] == rank, "hire_date"]
                               - hired.loc[hired["rank"] == rank, "birth_date"])
            hire_age, how = _mean(hire_ages, "years", "hires into the level")
            level["hire_age"] = Estimate(hire_age, how)
        tenure, how = _mean(_years(until - here["hire_date"]), "years", "people in the level")
        level["mean_tenure_years"] = Estimate(tenure, how)
        if reqs is not None and (reqs["level"] == name).any():
            filled = reqs[(reqs["level"] == name) & reqs["filled"].notna()]
            external = filled[filled["source"] == "external"]
            k, n = len(external), len(filled)
            lo, hi = _wilson(k, n)
            level["external_share"] = Estimate(k / n if n else float("nan"),
                                               f"{k} external of {n} filled requisitions; 95% CI {lo:.2f}-{hi:.2f}")
            timed = external[external["opened"].notna()]
            if len(timed):
                weeks = (timed["filled"] - timed["opened"]).dt.days / 7
                ttf, how = _mean(weeks, "weeks", "external requisitions, weeks opened to filled")
                level["ttf_weeks"] = Estimate(ttf, how)
        else:
            k = int((hired["rank"] == rank).sum())
            n = k + int((promoted_in["rank"] == rank).sum())
            lo, hi = _wilson(k, n)
            level["external_share"] = Estimate(
                k / n if n else float("nan"),
                f"{k} hires of {n} fills (hires + promotions into the level; no requisitions); 95% CI {lo:.2f}-{hi:.2f}")
        out.append(level)
    return out


def fit_groups(spells: pd.DataFrame, since, until, top_rank: int,
               min_cell: int = MIN_CELL) -> list[tuple[str, Estimate, Estimate]]:
    first = spells.drop_duplicates("employee_id")
    hired = first[(first["hire_date"] >= since) & (first["hire_date"] < until)]
    held = spells[(spells["start"] <= until) & (spells["end"].isna() | (spells["end"] > until))]
    top = held[held["rank"] == top_rank]
    names = sorted(spells["group"].unique())
    base = hired if len(hired) else held
    top_counts = top["group"].value_counts()
    # Any group of 1 to min_cell - 1 people at the top: its count would show through its share (and
    # the others' through theirs), so every group's top_share falls back to the hire share.
    small_top = len(top) < min_cell or bool(((top_counts > 0) & (top_counts < min_cell)).any())
    out = []
    for name in names:
        k, n = int((base["group"] == name).sum()), len(base)
        kt, nt = int((top["group"] == name).sum()), len(top)
        lo, hi = _wilson(k, n)
        tlo, thi = _wilson(kt, nt)
        what = "hires" if len(hired) else "people on the last day (no hires)"
        share = Estimate(k / n, f"{k} of {n} {what}; 95% CI {lo:.2f}-{hi:.2f}")
        if small_top:  # a level-by-group cell of too few people: not shown, the hire share stands in
            top_share = Estimate(k / n, f"the share above: a group of the top level has fewer than {min_cell} "
                                        "people" if nt >= min_cell else
                                 f"the share above: the top level has fewer than {min_cell} people")
        else:
            top_share = Estimate(kt / nt, f"{kt} of {nt} in the top level; 95% CI {tlo:.2f}-{thi:.2f}")
        out.append((name, share, top_share))
    return out


def fit_global(spells: pd.DataFrame, since, until, hazard: HazardFit, counts: pd.DataFrame,
               has_ages: bool) -> dict[str, Estimate]:
    out = {}
    if np.isfinite(hazard.first_year_multiplier):
        out["attrition.first_year_multiplier"] = Estimate(
            round(hazard.first_year_multiplier, 4),
            f"{hazard.first_year_exits} voluntary exits in the first year of tenure; 95% CI "
            f"{hazard.multiplier_low:.2f}-{hazard.multiplier_high:.2f}; same GLM, first-year term")
    # The fitted hazards are those the data realized, with the workforce's own persistent differences
    # already in them: a frailty on top would sort the simulated people a second time (MODEL.md 14).
    out["attrition.frailty_sd"] = Estimate(0.0, "off: the hazards fitted by level and tenure already hold the "
                                                "data's differences between people")
    person_years = float(hazard.person_years.sum())
    involuntary = int(counts["involuntary"].sum())
    rate = involuntary / person_years if person_years else 0.0
    out["review.involuntary_enabled"] = Estimate(bool(involuntary), f"{involuntary} involuntary exits")
    if involuntary:
        prob = min(1.0, rate / (REVIEWS_PER_YEAR * LOW_SCORE_SHARE))
        out["review.involuntary_probability"] = Estimate(
            round(prob, 4), f"{involuntary} involuntary exits in {person_years:,.0f} person-years = {rate:.4f}/yr; "
            f"/ ({REVIEWS_PER_YEAR} reviews x P(score < -1.5) = {LOW_SCORE_SHARE:.3f})")
    retired = spells[spells["last"] & (spells["exit_reason"] == "retirement") & (spells["exit_date"] >= since)
                     & (spells["exit_date"] < until)]
    if has_ages and len(retired) >= 2:
        ages = _years(retired["exit_date"] - retired["birth_date"])
        low, high = float(np.clip(ages.min(), 40, 80)), float(np.clip(ages.max(), 40, 80))
        out["attrition.retirement.min_age"] = Estimate(round(low, 1), f"youngest of {len(ages)} retirements")
        out["attrition.retirement.max_age"] = Estimate(round(max(high, low), 1), f"oldest of {len(ages)} retirements")
    return out


def fit_organization(data: HRData, since: pd.Timestamp | None = None, until: pd.Timestamp | None = None,
                     min_cell: int = MIN_CELL) -> Fit:
    """Fit on the window [since, until): by default from the first exit or promotion (before it
    nobody could be seen leaving) to the day after the last date of the extract. Ages of a level of
    fewer than `min_cell` people, and group shares of such a top level, are not used (privacy)."""
    spells = spell_table(data)
    if until is None:
        until = data.as_of + pd.Timedelta(days=1)
    if since is None:
        moves = spells.loc[spells["promoted"], "end"]
        since = min(data.employees["exit_date"].min(), moves.min() if len(moves) else pd.NaT,
                    key=lambda t: pd.Timestamp.max if pd.isna(t) else t)
        if pd.isna(since):
            since = data.employees["hire_date"].min()
    hazard = fit_voluntary_hazard(exposure_by_band(spells, since, until), len(data.level_names))
    counts = counts_by_level(data, since, until, spells)
    notes = []
    if (until - since).days < 2 * DAYS_PER_MONTH:
        notes.append("the window is under two months long")
    return Fit(levels=fit_levels(data, spells, since, until, hazard, min_cell),
               groups=fit_groups(spells, since, until, len(data.level_names) - 1, min_cell),
               departments=sorted(data.employees["department"].unique()),
               global_keys=fit_global(spells, since, until, hazard, counts, data.has_ages),
               hazard=hazard, counts=counts, since=since, until=until, notes=notes)
