"""Invariants of live relationships, checked every week of real runs.

`Checked` is a real Program whose `step` verifies the relationship table before
the week's meetings (nobody meets after leaving) and after the week's endings
and enrollment (capacity, level gap, eligibility, circles). The event log is then
checked on its own: starts and ends alternate per mentee, departures end ties in
the week they happen, and completed ties last exactly `length_weeks`.
"""
from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import make_config
from tests.mentoring.helpers import (COMPLETED, MENTEE_LEFT, MENTOR_LEFT, Recording, exit_weeks,
                                     mentoring_spells, simulate_with)

HORIZON = "sim.horizon_years=2"


class Checked(Recording):
    """Verifies the relationship table around every weekly step."""

    def init(self, model):
        super().init(model)
        self.violations: list[str] = []
        self.weeks_checked = 0
        self.max_load = 0
        self.first_enrolled: set[int] = set()

    def step(self, model, week, due):
        for after_step in (False, True):
            if after_step:
                super().step(model, week, due)
            try:
                self.check_live(week, after_step)
            except AssertionError as err:  # keep running: the event-log checks still apply
                self.violations.append(str(err).splitlines()[0])
        self.weeks_checked += 1

    def check_live(self, week, after_step):
        cfg, rel, pop = self.cfg, self.rel, self.pop
        where = f"{self.name} week {week} {'after' if after_step else 'before'} step"
        rows = rel.active_slots()
        mentor, mentee = rel.mentor[rows], rel.mentee[rows]
        # Everyone in a live tie is employed, and is the person the tie was made with (slots are reused).
        assert pop.active[mentor].all() and pop.active[mentee].all(), f"{where}: a live tie with someone gone"
        assert np.array_equal(pop.eid[mentor], rel.mentor_eid[rows]), f"{where}: mentor slot reused"
        assert np.array_equal(pop.eid[mentee], rel.mentee_eid[rows]), f"{where}: mentee slot reused"
        assert (mentor != mentee).all() and (rel.mentor_eid[rows] != rel.mentee_eid[rows]).all(), \
            f"{where}: someone mentors themselves"
        assert np.unique(mentee).size == mentee.size, f"{where}: a mentee in two ties of one program"
        # The role arrays kept up to date as ties start and end agree with a recount of the rows.
        n = self.mentor_load.size
        assert np.array_equal(self.mentor_load, np.bincount(mentor, minlength=n)), f"{where}: mentor loads drifted"
        assert np.array_equal(self.is_mentee, np.isin(np.arange(n), mentee)), f"{where}: mentee roles drifted"
        assert self.n_mentors == np.unique(mentor).size, f"{where}: mentor count drifted"
        if rows.size:
            _, load = np.unique(mentor, return_counts=True)
            self.max_load = max(self.max_load, int(load.max()))
            assert load.max() <= cfg.mentor_capacity, f"{where}: mentor load {load.max()} > {cfg.mentor_capacity}"
        if cfg.format == "group":
            self.check_circles(rows, where)
        else:
            assert np.array_equal(rel.circle[rows], rel.pid[rows]), f"{where}: one-to-one ties share a circle"
        if not after_step:
            return  # promotions happen after the programs' step; the gap is restored at the next step
        gap = pop.level[mentor].astype(int) - pop.level[mentee].astype(int)
        if cfg.format == "reverse":
            gap = -gap
        assert (gap >= cfg.min_level_gap).all(), f"{where}: level gaps {np.unique(gap)} < {cfg.min_level_gap}"
        assert np.isin(pop.level[mentee], cfg.mentee_levels).all(), \
            f"{where}: mentee levels {np.unique(pop.level[mentee])} not in {cfg.mentee_levels}"
        new = rows[rel.start_week[rows] == week]
        if new.size:
            self.check_new(new, week, where)

    def check_circles(self, rows, where):
        rel, cfg = self.rel, self.cfg
        circles = rel.circle[rows]
        for c in np.unique(circles):
            members = rows[circles == c]
            assert np.unique(rel.mentor[members]).size == 1, f"{where}: circle {c} has several mentors"
            assert members.size <= cfg.mentor_capacity, f"{where}: circle {c} has {members.size} mentees"
            # One attendance draw per circle: its members meet (or miss) together.
            assert np.unique(rel.held[members]).size == 1 and np.unique(rel.missed[members]).size == 1, \
                f"{where}: members of circle {c} attended differently"
        for m in np.unique(rel.mentor[rows]):
            assert np.unique(circles[rel.mentor[rows] == m]).size == 1, f"{where}: mentor leads two circles"

    def check_new(self, new, week, where):
        """Ties started this week: the mentor pool rules, and eligibility of first-time mentees."""
        rel, pop, cfg, org = self.rel, self.pop, self.cfg, self.org
        mentor, mentee = rel.mentor[new], rel.mentee[new]
        assert (week - pop.hire_week[mentor] >= cfg.mentor_min_tenure_weeks).all(), f"{where}: mentor too new"
        if cfg.mentor_levels:
            assert np.isin(pop.level[mentor], cfg.mentor_levels).all(), f"{where}: mentor level not allowed"
        if cfg.mentor_other_department:
            assert (pop.department[mentor] != pop.department[mentee]).all(), f"{where}: same department"
        first = ~np.isin(rel.mentee_eid[new], list(self.first_enrolled))  # rematches skip eligibility
        self.first_enrolled.update(rel.mentee_eid[new].tolist())
        e = mentee[first]
        tenure = week - pop.hire_week[e]
        assert (tenure >= cfg.mentee_min_tenure_weeks).all(), f"{where}: mentee tenure below minimum"
        if cfg.mentee_max_tenure_weeks is not None:
            assert (tenure <= cfg.mentee_max_tenure_weeks).all(), f"{where}: mentee tenure above maximum"
        if cfg.mentee_hipo_only:
            assert pop.hipo[e].all(), f"{where}: a mentee who is not a high potential"
        if cfg.mentee_groups:
            allowed = [org.group_names.index(g) for g in cfg.mentee_groups]
            assert np.isin(pop.group[e], allowed).all(), f"{where}: mentee group not allowed"


