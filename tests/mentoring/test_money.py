"""Money (sim/mentoring/money.py) and the competing-risks estimator, on tables built by hand.

Each case has an answer worked out in its comment: discounting, an avoided exit valued
once (its vacancy chain adds nothing), the internal-fill value as a change in rate,
and the Aalen-Johansen cumulative incidence against lifelines' figures.
"""
from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim.mentoring.evaluation import aalen_johansen, incidence_at
from sim.mentoring.money import (discount_factors, internal_fill_savings, money, present_value_costs,
                                 replacement_savings)
from tests.conftest import make_config

CFG = make_config("program=default", "evaluation.discount_rate=0.05")
LEVELS = [lv.name for lv in CFG.org.levels]
LEVEL = {lv.name: lv for lv in CFG.org.levels}
W = CFG.sim.weeks_per_year
ENDS = [13, 26, 39, 52, 65, 78, 91, 104]  # two years of 13-week periods


def exits_table(rows: dict) -> pd.DataFrame:
    """Timeseries rows: every (period, level) with 0 voluntary exits, except rows {(week_end, level): n}."""
    return pd.DataFrame([{"week_end": e, "level": lv, "voluntary_exits": rows.get((e, lv), 0)}
                         for e in ENDS for lv in LEVELS])


def fills_table(rows: dict) -> pd.DataFrame:
    """Level timeseries: {(week_end, level): (internal, external)} fills, else none."""
    return pd.DataFrame([{"week_end": e, "level": lv, "fills_internal": rows.get((e, lv), (0, 0))[0],
                          "fills_external": rows.get((e, lv), (0, 0))[1]} for e in ENDS for lv in LEVELS])


def test_discount_factors_by_hand():
    # 5% a year: a unit paid after one year is worth 1/1.05 = 0.952381; after half a year 1/sqrt(1.05) = 0.975900
    np.testing.assert_allclose(discount_factors([0, 26, 52, 104], 0.05, 52), [1, 0.975900, 0.952381, 0.907029],
                               atol=1e-6)
    np.testing.assert_array_equal(discount_factors([0, 30, 500], 0.0, 52), [1, 1, 1])


def test_present_value_of_program_costs_by_hand():
    weekly = np.zeros((104, 4))
    weekly[0, 3] = 3000.0    # training at week 0: 3000
    weekly[52, 0] = 1050.0   # mentee time a year later: 1050 / 1.05 = 1000
    weekly[:, 2] = 52.0      # coordination 52 a week: sum over w of 52 / 1.05 ** (w / 52)
    program = SimpleNamespace(cost_by_week=weekly, COST_COMPONENTS=("mentee_cost", "mentor_cost",
                                                                    "coordinator_cost", "training_cost"))
    pv = present_value_costs([program, program], 0.05, 52)  # two identical programs add up
    coordination = 2 * sum(52.0 / 1.05 ** (w / 52) for w in range(104))
    assert pv == pytest.approx({"mentee_cost": 2000.0, "mentor_cost": 0.0, "coordinator_cost": coordination,
                                "training_cost": 6000.0}, rel=1e-12)
    assert coordination < 2 * 52 * 104  # discounting lowers it


def test_an_avoided_director_exit_is_valued_once():
    """The twin loses a Director in the second period (mid-week 19.5); its seat is filled from inside,
    which opens a Manager seat, filled from inside, which opens a Team Lead seat, filled from inside.
    Both worlds fill every leadership seat from inside: the chain changes the number of fills, not the rate, so the value is the one avoided exit, at its week, and nothing else."""
    program_ts = exits_table({})
    twin_ts = exits_table({(26, "Director"): 1})
    chain = {(39, "Director"): (1, 0), (39, "Manager"): (1, 0), (52, "Team Lead"): (1, 0)}
    common = {(65, "Director"): (2, 0), (65, "Manager"): (3, 0), (65, "Team Lead"): (4, 0)}
    program_lt, twin_lt = fills_table(common), fills_table({**common, **chain})
    result = SimpleNamespace(timeseries=program_ts, level_timeseries=program_lt)
    twin = SimpleNamespace(timeseries=twin_ts, level_timeseries=twin_lt)
    metrics = {"programs_total_cost": 100.0, "programs_present_value_cost": 90.0,
               **{f"programs_present_value_cost.{k}": v for k, v in
                  {"mentee_cost": 40.0, "mentor_cost": 30.0, "coordinator_cost": 20.0, "training_cost": 0.0}.items()}}
    out = money(CFG, result, twin, metrics)
    director = LEVEL["Director"]
    once = director.salary * director.replacement_cost_share / 1.05 ** (19.5 / W)
    assert out["value.avoided_voluntary_exits"] == 1
    assert out["value.replacement_savings"] == pytest.approx(once, rel=1e-12)
    assert out["value.extra_internal_leadership_fills"] == 0 and out["value.internal_fill_savings"] == 0
    assert out["value.total"] == pytest.approx(once, rel=1e-12)
    assert out["cost.total"] == 90.0 and out["cost.nominal"] == 100.0 and out["cost.mentee_time"] == 40.0
    assert out["value.net"] == pytest.approx(once - 90.0) and out["roi"] == pytest.approx((once - 90.0) / 90.0)


