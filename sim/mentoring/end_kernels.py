"""Ties ending, in one compiled call per batch: those `tie_week` found due (`close_due`) and those of
people leaving (`close_leaving`).

`TieWeek` once ended each reason's rows with a call of its own (close the roles, free the rows, and
numpy calls for the mentees and their ids), most exit batches ending none; these kernels do a whole
batch, grouped by reason in the order the event log keeps, with the same sums to the bit (each
group's trust is summed on its own, from zero, in row order, as `kernels.close_ties` did per call).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..engine.kernels import slots_by_code
from ..engine.table import _release
from .kernels import close_ties
from .week_kernels import leaving_ties


@njit(cache=True)
def _close_groups(rows, starts, order, held, missed, trust, mentee, mentee_eid, mentor, is_mentee, mentor_load,
                  mentee_row, mentor_first, next_row, active, free, n_free):
    """Close `rows` (group g, reason order[g]: rows[starts[g]:starts[g + 1]]) with `close_ties`, group by
    group, and free them (`Table.remove`'s `_release`, in row order, so the free list is as before).

    Returns (rows, starts, reason of each row as a float (the event detail), mentee slots, mentee ids,
    sums: (3, groups) meetings held, missed and trust at the end, mentors left with no tie, the free-list
    length after (negative: a row not live or given twice, which `Table.sync` raises)).
    """
    n_groups = order.shape[0]
    sums = np.zeros((3, n_groups))
    freed = 0
    reasons = np.empty(rows.shape[0])
    mentees = np.empty(rows.shape[0], dtype=np.int64)
    eids = np.empty(rows.shape[0], dtype=np.int64)
    for j in range(rows.shape[0]):  # read before the rows are closed
        mentees[j] = mentee[rows[j]]
        eids[j] = mentee_eid[rows[j]]
    for g in range(n_groups):
        lo, hi = starts[g], starts[g + 1]
        for j in range(lo, hi):
            reasons[j] = order[g]
        if hi > lo:
            n_held, n_missed, trust_sum, n_freed = close_ties(rows[lo:hi], held, missed, trust, mentee, mentor,
                                                              is_mentee, mentor_load, mentee_row, mentor_first,
                                                              next_row)
            sums[0, g], sums[1, g], sums[2, g] = n_held, n_missed, trust_sum
            freed += n_freed
    n_free = _release(active, free, n_free, rows) if rows.shape[0] else n_free
    return rows, starts, reasons, mentees, eids, sums, freed, n_free


@njit(cache=True)
def close_due(code, count, n_codes, order, held, missed, trust, mentee, mentee_eid, mentor, is_mentee, mentor_load,
              mentee_row, mentor_first, next_row, active, free, n_free):
    """The rows i < count with code[i] in `order` (the reasons `tie_week` wrote, codes below `n_codes`),
    grouped in that order, in row order within a reason (`slots_by_code`), closed and freed
    (`_close_groups`, whose tuple it returns). Serial."""
    by_code, code_starts = slots_by_code(code, count, n_codes)
    n_groups = order.shape[0]
    starts = np.zeros(n_groups + 1, dtype=np.int64)
    for g in range(n_groups):
        starts[g + 1] = starts[g] + code_starts[order[g] + 1] - code_starts[order[g]]
    rows = np.empty(starts[n_groups], dtype=np.int64)
    for g in range(n_groups):
        rows[starts[g]:starts[g + 1]] = by_code[code_starts[order[g]]:code_starts[order[g] + 1]]
    return _close_groups(rows, starts, order, held, missed, trust, mentee, mentee_eid, mentor, is_mentee,
                         mentor_load, mentee_row, mentor_first, next_row, active, free, n_free)


@njit(cache=True)
def any_tie(slots, is_mentee, mentor_load):
    """Whether anyone in `slots` is in a live tie: most exit batches end none, and then a call that
    returns one flag is cheaper than `close_leaving`'s arrays. Serial."""
    for s in slots:
        if is_mentee[s] or mentor_load[s] > 0:
            return True
    return False


@njit(cache=True)
def close_leaving(slots, order, held, missed, trust, mentee, mentee_eid, mentor, is_mentee, mentor_load, mentee_row,
                  mentor_first, next_row, active, free, n_free, scratch):
    """The live rows of the people in `slots` (`leaving_ties`: those whose mentee leaves, reason order[0],
    then those whose mentor leaves, order[1]), closed and freed (`_close_groups`). Serial."""
    by_mentee, by_mentor = leaving_ties(slots, is_mentee, mentor_load, mentee, mentee_row, mentor_first, next_row,
                                        scratch)
    n_e, n_m = by_mentee.shape[0], by_mentor.shape[0]
    rows = np.empty(n_e + n_m, dtype=np.int64)
    rows[:n_e] = by_mentee
    rows[n_e:] = by_mentor
    starts = np.array([0, n_e, n_e + n_m], dtype=np.int64)
    return _close_groups(rows, starts, order, held, missed, trust, mentee, mentee_eid, mentor, is_mentee,
                         mentor_load, mentee_row, mentor_first, next_row, active, free, n_free)
