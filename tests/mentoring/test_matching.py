"""Matching policies on pools drawn from a real organization (the small org at week 0).

Every policy must respect mentor capacities and feasibility; beyond that each has
its own promise: `optimal` the largest total quality, `cross_group` the most
cross-group pairs, `skill_gap` more complementarity and `affinity` more
same-group pairs than `random`. A policy registered with `@policy` is usable by name.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim import run
from sim.engine import rng
from sim.config.load import load_config
from sim.mentoring import matching
from sim.mentoring.matching import POLICIES, assign_greedy, build_pool, match, policy
from sim.engine.model import OrgModel
from sim.config.schema import ConfigError
from tests.conftest import make_config

BUILTIN = ("random", "skill_gap", "affinity", "cross_group", "optimal")
KEY = rng.stream_key(0, 987)


@pytest.fixture(scope="module")
def model():
    return OrgModel(make_config("sim.horizon_years=1"))


def program_cfg(model, **changes):
    base = dataclasses.replace(model.cfg.programs()[0], min_level_gap=2, format="one_to_one")
    return dataclasses.replace(base, **changes)


def slots_where(model, levels, group=None, n=None):
    pop = model.pop
    s = pop.active_slots()
    ok = np.isin(pop.level[s], levels)
    if group is not None:
        ok &= pop.group[s] == group
    s = s[ok]
    return s if n is None else s[:n]


def make_pool(model, mentees, mentors, capacity, **changes):
    prog = program_cfg(model, **changes)
    cap = np.full(mentors.size, capacity, dtype=np.int64) if np.isscalar(capacity) else capacity
    return prog, build_pool(model.pop, model.org, prog, mentees, mentors, cap, KEY, 0, None)


def check_choice(pool, choice, name):
    assert choice.shape == (len(pool.mentees),)
    assert ((choice >= -1) & (choice < len(pool.mentors))).all(), name
    got = np.flatnonzero(choice >= 0)
    load = np.bincount(choice[got], minlength=len(pool.mentors))
    assert (load <= pool.capacity).all(), f"{name}: over capacity"
    assert pool.feasible[got, choice[got]].all(), f"{name}: an infeasible pair"
    return got


def totals(pool, choice):
    got = np.flatnonzero(choice >= 0)
    c = choice[got]
    return {"n": got.size, "quality": pool.quality[got, c].sum(), "skill": pool.skill[got, c].mean(),
            "same_group": pool.same_group[got, c].mean(), "cross": int((~pool.same_group[got, c]).sum())}


# Pools: mentees at levels 0-1, mentors at levels 2-5, gap 2 (level-1 mentees need level 3 or above).
@pytest.fixture(scope="module")
def pools(model):
    mentees = np.concatenate([slots_where(model, [0], n=45), slots_where(model, [1], n=20)])
    mentors = slots_where(model, [2, 3, 4, 5])
    n_high = np.isin(model.pop.level[mentors], [3, 4, 5]).sum()
    assert 4 * n_high >= mentees.size  # with 4 places each, even the level 3+ mentors alone can take everyone
    return {"ample": make_pool(model, mentees, mentors, 4)[1], "scarce": make_pool(model, mentees, mentors, 1)[1]}


def test_pool_scores_and_feasibility(model, pools):
    pool = pools["ample"]
    pop = model.pop
    gap = pop.level[pool.mentors][None, :].astype(int) - pop.level[pool.mentees][:, None].astype(int)
    assert np.array_equal(pool.feasible, gap >= 2)
    assert pool.feasible.any(axis=1).all() and not pool.feasible.all()
    for name in ("skill", "similarity", "quality", "random"):
        values = getattr(pool, name)
        assert ((values >= 0) & (values <= 1)).all(), name
    m = program_cfg(model).matching
    w = np.array([m.skill_weight, m.similarity_weight, m.same_group_weight])
    w = w / w.sum()
    np.testing.assert_allclose(pool.quality, w[0] * pool.skill + w[1] * pool.similarity + w[2] * pool.same_group)
    assert np.array_equal(pool.same_group, pop.group[pool.mentees][:, None] == pop.group[pool.mentors][None, :])
    assert sorted(pool.order) == list(range(len(pool.mentees)))


def test_reverse_and_other_department_feasibility(model):
    pop = model.pop
    mentees, mentors = slots_where(model, [3, 4, 5]), slots_where(model, [0, 1, 2])
    _, pool = make_pool(model, mentees, mentors, 1, format="reverse", mentor_other_department=True)
    gap = pop.level[pool.mentees][:, None].astype(int) - pop.level[pool.mentors][None, :].astype(int)
    other = pop.department[pool.mentees][:, None] != pop.department[pool.mentors][None, :]
    assert np.array_equal(pool.feasible, (gap >= 2) & other)
    assert pool.feasible.any() and not pool.feasible.all()
    # Someone on both sides is never paired with themselves.
    both = np.concatenate([mentees[:5], mentors[:5]])
    _, pool = make_pool(model, both, both, 1, min_level_gap=1)
    assert not np.diag(pool.feasible).any()


@pytest.mark.parametrize("kind", ["ample", "scarce"])
@pytest.mark.parametrize("name", BUILTIN)
def test_every_policy_respects_capacity_and_feasibility(pools, kind, name):
    pool = pools[kind]
    got = check_choice(pool, POLICIES[name](pool), name)
    if kind == "ample":
        assert got.size == len(pool.mentees), f"{name}: left mentees unmatched with places to spare"
    else:
        assert got.size >= 0.9 * min(len(pool.mentees), len(pool.mentors)), f"{name}: matched only {got.size}"


def test_optimal_has_the_largest_total_quality(pools):
    for kind, pool in pools.items():
        res = {name: totals(pool, POLICIES[name](pool)) for name in BUILTIN}
        best = res["optimal"]
        for name, r in res.items():
            # optimal matches as many mentees as any policy, and among equal counts has the most quality
            assert best["n"] >= r["n"], (kind, name, r["n"], best["n"])
            if r["n"] == best["n"]:
                assert best["quality"] >= r["quality"] - 1e-9, (kind, name, r["quality"], best["quality"])
    ample = {name: totals(pools["ample"], POLICIES[name](pools["ample"])) for name in BUILTIN}
    assert all(r["n"] == len(pools["ample"].mentees) for r in ample.values())
    assert ample["optimal"]["quality"] > ample["random"]["quality"] + 1.0


def test_cross_group_has_the_most_cross_group_pairs(model, pools):
    for kind, pool in pools.items():
        res = {name: totals(pool, POLICIES[name](pool)) for name in BUILTIN}
        for name, r in res.items():
            assert res["cross_group"]["cross"] >= r["cross"], (kind, name, r["cross"], res["cross_group"]["cross"])
    # Mentees of both groups, and enough places with mentors of the other group for each: all pairs cross.
    a, b = slots_where(model, [0], group=0, n=20), slots_where(model, [0], group=1, n=15)
    mentors = slots_where(model, [2, 3, 4, 5])
    g = model.pop.group[mentors]
    assert 2 * (g == 1).sum() >= a.size and 2 * (g == 0).sum() >= b.size
    _, pool = make_pool(model, np.concatenate([a, b]), mentors, 2)
    got = check_choice(pool, POLICIES["cross_group"](pool), "cross_group")
    assert got.size == pool.mentees.size
    assert totals(pool, POLICIES["cross_group"](pool))["cross"] == pool.mentees.size
    assert totals(pool, POLICIES["affinity"](pool))["cross"] < pool.mentees.size  # the test can tell


def test_skill_gap_and_affinity_beat_random_on_their_own_criterion(pools):
    for kind, pool in pools.items():
        rand = totals(pool, POLICIES["random"](pool))
        skill = totals(pool, POLICIES["skill_gap"](pool))
        affinity = totals(pool, POLICIES["affinity"](pool))
        assert skill["skill"] >= rand["skill"], (kind, skill["skill"], rand["skill"])
        assert affinity["same_group"] >= rand["same_group"], (kind, affinity["same_group"], rand["same_group"])
    pool = pools["ample"]
    assert totals(pool, POLICIES["affinity"](pool))["same_group"] == 1.0  # every mentee finds one of its group


@pytest.mark.parametrize("name", BUILTIN)
def test_match_over_blocks_keeps_capacity_across_blocks(model, name):
    mentees = np.concatenate([slots_where(model, [0], n=45), slots_where(model, [1], n=20)])
    mentors = slots_where(model, [2, 3, 4, 5])
    capacity = np.where(np.arange(mentors.size) % 3 == 0, 2, 1)
    prog = program_cfg(model)
    prog = dataclasses.replace(prog, matching=dataclasses.replace(prog.matching, policy=name, block_size=7))
    e, m, q = match(model.pop, model.org, prog, mentees, mentors, capacity, KEY, 0)
    assert e.size >= 0.75 * min(mentees.size, capacity.sum())  # blocks are matched one after another
    assert np.unique(e).size == e.size and np.isin(e, mentees).all() and np.isin(m, mentors).all()
    load = np.array([(m == s).sum() for s in mentors])
    assert (load <= capacity).all(), "a mentor over capacity across blocks"
    pop = model.pop
    assert (pop.level[m].astype(int) - pop.level[e].astype(int) >= 2).all()
    # The quality returned is the pair's quality.
    _, full = make_pool(model, mentees, mentors, capacity)
    rows = np.array([np.flatnonzero(mentees == x)[0] for x in e])
    cols = np.array([np.flatnonzero(mentors == x)[0] for x in m])
    np.testing.assert_allclose(q, full.quality[rows, cols])


@pytest.fixture
def lowest_quality_policy():
    calls = []

    @policy("test_lowest_quality")
    def lowest(pool):
        calls.append(len(pool.mentees))
        return assign_greedy(pool, -pool.quality)

    yield calls
    del POLICIES["test_lowest_quality"]


def test_a_registered_policy_is_usable_by_name(lowest_quality_policy):
    assert matching.POLICIES["test_lowest_quality"] is not None
    overrides = ["program=default", "program.enroll_share=1.0", "sim.horizon_years=1", "evaluation.twin=false"]
    ours = run(make_config(*overrides, "matching.policy=test_lowest_quality"))
    assert lowest_quality_policy, "the registered policy was never called"
    best = run(make_config(*overrides, "matching.policy=optimal"))
    key = "program.default.mean_match_quality"
    assert ours.metrics["program.default.pairs_started"] >= 20
    assert ours.metrics[key] < best.metrics[key] - 0.05
    # A program's own matching section can name it too.
    cfg = load_config(["org=small", "program=sponsorship", "program.matching.policy=test_lowest_quality"])
    assert cfg.programs()[0].matching.policy == "test_lowest_quality"


def test_an_unregistered_policy_is_a_config_error():
    with pytest.raises(ConfigError, match=r"^matching\.policy = 'test_lowest_quality': one of "):
        load_config(["org=small", "matching.policy=test_lowest_quality"])


def test_pool_skill_and_random_match_their_definitions(model, pools):
    pool = pools["ample"]
    pop = model.pop
    mask = matching.focus_mask(pop, model.org, pool.mentees, program_cfg(model).matching.n_focus, None)
    lead = np.maximum(pop.competency[pool.mentors][None, :, :] - pop.competency[pool.mentees][:, None, :], 0.0)
    expected = np.minimum((lead * mask[:, None, :]).sum(axis=2) / (mask.sum(axis=1)[:, None] * matching.FULL_GAP), 1)
    np.testing.assert_allclose(pool.skill, expected, rtol=1e-12, atol=1e-12)
    interest = 0.5 * (1 + pop.interest[pool.mentees] @ pop.interest[pool.mentors].T)
    np.testing.assert_allclose(pool.similarity, interest, rtol=1e-12)
    assert np.array_equal(pool.random, rng.pair_uniforms(KEY, pop.eid[pool.mentees], pop.eid[pool.mentors], 0))


@pytest.mark.parametrize("free_share", [1.0, 0.5, 0.02])
def test_candidate_samples_are_distinct_free_columns_in_range(free_share):
    from sim.mentoring.kernels import sample_columns

    n_cols, lo, hi, n = 5000, 1000, 4000, 300
    free = rng.uniforms(KEY, np.arange(n_cols), 0, 0) < free_share
    capacity = free.astype(np.int64)
    taken = np.zeros(n_cols, dtype=np.bool_)
    cols = sample_columns(capacity, lo, hi, n, np.uint64(KEY), 3, taken)
    n_free = int(free[lo:hi].sum())
    assert cols.size == min(n, n_free)  # as many as asked, or every free column when fewer are left
    assert np.unique(cols).size == cols.size and ((cols >= lo) & (cols < hi)).all() and free[cols].all()
    assert not taken.any()  # the scratch array is left clean
    if n_free > 2 * n:  # a random sample, not the first free columns of the range
        assert cols.max() - cols.min() > (hi - lo) / 2


def _pool_args(model, week=60):
    pop, n_levels = model.pop, model.org.n_levels
    no = np.zeros(pop.capacity, dtype=np.bool_)
    load = np.zeros(pop.capacity, dtype=np.int64)
    load[:: 7] = 1  # some mentors have one mentee already
    return (pop.active, pop.count, pop.hire_week, pop.level, np.ones(n_levels, dtype=np.bool_), no, no.copy(),
            load, 52, week, 2, False)


def test_a_sampled_mentor_pool_is_a_random_part_of_the_full_pool(model):
    from sim.mentoring.kernels import mentor_pool, sample_mentor_pool

    args = _pool_args(model)
    full, full_spare = mentor_pool(*args)
    spare_of = dict(zip(full.tolist(), full_spare.tolist()))
    level = model.pop.level
    senior = full[level[full] >= 2]
    taken = np.zeros(model.pop.capacity, dtype=np.bool_)
    n = senior.size // 3
    slots, spare, complete = sample_mentor_pool(*args, 2, 10, n, 100 * n, np.uint64(KEY), taken)
    assert complete and slots.size == n and np.unique(slots).size == n and not taken.any()
    assert np.isin(slots, senior).all()  # only possible mentors, at the levels asked for
    assert [spare_of[s] for s in slots.tolist()] == spare.tolist()
    # Asking for more than there are: incomplete, so the caller lists the whole pool instead.
    _, _, complete = sample_mentor_pool(*args, 2, 10, senior.size + 1, 100 * senior.size, np.uint64(KEY), taken)
    assert not complete and not taken.any()


def test_focus_is_the_largest_needs_with_ties_to_the_first_competency(model, pools):
    pop, org = model.pop, model.org
    mentees = pools["ample"].mentees
    need = org.profile[org.next_level[pop.level[mentees]]] * (1.0 - pop.competency[mentees])
    for n in (1, 2, 3):
        expected = np.zeros_like(need, dtype=bool)
        np.put_along_axis(expected, np.argsort(-need, axis=1, kind="stable")[:, :n], True, axis=1)
        assert np.array_equal(matching.focus_mask(pop, org, mentees, n, None), expected)
    from sim.mentoring.kernels import weakest

    tied = np.zeros((1, pop.n_competencies))  # every need equal: the first n competencies
    level = np.zeros(1, dtype=np.int8)
    mask = weakest(np.array([0]), level, tied, np.ones((1, pop.n_competencies)), np.array([0]), 2)
    assert mask[0].tolist() == [True, True] + [False] * (pop.n_competencies - 2)
