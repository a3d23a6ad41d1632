"""The one-call matching round of greedy policies (`match_kernels.greedy_match`) against the Python
block loop it replaces (`matching.match_blocks`): the same pairs, in the same order, with the same
quality, to the bit, on random rounds drawn from a real organization."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.config.load import load_config
from sim.engine import kernels, rng
from sim.engine.model import OrgModel
from sim.mentoring.matching import POLICIES, match, match_blocks

GREEDY = ("random", "skill_gap", "affinity")
KEY = rng.stream_key(0, 4242)


@pytest.fixture(scope="module")
def model():
    # The default org, a year in: people have tenure, competencies and groups that differ.
    return OrgModel(load_config(["sim.horizon_years=1", "sim.agent_views=off"]))


def random_round(model, rng_np):
    """Mentees and mentors (overlapping, in random order) with random spare places (0 to 3)."""
    slots = model.pop.active_slots()
    mentees = rng_np.choice(slots, size=int(rng_np.integers(1, 120)), replace=False)
    mentors = rng_np.choice(slots, size=int(rng_np.integers(1, 400)), replace=False)
    if rng_np.random() < 0.5:  # grouped by level, as the program's full pools come
        mentors = mentors[np.argsort(model.pop.level[mentors], kind="stable")]
    spare = rng_np.integers(0, 4, size=mentors.size).astype(np.int64)
    return mentees.astype(np.int64), mentors.astype(np.int64), spare


def program(model, rng_np, name: str, reverse: bool):
    """Random matching settings: blocks of 7 to 200 mentees (one or many blocks a round), candidate
    samples of 5 to 400 mentors or none (sampled or listed columns), level gaps 0 to 2."""
    base = model.cfg.programs()[0]
    matching = dataclasses.replace(model.cfg.matching, policy=name, block_size=int(rng_np.choice([7, 40, 200])),
                                   candidates=int(rng_np.choice([0, 5, 30, 400])),
                                   n_focus=int(rng_np.integers(1, 4)))
    return dataclasses.replace(base, matching=matching, format="reverse" if reverse else "one_to_one",
                               min_level_gap=int(rng_np.integers(0, 3)),
                               mentor_other_department=bool(rng_np.random() < 0.3))


@pytest.mark.parametrize("name", GREEDY)
@pytest.mark.parametrize("reverse", [False, True])
def test_greedy_match_equals_the_python_block_loop(model, name, reverse):
    rng_np = np.random.default_rng(100 + GREEDY.index(name) + 10 * reverse)
    fixed = np.zeros(model.pop.n_competencies, dtype=bool)
    fixed[rng_np.integers(0, fixed.size)] = True
    matched = 0
    for trial in range(25):
        cfg = program(model, rng_np, name, reverse)
        mentees, mentors, spare = random_round(model, rng_np)
        mask = fixed if reverse else None
        week = int(rng_np.integers(0, 500))
        spare_before = spare.copy()
        got = match(model.pop, model.org, cfg, mentees, mentors, spare, KEY, week, mask)
        assert np.array_equal(spare, spare_before)  # the caller's spare places are left as they were
        want = match_blocks(model.pop, model.org, cfg, POLICIES[name], mentees, mentors, spare, KEY, week, mask)
        for g, w in zip(got, want):
            assert g.dtype == w.dtype and np.array_equal(g, w), (name, reverse, trial)
        matched += got[0].size
    assert matched > 100  # the rounds were not all empty


# Weights a user's own greedy policy may declare: every term (quality too, which no built-in policy
# weighs), quality alone, and one term each; the kernel leaves out the terms of weight 0.
USER_WEIGHTS = [dict(skill=0.3, similarity=0.2, same_group=0.1, quality=0.4, random=1e-3), dict(quality=1.0),
                dict(skill=2.0), dict(similarity=1.0), dict(same_group=1.0, random=1e-6)]


@pytest.mark.parametrize("weights", USER_WEIGHTS, ids=lambda w: "+".join(w))
def test_user_greedy_weights_give_the_python_block_loop_pairs(model, monkeypatch, weights):
    """A policy declared by `greedy_policy` with any weights: the kernel's pairs and qualities, to the bit,
    are those of the Python block loop scoring full matrices (`GreedyScore.of`)."""
    from sim.mentoring import matching

    monkeypatch.setitem(POLICIES, "user", None)  # taken back after the test
    fn = matching.greedy_policy("user", "a user's weights", **weights)
    rng_np = np.random.default_rng(11 + USER_WEIGHTS.index(weights))
    matched = 0
    for trial in range(15):
        reverse = bool(rng_np.random() < 0.3)
        cfg = program(model, rng_np, "user", reverse)
        mentees, mentors, spare = random_round(model, rng_np)
        week = int(rng_np.integers(0, 500))
        got = match(model.pop, model.org, cfg, mentees, mentors, spare, KEY, week)
        want = match_blocks(model.pop, model.org, cfg, fn, mentees, mentors, spare, KEY, week, None)
        for g, w in zip(got, want):
            assert g.dtype == w.dtype and np.array_equal(g, w), (weights, trial)
        matched += got[0].size
    assert matched > 50


def test_parallel_build_gives_the_same_pairs(model, monkeypatch):
    """The parallel build (large rounds) scores a block's rows in parallel: the same pairs."""
    from sim.mentoring import matching

    rng_np = np.random.default_rng(7)
    cfg = program(model, rng_np, "skill_gap", False)
    mentees, mentors, spare = random_round(model, rng_np)
    serial = match(model.pop, model.org, cfg, mentees, mentors, spare, KEY, 3)
    monkeypatch.setattr(kernels, "PARALLEL_MIN_ROWS", 0)
    monkeypatch.setattr(matching, "MATCH_PARALLEL_MIN_CELLS", 0)
    parallel = match(model.pop, model.org, cfg, mentees, mentors, spare, KEY, 3)
    for s, p in zip(serial, parallel):
        assert np.array_equal(s, p)
    assert serial[0].size > 0


def test_builtin_greedy_scores_are_the_documented_sums(model):
    """`GreedyScore.of` gives, to the bit, each built-in policy's score as written before it was declared
    by weights (so the kernel path and the Python path rank mentors as the policies always did)."""
    from sim.mentoring.matching import build_pool

    rng_np = np.random.default_rng(3)
    cfg = program(model, rng_np, "skill_gap", False)
    mentees, mentors, spare = random_round(model, rng_np)
    pool = build_pool(model.pop, model.org, cfg, mentees, mentors, spare, KEY, 5, None)
    written = {"random": pool.random, "skill_gap": pool.skill + 1e-6 * pool.random,
               "affinity": 0.5 * pool.similarity + 0.5 * pool.same_group + 1e-6 * pool.random}
    for name, score in written.items():
        assert np.array_equal(POLICIES[name].greedy_score.of(pool), score), name
