"""The numba kernels of a program's ordinary week: meetings, due endings and this week's effects in
one call (`tie_week`), and the ties of people leaving (`leaving_ties`).

A compiled call costs a few microseconds however little it does, so a week of a small organization
is one call here, not one per step. Arrays come in as tuples built once per program (REL_COLUMNS,
PEOPLE_COLUMNS: the tables never reallocate); parameters as a plain tuple of `TieParams` (numba types
a plain tuple in C, a NamedTuple in Python: ~1.5 us a call). Helpers called per row take scalars only
(see `_due_ending`).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from ..engine.rng import entity_key, uniform_at
from .kernels import END_COMPLETED, END_DISSOLVED, END_NONE, END_PROMOTED, END_REMATCHED


class TieParams(NamedTuple):
    attendance_base: float
    attendance_load_slope: float
    initiation_weeks: float
    skill_transfer: float
    initiation_skill_factor: float
    format_skill_factor: float  # 1 one-to-one, group_skill_factor for circles
    training_multiplier: float  # 1 when mentors are not trained
    confidence_gain: float
    engagement_gain: float
    belonging_gain_same_group: float
    belonging_gain_cross_group: float
    trust_gain: float
    trust_loss: float
    trust_floor: float
    mentor_leadership_gain: float
    mentor_engagement_gain: float
    n_focus: float
    circles: float  # 1.0 for the group format: a circle meets once, its mentor's gains and hours are shared
    meeting_hours: float
    coordinator_cost_per_week: float
    # ending rules (`_due_ending`)
    min_level_gap: float
    reverse: float  # 1.0: reverse mentoring (the mentee is the senior one)
    monitor_after: float  # weeks from the start of the monitoring check-in; -1: no monitoring
    rematch_trust_below: float
    # this week's effects of live ties and of alumni
    mentee_shift: float
    mentor_shift: float
    mentee_visibility: float
    mentor_visibility: float
    alumni_shift: float
    alumni_visibility: float
    alumni_add_visibility: float  # 1.0: alumni get alumni_visibility (the sponsorship), 0.0: not


# The tuples of arrays the kernels take, built once per program (`Program.init`), in this order:
# rel      the relationship table's columns, then the mentors' load by population slot
REL_COLUMNS = ("active", "circle", "mentor", "mentee", "start_week", "end_week", "cadence", "next_meeting", "held",
               "missed", "alignment", "trust", "phase", "end_reason", "mentoring_skill")
# people   population columns and the organization's profile and next_level
PEOPLE_COLUMNS = ("competency", "confidence", "engagement", "belonging", "group", "level", "profile", "next_level",
                  "mentored", "unmentored_competency", "hazard_shift", "visibility")
PEOPLE_HAZARD_SHIFT, PEOPLE_VISIBILITY = PEOPLE_COLUMNS.index("hazard_shift"), PEOPLE_COLUMNS.index("visibility")
# program_arrays: fixed focus and mentor growth masks by competency, hourly cost and mentee_level_ok by level

# Run totals `tie_week` adds to, one a week each (Program.summary reads them by these names).
TIE_TOTALS = ("mentee_hours", "mentor_hours", "mentee_cost", "mentor_cost", "pair_weeks", "mentor_weeks",
              "trust_sum")


@njit(inline="always", cache=True)
def _remember_unmentored(i, competency, mentored, unmentored):
    if not mentored[i]:
        mentored[i] = True
        unmentored[i, :] = competency[i, :]


@njit(inline="always", cache=True)
def _grow(x, gain):
    return min(1.0, x + gain * (1.0 - x))


@njit(inline="always", cache=True)
def _due_ending(dissolved, level_ok, gap, weeks_in, trust, weeks_to_end, p):
    """Why a live tie ends this week (END_NONE: it goes on), first reason first: dissolved (trust fell
    below the floor at a meeting), promoted (the mentee left the eligible levels or the level gap
    (reverse: mentee - mentor) closed), rematched (monitoring: a low-trust tie at the check-in week),
    completed (the planned end). Scalars only: array arguments to a helper called per row cost a
    reference count each, several times the row's own work."""
    if dissolved:
        return END_DISSOLVED
    if not level_ok or gap < p.min_level_gap:
        return END_PROMOTED
    if p.monitor_after >= 0.0 and weeks_in == p.monitor_after and trust < p.rematch_trust_below:
        return END_REMATCHED
    if weeks_to_end <= 0:
        return END_COMPLETED
    return END_NONE


@njit(cache=True)
def add_tie_effects(active, count, mentee, mentor, p, hazard_shift, visibility, mark, stamp):
    """Add this week's effects of live ties to their mentees and mentors, once per person. Serial.

    A mentor with several rows counts once (`mark` holds the last stamp a slot received).
    """
    for r in range(count):
        if not active[r]:
            continue
        e = mentee[r]
        if mark[e] != stamp:
            mark[e] = stamp
            hazard_shift[e] += p.mentee_shift
            visibility[e] += p.mentee_visibility
        m = mentor[r]
        if mark[m] != stamp:
            mark[m] = stamp
            hazard_shift[m] += p.mentor_shift
            visibility[m] += p.mentor_visibility


