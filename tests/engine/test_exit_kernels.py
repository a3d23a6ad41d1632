"""The exit draw with its bound on the hazard against the kernel as it was before (a copy below, which
computes every row's hazard): the same exit codes and leavers, bit for bit, serial and parallel."""
import math

import numpy as np
import pytest
from numba import njit

from sim.engine import exit_kernels, rng
from sim.engine.kernels import EXIT_NONE, EXIT_RETIREMENT, EXIT_VOLUNTARY, HazardParams, competence_under
from tests.conftest import make_config


@njit(cache=True)
def _reference_draw_exits(active, count, draw_key, level, hire_week, retire_week, competency, confidence, engagement,
                          belonging, passed_over, participation, hazard_shift, frailty, profile, demand, base_hazard,
                          participation_effect, params, key_attrition, week, voluntary_on, exit_code):
    """`draw_exits` before the bound: every row's hazard, then u < h and u < 1 - exp(-h)."""
    p = HazardParams(*params)
    for i in range(count):
        exit_code[i] = EXIT_NONE
        if not active[i]:
            continue
        if p.retirement_enabled > 0.0 and week >= retire_week[i]:
            exit_code[i] = EXIT_RETIREMENT
            continue
        if voluntary_on:
            lv = level[i]
            h = base_hazard[lv]
            if week - hire_week[i] < p.first_year_weeks:
                h *= p.first_year_multiplier
            above_demand = max(competence_under(profile[lv], competency[i]) - demand[lv] - p.market_threshold, 0.0)
            log_effect = (
                p.confidence_effect * (confidence[i] - p.baseline_confidence)
                + p.engagement_effect * (engagement[i] - p.baseline_engagement)
                + p.belonging_effect * (belonging[i] - p.baseline_belonging)
                + p.passed_over_effect * min(passed_over[i], p.passed_over_cap)
                + p.market_pull_effect * above_demand
                + participation_effect[participation[i]]
                + hazard_shift[i]
                + frailty[i]
            )
            h = h * np.exp(log_effect)
            u = rng.uniform_at(rng.entity_key(key_attrition, draw_key[i]), week, 0)
            if u < h and u < -np.expm1(-h):
                exit_code[i] = EXIT_VOLUNTARY


KEY, WEEK = np.uint64(0x1234ABCD5678EF01), 61
PARAMS = HazardParams(first_year_multiplier=1.7, first_year_weeks=52.0, confidence_effect=-0.8,
                      engagement_effect=-1.1, belonging_effect=-0.6, passed_over_effect=0.3, passed_over_cap=3.0,
                      market_pull_effect=2.0, market_threshold=0.1, baseline_confidence=0.6,
                      baseline_engagement=0.65, baseline_belonging=0.55, retirement_enabled=1.0)


def _rows(n, seed):
    """Random rows over wide ranges: log effects from about -30 to 30, some NaN, levels with a zero and
    a large base hazard (so that many rows leave and many sit near the bound)."""
    gen = np.random.default_rng(seed)
    n_levels, n_comp = 6, 5
    return dict(
        active=gen.random(n) < 0.9, count=n, draw_key=gen.integers(0, 2**62, n).astype(np.uint64),
        level=gen.integers(0, n_levels, n).astype(np.int8), hire_week=gen.integers(0, WEEK + 1, n).astype(np.int32),
        retire_week=gen.integers(WEEK - 5, WEEK + 2000, n).astype(np.int32), competency=gen.random((n, n_comp)),
        confidence=gen.random(n), engagement=gen.random(n), belonging=gen.random(n),
        passed_over=gen.integers(0, 6, n).astype(np.int16), participation=gen.integers(0, 3, n).astype(np.int8),
        hazard_shift=gen.normal(0.0, 8.0, n), frailty=np.where(gen.random(n) < 0.01, np.nan, gen.normal(0, 0.5, n)),
        profile=gen.dirichlet(np.ones(n_comp), n_levels), demand=gen.random(n_levels) * 0.5,
        base_hazard=np.array([0.0, 1e-300, 0.002, 0.01, 0.3, 2.0]), participation_effect=np.array([0.0, -0.2, 0.1]),
    )