def test_internal_fill_value_is_the_change_in_rate_times_the_program_worlds_fills():
    """Director: the program world fills 10 seats, 8 from inside (0.8); the twin 12, 6 from inside (0.5).
    The change in rate is 0.3, so 0.3 x 10 = 3 fills were internal instead of external, each worth
    salary x premium share. Half the program world's Director fills fall in the period ending week 39
    (mid 32.5), half in the one ending week 91 (mid 84.5). Executive: the same rate in both worlds
    (1 of 2, 2 of 4) adds nothing although the twin filled twice as many seats. The twin's extra
    Manager fills are all internal like the program world's: nothing."""
    program = fills_table({(39, "Director"): (4, 1), (91, "Director"): (4, 1), (52, "Executive"): (1, 1),
                           (52, "Manager"): (2, 0)})
    twin = fills_table({(39, "Director"): (6, 6), (52, "Executive"): (2, 2), (52, "Manager"): (5, 0)})
    out = internal_fill_savings(CFG, program, twin)
    director = LEVEL["Director"]
    per_fill = director.salary * CFG.evaluation.external_hire_premium_share
    want = 0.3 * 5 * per_fill * (1.05 ** (-32.5 / W) + 1.05 ** (-84.5 / W))
    assert out["value.internal_fill_rate_change.level.Director"] == pytest.approx(0.3)
    assert out["value.internal_fill_rate_change.level.Executive"] == 0.0
    assert out["value.internal_fill_rate_change.level.Manager"] == 0.0
    assert out["value.extra_internal_leadership_fills"] == pytest.approx(3.0)
    assert out["value.internal_fill_savings"] == pytest.approx(want, rel=1e-12)
    assert not any(f"level.{lv.name}" in k for k in out for lv in CFG.org.levels if not lv.leadership)
    # Undiscounted, the same three fills are worth exactly 3 x salary x premium share.
    flat = dataclasses.replace(CFG, evaluation=dataclasses.replace(CFG.evaluation, discount_rate=0.0))
    assert internal_fill_savings(flat, program, twin)["value.internal_fill_savings"] == pytest.approx(3 * per_fill)


def test_a_program_that_causes_leadership_exits_gains_nothing_from_their_chains():
    """The program world loses two more Executives (weeks 40 and 50) whose seats are filled from inside
    with their chains; the fill rates stay at 1 in both worlds. Value: minus the two exits, discounted."""
    program_ts = exits_table({(52, "Executive"): 2})
    chain = {(65, "Executive"): (2, 0), (65, "Director"): (2, 0), (78, "Manager"): (2, 0),
             (78, "Team Lead"): (2, 0)}
    result = SimpleNamespace(timeseries=program_ts, level_timeseries=fills_table(chain))
    twin = SimpleNamespace(timeseries=exits_table({}), level_timeseries=fills_table({}))
    avoided, savings = replacement_savings(CFG, result.timeseries, twin.timeseries)
    executive = LEVEL["Executive"]
    assert avoided == -2
    assert savings == pytest.approx(-2 * executive.salary * executive.replacement_cost_share / 1.05 ** (45.5 / W))
    assert internal_fill_savings(CFG, result.level_timeseries, twin.level_timeseries)[
        "value.internal_fill_savings"] == 0.0