@njit(cache=True)
def alumni_effects(slots, eids, until, n, active, eid, week, p, hazard_shift, visibility):
    """Alumni whose effect lasts to this week and who are still here (their slot holds the same
    person) are kept, moved to the front of `slots`, `eids` and `until` in order, and given this
    week's effects; returns how many are kept. Serial (each alumnus once: a person completes once)."""
    kept = 0
    for j in range(n):
        s = slots[j]
        if until[j] >= week and active[s] and eid[s] == eids[j]:
            slots[kept], eids[kept], until[kept] = s, eids[j], until[j]
            kept += 1
    for j in range(kept):
        hazard_shift[slots[j]] += p.alumni_shift
        if p.alumni_add_visibility > 0.0:
            visibility[slots[j]] += p.alumni_visibility
    return kept


@njit(cache=True)
def declare_effects(rel, count, people, params, alumni, n_alumni, pop_active, eid, mark, week):
    """This week's effects on hazards and promotion chances: live ties (`add_tie_effects`), then alumni
    (`alumni_effects`); returns how many alumni are kept. Serial."""
    p = TieParams(*params)
    active, mentor, mentee = rel[0], rel[2], rel[3]
    hazard_shift, visibility = people[PEOPLE_HAZARD_SHIFT], people[PEOPLE_VISIBILITY]
    add_tie_effects(active, count, mentee, mentor, p, hazard_shift, visibility, mark, week)
    if n_alumni == 0:
        return 0
    return alumni_effects(alumni[0], alumni[1], alumni[2], n_alumni, pop_active, eid, week, p, hazard_shift,
                          visibility)


