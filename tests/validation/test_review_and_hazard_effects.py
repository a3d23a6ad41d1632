"""Statistical checks of the review score and of the voluntary-exit hazard.

Review score (review_kernels.score_performance, documented in PerformanceConfig):

    score = rho * z + sqrt(1 - rho^2) * eps + bias[group],   eps ~ N(0, 1) iid per (employee, week),

z the profile-weighted competence standardized within level over everyone scored.
Because z is standardized within each level at each review, sum z^2 = n exactly,
so the least-squares slope b = sum(score z) / sum(z^2) is, given z, exactly
N(rho, (1 - rho^2) / n) when the biases are zero. Scores are captured at the
moment of scoring by wrapping the model's `dynamics.review`.

Hazard: with the other effects off, the weekly exit probability of employee i is
1 - exp(-h_L exp(theta (e_i - e0))) (theta = engagement_effect, e0 the baseline),
and the first-year multiplier m scales h_L while tenure < one year.
"""
from __future__ import annotations

import functools

import numpy as np
import pytest

from sim import run
from sim.engine.model import OrgModel
from tests.conftest import make_config

from .helpers import (CONSTANT_HAZARD, EXIT_KINDS, same_turnover, scaled_seats, scored_at_reviews,
                      weekly_exit_probability)

# ----------------------------------------------------------------- reviews


def _scored(*overrides):
    """(config, z, score, group) pooled over the five reviews of 5x the small org in 3 years."""
    cfg, s, reviews = scored_at_reviews(*overrides)
    assert reviews == 5
    return cfg, s["z"], s["score"], s["group"]


def test_score_uncorrelated_with_competence_without_skill_signal():
    _, z, score, _ = _scored("performance.skill_signal=0", "sim.seed=21")
    n = len(z)
    assert n > 4500
    r = np.corrcoef(z, score)[0, 1]
    assert abs(r) < 3 / np.sqrt(n), f"corr(score, competence) = {r:.4f} with skill_signal=0 (n={n})"
    # pure noise: mean 0, variance 1
    assert abs(score.mean()) < 3 / np.sqrt(n)
    assert abs(score.var() - 1) < 3 * np.sqrt(2 / n)


@pytest.mark.parametrize("rho", [0.0, 0.6, 0.9])
def test_score_slope_on_competence_equals_skill_signal(rho):
    _, z, score, _ = _scored(f"performance.skill_signal={rho}", "sim.seed=22")
    n = len(z)
    assert np.isclose((z * z).sum(), n)  # z standardized within level and review
    slope = (score * z).sum() / n
    se = np.sqrt((1 - rho**2) / n)
    assert abs(slope - rho) < 3.5 * se, f"slope {slope:.4f} vs skill_signal {rho} (se {se:.4f}, n={n})"
    residual = score - rho * z
    var_se = (1 - rho**2) * np.sqrt(2 / n)
    assert abs(residual.var() - (1 - rho**2)) < 3.5 * var_se, (residual.var(), 1 - rho**2)
    if rho == 0.9:
        assert np.corrcoef(z, score)[0, 1] > 0.85


def test_rater_bias_shifts_group_mean_score():
    rho = 0.6
    cfg, z, score, group = _scored(f"performance.skill_signal={rho}", "+performance.rater_bias.B=-0.5",
                                   "sim.seed=23")
    names = [g.name for g in cfg.org.groups]
    a, b = group == names.index("A"), group == names.index("B")
    residual = score - rho * z  # sqrt(1 - rho^2) eps + bias[group]: independent of competence
    diff = residual[b].mean() - residual[a].mean()
    se = np.sqrt((1 - rho**2) * (1 / a.sum() + 1 / b.sum()))
    assert abs(diff - (-0.5)) < 3.5 * se, f"B - A mean score (net of competence) {diff:.4f}, se {se:.4f}"
    assert abs(residual[a].mean()) < 3.5 * np.sqrt((1 - rho**2) / a.sum())


# ----------------------------------------------------------------- hazard

RATE = 0.3
SEATS_SCALE = 10  # 2,000 seats


@functools.lru_cache(maxsize=None)
def _first_year_run(multiplier: float):
    cfg = make_config(
        "sim.horizon_years=6", "sim.seed=31", "sim.agent_views=off",
        *CONSTANT_HAZARD, *same_turnover(RATE), *scaled_seats(SEATS_SCALE),
        f"attrition.first_year_multiplier={multiplier}",
    )
    return run(cfg)


def test_first_year_multiplier_raises_exits():
    """Same seed, multiplier 1 vs 3: more exits, and far more exits within the first year of tenure."""
    low, high = _first_year_run(1.0), _first_year_run(3.0)
    ev_low, ev_high = (r.events[r.events["kind"].isin(EXIT_KINDS)] for r in (low, high))
    assert len(ev_high) > len(ev_low)
    early_low = (ev_low["detail"] < 52).sum()
    early_high = (ev_high["detail"] < 52).sum()
    assert early_high > 1.5 * early_low, (early_low, early_high)


