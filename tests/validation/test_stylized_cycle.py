"""Stylized cycle mode with binomial exits: flows per cycle against their binomial expectations.

An internal-only organization (hires only at the entry level, arriving the week their seat opens;
no time-in-level or readiness requirement) with attrition.mode=cycle: every review, each person
of level L leaves with probability share_L, then the vacancy chains refill every seat. The
headcount at each review is then the full seat count n_L, so per cycle

    exits at L             ~ Binomial(n_L, p_L)           mean n_L p_L, variance n_L p_L q_L
    promotions into L >= 1  = exits at levels >= L         mean sum_{l >= L} n_l p_l
    hires                   = all exits                    mean sum_l n_l p_l

and the exits of different levels are independent. The seats are chosen so that n_L p_L is
fractional at every level (a `count` draw could never match these means).
"""
from __future__ import annotations

import numpy as np
import pytest

from sim import load_config, run
from sim.config.checks import ConfigError
from tests.conftest import make_config

from .helpers import EXIT_KINDS, N_LEVELS, NO_PROGRAM, level_codes, set_seats

# Expected exits 3.9, 2.2, 1.6, 0.84, 0.5 (a tie: round_half_even gives 0 under `count`), 1.2. The
# upper levels are wide enough that a level below never runs out of candidates (which would send a
# seat outside): that needs at least 7 of 10 Directors-to-be leaving at once, and the like.
SEATS = np.array([30, 20, 16, 12, 10, 4])
SHARES = np.array([0.13, 0.11, 0.1, 0.07, 0.05, 0.3])
CYCLES = 600
BASE = (
    *NO_PROGRAM,
    "experiment=stylized_cycle",
    "hiring.internal_only=true",
    "hiring.ttf_scale=0",
    "promotion.min_weeks_in_level=0",
    "promotion.min_readiness_ratio=0",
    "sim.agent_views=off",
    # twelve weeks a year and a review every four: CYCLES reviews in few weeks
    "sim.weeks_per_year=12",
    "review.period_weeks=4",
    "review.first_week=3",
    f"sim.horizon_years={CYCLES // 3}",
    f"attrition.cycle_exit_share=[{','.join(str(s) for s in SHARES)}]",
    *set_seats(SEATS),
)


def _per_cycle(result, kinds) -> np.ndarray:
    """Counts per (review, level) of events of `kinds`, the level being the event's level."""
    cfg = result.config
    ev = result.events
    sel = ev[ev["kind"].isin(kinds)]
    reviews = np.arange(cfg.review.first_week, cfg.sim.horizon_weeks, cfg.review.period_weeks)
    assert set(sel["week"].unique()) <= set(reviews.tolist())
    out = np.zeros((reviews.size, N_LEVELS), dtype=np.int64)
    np.add.at(out, ((sel["week"].to_numpy() - cfg.review.first_week) // cfg.review.period_weeks,
                    level_codes(sel["level"])), 1)
    return out


def test_binomial_cycle_exits_have_binomial_mean_and_variance():
    result = run(make_config(*BASE, "attrition.cycle_exit_draw=binomial", "sim.seed=11"))
    exits = _per_cycle(result, EXIT_KINDS)
    assert exits.shape[0] == CYCLES
    n, p = SEATS, SHARES
    mean, var = n * p, n * p * (1 - p)
    # Sample mean of CYCLES independent binomials: standard error sqrt(var / CYCLES).
    se_mean = np.sqrt(var / CYCLES)
    # Sample variance: standard error sqrt((mu4 - var^2) / CYCLES), binomial 4th central moment
    # mu4 = n p q (1 + 3 (n - 2) p q). Four standard errors: a false alarm about 1 in 16,000 per check.
    mu4 = var * (1 + 3 * (n - 2) * p * (1 - p))
    se_var = np.sqrt((mu4 - var**2) / CYCLES)
    obs_mean, obs_var = exits.mean(axis=0), exits.var(axis=0, ddof=1)
    assert np.all(np.abs(obs_mean - mean) < 4 * se_mean), (obs_mean, mean, se_mean)
    assert np.all(np.abs(obs_var - var) < 4 * se_var), (obs_var, var, se_var)
    # Not the count rule in disguise: counts vary from cycle to cycle at every level.
    assert np.all(exits.std(axis=0) > 0)

    # Promotions into L: exits at levels >= L, per cycle exactly; on average their expectation.
    promotions = _per_cycle(result, ["promotion"])
    above = np.cumsum(exits[:, ::-1], axis=1)[:, ::-1]
    assert promotions[:, 0].sum() == 0
    assert np.array_equal(promotions[:, 1:], above[:, 1:])
    exp_above = np.cumsum(mean[::-1])[::-1]
    se_above = np.sqrt(np.cumsum(var[::-1])[::-1] / CYCLES)  # sums of independent binomials
    assert np.all(np.abs(promotions[:, 1:].mean(axis=0) - exp_above[1:]) < 4 * se_above[1:])
    hires = _per_cycle(result, ["hire"])
    assert hires[:, 1:].sum() == 0
    assert np.array_equal(hires[:, 0], exits.sum(axis=1))
    assert abs(hires[:, 0].mean() - mean.sum()) < 4 * se_above[0]