# ------------------------------------------------------------------ cumulative incidence
def test_aalen_johansen_by_hand_and_as_lifelines_gives_it():
    """Ten spells (1 promoted, 2 left, 0 censored). All-cause survival S and the incidence of promotion:
    t=1: 10 at risk, promoted: F = 1/10 = 0.1,           S = 0.9
    t=2: 9 at risk, left:                               S = 0.8
    t=3: 8 at risk (the censored 3 too), promoted: F += 0.8/8 = 0.2,   S = 0.7
    t=4: 6 at risk, promoted: F += 0.7/6 -> 0.316667,   S = 0.583333
    t=5: 5 at risk, left:                               S = 0.466667
    t=7: 3 at risk, promoted: F += 0.466667/3 -> 0.472222
    lifelines 0.30.3 (AalenJohansenFitter, event_of_interest=1) gives the same cumulative density:
    0.1, 0.1, 0.2, 0.316667, 0.316667, 0.316667, 0.472222 at t = 1..7; for leaving (cause 2) 0.1 at 2,
    0.216667 at 5 and 0.372222 at 8."""
    d = np.array([1, 2, 3, 3, 4, 5, 6, 7, 8, 9.0])
    c = np.array([1, 2, 1, 0, 1, 2, 0, 1, 2, 0])
    t, f = aalen_johansen(d, c)
    lifelines_promoted = {1: 0.1, 2: 0.1, 3: 0.19999999999999996, 4: 0.3166666666666666, 5: 0.3166666666666666,
                          6: 0.3166666666666666, 7: 0.4722222222222221, 8: 0.4722222222222221, 9: 0.4722222222222221}
    for when, want in lifelines_promoted.items():
        assert incidence_at(t, f, when, d.max()) == pytest.approx(want, abs=1e-12), when
    t2, f2 = aalen_johansen(d, c, of=2)
    for when, want in {1: 0.0, 2: 0.1, 5: 0.21666666666666662, 8: 0.3722222222222221}.items():
        assert incidence_at(t2, f2, when, d.max()) == pytest.approx(want, abs=1e-12), when
    # Both causes and the all-cause survival add up to one at every time.
    surv = np.cumprod([1 - 1 / 10, 1 - 1 / 9, 1 - 1 / 8, 1 - 1 / 6, 1 - 1 / 5, 1 - 1 / 3, 1 - 1 / 2])
    np.testing.assert_allclose(f[1:] + f2[1:], 1 - surv, atol=1e-12)
    assert np.isnan(incidence_at(t, f, 9.5, d.max()))  # nobody was followed that long


def test_aalen_johansen_matches_lifelines_on_a_simulated_data_set():
    """200 spells: promotion ~ Exp(mean 2), leaving ~ Exp(mean 4), censoring ~ U(0, 5), seed 7.
    The figures are lifelines 0.30.3's AalenJohansenFitter cumulative density at those times."""
    rng = np.random.default_rng(7)
    n = 200
    promo, leave, cens = rng.exponential(2.0, n), rng.exponential(4.0, n), rng.uniform(0, 5, n)
    d = np.minimum(np.minimum(promo, leave), cens)
    c = np.where(d == promo, 1, np.where(d == leave, 2, 0))
    t, f = aalen_johansen(d, c)
    lifelines = {0.5: 0.20190010769538064, 1.0: 0.3137559259249958, 2.0: 0.49015297100700095,
                 3.0: 0.5827277205598718}
    for when, want in lifelines.items():
        assert incidence_at(t, f, when, d.max()) == pytest.approx(want, abs=1e-12), when
    # and the truth it estimates: F(t) = 2/3 (1 - exp(-0.75 t)) without censoring; SE at n=200 is about
    # sqrt(F (1 - F) / n_effective) < 0.05 here, so 3 SE is within 0.15 (a check of sense, not of digits).
    for when in (0.5, 1.0, 2.0):
        assert abs(incidence_at(t, f, when, d.max()) - 2 / 3 * (1 - np.exp(-0.75 * when))) < 0.15


def test_promotion_and_exit_in_the_same_week_both_count_at_that_week():
    """Ties across causes: at t=2 two of four at risk end, one promoted and one left: F(2) = 1/4 + 0
    (nothing before), all-cause S(2) = 2/4; then at t=3 one of two promoted: F = 1/4 + 0.5 x 1/2."""
    t, f = aalen_johansen([2, 2, 3, 4], [1, 2, 1, 0])
    assert incidence_at(t, f, 2, 4) == pytest.approx(0.25)
    assert incidence_at(t, f, 3, 4) == pytest.approx(0.5)
