"""review.involuntary_rule=absolute: let go whoever's competence under the level's profile is below
involuntary_floor x the level's demand (with involuntary_probability), whatever the others' scores."""
from __future__ import annotations

import numpy as np
import pytest

from sim.config.checks import ConfigError
from sim.engine.kernels import EXIT_INVOLUNTARY
from sim.engine.model import OrgModel
from tests.conftest import make_config


def _constructed(*overrides):
    """The small org at week 0, every competency set to factor x the level's target: factor 0.8 for
    every third person, 0.95 for the next, 1.1 for the rest (so competence / demand is that factor)."""
    model = OrgModel(make_config("program=none", "review.involuntary_enabled=true", *overrides))
    pop, org = model.pop, model.org
    s = pop.active_slots()
    factor = np.array([0.8, 0.95, 1.1])[np.arange(s.size) % 3]
    pop.competency[s] = factor[:, None] * org.target[pop.level[s]]
    return model, s, factor


@pytest.mark.parametrize("floor, probability", [(0.9, 1.0), (1.0, 1.0), (0.9, 0.5)])
def test_absolute_rule_lets_go_those_below_the_floor(floor, probability):
    model, s, factor = _constructed("review.involuntary_rule=absolute", f"review.involuntary_floor={floor}",
                                    f"review.involuntary_probability={probability}")
    below = s[factor < floor]
    # The targets are built so that the profile-weighted target is the demand: competence / demand = factor.
    pop, org = model.pop, model.org
    ratio = np.einsum("ij,ij->i", org.profile[pop.level[s]], pop.competency[s]) / org.demand[pop.level[s]]
    assert np.allclose(ratio, factor)
    gone = model.dynamics.review(26)[EXIT_INVOLUNTARY]
    assert set(gone.tolist()) <= set(below.tolist())
    if probability == 1.0:
        assert sorted(gone.tolist()) == sorted(below.tolist())
    else:  # each of them with probability 1/2: within 4 binomial standard errors
        n = below.size
        assert abs(gone.size - n / 2) < 4 * np.sqrt(n / 4)


def test_relative_rule_ignores_the_floor():
    """The default rule: the score against the threshold, so people far above demand can go too."""
    model, s, factor = _constructed("review.involuntary_threshold=-0.5", "review.involuntary_probability=1",
                                    "review.involuntary_floor=0.9")
    gone = model.dynamics.review(26)[EXIT_INVOLUNTARY]
    assert np.array_equal(np.sort(gone), np.sort(s[model.pop.performance[s] < -0.5]))
    assert (factor[np.isin(s, gone)] > 0.9).any()


def test_involuntary_rule_is_checked():
    with pytest.raises(ConfigError, match=r"^review.involuntary_rule = 'strict': one of relative, absolute$"):
        make_config("review.involuntary_rule=strict")