def test_count_cycle_exits_are_the_same_every_cycle():
    """The default draw: round_half_even(share x seats) every cycle, the same number each time."""
    result = run(make_config(*BASE, "sim.horizon_years=10", "sim.seed=11"))
    exits = _per_cycle(result, EXIT_KINDS)
    expected = np.array([round(s * n) for s, n in zip(SHARES, SEATS)])  # round() is half-even
    assert np.array_equal(exits, np.tile(expected, (exits.shape[0], 1)))


def test_cycle_exit_draw_is_checked():
    with pytest.raises(ConfigError, match=r"^attrition.cycle_exit_draw = 'poisson': one of count, binomial$"):
        make_config("attrition.cycle_exit_draw=poisson")


# ------------------------------------------------------------------ order within a cycle
# The three-level pyramid (250, 110, 40 seats), count draws, shares chosen without ties:
#   simultaneous  e_L = round(p_L n_L) for every level, then the chains
#   top_down      e_2 = round(p_2 n_2); the top fills from level 1 (e_2 promotions), then level 1 loses
#                 round(p_1 (n_1 - e_2)) of those left, fills from level 0, and so on down
# and in both, promotions into L = exits at levels >= L and hires = all exits, every cycle.
ORDER_SHARES = (0.1, 0.2, 0.25)
PYRAMID = (250, 110, 40)


def _expected_exits(order: str) -> list[int]:
    n, p = PYRAMID, ORDER_SHARES
    if order == "simultaneous":
        return [round(pl * nl) for pl, nl in zip(p, n)]
    e2 = round(p[2] * n[2])
    e1 = round(p[1] * (n[1] - e2))
    e0 = round(p[0] * (n[0] - e1 - e2))
    return [e0, e1, e2]


@pytest.mark.parametrize("order", ["simultaneous", "top_down"])
def test_cycle_order_gives_the_analytic_flows(order):
    cfg = load_config(["experiment=stylized_binomial_cycle", "sim.check_invariants=true",
                       "attrition.cycle_exit_draw=count",
                       f"attrition.cycle_order={order}", "sim.horizon_years=6", "sim.seed=2",
                       f"attrition.cycle_exit_share=[{','.join(map(str, ORDER_SHARES))}]"])
    assert [lv.seats for lv in cfg.org.levels] == list(PYRAMID)
    result = run(cfg)
    ev = result.events
    reviews = np.arange(cfg.review.first_week, cfg.sim.horizon_weeks, cfg.review.period_weeks)
    expected = np.array(_expected_exits(order))
    for week in reviews:
        here = ev[ev["week"] == week]
        count = {kind: np.bincount(level_codes(here.loc[here["kind"].isin(kinds), "level"]), minlength=3)
                 for kind, kinds in (("exits", EXIT_KINDS), ("promotions", ["promotion"]), ("hires", ["hire"]))}
        assert count["exits"].tolist() == expected.tolist(), (order, week, count)
        assert count["promotions"].tolist() == [0, expected[1:].sum(), expected[2]]
        assert count["hires"].tolist() == [expected.sum(), 0, 0]
    assert _expected_exits("simultaneous") != _expected_exits("top_down")  # the orders differ here
