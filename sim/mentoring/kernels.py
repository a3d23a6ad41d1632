"""The numba kernels of mentoring programs: pair scores, greedy assignment, meetings.

Same conventions as `sim.kernels`: arrays and NamedTuples of floats in, randomness
from counter-based streams, each kernel documented with its equations.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from ..rng import entity_key, uniform_at

END_NONE, END_COMPLETED, END_MENTOR_LEFT, END_MENTEE_LEFT, END_PROMOTED, END_DISSOLVED, END_REMATCHED = range(7)


class MeetingParams(NamedTuple):
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


@njit(cache=True)
def complementarity(mentee_comp, mentor_comp, focus, full_gap):
    """Skill complementarity of every mentee-mentor pair, in [0, 1]. Serial.

    sum over the mentee's focus competencies of max(c_mentor - c_mentee, 0),
    divided by (number of focus competencies x full_gap), capped at 1.
    """
    n_e, n_m, n_k = mentee_comp.shape[0], mentor_comp.shape[0], mentee_comp.shape[1]
    out = np.empty((n_e, n_m))
    for i in range(n_e):
        n_focus = 0
        for k in range(n_k):
            if focus[i, k]:
                n_focus += 1
        scale = 1.0 / (max(n_focus, 1) * full_gap)
        for j in range(n_m):
            total = 0.0
            for k in range(n_k):
                if focus[i, k]:
                    lead = mentor_comp[j, k] - mentee_comp[i, k]
                    if lead > 0.0:
                        total += lead
            out[i, j] = min(total * scale, 1.0)
    return out


@njit(cache=True)
def greedy_assign(score, feasible, capacity, order):
    """Rows in `order` each take the feasible column with the highest score and spare capacity.

    Serial: each choice depends on the ones before. Returns the column per row, -1 if none.
    """
    n_rows, n_cols = score.shape
    choice = np.full(n_rows, -1, dtype=np.int64)
    for r in order:
        best, best_score = -1, -np.inf
        for c in range(n_cols):
            if capacity[c] > 0 and feasible[r, c] and score[r, c] > best_score:
                best, best_score = c, score[r, c]
        if best >= 0:
            choice[r] = best
            capacity[best] -= 1
    return choice


@njit(inline="always", cache=True)
def _grow(x, gain):
    return min(1.0, x + gain * (1.0 - x))


@njit(cache=True)
def hold_meetings(active, count, circle, mentor, mentee, start_week, cadence, next_meeting, held, missed,
                  alignment, trust, phase, end_reason, mentor_load, mentor_share, mentoring_skill,
                  competency, confidence, engagement, belonging, group, level, profile, next_level,
                  fixed_focus, growth_mask, p, key_meetings, week):
    """Meetings due this week, and what each held or missed meeting does. Serial.

    Serial because a mentor (or a mentee in two programs) can sit in several rows.
    Attendance: P = attendance_base - slope * (mentor load - 1), one draw per circle
    (a one-to-one pair is a circle of one), keyed by (circle, week).
    Held: trust += trust_gain (1 - trust); on each focus competency
      c_e += skill_transfer * trust * alignment * skill * training * phase * format * max(c_m - c_e, 0);
    confidence, engagement, belonging of the mentee rise toward 1 (x += gain * trust * (1 - x)),
    and so do the mentor's growth competencies and engagement (scaled by trust and,
    in a circle, by 1 / circle size). Missed: trust -= trust_loss.
    Trust below the floor ends the relationship (END_DISSOLVED).
    """
    n_comp = competency.shape[1]
    need = np.empty(n_comp)
    for r in range(count):
        if not active[r] or next_meeting[r] != week:
            continue
        next_meeting[r] = week + cadence[r]
        phase[r] = 0 if week - start_week[r] < p.initiation_weeks else 1
        attend = p.attendance_base - p.attendance_load_slope * (mentor_load[r] - 1.0)
        u = uniform_at(entity_key(key_meetings, circle[r]), week, 0)
        m, e = mentor[r], mentee[r]
        if u < attend:
            held[r] += 1
            trust[r] = _grow(trust[r], p.trust_gain)
            eff = trust[r] * alignment[r] * mentoring_skill[r] * p.training_multiplier * p.format_skill_factor
            if phase[r] == 0:
                eff *= p.initiation_skill_factor
            rate = p.skill_transfer * eff
            if fixed_focus.sum() > 0:
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
            mentor_gain = p.mentor_leadership_gain * t * mentor_share[r]
            for k in range(n_comp):
                if growth_mask[k]:
                    competency[m, k] = _grow(competency[m, k], mentor_gain)
            engagement[m] = _grow(engagement[m], p.mentor_engagement_gain * t * mentor_share[r])
        else:
            missed[r] += 1
            trust[r] = max(0.0, trust[r] - p.trust_loss)
        if trust[r] < p.trust_floor:
            end_reason[r] = END_DISSOLVED
