"""Meetings: cadence, attendance, trust arithmetic, dissolution and monitoring rematches.

Each test runs the small organization with one instrumented program (`Recording`)
that keeps every relationship row as it ends, so per-tie counts can be checked
exactly against the documented rules:

  - a tie matched in week s meets in weeks s + c, s + 2c, ... while it lives
    (c = cadence_weeks); the meeting of a week comes before that week's endings;
  - attendance P = attendance_base - attendance_load_slope * (mentor load - 1);
  - initial trust = 0.3 + 0.3 * quality; a held meeting: trust += trust_gain * (1 - trust);
    a missed one: trust -= trust_loss; trust below trust_floor dissolves the tie.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from tests.conftest import make_config
from tests.mentoring.helpers import (COMPLETED, DISSOLVED, MENTEE_LEFT, MENTOR_LEFT, PROMOTED, REMATCHED,
                                     simulate_with)

# The default program with everyone eligible invited and every possible mentor in the pool (assigned,
# not volunteers); no monitoring and no dissolution unless a test says so.
BASE = ("program=default", "program.enroll_share=1.0", "program.enrollment_mode=assigned", "program.monitoring=false",
        "program.length_weeks=52",
        "program.effects.trust_floor=0", "metrics.period_weeks=52")


def binomial_ok(successes: float, n: float, p: float, z: float = 4.0) -> tuple[bool, str]:
    se = math.sqrt(p * (1 - p) / n)
    rate = successes / n
    return abs(rate - p) <= z * se, f"rate {rate:.4f} vs {p} (n={n:.0f}, {z} SE = {z * se:.4f})"


@pytest.mark.parametrize("cadence", [2, 4, 5])
def test_meetings_follow_the_cadence_and_attendance_rate(cadence):
    p = 0.75
    cfg = make_config(*BASE, "sim.horizon_years=2", f"program.cadence_weeks={cadence}",
                      f"program.attendance_base={p}", "program.attendance_load_slope=0")
    result, (prog,) = simulate_with(cfg)
    ended, live = prog.ended, prog.live()
    done = ended[ended["reason"] == COMPLETED]
    assert len(done) >= 30, "too few completed ties"
    # Completed: exactly floor(length / cadence) meetings, held or missed, over exactly length weeks.
    assert ((done["held"] + done["missed"]) == 52 // cadence).all(), (done["held"] + done["missed"]).unique()
    assert (done["week"] - done["start_week"] == 52).all()
    # Any tie: one meeting per full cadence it lived through (the week it ends included).
    assert ((ended["held"] + ended["missed"]) == (ended["week"] - ended["start_week"]) // cadence).all()
    last = cfg.sim.horizon_weeks - 1
    assert ((live["held"] + live["missed"]) == (last - live["start_week"]) // cadence).all()
    # Week by week: a live tie meets exactly in the weeks s + k c, k >= 1, and at most once.
    m = prog.meetings
    due = ((m["week"] - m["start_week"]) % cadence == 0) & (m["week"] > m["start_week"])
    assert ((m["d_held"] + m["d_missed"]) == due.astype(int)).all()
    # The stats agree with the rows.
    held = ended["held"].sum() + live["held"].sum()
    missed = ended["missed"].sum() + live["missed"].sum()
    assert prog.stats["meetings_held"] == held and prog.stats["meetings_missed"] == missed
    ok, msg = binomial_ok(held, held + missed, p)
    assert ok, msg


def test_attendance_falls_with_mentor_load():
    base, slope = 0.9, 0.3
    # Half the eligible invited: mentors keep spare places, so loads 1 and 2 are both common.
    overrides = [o for o in BASE if not o.startswith("program.enroll_share")]
    cfg = make_config(*overrides, "program.enroll_share=0.5", "sim.horizon_years=2",
                      "program.cadence_weeks=2", "program.mentor_capacity=2",
                      f"program.attendance_base={base}", f"program.attendance_load_slope={slope}")
    _, (prog,) = simulate_with(cfg)
    m = prog.meetings
    m["load"] = m.groupby(["week", "mentor_slot"])["pid"].transform("size")
    met = m[(m["d_held"] + m["d_missed"]) > 0]
    for load in (1, 2):
        rows = met[met["load"] == load]
        assert len(rows) >= 200, f"too few meetings at load {load}: {len(rows)}"
        ok, msg = binomial_ok(rows["d_held"].sum(), len(rows), base - slope * (load - 1))
        assert ok, f"load {load}: {msg}"


def misses_to_dissolve(quality, trust_loss, trust_floor):
    """Missed meetings after which trust 0.3 + 0.3 q, less trust_loss each, is first below the floor."""
    start = 0.3 + 0.3 * np.asarray(quality)
    return np.floor((start - trust_floor) / trust_loss).astype(int) + 1


def test_ties_whose_meetings_are_all_missed_dissolve_on_schedule():
    loss, floor, cadence = 0.12, 0.15, 4
    cfg = make_config(*BASE, "sim.horizon_years=1", "program.attendance_base=0", f"program.cadence_weeks={cadence}",
                      f"program.effects.trust_loss={loss}", f"program.effects.trust_floor={floor}")
    result, (prog,) = simulate_with(cfg)
    ended, live = prog.ended, prog.live()
    assert (ended["held"] == 0).all() and (live["held"] == 0).all()
    n = misses_to_dissolve(ended["quality"], loss, floor)
    assert set(np.unique(n)) >= {3, 4}, "the qualities should span more than one dissolution count"
    dissolved = ended["reason"] == DISSOLVED
    assert dissolved.sum() >= 30 and dissolved.mean() >= 0.8, ended["reason"].value_counts()
    d = ended[dissolved]
    assert (d["missed"] == n[dissolved]).all(), "dissolved after the wrong number of misses"
    assert (d["week"] - d["start_week"] == cadence * n[dissolved]).all()
    np.testing.assert_allclose(d["trust"], np.maximum(0.3 + 0.3 * d["quality"] - loss * d["missed"], 0.0),
                               rtol=0, atol=1e-12)
    # Anything else ended earlier, by a departure or a promotion, before its trust ran out.
    other = ended[~dissolved]
    assert other["reason"].isin([MENTEE_LEFT, MENTOR_LEFT, PROMOTED]).all(), other["reason"].value_counts()
    assert (other["missed"] < n[~dissolved]).all()
    assert (live["missed"] < misses_to_dissolve(live["quality"], loss, floor)).all()
    assert prog.stats["pairs_dissolved"] == dissolved.sum()
    assert prog.stats["pairs_completed"] == 0
    ev = result.events
    ends = ev[ev["kind"] == "mentoring_end"]
    assert (ends["detail"] == DISSOLVED).sum() == dissolved.sum()


def test_ties_whose_meetings_are_all_held_build_trust_and_complete():
    gain, cadence = 0.15, 4
    cfg = make_config(*BASE, "sim.horizon_years=2", "program.attendance_base=1", "program.attendance_load_slope=0",
                      f"program.cadence_weeks={cadence}", f"program.effects.trust_gain={gain}",
                      "program.effects.trust_floor=0.15")
    _, (prog,) = simulate_with(cfg)
    ended = prog.ended
    assert (ended["missed"] == 0).all() and not (ended["reason"] == DISSOLVED).any()
    done = ended[ended["reason"] == COMPLETED]
    assert len(done) >= 30
    n = 52 // cadence
    assert (done["held"] == n).all()
    expected = 1 - (1 - (0.3 + 0.3 * done["quality"])) * (1 - gain) ** n
    np.testing.assert_allclose(done["trust"], expected, rtol=1e-12)
    # Goal setting is on in the default program: alignment = 0.3 + 0.5 quality + 0.2, at most 1.
    np.testing.assert_allclose(ended["alignment"], np.minimum(0.5 + 0.5 * ended["quality"], 1.0), rtol=1e-12)


def test_monitoring_rematches_low_trust_ties_at_once():
    after = 4
    # Entry-level mentees, any more senior mentor: every mentor is feasible for every mentee and the places
    # (about 100 mentors x 2) exceed the mentees, so any policy finds each rematched mentee a new mentor.
    cfg = make_config("program=default", "program.enroll_share=1.0", "program.mentee_levels=[0]",
                      "program.min_level_gap=1", "sim.horizon_years=1", "metrics.period_weeks=52",
                      "program.monitoring=true", f"program.monitor_after_weeks={after}",
                      "program.rematch_trust_below=0.95")
    result, (prog,) = simulate_with(cfg)
    ended = prog.ended
    rematched = ended[ended["reason"] == REMATCHED]
    assert len(rematched) >= 30
    # Trust after at most one meeting is below 0.66 < 0.95: every tie that reaches its check is ended there.
    assert (rematched["week"] - rematched["start_week"] == after).all()
    assert (ended["week"] - ended["start_week"] <= after).all()
    assert not (ended["reason"] == COMPLETED).any()
    assert prog.stats["pairs_rematched"] == len(rematched)
    # Each rematched mentee starts a new tie in the same week.
    ev = result.events
    starts = ev[ev["kind"] == "mentoring_start"]
    new = set(zip(starts["employee"], starts["week"]))
    missing = [(e, w) for e, w in zip(rematched["mentee_eid"], rematched["week"]) if (e, w) not in new]
    assert not missing, f"{len(missing)} rematched mentees got no new tie, e.g. {missing[:3]}"
    assert starts.groupby("employee").size().max() >= 3  # the same people, matched again and again


def test_no_rematch_when_monitoring_is_off():
    cfg = make_config("program=default", "program.enroll_share=1.0", "program.mentor_volunteer_share=1.0",
                      "sim.horizon_years=1", "metrics.period_weeks=52", "program.monitoring=false",
                      "program.monitor_after_weeks=4", "program.rematch_trust_below=0.95")
    _, (prog,) = simulate_with(cfg)
    assert prog.stats["pairs_started"] >= 30
    assert prog.stats["pairs_rematched"] == 0