@njit(cache=True)
def tie_week(rel, count, people, params, program_arrays, key_meetings, week, track_gains, code, effects_now, alumni,
             n_alumni, pop_active, eid, mark, totals, cost_by_week, n_mentors):
    """A program's week over its relationship rows, in one call. Serial (a mentor, or a mentee in two
    programs, can sit in several rows).

    1. Each live row: its meeting if due, then why it ends this week (`_due_ending`), into code[r]
       (END_NONE for rows that go on and for dead rows).
    2. If no row ends and `effects_now` (no enrollment this week), this week's effects
       (`declare_effects`); otherwise the caller ends the rows, enrolls, and declares them.
    3. The week's sums join the run totals (TIE_TOTALS, each added once a week as a whole, in this
       order) and cost_by_week[week]: mentee and mentor time, the coordinator's week.
    Returns (rows ending, alumni kept: n_alumni when the effects were left to the caller).

    A meeting: attendance P = attendance_base - slope * (mentor load - 1), one draw per circle (a
    one-to-one pair is a circle of one), keyed by (circle, week); a circle counts as a load of one.
    Held: trust += trust_gain (1 - trust); on each focus competency
      c_e += skill_transfer * trust * alignment * skill * training * phase * format * max(c_m - c_e, 0);
    confidence, engagement, belonging of the mentee rise toward 1 (x += gain * trust * (1 - x)), and so
    do the mentor's growth competencies and engagement (scaled by trust and, in a circle, by 1 / circle
    size). Missed: trust -= trust_loss. Trust below the floor marks the tie END_DISSOLVED.
    With `track_gains` (a world where a skill channel is switched off), before a held meeting first
    changes someone's competencies they are copied to `unmentored` and `mentored` is set: the engine
    then carries both (the decomposition by mechanism). Held meetings add mentor hours and their costs
    (a circle's mentor spends its hours once). The meeting is written out in the loop, not in a helper,
    for the reason `_due_ending` gives.
    """
    p = TieParams(*params)
    (active, circle, mentor, mentee, start_week, end_week, cadence, next_meeting, held, missed, alignment, trust, phase,
     end_reason, mentoring_skill, slot_load) = rel
    (competency, confidence, engagement, belonging, group, level, profile, next_level, mentored, unmentored, _,
     _) = people
    fixed_focus, growth_mask, hourly_cost, mentee_level_ok = program_arrays
    any_fixed = fixed_focus.sum() > 0
    n_comp = competency.shape[1]
    need = np.empty(n_comp)
    n_held, mentor_hours, mentee_cost, mentor_cost = 0.0, 0.0, 0.0, 0.0
    n_live, trust_sum, n_ending = 0, 0.0, 0  # most rows meet on other weeks: kept in registers
    for r in range(count):
        code[r] = END_NONE
        if not active[r]:
            continue
        n_live += 1
        if next_meeting[r] == week:
            next_meeting[r] = week + cadence[r]
            phase[r] = 0 if week - start_week[r] < p.initiation_weeks else 1
            m, e = mentor[r], mentee[r]
            load = max(slot_load[m], 1)
            mentor_share = 1.0 / load if p.circles > 0.0 else 1.0
            attend = p.attendance_base - p.attendance_load_slope * ((1.0 if p.circles > 0.0 else load) - 1.0)
            u = uniform_at(entity_key(key_meetings, circle[r]), week, 0)
            if u < attend:
                held[r] += 1
                trust[r] = _grow(trust[r], p.trust_gain)
                eff = trust[r] * alignment[r] * mentoring_skill[r] * p.training_multiplier * p.format_skill_factor
                if phase[r] == 0:
                    eff *= p.initiation_skill_factor
                rate = p.skill_transfer * eff
                if track_gains:
                    _remember_unmentored(e, competency, mentored, unmentored)
                    if p.mentor_leadership_gain > 0.0:
                        _remember_unmentored(m, competency, mentored, unmentored)
                if any_fixed:
                    for k in range(n_comp):
                        if fixed_focus[k]:
                            competency[e, k] += min(rate, 1.0) * max(competency[m, k] - competency[e, k], 0.0)
                else:
                    target = profile[next_level[level[e]]]
                    for k in range(n_comp):
                        need[k] = target[k] * (1.0 - competency[e, k])
                    for _ in range(int(p.n_focus)):
                        k = np.argmax(need)
                        if need[k] < 0.0:
                            break
                        need[k] = -1.0
                        competency[e, k] += min(rate, 1.0) * max(competency[m, k] - competency[e, k], 0.0)
                t = trust[r]
                confidence[e] = _grow(confidence[e], p.confidence_gain * t)
                engagement[e] = _grow(engagement[e], p.engagement_gain * t)
                gain = p.belonging_gain_same_group if group[e] == group[m] else p.belonging_gain_cross_group
                belonging[e] = _grow(belonging[e], gain * t)
                # A circle's mentor learns once per meeting: each row carries its share.
                mentor_gain = p.mentor_leadership_gain * t * mentor_share
                for k in range(n_comp):
                    if growth_mask[k]:
                        competency[m, k] = _grow(competency[m, k], mentor_gain)
                engagement[m] = _grow(engagement[m], p.mentor_engagement_gain * t * mentor_share)
                n_held += 1.0
                mentor_hours += p.meeting_hours * mentor_share
                mentee_cost += p.meeting_hours * hourly_cost[level[e]]
                mentor_cost += p.meeting_hours * hourly_cost[level[m]] * mentor_share
            else:
                missed[r] += 1
                trust[r] = max(0.0, trust[r] - p.trust_loss)
            if trust[r] < p.trust_floor:
                end_reason[r] = END_DISSOLVED
        trust_sum += trust[r]
        e_level = level[mentee[r]]
        gap = np.int64(level[mentor[r]]) - np.int64(e_level)
        if p.reverse > 0.0:
            gap = -gap
        code[r] = _due_ending(end_reason[r] == END_DISSOLVED, mentee_level_ok[e_level], gap, week - start_week[r],
                              trust[r], end_week[r] - week, p)
        if code[r] != END_NONE:
            n_ending += 1
    totals[0] += p.meeting_hours * n_held
    totals[1] += mentor_hours
    totals[2] += mentee_cost
    totals[3] += mentor_cost
    cost_by_week[week, 0] += mentee_cost
    cost_by_week[week, 1] += mentor_cost
    totals[4] += n_live
    totals[5] += n_mentors
    totals[6] += trust_sum
    cost_by_week[week, 2] += p.coordinator_cost_per_week
    if n_ending > 0 or not effects_now:
        return n_ending, n_alumni
    return n_ending, declare_effects(rel, count, people, params, alumni, n_alumni, pop_active, eid, mark, week)


@njit(cache=True)
def leaving_ties(slots, is_mentee, mentor_load, mentee, mentee_row, mentor_first, next_row, leaving):
    """The live rows of people leaving (`slots`), each list in row order: those whose mentee leaves,
    then those whose mentor leaves among the rest (a tie both leave ends as the mentee's). Serial.
    Rows are found through the index by person (`start_kernels.start_ties`), not by a scan of the
    table. `leaving` (all False) is scratch."""
    n_e = n_m = 0
    for s in slots:
        if is_mentee[s]:
            leaving[s] = True
            n_e += 1
        if mentor_load[s] > 0:
            leaving[s] = True
            n_m += mentor_load[s]
    by_mentee = np.empty(n_e, dtype=np.int64)
    by_mentor = np.empty(n_m, dtype=np.int64)
    n_e = n_m = 0
    for s in slots:
        if is_mentee[s]:
            by_mentee[n_e] = mentee_row[s]
            n_e += 1
        if mentor_load[s] > 0:
            r = mentor_first[s]
            while r >= 0:
                if not leaving[mentee[r]]:
                    by_mentor[n_m] = r
                    n_m += 1
                r = next_row[r]
    for s in slots:
        leaving[s] = False
    return np.sort(by_mentee), np.sort(by_mentor[:n_m])
