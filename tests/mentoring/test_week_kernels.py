"""A program's week in one call (`week_kernels.tie_week`) does what its steps do one by one, bit for bit;
the ties of leavers are found as before (the mentee's first, then the mentor's among the rest)."""
import numpy as np
import pytest

from sim.engine.model import OrgModel
from sim.mentoring import week_kernels
from sim.mentoring.program import Program
from tests.conftest import make_config

def leaving_rows(prog, slots):
    """The live rows of the people in `slots` (`leaving_ties`, as `Program.on_leave` finds them)."""
    return week_kernels.leaving_ties(slots, prog.is_mentee, prog.mentor_load, prog.rel.mentee, prog.mentee_row,
                                     prog.mentor_first, prog.next_row, prog._scratch)


STATE = ("hazard_shift", "visibility", "competency", "confidence", "engagement", "belonging")


def _model(program: str, weeks: int) -> OrgModel:
    cfg = make_config(f"program={program}", "program.enroll_share=1.0", "sim.horizon_years=3")
    model = OrgModel(cfg, interventions=[Program(p, i) for i, p in enumerate(cfg.programs())])
    for _ in range(weeks):
        model.step()
    return model


def _snapshot(prog):
    pop = prog.pop
    return ({name: getattr(pop, name).copy() for name in STATE}, prog.tie_totals.copy(), prog.cost_by_week.copy(),
            prog._mark.copy(), prog._end_code.copy(), [a.copy() for a in prog._alumni.columns],
            {name: getattr(prog.rel, name).copy() for name in ("trust", "held", "missed", "next_meeting", "phase",
                                                            "end_reason")})


def _restore(prog, snap):
    people, totals, costs, mark, code, alumni, rel = snap
    for name, values in people.items():
        getattr(prog.pop, name)[:] = values
    prog.tie_totals[:], prog.cost_by_week[:], prog._mark[:], prog._end_code[:] = totals, costs, mark, code
    for array, values in zip(prog._alumni.columns, alumni):
        array[:] = values
    for name, values in rel.items():
        getattr(prog.rel, name)[:] = values


def _same(one, two):
    for a, b in zip(one[0].values(), two[0].values()):
        assert np.array_equal(a.view(np.uint8), b.view(np.uint8))  # bit for bit, signed zeros too
    for a, b in zip(one[1:4], two[1:4]):
        assert np.array_equal(a, b)
    for a, b in zip(one[5], two[5]):
        assert np.array_equal(a, b)


# Weeks after a cohort launch (week 4, meetings every 4 weeks): 24 a meeting week, 25 not; alumni by 70.
@pytest.mark.parametrize("program,weeks", [("default", 24), ("default", 25), ("default", 70), ("reverse", 24),
                                           ("peer_circle", 28)])
def test_effects_in_the_weeks_call_are_those_declared_after_it(program, weeks):
    model = _model(program, weeks)
    prog, week = model.interventions[0], model.week
    assert prog.rel.n_active > 10
    before = _snapshot(prog)
    n_ending, kept = prog._tie_week(week, effects_now=False)
    if n_ending == 0:
        kept = week_kernels.declare_effects(prog._rel_arrays, prog.rel.count, prog._people_arrays, prog._params,
                                            prog._alumni.columns, prog._alumni.n, prog.pop.active,
                                            prog.pop.eid, prog._mark, week)
    stepwise = _snapshot(prog)
    _restore(prog, before)
    n_fused, kept_fused = prog._tie_week(week, effects_now=True)
    assert n_fused == n_ending == 0
    assert kept_fused == kept
    _same(_snapshot(prog), stepwise)
    assert (prog.pop.hazard_shift != before[0]["hazard_shift"]).any()


def test_a_week_in_which_a_tie_ends_leaves_the_effects_to_the_caller():
    model = _model("default", 70)
    prog, week = model.interventions[0], model.week
    ending = prog.rel.active_slots()[[0, 5]]
    prog.rel.end_week[ending] = week  # these two complete now
    shift, n_alumni = prog.pop.hazard_shift.copy(), prog._alumni.n
    assert n_alumni > 0
    n_ending, kept = prog._tie_week(week, effects_now=True)
    assert n_ending == 2 and np.array_equal(np.flatnonzero(prog._end_code[: prog.rel.count]), np.sort(ending))
    assert kept == n_alumni and np.array_equal(prog.pop.hazard_shift, shift)


def test_leavers_ties_are_the_mentees_then_the_mentors_among_the_rest():
    model = _model("default", 30)
    prog, rel = model.interventions[0], model.interventions[0].rel
    live = rel.active_slots()
    # A mentor, a mentee, and a pair who both leave (their tie ends as the mentee's).
    r0, r1, r2 = live[:3]
    leaving = np.array([rel.mentor[r0], rel.mentee[r1], rel.mentee[r2], rel.mentor[r2], 0, 1], dtype=np.int64)
    leaving = np.unique(leaving)
    marked = np.zeros(model.pop.capacity, dtype=bool)
    marked[leaving] = True
    by_mentee_want = live[marked[rel.mentee[live]]]
    by_mentor_want = live[~marked[rel.mentee[live]] & marked[rel.mentor[live]]]
    by_mentee, by_mentor = leaving_rows(prog, leaving)
    assert np.array_equal(by_mentee, by_mentee_want) and np.array_equal(by_mentor, by_mentor_want)
    assert r2 in by_mentee and r2 not in by_mentor and r0 in by_mentor
    assert not prog._scratch.any()  # scratch left clean
    nobody = np.flatnonzero(model.pop.active & ~prog.is_mentee & (prog.mentor_load == 0))[:3]
    assert [x.size for x in leaving_rows(prog, nobody)] == [0, 0]
