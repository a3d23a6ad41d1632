"""performance.rater_bias_units: where the rater's bias enters the review score.

    level_sd   score = rho z + sqrt(1 - rho^2) eps + b_g                 (b in SDs of the level's scores)
    absolute   score = rho (C + b_g - mu_L) / s_L + sqrt(1 - rho^2) eps  (b in competence points)

mu_L, s_L the mean and SD (population form) of the level's competence C over everyone scored.
So the score net of competence, r = score - rho z, differs between groups B and A by b (level_sd)
or rho b / s_L (absolute) at every level: in absolute units the gap in rated competence,
(r_B - r_A) s_L / rho, is b at every level. Each gap is checked per level within 4 standard errors
of a difference of two means of independent N(0, 1 - rho^2) noise.
"""
from __future__ import annotations

import numpy as np
import pytest

from sim import run
from tests.conftest import make_config

from .helpers import scored_at_reviews

RHO = 0.6


def _scored(*overrides):
    """(config, level, z, s_L, score, group) pooled over the reviews of 5x the small org in 3 years."""
    cfg, s, _ = scored_at_reviews(f"performance.skill_signal={RHO}", *overrides)
    return cfg, s["level"], s["z"], s["sd"], s["score"], s["group"]


@pytest.mark.parametrize("units, bias", [("level_sd", -0.4), ("absolute", -0.03)])
def test_expected_gap_between_groups_is_the_configured_amount_at_every_level(units, bias):
    cfg, level, z, sd, score, group = _scored(f"+performance.rater_bias.B={bias}",
                                              f"performance.rater_bias_units={units}", "sim.seed=31")
    b_group = [g.name for g in cfg.org.groups].index("B")
    residual = score - RHO * z
    for lv in range(len(cfg.org.levels)):
        a, b = (level == lv) & (group != b_group), (level == lv) & (group == b_group)
        gap = residual[b].mean() - residual[a].mean()
        se = np.sqrt((1 - RHO**2) * (1 / a.sum() + 1 / b.sum()))
        scale = sd[level == lv][0] / RHO if units == "absolute" else 1.0  # score SDs -> competence points
        assert abs(gap * scale - bias) < 4 * se * scale, (units, lv, gap * scale, bias, se * scale)


def test_level_sd_units_are_today_bit_for_bit():
    base = ("program=none", "sim.horizon_years=2", "output.events=false", "+performance.rater_bias.B=-0.3")
    a = run(make_config(*base))
    b = run(make_config(*base, "performance.rater_bias_units=level_sd"))
    assert np.array_equal(a.model.pop.performance, b.model.pop.performance)
    assert a.metrics.keys() == b.metrics.keys()
    assert all(a.metrics[k] == b.metrics[k] or a.metrics[k] != a.metrics[k] for k in a.metrics)
