"""The rows and roles of ties starting at an enrollment round, in one compiled call (`start_ties`),
and the index of live rows by person it keeps.

`Program._start` once wrote each relationship column, role and flag with its own numpy call (some
forty a round, most rounds being a rematch of one or two mentees); this kernel writes them all, with
the same values to the bit (the same operations on each element, in the same order).
"""
from __future__ import annotations

from numba import njit

from ..engine.chain_kernels import pairwise_sum
from ..engine.population import MENTEE, MENTOR, NONE
from ..engine.table import claim_slots

# The relationship columns `start_ties` writes, in its argument order (every column of the table).
START_COLUMNS = ("pid", "circle", "mentor", "mentee", "mentor_eid", "mentee_eid", "start_week", "end_week", "cadence",
                 "next_meeting", "held", "missed", "quality", "alignment", "trust", "mentoring_skill", "phase",
                 "end_reason")


@njit(cache=True)
def start_ties(active, free, n_free, count, first_pid, mentees, mentors, quality, skill, week, length, cadence,
               goal_bonus, circles, eid, columns, is_mentee, mentor_load, participation, ever_enrolled, trained, train,
               first_row, mentee_row, mentor_first, next_row):
    """Take new rows in the relationship table (`claim_slots`: its `active`, free list and high-water
    mark), fill them for the pairs (mentees[j], mentors[j]) and give the people their roles. Serial.

    Returns (the table's free-list length and high-water mark after, for `Table.sync`, which raises
    if the rows did not fit (then nothing was written), mentors who had no tie before, mentors trained
    now, the sum of `quality` as numpy sums it).

    pid = first_pid + j; start now, planned end after `length` weeks, first meeting after `cadence`;
    no meetings yet, initiation phase;
    alignment = clip(0.3 + 0.5 quality + goal_bonus, 0, 1), trust = 0.3 + 0.3 quality;
    mentoring_skill = skill[j], worked out by numpy (`Program._start`: its mean sums a lone row pairwise
    from eight columns on, several rows one by one; a loop here would match only some shapes);
    circle: the pid itself, or (`circles`) that of the round's first row with the same mentor.
    Roles: mentee flag, mentor load, first program role (participation, if none yet), ever enrolled
    (by employee id) and, with `train`, each mentor not trained yet is (counted once).
    `first_row` (-1 by population slot) is scratch, left as it came.
    The index of live rows by person, for the ties of people leaving (`week_kernels.leaving_ties`):
    mentee_row[slot] the row of a mentee's tie (-1: none), mentor_first[slot] a mentor's last row
    opened, next_row[row] the same mentor's row opened before it (-1: none); `kernels.close_ties`
    takes rows out.
    """
    (pid, circle, mentor, mentee, mentor_eid, mentee_eid, start_week, end_week, cadence_col, next_meeting, held, missed,
     quality_col, alignment, trust, mentoring_skill, phase, end_reason) = columns
    rows, n_free, count = claim_slots(active, free, n_free, count, mentees.shape[0])
    if rows.shape[0] < mentees.shape[0]:
        return n_free, count, 0, 0, 0.0
    new_mentors = 0
    n_trained = 0
    for j in range(rows.shape[0]):
        r, e, m = rows[j], mentees[j], mentors[j]
        q = quality[j]
        pid[r] = first_pid + j
        mentor[r], mentee[r] = m, e
        mentor_eid[r], mentee_eid[r] = eid[m], eid[e]
        start_week[r], end_week[r] = week, week + length
        cadence_col[r], next_meeting[r] = cadence, week + cadence
        held[r], missed[r] = 0, 0
        quality_col[r] = q
        alignment[r] = min(max(0.3 + 0.5 * q + goal_bonus, 0.0), 1.0)
        trust[r] = 0.3 + 0.3 * q
        mentoring_skill[r] = skill[j]
        phase[r], end_reason[r] = 0, 0
        if circles:
            if first_row[m] < 0:
                first_row[m] = r
            circle[r] = pid[first_row[m]]
        else:
            circle[r] = pid[r]
        is_mentee[e] = True
        mentee_row[e] = r
        next_row[r] = mentor_first[m]
        mentor_first[m] = r
        if mentor_load[m] == 0:
            new_mentors += 1
        mentor_load[m] += 1
    for j in range(rows.shape[0]):
        e = mentees[j]
        if participation[e] == NONE:
            participation[e] = MENTEE
        ever_enrolled[eid[e]] = True
    for j in range(rows.shape[0]):
        m = mentors[j]
        first_row[m] = -1
        if participation[m] == NONE:
            participation[m] = MENTOR
        if train and not trained[eid[m]]:
            trained[eid[m]] = True
            n_trained += 1
    return n_free, count, new_mentors, n_trained, pairwise_sum(quality)
