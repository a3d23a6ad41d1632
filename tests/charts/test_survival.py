"""Kaplan-Meier survival with Greenwood bands, and the employment spells it is fed.

The estimator is checked against a hand computation, against the exponential
law on simulated data, and the spell helpers against small event logs written
out by hand.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.charts.survival import durations, exit_weeks, kaplan_meier, mentee_starts, status_spells, survival_at

Z = 1.96


def test_hand_computed_example():
    # durations 2, 3, 3+, 5, 8+ (+ = censored). Event times 2, 3, 5.
    #   t=2: 5 at risk, 1 death -> S = 4/5           = 0.8
    #   t=3: 4 at risk, 1 death -> S = 0.8 * 3/4     = 0.6   (the censored 3 is still at risk at 3)
    #   t=5: 2 at risk, 1 death -> S = 0.6 * 1/2     = 0.3
    # Greenwood: Var S(t) = S(t)^2 * sum d / (n (n - d)): sums 1/20, 1/20 + 1/12, 1/20 + 1/12 + 1/2.
    t, s, lo, hi = kaplan_meier([2, 3, 3, 5, 8], [1, 1, 0, 1, 0])
    np.testing.assert_allclose(t, [0, 2, 3, 5])
    np.testing.assert_allclose(s, [1.0, 0.8, 0.6, 0.3])
    green = np.cumsum([1 / 20, 1 / 12, 1 / 2])
    se = np.array([0.8, 0.6, 0.3]) * np.sqrt(green)
    np.testing.assert_allclose(se, [0.178885, 0.219089, 0.238747], atol=1e-6)  # the hand numbers
    np.testing.assert_allclose(lo, np.r_[1.0, np.clip([0.8, 0.6, 0.3] - Z * se, 0, 1)])
    np.testing.assert_allclose(hi, np.r_[1.0, np.clip([0.8, 0.6, 0.3] + Z * se, 0, 1)])
    assert np.all(lo <= s) and np.all(s <= hi)
    assert np.all((lo >= 0) & (hi <= 1))


def test_order_of_the_input_does_not_matter():
    d, e = np.array([2, 3, 3, 5, 8]), np.array([1, 1, 0, 1, 0])
    perm = np.array([4, 2, 0, 3, 1])
    for a, b in zip(kaplan_meier(d, e), kaplan_meier(d[perm], e[perm])):
        np.testing.assert_allclose(a, b)


def test_no_censoring_is_the_empirical_survival_function():
    d = np.array([1, 2, 2, 4, 7, 7, 7, 9])
    t, s, _, _ = kaplan_meier(d, np.ones_like(d))
    for ti, si in zip(t, s):
        assert si == pytest.approx((d > ti).mean())
    assert s[-1] == 0.0


def test_everyone_censored_gives_a_flat_curve():
    t, s, lo, hi = kaplan_meier([3, 4, 5], [0, 0, 0])
    np.testing.assert_array_equal(t, [0.0])
    np.testing.assert_array_equal(s, [1.0])
    np.testing.assert_array_equal(lo, [1.0])
    np.testing.assert_array_equal(hi, [1.0])


def test_band_narrows_with_more_people():
    rng = np.random.default_rng(1)
    widths = []
    for n in (100, 1600):
        d = rng.exponential(10.0, n)
        t, s, lo, hi = kaplan_meier(d, np.ones(n, bool))
        i = np.searchsorted(t, 10.0, side="right") - 1
        widths.append(hi[i] - lo[i])
    assert widths[1] < widths[0] / 2.5  # ~ 1/sqrt(n): a 16x larger sample, a ~4x narrower band


def test_exponential_survival_within_the_band():
    """Exponential spells with administrative censoring: S(t) = exp(-lambda t) inside the 95% band."""
    rng = np.random.default_rng(20261122)
    lam, n, horizon = 0.02, 3000, 80.0
    life = np.ceil(rng.exponential(1 / lam, n))  # whole weeks, as in the event log
    start = rng.integers(0, 40, n).astype(float)  # staggered entry: censoring at horizon - start
    event = start + life <= horizon
    duration = np.where(event, life, horizon - start)
    t, s, lo, hi = kaplan_meier(duration, event)
    # Discrete weeks: P(ceil(T) > k) = exp(-lam k) exactly at whole weeks.
    checked = 0
    for week in (5, 10, 20, 30, 40, 50, 60, 70):
        i = np.searchsorted(t, week, side="right") - 1
        truth = np.exp(-lam * week)
        assert lo[i] <= truth <= hi[i], (week, lo[i], truth, hi[i])
        assert s[i] == pytest.approx(truth, abs=0.03), week
        assert hi[i] - lo[i] < 0.1
        checked += 1
    assert checked == 8
    assert survival_at(t, s, 20) == pytest.approx(np.exp(-lam * 20), abs=0.03)


def test_survival_at_reads_the_step():
    t, s = np.array([0.0, 2, 3, 5]), np.array([1.0, 0.8, 0.6, 0.3])
    assert survival_at(t, s, 0) == 1.0
    assert survival_at(t, s, 1.99) == 1.0
    assert survival_at(t, s, 2) == 0.8  # right-continuous: the drop happens at 2
    assert survival_at(t, s, 4.5) == 0.6
    assert survival_at(t, s, 100) == 0.3
    assert survival_at(t, s, -1) == 1.0


def _events(rows):
    return pd.DataFrame(rows, columns=["week", "kind", "employee", "level", "group", "detail"])


def test_spells_from_an_event_log():
    ev = _events([
        (3, "hire", 10, "Associate", "A", 4),
        (4, "mentoring_start", 1, "Associate", "A", 7),
        (4, "mentoring_start", 2, "Associate", "B", 7),
        (4, "mentoring_start", 3, "Associate", "A", 8),
        (20, "mentoring_start", 1, "Associate", "A", 8),  # rematched: the first start counts
        (30, "mentoring_start", 10, "Associate", "A", 7),
        (9, "voluntary_exit", 2, "Associate", "B", 100),
        (15, "retirement", 7, "Director", "A", 900),
        (40, "promotion", 3, "Senior Associate", "A", 60),
        (41, "involuntary_exit", 10, "Associate", "A", 38),
    ])
    starts = mentee_starts(ev)
    assert starts.to_dict() == {1: 4, 2: 4, 3: 4, 10: 30}
    exits = exit_weeks(ev)
    assert exits.to_dict() == {2: 9, 7: 15, 10: 41}
    d, e = durations(starts, exits, horizon=52)
    assert d.tolist() == [48, 5, 48, 11]  # 1 and 3 censored at the horizon, 2 and 10 left
    assert e.tolist() == [False, True, False, True]


def test_a_leaver_before_the_origin_is_not_at_risk():
    """In the twin a mentee can have left before his or her enrolment week: not followed (it used to
    count as surviving to the horizon). Exit in the very week of the origin is an event at 0."""
    origins = pd.Series({1: 10, 2: 10, 3: 10, 4: 20})
    exits = pd.Series({1: 4, 2: 30, 4: 20})
    d, e = durations(origins, exits, horizon=52)
    assert d.tolist() == [20, 42, 0]  # person 1 (gone at week 4) left out; 3 censored at 52
    assert e.tolist() == [True, False, True]


def test_status_spells_count_a_late_enrollee_as_a_non_participant_until_enrolling():
    """First cohort at week 4, horizon 100, three initial employees (0, 1, 2) and one hire (10, week 50).
    0 enrolls late (week 60) and leaves at 70: a non-participant spell 4 -> 60 (censored), then a
    mentee spell 60 -> 70 (left). 1 mentors 0 from week 60: a non-participant spell 4 -> 60, censored.
    2 leaves at 30 without taking part: a non-participant spell of 26 weeks, left. 10 is hired at 50 and
    stays: 50 -> 100, censored. (Before, 0 was a mentee only, his 56 weeks before enrolling were lost,
    and 1, a mentor, counted as a non-participant to the horizon.)"""
    ev = _events([
        (50, "hire", 10, "Associate", "A", 3),
        (60, "mentoring_start", 0, "Associate", "A", 1),
        (70, "voluntary_exit", 0, "Associate", "A", 300),
        (30, "voluntary_exit", 2, "Associate", "B", 200),
    ])
    spells = status_spells(ev, headcount_start=3, horizon=100, first_week=4)
    d, e = spells["mentee"]
    assert d.tolist() == [10] and e.tolist() == [True]
    d, e = spells["none"]
    assert sorted(zip(d.tolist(), e.tolist())) == [(26, True), (50, False), (56, False), (56, False)]
    t, s, _, _ = kaplan_meier(d, e)
    assert s[-1] == pytest.approx(3 / 4)  # one exit among four at risk at 26 weeks


def test_status_spells_an_exit_in_the_enrolment_week_is_the_mentees():
    ev = _events([(8, "mentoring_start", 0, "Associate", "A", 1), (8, "voluntary_exit", 0, "Associate", "A", 90)])
    spells = status_spells(ev, headcount_start=2, horizon=20, first_week=4)
    assert spells["mentee"][0].tolist() == [0] and spells["mentee"][1].tolist() == [True]
    # 0: a non-participant from 4 to 8, censored; 1 (the mentor): 4 to 8, censored
    assert sorted(zip(*[x.tolist() for x in spells["none"]])) == [(4, False), (4, False)]
