"""development.talent_correlation: how much the talent terms of two competencies share.

With hire_sd = 0 a starting employee's competency k is target_Lk + talent_sd x talent_k exactly (unless
clipped to [0, 1]: those few are left out), so the correlation across people of (c_k - target_Lk) for two
competencies is the configured correlation. Its sampling error for n people is about
(1 - rho^2) / sqrt(n); the tests allow 4 of them.
"""
from __future__ import annotations

import numpy as np
import pytest

from sim import run
from sim.engine.model import OrgModel
from tests.conftest import make_config


def _talent_terms(rho: float) -> np.ndarray:
    model = OrgModel(make_config("org=default", "program=none", "development.hire_sd=0",
                                 f"development.talent_correlation={rho}", "sim.seed=4"))
    pop, org = model.pop, model.org
    s = pop.active_slots()
    s = s[((pop.competency[s] > 0) & (pop.competency[s] < 1)).all(axis=1)]  # the few clipped at 1 left out
    return (pop.competency[s] - org.target[pop.level[s]]) / model.cfg.development.talent_sd


@pytest.mark.parametrize("rho", [0.0, 0.5, 1.0])
def test_correlation_of_two_competencies_talent_terms_at_the_start(rho):
    terms = _talent_terms(rho)
    n = terms.shape[0]
    r = np.corrcoef(terms[:, 0], terms[:, 3])[0, 1]
    assert abs(r - rho) <= 4 * (1 - rho**2) / np.sqrt(n) + 1e-9, (rho, r)
    # Each term is still a standard normal: SD 1 within 4 standard errors (sqrt(1 / (2n)) for an SD).
    assert np.all(np.abs(terms.std(axis=0) - 1) < 4 / np.sqrt(2 * n))


def test_development_pulls_each_competency_to_its_own_ceiling():
    """With independent talents, development without noise converges to ceilings that are uncorrelated
    across competencies (after the starting spread has been forgotten)."""
    result = run(make_config("org=default", "program=none", "sim.horizon_years=1", "sim.agent_views=off",
                             "development.talent_correlation=0", "development.noise_sd_per_year=0",
                             "development.learning_rate_per_year=20", "development.decay_factor=1",
                             "attrition.mode=cycle", "attrition.cycle_exit_share=[0,0,0,0,0,0]",
                             "attrition.retirement.enabled=false", "sim.seed=5", "output.events=false"))
    model = result.model
    pop, org = model.pop, model.org
    s = pop.active_slots()
    s = s[((pop.competency[s] > 0) & (pop.competency[s] < 1)).all(axis=1)]  # ceilings above 1 left out
    gap = pop.competency[s] - org.target[pop.level[s]]
    dev = model.cfg.development
    ceiling = dev.talent_sd * pop.talent_own[s]
    # Converged to within 1e-3 (the slowest rate belongs to the competency a level weighs least).
    assert np.abs(gap - ceiling).max() < 1e-3
    r = np.corrcoef(gap[:, 0], gap[:, 3])[0, 1]
    assert abs(r) < 4 / np.sqrt(len(s))  # uncorrelated within 4 sampling errors


def test_correlation_one_is_today_bit_for_bit():
    a = run(make_config("program=none", "sim.horizon_years=2", "output.events=false"))
    b = run(make_config("program=none", "sim.horizon_years=2", "output.events=false",
                        "development.talent_correlation=1.0"))
    assert a.metrics == b.metrics or all(a.metrics[k] == b.metrics[k] or a.metrics[k] != a.metrics[k]
                                         for k in a.metrics)
