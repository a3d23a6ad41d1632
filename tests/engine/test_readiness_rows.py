"""Readiness of a week's promoted and hired people comes from one einsum over all their rows
(`Staffing._settle_readiness`), where it used to take one call per group. That is the same run to the
bit only if a row's result does not depend on which other rows share the call: checked here bit for
bit on random rows of the shapes the engine uses (rows gathered by fancy indexing, so C-contiguous;
a competency count of 1 to 8), split at random into the calls they used to take."""
from __future__ import annotations

import numpy as np
import pytest

from sim import load_config
from sim.engine.model import OrgModel


@pytest.mark.parametrize("k", range(1, 9))
def test_each_row_of_one_einsum_is_its_own_call(k):
    gen = np.random.default_rng(k)
    for trial in range(300):
        n = int(gen.integers(1, 400))
        scale = 10.0 ** gen.integers(-3, 3)
        profile = gen.random((n, k))
        profile /= profile.sum(axis=1, keepdims=True)  # rows sum to 1, as `Org.profile`'s
        competency = scale * gen.random((n, k))
        whole = np.einsum("ij,ij->i", profile, competency)
        cuts = np.sort(gen.choice(np.arange(1, n), size=min(n - 1, int(gen.integers(0, 4))), replace=False))
        for part in np.split(np.arange(n), cuts):
            alone = np.einsum("ij,ij->i", profile[part], competency[part])
            assert np.array_equal(whole[part].view(np.uint64), alone.view(np.uint64)), (k, trial, part.size)
        one = int(gen.integers(0, n))
        single = np.einsum("ij,ij->i", profile[[one]], competency[[one]])
        assert whole[one].view(np.uint64) == single[0].view(np.uint64)


def test_the_promoted_have_their_new_levels_readiness_at_the_end_of_the_week():
    """After a week's promotions and hires nothing waits: every live person's readiness is the einsum of
    his or her competencies under the next level's profile, row by row."""
    cfg = load_config(["sim.horizon_years=1", "sim.seed=5", "sim.agent_views=off", "promotion.timing=vacancy"])
    model = OrgModel(cfg)
    promoted_weeks = 0
    for _ in range(30):
        before = model.pop.level.copy()
        model.step()
        pop, org = model.pop, model.org
        s = pop.active_slots()
        moved = s[pop.level[s] > before[s]]
        promoted_weeks += moved.size > 0
        assert not model.staffing._promoted
        for slot in moved:
            alone = np.einsum("ij,ij->i", org.profile[org.next_level[pop.level[[slot]]]], pop.competency[[slot]])
            assert pop.readiness[slot] == alone[0]
    assert promoted_weeks > 5


def test_a_promotion_round_called_alone_leaves_the_promoted_readiness_settled():
    """Outside `OrgModel.step` (tools, tests, a start) nobody settles a round's readiness later: the round does."""
    from sim.config.load import load_config
    from sim.engine.kernels import EXIT_VOLUNTARY
    from sim.engine.model import OrgModel

    model = OrgModel(load_config(["org=small", "program=none", "sim.seed=11", "sim.agent_views=off",
                                  "promotion.min_weeks_in_level=0"]))
    pop, org, staffing = model.pop, model.org, model.staffing
    s = pop.active_slots()
    staffing.separate(s[pop.level[s] >= 2][:6], EXIT_VOLUNTARY, 0)
    before = pop.level.copy()
    assert staffing.promote_chains(0) > 0
    moved = np.flatnonzero(pop.level != before)
    expected = np.einsum("ij,ij->i", org.profile[org.next_level[pop.level[moved]]], pop.competency[moved])
    assert moved.size and np.array_equal(pop.readiness[moved], expected)
