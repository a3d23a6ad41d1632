"""`start_ties` (a round's new ties in one compiled call) against the numpy steps it replaced, on
random rounds: every relationship column, role, flag and count the same, to the bit."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.config.load import load_config
from sim.engine.model import OrgModel
from sim.engine.population import MENTEE, MENTOR, NONE, room_for
from sim.mentoring.program import Program
from sim.mentoring.relationships import relationship_columns
from sim.mentoring.start_kernels import START_COLUMNS


def reference_start(program, mentees, mentors, quality, week):
    """`Program._start` as it was written in numpy before `start_ties`."""
    pop, cfg, rel = program.pop, program.cfg, program.rel
    alignment = np.clip(0.3 + 0.5 * quality + (0.2 if cfg.goal_setting else 0.0), 0.0, 1.0)
    trust = 0.3 + 0.3 * quality
    skill = 0.5 + pop.competency[mentors][:, program.skill_columns].mean(axis=1)
    rows = rel.add(len(mentees), mentor=mentors, mentee=mentees, mentor_eid=pop.eid[mentors],
                   mentee_eid=pop.eid[mentees], start_week=week, end_week=week + cfg.length_weeks,
                   cadence=cfg.cadence_weeks, next_meeting=week + cfg.cadence_weeks, quality=quality,
                   alignment=alignment, trust=trust, mentoring_skill=skill)
    if cfg.format == "group":
        _, first, inverse = np.unique(mentors, return_index=True, return_inverse=True)
        rel.circle[rows] = rel.pid[rows[first]][inverse]
    else:
        rel.circle[rows] = rel.pid[rows]
    for e, m in zip(mentees, mentors):
        program.n_mentors += int(program.mentor_load[m] == 0)
        program.is_mentee[e] = True
        program.mentor_load[m] += 1
    program.ever_enrolled = room_for(program.ever_enrolled, pop.eid[mentees])
    program.trained = room_for(program.trained, pop.eid[mentees])
    program.ever_enrolled[pop.eid[mentees]] = True
    pop.participation[mentees[pop.participation[mentees] == NONE]] = MENTEE
    pop.participation[mentors[pop.participation[mentors] == NONE]] = MENTOR
    if cfg.mentor_training:
        program.trained = room_for(program.trained, pop.eid[mentors])
        new = np.unique(pop.eid[mentors][~program.trained[pop.eid[mentors]]])
        program.trained[new] = True
        program.stats["mentors_trained"] += new.size
    program.stats["pairs_started"] += mentees.size
    program.stats["quality_sum"] += float(quality.sum())


def test_start_columns_are_every_relationship_column():
    assert sorted(START_COLUMNS) == sorted(c.name for c in relationship_columns())


@pytest.mark.parametrize("fmt,training,goals", [("one_to_one", False, True), ("group", True, False),
                                                 ("one_to_one", True, False)])
def test_start_ties_equals_the_numpy_steps(fmt, training, goals):
    cfg = load_config(["sim.horizon_years=1", "sim.agent_views=off"])
    worlds = []
    for _ in range(2):
        model = OrgModel(cfg)
        pcfg = dataclasses.replace(cfg.programs()[0], format=fmt, mentor_training=training, goal_setting=goals)
        program = Program(pcfg, 0)
        program.init(model)
        worlds.append((model, program))
    rng = np.random.default_rng(11)
    slots = worlds[0][0].pop.active_slots()
    for week in (3, 9, 30):
        people = rng.permutation(slots)
        n = int(rng.integers(1, 60))
        mentees = people[:n].astype(np.int64)
        mentors = rng.choice(people[n:n + max(2, n // 2)], size=n).astype(np.int64)  # mentors with several
        quality = rng.random(n)
        worlds[0][1]._start(mentees, mentors, quality, week)
        reference_start(worlds[1][1], mentees, mentors, quality, week)
        live = worlds[0][1].rel.active_slots()
        ending = np.sort(live[rng.random(live.size) < 0.3])  # some ties end: the next round reuses their rows
        for _, program in worlds:
            program.rel.remove(ending)
            for r in ending:
                program.is_mentee[program.rel.mentee[r]] = False
                program.mentor_load[program.rel.mentor[r]] -= 1
    (m0, p0), (m1, p1) = worlds
    for c in relationship_columns():
        assert np.array_equal(getattr(p0.rel, c.name), getattr(p1.rel, c.name)), c.name
    assert np.array_equal(p0.rel.active, p1.rel.active) and p0.rel.next_id == p1.rel.next_id
    assert np.array_equal(p0.is_mentee, p1.is_mentee) and np.array_equal(p0.mentor_load, p1.mentor_load)
    assert np.array_equal(m0.pop.participation, m1.pop.participation)
    size = min(p0.ever_enrolled.size, p1.ever_enrolled.size)
    assert np.array_equal(p0.ever_enrolled[:size], p1.ever_enrolled[:size]) and not p0.ever_enrolled[size:].any()
    assert np.array_equal(p0.trained[:size], p1.trained[:size])
    assert p0.n_mentors == p1.n_mentors
    for key in ("mentors_trained", "pairs_started", "quality_sum"):
        assert p0.stats[key] == p1.stats[key], key
    assert (p0._first_row == -1).all()
    assert p0.stats["mentors_trained"] > 0 if training else p0.stats["mentors_trained"] == 0


@pytest.mark.parametrize("n", [1, 2, 5])
def test_mentoring_skill_of_many_columns_is_numpys_mean_for_any_round_size(n):
    """An organization without the two skill competencies averages all of its competencies, eight or more
    in some: numpy's mean sums a lone row pairwise from eight columns on but several rows one by one, so
    the skill must be numpy's own (a round of one tie, a rematch, is the common case)."""
    cfg = load_config(["sim.horizon_years=1", "sim.agent_views=off"])
    worlds = []
    for _ in range(2):
        model = OrgModel(cfg)
        program = Program(cfg.programs()[0], 0)
        program.init(model)
        program.skill_columns = np.array([0, 1, 2, 3, 4, 0, 1, 2, 3])  # nine columns (repeats are allowed)
        worlds.append(program)
    rng = np.random.default_rng(5)
    slots = worlds[0].pop.active_slots()
    for week in range(40):
        people = rng.permutation(slots)
        mentees, mentors = people[:n].astype(np.int64), people[n:2 * n].astype(np.int64)
        quality = rng.random(n)
        worlds[0]._start(mentees, mentors, quality, week)
        reference_start(worlds[1], mentees, mentors, quality, week)
        assert np.array_equal(worlds[0].rel.mentoring_skill, worlds[1].rel.mentoring_skill), week
        for program in worlds:  # end them: the next round takes the same rows afresh
            program.rel.remove(program.rel.active_slots())
            program.is_mentee[:] = False
            program.mentor_load[:] = 0