CASES = {
    "default_full_uptake": ["program=default", "program.enroll_share=1.0"],
    "reverse": ["program=reverse", "program.enroll_share=1.0"],
    "peer_circle": ["program=peer_circle", "program.enroll_share=1.0"],
    "onboarding_rolling": ["program=onboarding"],
    # Few candidates: mentors are sampled, for small rounds straight from the population.
    "sampled_candidates": ["program=default", "program.enroll_share=1.0", "matching.candidates=5",
                           "program.monitoring=true", "program.rematch_trust_below=0.45"],
    "sponsorship_cross_group": ["program=sponsorship", "program.enroll_share=1.0"],
    "hipo_other_department": ["program=hipo_leadership", "program.mentor_other_department=true",
                              "program.mentor_capacity=2", "program.first_cohort_week=30"],
}


@pytest.fixture(scope="module", params=sorted(CASES))
def checked_run(request):
    cfg = make_config(HORIZON, "metrics.period_weeks=52", *CASES[request.param])
    result, (program,) = simulate_with(cfg, Checked)
    return request.param, cfg, result, program


def test_live_ties_respect_capacity_gap_and_eligibility_every_week(checked_run):
    name, cfg, result, program = checked_run
    assert program.weeks_checked == cfg.sim.horizon_weeks
    assert not program.violations, f"{name}: {len(program.violations)} violations, first: {program.violations[:3]}"
    assert program.stats["pairs_started"] >= 10, f"{name}: too few ties to test anything"
    # The capacity check bites only if some mentor was filled up at least once.
    if cfg.program.mentor_capacity > 1:
        assert program.max_load >= 2, f"{name}: no mentor ever had two mentees"


