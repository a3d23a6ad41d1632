"""Hires' tenure in the fit report through lifelines (`sim/hris/survival.py`): its Kaplan-Meier against
one computed by hand, its log-rank test against the textbook formula, and small levels suppressed."""
from __future__ import annotations

import numpy as np
from scipy import stats

from sim.hris.survival import ALL, ALL_SHOWN, censor_at, kaplan_meier, logrank, tenure_by_level

# Six hires: exits at 1, 2, 3 and 5 years; censored at 2 (another exit) and at 4 (still employed).
DURATION = np.array([1.0, 2.0, 2.0, 3.0, 4.0, 5.0])
EVENT = np.array([True, True, False, True, False, True])


def test_kaplan_meier_is_the_hand_computed_product_limit():
    curve = kaplan_meier(DURATION, EVENT)
    # At risk / exits: t=1 6/1, t=2 5/1 (the censored 2 is still at risk at 2), t=3 3/1, t=5 1/1.
    by_hand = {0: 1.0, 1: 5 / 6, 2: 5 / 6 * 4 / 5, 3: 5 / 6 * 4 / 5 * 2 / 3, 4: 5 / 6 * 4 / 5 * 2 / 3, 5: 0.0}
    for t, s in by_hand.items():
        assert abs(curve.at(t) - s) < 1e-12, (t, curve.at(t), s)
    assert abs(curve.at(2.5) - 2 / 3) < 1e-12 and curve.n == 6
    # The band: exponential Greenwood (log-log), so it holds the estimate and stays inside 0-1.
    inside = (curve.t > 0) & (curve.t < 5)
    assert (curve.low[inside] < curve.s[inside]).all() and (curve.s[inside] < curve.high[inside]).all()
    assert (curve.low >= 0).all() and (curve.high <= 1).all()
    # Greenwood's variance at t=1: S^2 x d / (n (n - d)) = (5/6)^2 / 30; on the log(-log) scale the
    # band is S^exp(+-z sqrt(V) / |log S|), z the normal's 97.5% point.
    s1, z = 5 / 6, stats.norm.ppf(0.975)
    v = 1 / 30 / np.log(s1) ** 2
    at1 = np.searchsorted(curve.t, 1.0)
    assert abs(curve.low[at1] - s1 ** np.exp(z * np.sqrt(v))) < 1e-12
    assert abs(curve.high[at1] - s1 ** np.exp(-z * np.sqrt(v))) < 1e-12


def test_the_log_rank_test_is_the_textbook_one():
    a = (np.array([1.0, 2.0, 3.0, 4.0]), np.array([True, True, True, False]))
    b = (np.array([2.0, 3.0, 4.0, 5.0, 6.0]), np.array([True, False, True, True, True]))
    # By hand: at each exit time, observed exits of A against n_A x d / n, and the hypergeometric variance.
    durations, events = np.concatenate([a[0], b[0]]), np.concatenate([a[1], b[1]])
    in_a = np.r_[np.ones(4, bool), np.zeros(5, bool)]
    o_minus_e = var = 0.0
    for t in np.unique(durations[events]):
        at_risk = durations >= t
        n, n_a = at_risk.sum(), (at_risk & in_a).sum()
        d = ((durations == t) & events).sum()
        o_minus_e += ((durations == t) & events & in_a).sum() - n_a * d / n
        var += n_a * (n - n_a) * d * (n - d) / (n * n * (n - 1)) if n > 1 else 0.0
    chi2 = o_minus_e**2 / var
    statistic, p = logrank(a, b)
    assert abs(statistic - chi2) < 1e-9
    assert abs(p - stats.chi2.sf(chi2, 1)) < 1e-9


def test_censoring_at_the_horizon_turns_later_exits_into_censoring():
    duration, event = censor_at(np.array([0.5, 2.0, 7.0]), np.array([True, True, True]), 5.0)
    assert duration.tolist() == [0.5, 2.0, 5.0] and event.tolist() == [True, True, False]


def _sample(n, levels, seed):
    rng = np.random.default_rng(seed)
    return rng.exponential(3.0, n), rng.random(n) < 0.7, np.array(levels)[rng.integers(0, len(levels), n)]


def test_a_level_with_few_hires_or_few_people_is_suppressed_and_left_out_of_the_pool():
    levels = ["A", "B", "C"]
    observed = _sample(60, ["A"] * 20 + ["B"] * 10, seed=1)
    observed[2][:4] = "C"  # four hires into C: fewer than 5
    simulated = _sample(300, levels, seed=2)
    rows = {r.level: r for r in tenure_by_level(observed, simulated, levels, 5.0, min_cell=5)}
    c = rows["C"]
    assert c.suppressed and c.observed is None and c.simulated is None and np.isnan(c.p_value)
    assert c.observed_hires < 0 and c.verdict() == "suppressed"  # not even the count is kept
    assert ALL not in rows  # the pooled curve is over the levels shown, so C cannot be recovered
    assert rows[ALL_SHOWN].observed_hires == 56 == rows["A"].observed_hires + rows["B"].observed_hires
    assert rows["A"].observed is not None and np.isfinite(rows["A"].p_value)
    # A level hidden for its headcount (the report's rule) is suppressed whatever its hires.
    rows = {r.level: r for r in tenure_by_level(observed, simulated, levels, 5.0, 5, hidden={"A"})}
    assert rows["A"].suppressed and not rows["B"].suppressed
    # With nothing small the first row pools everyone.
    rows = tenure_by_level(observed, simulated, levels, 5.0, min_cell=4)
    assert rows[0].level == ALL and rows[0].observed_hires == 60


def test_the_verdict_says_differs_below_0_05_and_consistent_above():
    rng = np.random.default_rng(3)
    level = np.array(["A"] * 200)
    observed = (rng.exponential(1.0, 200), np.ones(200, bool), level)
    faster = (rng.exponential(1 / 3, 200), np.ones(200, bool), level)  # three times the hazard
    row = tenure_by_level(observed, faster, ["A"], 5.0, 5)[1]
    assert row.p_value < 1e-6 and row.verdict() == f"p = {row.p_value:.2g}: differs"
    row = tenure_by_level(observed, observed, ["A"], 5.0, 5)[1]  # the same hires: nothing to tell apart
    assert row.p_value > 0.99 and row.verdict() == f"p = {row.p_value:.2f}: consistent"
