"""A persistent frailty turns the geometric residual tenure into a mixture of geometric laws.

With every other effect off (helpers.CONSTANT_HAZARD) and the same base_turnover r at every level,
person i of the starting workforce leaves in any week with probability 1 - exp(-h m_i), h = r / W,
m_i = exp(sd Z_i - sd^2 / 2) for the whole run. The week W_i of the exit then has the survival law

    P(W >= t) = E_Z[exp(-t h exp(sd Z - sd^2/2))]

(computed here by Gauss-Hermite quadrature), whose hazard falls with time as the frail leave first.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim import run
from tests.conftest import make_config

from .helpers import CONSTANT_HAZARD, EXIT_KINDS, same_turnover, scaled_seats

RATE, YEARS, SCALE, SD = 0.3, 8, 20, 0.8  # 4,000 starting employees, about 3,300 observed exits


def mixture_survival(weeks: np.ndarray, hazard_week: float, sd: float) -> np.ndarray:
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    weights = weights / np.sqrt(2 * np.pi)
    m = np.exp(sd * nodes - sd * sd / 2)
    return (weights[None, :] * np.exp(-np.outer(weeks, hazard_week * m))).sum(axis=1)


def chi2_against(observed: np.ndarray, survive: np.ndarray, n: int) -> tuple[float, float]:
    probs = np.append(survive[:-1] - survive[1:], survive[-1])
    expected = n * probs
    assert expected.min() > 5  # the chi-square approximation holds
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    return chi2, float(stats.chi2.ppf(0.999, len(observed) - 1))  # no parameter estimated


@pytest.fixture(scope="module")
def frail_exit_weeks():
    cfg = make_config(f"sim.horizon_years={YEARS}", "sim.seed=12", "sim.agent_views=off",
                      *CONSTANT_HAZARD, f"attrition.frailty_sd={SD}", *same_turnover(RATE), *scaled_seats(SCALE))
    result = run(cfg)
    n0, wpy, horizon = result.metrics["headcount_start"], cfg.sim.weeks_per_year, cfg.sim.horizon_weeks
    ev = result.events
    exits = ev[ev["kind"].isin(EXIT_KINDS) & (ev["employee"] < n0)]
    assert set(exits["kind"].astype(str).unique()) <= {"voluntary_exit"}
    exit_week = np.full(n0, horizon, dtype=np.int64)  # horizon = censored
    exit_week[exits["employee"].to_numpy()] = exits["week"].to_numpy()
    return exit_week, n0, wpy, horizon


def test_exit_weeks_fit_the_frailty_mixture_and_not_the_geometric_law(frail_exit_weeks):
    """Chi-square on yearly bins plus the censored bin (0.1% level): the mixture fits; the geometric
    law of the same average hazard at hire is rejected, so the test sees the frailty."""
    exit_week, n0, wpy, horizon = frail_exit_weeks
    years = horizon // wpy
    observed = np.bincount(np.minimum(exit_week // wpy, years), minlength=years + 1)
    starts = wpy * np.arange(years + 1)
    h = RATE / wpy
    chi2, critical = chi2_against(observed, mixture_survival(starts, h, SD), n0)
    assert chi2 < critical, (chi2, critical, observed)
    chi2_geo, _ = chi2_against(observed, np.exp(-h * starts), n0)
    assert chi2_geo > critical, chi2_geo


def test_the_realized_hazard_falls_with_time(frail_exit_weeks):
    """Exits per person-week in the first two years against the last two: survivors are less frail
    (log rate ratio beyond 4 standard errors sqrt(1/E1 + 1/E2), Poisson counts)."""
    exit_week, n0, wpy, horizon = frail_exit_weeks

    def rate(lo, hi):
        at_risk = np.clip(np.minimum(exit_week + 1, hi) - lo, 0, None).sum()
        events = int(((exit_week >= lo) & (exit_week < hi)).sum())
        return events / at_risk, events

    (early, e1), (late, e2) = rate(0, 2 * wpy), rate(horizon - 2 * wpy, horizon)
    assert np.log(early / late) > 4 * np.sqrt(1 / e1 + 1 / e2), (early, late)