def test_event_log_is_consistent_with_departures(checked_run):
    name, cfg, result, program = checked_run
    ev = result.events
    spells = mentoring_spells(ev)  # also checks start/end alternation per mentee
    starts = ev[ev["kind"] == "mentoring_start"]
    assert len(spells) == len(starts) == program.stats["pairs_started"]
    live = spells["end"].isna()
    assert live.sum() == program.stats["active_at_end"]
    exits = exit_weeks(ev)
    mentee_exit = spells["mentee"].map(exits)
    mentor_exit = spells["mentor"].map(exits)
    # Nobody starts a tie after leaving (leaving in the week of the start is possible: exits follow programs).
    assert not (mentee_exit < spells["start"]).any(), f"{name}: a mentee matched after leaving"
    assert not (mentor_exit < spells["start"]).any(), f"{name}: a mentor matched after leaving"
    # A tie outlives neither of its people; a departure ends it in the week it happens, with its reason.
    ended = spells[~live]
    end_week = ended["end"]
    assert not (mentee_exit[~live] < end_week).any() and not (mentor_exit[~live] < end_week).any()
    assert not (mentee_exit[live] < cfg.sim.horizon_weeks).any(), f"{name}: a tie live after its mentee left"
    assert not (mentor_exit[live] < cfg.sim.horizon_weeks).any(), f"{name}: a tie live after its mentor left"
    left = ended["reason"] == MENTEE_LEFT
    assert (end_week[left] == mentee_exit[~live][left]).all()
    gone = ended["reason"] == MENTOR_LEFT
    assert (end_week[gone] == mentor_exit[~live][gone]).all()
    # Completed ties last exactly the planned length.
    done = ended[ended["reason"] == COMPLETED]
    assert (done["end"] - done["start"] == cfg.program.length_weeks).all()
    assert set(ended["reason"].astype(int)) <= {1, 2, 3, 4, 5, 6}
    # Every tie starts with an eligible mentee (the event's level is the mentee's level at the start),
    # rematches included: a mentee promoted out of the program's levels is not matched again.
    levels = {int(v) for v in starts["level"].cat.codes}
    assert levels <= set(cfg.program.mentee_levels), f"{name}: ties started at mentee levels {sorted(levels)}"


# An entry-level program with mentors one level up: a promotion takes a mentee out of the program.
ENTRY_LEVEL = ["program=default", "program.mentee_levels=[0]", "program.min_level_gap=1", "program.enroll_share=1.0",
               HORIZON, "metrics.period_weeks=52"]
REMATCH_PATHS = {
    # The mentor leaves (phase 4) and the mentee is promoted (phase 6) in the same week: rare, so high
    # turnover, no minimum time in level (many mentor exits and promotions) and several seeds.
    "mentor_left": (ENTRY_LEVEL + [f"org.levels.{i}.base_turnover=0.5" for i in range(6)]
                    + ["promotion.min_weeks_in_level=0"], range(6)),
    # The mentee is promoted in the week before the tie's monitoring check (which ends it as rematched).
    "monitoring": (ENTRY_LEVEL + ["program.monitor_after_weeks=4", "program.rematch_trust_below=0.95"], [0]),
}


def promoted_before_rematch(events, path) -> int:
    """How often the path occurred: ties whose mentee was promoted just before a rematch was due."""
    spells = mentoring_spells(events)
    promo = events[events["kind"] == "promotion"][["employee", "week"]].rename(columns={"employee": "mentee"})
    joined = spells.merge(promo, on="mentee")
    if path == "mentor_left":
        return int(((joined["reason"] == MENTOR_LEFT) & (joined["week"] == joined["end"])).sum())
    in_tie = joined["end"].isna() | (joined["end"] >= joined["week"] + 1)
    return int((in_tie & (joined["week"] == joined["start"] + 4 - 1)).sum())


@pytest.mark.parametrize("path", sorted(REMATCH_PATHS))
def test_a_mentee_promoted_out_of_the_program_is_not_rematched(path):
    """Rematching finds a new mentor for a mentee of the program, not for someone its levels exclude.

    Otherwise the new tie starts outside `mentee_levels` and is ended as `promoted` a week later.
    """
    overrides, seeds = REMATCH_PATHS[path]
    occurred = 0
    for seed in seeds:
        cfg = make_config(*overrides, f"sim.seed={seed}")
        result, (program,) = simulate_with(cfg, Checked)
        ev = result.events
        occurred += promoted_before_rematch(ev, path)
        starts = ev[ev["kind"] == "mentoring_start"]
        outside = starts[starts["level"].cat.codes != 0]
        assert outside.empty, (
            f"seed {seed}: {len(outside)} ties started for mentees above mentee_levels=[0], e.g. employee "
            f"{outside['employee'].iloc[0]} in week {outside['week'].iloc[0]} at {outside['level'].iloc[0]}:\n"
            + ev[ev["employee"] == outside["employee"].iloc[0]].to_string())
        assert not program.violations, (seed, program.violations[:3])
    assert occurred > 0, "the scenario did not occur: nothing is tested"