@pytest.mark.parametrize("multiplier", [1.0, 3.0])
def test_first_year_hazard_of_hires(multiplier):
    """MLE of the weekly exit probability of hires, first year vs later, within 3.5 SE."""
    result = _first_year_run(multiplier)
    cfg = result.config
    wpy, horizon = cfg.sim.weeks_per_year, cfg.sim.horizon_weeks
    ev = result.events
    hires = ev[ev["kind"] == "hire"]
    exits = ev[ev["kind"].isin(EXIT_KINDS)].set_index("employee")
    hire_week = hires["week"].to_numpy()
    exit_week = exits["week"].reindex(hires["employee"]).to_numpy()  # NaN: still here
    left = ~np.isnan(exit_week)
    # tenure at exit (or at the last simulated week); a hire is first at risk the week after joining
    last = np.where(left, exit_week, horizon - 1) - hire_week
    assert (last[left] >= 1).all()
    early_weeks = np.clip(last, 0, wpy - 1)  # tenures 1 .. wpy-1 at risk with the multiplier
    late_weeks = np.clip(last - (wpy - 1), 0, None)  # tenures wpy .. last
    tenure_at_exit = last[left]
    early_exits = int((tenure_at_exit < wpy).sum())
    late_exits = int((tenure_at_exit >= wpy).sum())
    for label, n_exits, exposure, p in (
        ("first year", early_exits, early_weeks.sum(), weekly_exit_probability(RATE, wpy, multiplier)),
        ("after", late_exits, late_weeks.sum(), weekly_exit_probability(RATE, wpy)),
    ):
        p_hat = n_exits / exposure
        se = np.sqrt(p * (1 - p) / exposure)
        assert n_exits > 200, (label, n_exits)
        assert abs(p_hat - p) < 3.5 * se, (
            f"multiplier {multiplier}, {label}: weekly exit probability {p_hat:.5f} vs {p:.5f} "
            f"(se {se:.5f}; {n_exits} exits / {exposure} weeks)")


def _engagement_run(theta: float):
    """Record, every week, everyone's engagement at the draw and who left voluntarily."""
    cfg = make_config(
        "sim.horizon_years=4", "sim.seed=41", "sim.agent_views=off",
        *CONSTANT_HAZARD, *same_turnover(RATE), *scaled_seats(SEATS_SCALE),
        f"attrition.engagement_effect={theta}",
        "development.state_noise_sd_per_year=0.3",  # a wide spread of engagement gives the test power
    )
    model = OrgModel(cfg)
    original = model.dynamics.hazard_exits
    weeks = []

    def hazard_exits(week):
        pop = model.pop
        s = pop.active_slots()
        engagement = pop.engagement[s].copy()
        out = original(week)
        slots, starts = out
        left = np.isin(s, slots[starts[1] : starts[2]])  # 1 = voluntary (retirement is off)
        weeks.append((engagement, left))
        return out

    model.dynamics.hazard_exits = hazard_exits
    model.run()
    return cfg, weeks


def _score_statistics(weeks, p_of):
    """Standardized sum(X - p) and sum((X - p)(e - mean e)) over people-weeks."""
    s0 = v0 = s1 = v1 = 0.0
    for e, x in weeks:
        p = p_of(e)
        d = e - e.mean()
        s0 += (x - p).sum()
        v0 += (p * (1 - p)).sum()
        s1 += ((x - p) * d).sum()
        v1 += (p * (1 - p) * d * d).sum()
    return s0 / np.sqrt(v0), s1 / np.sqrt(v1)


@pytest.mark.parametrize("theta", [0.0, -4.0])
def test_engagement_effect_on_exit_hazard(theta):
    cfg, weeks = _engagement_run(theta)
    wpy, base = cfg.sim.weeks_per_year, cfg.development.baseline_engagement
    h = RATE / wpy

    def model_p(e):
        return -np.expm1(-h * np.exp(theta * (e - base)))

    n_exits = sum(int(x.sum()) for _, x in weeks)
    assert n_exits > 1500
    calibration, slope = _score_statistics(weeks, model_p)
    assert abs(calibration) < 3.5, f"theta={theta}: exits vs predicted, z = {calibration:.2f}"
    assert abs(slope) < 3.5, f"theta={theta}: engagement slope of exits vs the hazard model, z = {slope:.2f}"
    # Leavers' engagement against the population's the week they left
    gaps = np.concatenate([e[x] - e.mean() for e, x in weeks])
    sds = np.concatenate([np.full(int(x.sum()), e.std()) for e, x in weeks])
    z_gap = gaps.sum() / np.sqrt((sds**2).sum())
    if theta == 0.0:
        assert abs(z_gap) < 3.5, f"leavers differ in engagement without an effect: z = {z_gap:.2f}"
    else:
        assert z_gap < -3.5, f"leavers not less engaged with engagement_effect={theta}: z = {z_gap:.2f}"
        # and a model without the effect is rejected by the same score statistic
        _, slope_null = _score_statistics(weeks, lambda e: np.full_like(e, -np.expm1(-h)))
        assert slope_null < -3.5, slope_null
