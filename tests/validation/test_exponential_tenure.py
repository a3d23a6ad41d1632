"""A constant hazard gives a geometric (discrete exponential) residual tenure.

With every state effect off, no tenure shape, no retirement and no involuntary
exits, and the same base_turnover r at every level (so promotions do not change
anyone's hazard), each person of the initial workforce leaves in any given week
with the same probability p = 1 - exp(-r / weeks_per_year) (base_turnover is
exits per person-year, i.e. the weekly hazard is r / weeks_per_year), independently
of the past. The week W of their exit therefore follows

    P(W = t) = (1 - p)^t p,  t = 0, 1, ...,   P(W >= H) = (1 - p)^H

(week t = 0 is the first simulated week; H the horizon: censored).
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim import run
from tests.conftest import make_config

from .helpers import CONSTANT_HAZARD, EXIT_KINDS, same_turnover, scaled_seats, weekly_exit_probability

RATE = 0.3  # exits per person-year at every level
YEARS = 8
SCALE = 20  # 20 x the small org: 4,000 initial employees, ~3,600 observed exits


@pytest.fixture(scope="module")
def constant_hazard_run():
    cfg = make_config(
        f"sim.horizon_years={YEARS}", "sim.seed=11", "sim.agent_views=off",
        *CONSTANT_HAZARD, *same_turnover(RATE), *scaled_seats(SCALE),
    )
    result = run(cfg)
    wpy = cfg.sim.weeks_per_year
    horizon = cfg.sim.horizon_weeks
    n0 = result.metrics["headcount_start"]
    ev = result.events
    exits = ev[ev["kind"].isin(EXIT_KINDS)]
    cohort_exits = exits[exits["employee"] < n0]
    exit_week = np.full(n0, horizon, dtype=np.int64)  # horizon = censored
    exit_week[cohort_exits["employee"].to_numpy()] = cohort_exits["week"].to_numpy()
    return {
        "result": result, "n0": n0, "wpy": wpy, "horizon": horizon, "exits": exits,
        "cohort_exits": cohort_exits, "exit_week": exit_week,
        "p": weekly_exit_probability(RATE, wpy),
    }


def test_only_voluntary_exits_each_at_most_once(constant_hazard_run):
    d = constant_hazard_run
    assert set(d["exits"]["kind"].astype(str).unique()) <= {"voluntary_exit"}
    assert d["cohort_exits"]["employee"].is_unique
    assert d["n0"] == 4000


def test_exit_weeks_by_year_fit_geometric(constant_hazard_run):
    """Chi-square goodness of fit: yearly bins of the exit week plus the censored bin."""
    d = constant_hazard_run
    n0, wpy, horizon, p = d["n0"], d["wpy"], d["horizon"], d["p"]
    years = horizon // wpy
    assert years * wpy == horizon
    bins = np.minimum(d["exit_week"] // wpy, years)  # years = censored bin
    observed = np.bincount(bins, minlength=years + 1)
    survive = (1.0 - p) ** (wpy * np.arange(years + 1))  # P(W >= year start)
    probs = np.append(survive[:-1] - survive[1:], survive[-1])
    expected = n0 * probs
    assert expected.min() > 5  # the chi-square approximation holds
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    df = len(observed) - 1  # no parameter estimated
    critical = stats.chi2.ppf(0.999, df)
    assert chi2 < critical, (
        f"exit weeks do not fit the geometric law: chi2={chi2:.1f} >= {critical:.1f} (df={df});\n"
        f"observed={observed.tolist()}\nexpected={np.round(expected, 1).tolist()}")


def test_exit_weeks_within_year_fit_geometric(constant_hazard_run):
    """Chi-square on finer bins (quarters) catches a hazard that varies within a year."""
    d = constant_hazard_run
    n0, horizon, p = d["n0"], d["horizon"], d["p"]
    width = 13
    edges = np.arange(0, horizon + 1, width)
    assert edges[-1] == horizon
    n_bins = len(edges) - 1
    bins = np.minimum(d["exit_week"] // width, n_bins)
    observed = np.bincount(bins, minlength=n_bins + 1)
    survive = (1.0 - p) ** edges
    probs = np.append(survive[:-1] - survive[1:], survive[-1])
    expected = n0 * probs
    assert expected.min() > 5
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    df = len(observed) - 1
    assert chi2 < stats.chi2.ppf(0.999, df), f"chi2={chi2:.1f}, df={df}"


def test_weekly_hazard_mle_matches_base_turnover(constant_hazard_run):
    """MLE of the weekly exit probability (exits / weeks at risk) within 3.5 standard errors."""
    d = constant_hazard_run
    p, horizon, wpy = d["p"], d["horizon"], d["wpy"]
    w = d["exit_week"]
    exited = w < horizon
    n_exits = int(exited.sum())
    exposure = float(np.where(exited, w + 1, horizon).sum())  # weeks at risk, exit week included
    p_hat = n_exits / exposure
    se = np.sqrt(p * (1.0 - p) / exposure)
    rate_hat = -np.log1p(-p_hat) * wpy
    assert abs(p_hat - p) < 3.5 * se, (
        f"weekly exit probability {p_hat:.6f} vs {p:.6f} (se {se:.6f}); "
        f"annual rate {rate_hat:.4f} vs base_turnover {RATE}; {n_exits} exits over {exposure:.0f} weeks")
    # The summary's turnover (exits per person-year over everyone) estimates the same rate.
    m = d["result"].metrics
    rate_se = np.sqrt(RATE / m["person_years"])
    assert abs(m["turnover_annual"] - wpy * p) < 3.5 * rate_se, (m["turnover_annual"], wpy * p, rate_se)