def _both(rows, voluntary_on=True, params=PARAMS):
    args = [rows[k] for k in ("active", "count", "draw_key", "level", "hire_week", "retire_week", "competency",
                              "confidence", "engagement", "belonging", "passed_over", "participation",
                              "hazard_shift", "frailty", "profile", "demand", "base_hazard", "participation_effect")]
    want = np.full(rows["count"], 9, dtype=np.int8)
    _reference_draw_exits(*args, tuple(params), KEY, WEEK, voluntary_on, want)
    got = []
    for build in (exit_kernels.draw_exits.serial, exit_kernels.draw_exits.parallel):
        code = np.full(rows["count"], 9, dtype=np.int8)
        slots, starts = build(*args, tuple(params), KEY, WEEK, voluntary_on, code)
        for c in (EXIT_NONE, EXIT_VOLUNTARY, EXIT_RETIREMENT):
            if c != EXIT_NONE:
                assert np.array_equal(slots[starts[c]:starts[c + 1]], np.flatnonzero(code == c))
        got.append(code)
    return want, got


@pytest.mark.parametrize("seed", [1, 2])
def test_exit_codes_are_the_full_hazards_on_random_rows(seed):
    want, got = _both(_rows(20_000, seed))
    assert (want == EXIT_VOLUNTARY).sum() > 1000 and (want == EXIT_RETIREMENT).sum() > 10
    for code in got:
        assert np.array_equal(code, want)


def test_rows_on_the_edge_of_leaving_decide_alike():
    """Each row's shift is set so that its exit probability 1 - exp(-h) lands on its uniform, give or
    take a few units in the last place: about half leave, and the bound (>= h > 1 - exp(-h)) must
    send every one of them to the full hazard."""
    rows = _rows(40_000, 3)
    n = rows["count"]
    for name in ("confidence", "engagement", "belonging"):  # every state effect 0: log effect = shift, exactly
        rows[name][:] = getattr(PARAMS, f"baseline_{name}")
    rows["passed_over"][:] = 0
    rows["competency"][:] = 0.0
    rows["frailty"][:] = 0.0
    rows["participation_effect"][:] = 0.0
    rows["base_hazard"][:2] = 0.004  # no zero hazards here: every row gets a finite log
    rows["retire_week"][:] = WEEK + 1
    u = rng.uniforms(KEY, rows["draw_key"].astype(np.int64), WEEK, 0)
    h0 = rows["base_hazard"][rows["level"]] * np.where(WEEK - rows["hire_week"] < PARAMS.first_year_weeks,
                                                       PARAMS.first_year_multiplier, 1.0)
    shift = np.log(-np.log1p(-u) / h0)
    steps = np.arange(n) % 9 - 4  # from 4 units in the last place below to 4 above
    rows["hazard_shift"] = shift + steps * np.spacing(np.abs(shift))
    want, got = _both(rows)
    live = rows["active"].sum()
    assert 0.3 * live < (want == EXIT_VOLUNTARY).sum() < 0.7 * live
    for code in got:
        assert np.array_equal(code, want)


def test_without_voluntary_exits_only_retirements():
    want, got = _both(_rows(5000, 4), voluntary_on=False)
    assert not (want == EXIT_VOLUNTARY).any() and (want == EXIT_RETIREMENT).any()
    for code in got:
        assert np.array_equal(code, want)


def test_a_run_state_gives_the_same_exits():
    """A real population 20 weeks in, its hazards raised so that dozens leave."""
    from sim.engine.model import OrgModel

    model = OrgModel(make_config("sim.horizon_years=1"))
    for _ in range(20):
        model.step()
    dyn, pop, org = model.dynamics, model.pop, model.org
    pop.hazard_shift[: pop.count] = np.linspace(-1.0, 6.0, pop.count)
    rows = dict(active=pop.active, count=pop.count, draw_key=pop.draw_key, level=pop.level, hire_week=pop.hire_week,
                retire_week=pop.retire_week, competency=dyn.market_competency, confidence=pop.confidence,
                engagement=pop.engagement, belonging=pop.belonging, passed_over=pop.passed_over,
                participation=pop.participation, hazard_shift=pop.hazard_shift, frailty=pop.frailty,
                profile=org.profile, demand=org.demand, base_hazard=org.base_hazard_week,
                participation_effect=dyn.participation_effect)
    want, got = _both(rows, params=dyn.hazard_params)
    assert (want == EXIT_VOLUNTARY).sum() > 10
    for code in got:
        assert np.array_equal(code, want)


def test_the_table_is_above_exp_of_each_tier():
    tiers = np.arange(-exit_kernels.LOG_EFFECT_TIERS, exit_kernels.LOG_EFFECT_TIERS + 1)
    table = exit_kernels.EXP_CEILING
    assert np.all(table > np.exp(tiers)) and np.all(table < np.exp(tiers) * (1 + 1e-11))
    assert np.all(table > np.array([math.exp(t) for t in tiers]))
