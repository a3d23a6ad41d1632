"""The small steps of an enrollment round in compiled calls: who may enroll (`eligible`), who waits for a
new mentor (`waiting_mentees`), both (`union_of_sorted`), the order places go in (`in_draw_order`).

Most rounds are a rematch of one or two mentees, where each numpy call on a few rows (a mask, a fancy
index, a sort) costs more than the work; these kernels give the same arrays, element for element.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..engine.rng import entity_key, uniform_at


@njit(cache=True)
def eligible(active, count, hire_week, level, hipo, group, eid, level_ok, min_tenure, max_tenure, hipo_only,
             group_ok, ever_enrolled, is_mentee, mentor_load, week):
    """Slots of live employees who may enroll now, in slot order: at an allowed level, tenure (week -
    hire week) at least min_tenure and, unless max_tenure < 0, at most max_tenure; a high potential if
    `hipo_only`; in an allowed group (`group_ok` by group); never enrolled before (`ever_enrolled` by
    employee id, long enough); in no tie now, as mentee or mentor (one role at a time). Serial."""
    out = np.empty(count, dtype=np.int64)
    n = 0
    for i in range(count):
        if not active[i] or not level_ok[level[i]]:
            continue
        tenure = week - hire_week[i]
        if tenure < min_tenure or (max_tenure >= 0 and tenure > max_tenure):
            continue
        if (hipo_only and not hipo[i]) or not group_ok[group[i]]:
            continue
        if ever_enrolled[eid[i]] or is_mentee[i] or mentor_load[i] != 0:
            continue
        out[n] = i
        n += 1
    return out[:n]


@njit(cache=True)
def waiting_mentees(slots, eids, n, active, eid, level, level_ok):
    """The first n of `slots` (mentees waiting for a new mentor) whose slot still holds the same person
    (employee id `eids`) at an eligible level, sorted, each once (as np.unique). Serial."""
    out = np.empty(n, dtype=np.int64)
    k = 0
    for j in range(n):
        s = slots[j]
        if active[s] and eid[s] == eids[j] and level_ok[level[s]]:
            out[k] = s
            k += 1
    out = np.sort(out[:k])
    m = 0
    for j in range(k):
        if j == 0 or out[j] != out[m - 1]:
            out[m] = out[j]
            m += 1
    return out[:m]


@njit(cache=True)
def in_draw_order(slots, draw_key, key, week, k, places):
    """`slots` ordered by a uniform keyed by (draw key, week, k), a stable sort (ties keep their order),
    the first `places` of them. Serial."""
    u = np.empty(slots.shape[0])
    for j in range(slots.shape[0]):
        u[j] = uniform_at(entity_key(key, draw_key[slots[j]]), week, k)
    order = np.argsort(u, kind="mergesort")
    return slots[order[:places]]


@njit(cache=True)
def union_of_sorted(a, b):
    """np.union1d(a, b) for sorted arrays of distinct values: their merge, each value once. Serial."""
    out = np.empty(a.shape[0] + b.shape[0], dtype=np.int64)
    i = j = n = 0
    while i < a.shape[0] or j < b.shape[0]:
        if j == b.shape[0] or (i < a.shape[0] and a[i] < b[j]):
            out[n] = a[i]
            i += 1
        elif i == a.shape[0] or b[j] < a[i]:
            out[n] = b[j]
            j += 1
        else:  # in both
            out[n] = a[i]
            i += 1
            j += 1
        n += 1
    return out[:n]
