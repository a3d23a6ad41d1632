"""The starting composition: explicit group shares per level and exact (largest-remainder) counts."""
from __future__ import annotations

import numpy as np
import pytest

from sim.config.checks import ConfigError
from sim.engine.model import OrgModel
from tests.conftest import make_config

# Three groups with shares whose quotas are fractional at every level of the small org.
THREE_GROUPS = "org.groups=[{name:A,share:0.5,top_share:0.7},{name:B,share:0.3,top_share:0.1},{name:C,share:0.2}]"


def _largest_remainder(seats: int, shares) -> list[int]:
    """Plain reference: floor of the quotas, then one each to the largest remainders (earlier group on ties)."""
    quota = [seats * s for s in shares]
    counts = [int(q) for q in quota]
    for g in sorted(range(len(shares)), key=lambda g: (-(quota[g] - counts[g]), g))[: seats - sum(counts)]:
        counts[g] += 1
    return counts


def _counts(model) -> np.ndarray:
    pop, org = model.pop, model.org
    s = pop.active_slots()
    out = np.zeros((org.n_levels, len(org.group_names)), dtype=np.int64)
    np.add.at(out, (pop.level[s], pop.group[s]), 1)
    return out


@pytest.mark.parametrize("extra", [(), (THREE_GROUPS,), ("+org.levels.2.group_shares={A:0.5,B:0.5}",
                                                           "+org.levels.5.group_shares={A:0.33,B:0.67}")])
def test_exact_composition_is_the_largest_remainder_split(extra):
    cfg = make_config("program=none", "org.exact_composition=true", *extra)
    model = OrgModel(cfg)
    n_levels = len(cfg.org.levels)
    names = [g.name for g in cfg.org.groups]
    for lv, level in enumerate(cfg.org.levels):
        if level.group_shares is not None:
            shares = [level.group_shares.get(n, 0.0) for n in names]
        else:
            f = lv / (n_levels - 1)
            shares = [(1 - f) * g.share + f * (g.share if g.top_share is None else g.top_share) for g in cfg.org.groups]
        expected = _largest_remainder(level.seats, shares)
        assert _counts(model)[lv].tolist() == expected, (lv, shares)
    assert np.array_equal(_counts(model), model.org.initial_group_counts())


def test_explicit_shares_without_exact_counts_are_the_coin_flip_probabilities():
    """group_shares alone changes the probabilities: level 0 all B, level 1 all A."""
    model = OrgModel(make_config("program=none", "+org.levels.0.group_shares={B:1.0}",
                                 "+org.levels.1.group_shares={A:1.0,B:0.0}"))
    counts = _counts(model)
    assert counts[0].tolist() == [0, model.org.seats[0]]
    assert counts[1].tolist() == [model.org.seats[1], 0]


def test_exact_composition_off_keeps_the_coin_flip():
    """The default draws each person's group: counts differ from the exact split somewhere."""
    model = OrgModel(make_config("program=none"))
    assert not np.array_equal(_counts(model), model.org.initial_group_counts())


@pytest.mark.parametrize("override, start", [
    ("+org.levels.0.group_shares={A:0.5,B:0.4}", "org.levels[0].group_shares = 0.9: group shares must sum to 1"),
    ("+org.levels.0.group_shares={A:0.5,Z:0.5}", "org.levels[0].group_shares.Z = 'Z': must name a group: A, B"),
])
def test_group_shares_are_checked(override, start):
    with pytest.raises(ConfigError) as err:
        make_config(override)
    assert str(err.value).startswith(start)
