"""The numba kernels of mentoring programs: pair scores, greedy assignment, mentor pools, roles.

A program's ordinary week (meetings, endings, effects) is in `week_kernels`.

Same conventions as `sim.engine.kernels`: arrays and NamedTuples of floats in, randomness
from counter-based streams, each kernel documented with its equations.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from ..engine.kernels import Dual
from ..engine.rng import entity_key, pair_uniform_at, uniform_at

END_NONE, END_COMPLETED, END_MENTOR_LEFT, END_MENTEE_LEFT, END_PROMOTED, END_DISSOLVED, END_REMATCHED = range(7)


class PairWeights(NamedTuple):
    skill: float  # weights of match quality, summing to 1
    similarity: float
    same_group: float
    full_gap: float  # complementarity saturates when the mentor leads by this on each focus competency
    min_level_gap: float
    reverse: float  # 1.0: the mentee must be senior (reverse mentoring)
    other_department: float  # 1.0: mentor and mentee must be in different departments


@njit(cache=True)
def weakest(mentees, level, competency, profile, next_level, n_focus):
    """Each mentee's n_focus focus competencies: the largest needs w_{L+1,k} (1 - c_k), ties to the
    first competency. Serial."""
    n_k = competency.shape[1]
    n = min(n_focus, n_k)
    mask = np.zeros((mentees.shape[0], n_k), dtype=np.bool_)
    need = np.empty(n_k)
    for i in range(mentees.shape[0]):
        e = mentees[i]
        target = profile[next_level[level[e]]]
        for k in range(n_k):
            need[k] = target[k] * (1.0 - competency[e, k])
        for _ in range(n):
            best = -1
            for k in range(n_k):
                if not mask[i, k] and (best < 0 or need[k] > need[best]):
                    best = k
            mask[i, best] = True
    return mask


def _pair_scores(e_slot, m_slot, draw_key, level, group, department, competency, interest, focus, w, key, week):
    """Every score of every mentee (row) x mentor (column) pair of one block, in one pass.

    Parallel-safe over rows (`Dual`; pick the build with `pair_scores.for_size(cells)`).

    skill      = min(sum over focus k of max(c_mentor,k - c_mentee,k, 0) / (n_focus x full_gap), 1)
    similarity = (1 + interest_mentee . interest_mentor) / 2   (unit interest vectors)
    quality    = w_skill skill + w_similarity similarity + w_group [same group]
    feasible   = level gap (mentor - mentee; reverse: mentee - mentor) >= min_level_gap, not the
                 same person, and (if asked) another department
    random     = uniform keyed by (mentee's draw key, mentor's draw key, week)
    """
    n_e, n_m, n_k = e_slot.shape[0], m_slot.shape[0], competency.shape[1]
    skill = np.empty((n_e, n_m))
    similarity = np.empty((n_e, n_m))
    same_group = np.empty((n_e, n_m), dtype=np.bool_)
    quality = np.empty((n_e, n_m))
    feasible = np.empty((n_e, n_m), dtype=np.bool_)
    random = np.empty((n_e, n_m))
    for i in prange(n_e):
        e = e_slot[i]
        n_focus = 0
        for k in range(n_k):
            if focus[i, k]:
                n_focus += 1
        scale = 1.0 / (max(n_focus, 1) * w.full_gap)
        ki = entity_key(key, draw_key[e])
        for j in range(n_m):
            m = m_slot[j]
            total = 0.0
            for k in range(n_k):
                if focus[i, k]:
                    lead = competency[m, k] - competency[e, k]
                    if lead > 0.0:
                        total += lead
            sk = min(total * scale, 1.0)
            dot = 0.0
            for d in range(interest.shape[1]):
                dot += interest[e, d] * interest[m, d]
            sim = 0.5 * (1.0 + dot)
            same = group[e] == group[m]
            skill[i, j] = sk
            similarity[i, j] = sim
            same_group[i, j] = same
            quality[i, j] = w.skill * sk + w.similarity * sim + (w.same_group if same else 0.0)
            gap = np.int64(level[m]) - np.int64(level[e])
            if w.reverse > 0.0:
                gap = -gap
            ok = gap >= w.min_level_gap and e != m
            if w.other_department > 0.0 and department[e] == department[m]:
                ok = False
            feasible[i, j] = ok
            random[i, j] = pair_uniform_at(ki, draw_key[m], week)
    return skill, similarity, same_group, quality, feasible, random


pair_scores = Dual(_pair_scores)


@njit(cache=True)
def sample_columns(capacity, lo, hi, n, key, week, taken):
    """Up to n distinct columns in [lo, hi) with spare capacity, at random. Serial.

    Draws positions uniformly (keyed by the draw number and week) and keeps those with a
    free place, O(n) while free places are common; if 4n draws were not enough, the rest
    are drawn among the remaining free columns of the range. `taken` (all False) is scratch.
    """
    out = np.empty(n, dtype=np.int64)
    got = 0
    span = hi - lo
    tries = 0
    while got < n and tries < 4 * n:
        c = lo + min(np.int64(uniform_at(key, week, tries) * span), span - 1)
        tries += 1
        if capacity[c] > 0 and not taken[c]:
            taken[c] = True
            out[got] = c
            got += 1
    if got < n:
        rest = np.empty(span, dtype=np.int64)
        n_rest = 0
        for c in range(lo, hi):
            if capacity[c] > 0 and not taken[c]:
                rest[n_rest] = c
                n_rest += 1
        # A partial Fisher-Yates shuffle of the free columns left.
        j = 0
        while got < n and j < n_rest:
            pick = j + min(np.int64(uniform_at(key, week, tries + j) * (n_rest - j)), n_rest - j - 1)
            rest[j], rest[pick] = rest[pick], rest[j]
            out[got] = rest[j]
            taken[rest[j]] = True
            got += 1
            j += 1
    for g in range(got):
        taken[out[g]] = False
    return np.sort(out[:got])


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
def _unlink(r, m, mentor_first, next_row):
    """Take row r out of mentor m's list of rows."""
    if mentor_first[m] == r:
        mentor_first[m] = next_row[r]
    else:
        before = mentor_first[m]
        while next_row[before] != r:
            before = next_row[before]
        next_row[before] = next_row[r]
    next_row[r] = -1


@njit(cache=True)
def close_ties(rows, held, missed, trust, mentee, mentor, is_mentee, mentor_load, mentee_row, mentor_first, next_row):
    """Ending ties give up their roles (and leave the index of rows by person, `start_kernels`);
    returns their meetings held and missed, their trust, and how many mentors are left with none.
    Serial."""
    n_held, n_missed, trust_sum, freed = 0, 0, 0.0, 0
    for r in rows:
        n_held += held[r]
        n_missed += missed[r]
        trust_sum += trust[r]
        is_mentee[mentee[r]] = False
        mentee_row[mentee[r]] = -1
        mentor_load[mentor[r]] -= 1
        if mentor_load[mentor[r]] == 0:
            freed += 1
        _unlink(r, mentor[r], mentor_first, next_row)
    return n_held, n_missed, trust_sum, freed


@njit(inline="always", cache=True)
def _spare_places(possible, slot_load, capacity, circles):
    """Places a possible mentor could offer now. Scalars only: array arguments to a helper called
    per row cost a reference count each, which made the pool scans 30 times slower."""
    if not possible:
        return 0
    if circles:
        return capacity if slot_load == 0 else 0
    return max(capacity - slot_load, 0)


@njit(cache=True)
def mentor_pool(active, count, hire_week, level, level_ok, is_mentee, enrolling, slot_load, min_tenure, week,
                capacity, circles):
    """Slots of possible mentors with spare places, and how many; by level, then slot. Serial.

    A mentor: here at least min_tenure weeks, at an allowed level, neither a mentee nor
    enrolling as one this round. Spare places: capacity - live ties; in the group format one
    circle at a time (capacity places if none, else 0). Grouped by level (a counting sort), as
    matching wants them.
    """
    found = np.empty(count, dtype=np.int64)
    found_spare = np.empty(count, dtype=np.int64)
    per_level = np.zeros(level_ok.shape[0] + 1, dtype=np.int64)
    n = 0
    for i in range(count):
        possible = (active[i] and not is_mentee[i] and not enrolling[i] and level_ok[level[i]]
                    and week - hire_week[i] >= min_tenure)
        free = _spare_places(possible, slot_load[i], capacity, circles)
        if free > 0:
            found[n] = i
            found_spare[n] = free
            per_level[level[i] + 1] += 1
            n += 1
    for lv in range(level_ok.shape[0]):
        per_level[lv + 1] += per_level[lv]
    slots = np.empty(n, dtype=np.int64)
    spare = np.empty(n, dtype=np.int64)
    for j in range(n):
        lv = level[found[j]]
        slots[per_level[lv]] = found[j]
        spare[per_level[lv]] = found_spare[j]
        per_level[lv] += 1
    return slots, spare


@njit(cache=True)
def sample_mentor_pool(active, count, hire_week, level, level_ok, is_mentee, enrolling, slot_load, min_tenure,
                       week, capacity, circles, level_lo, level_hi, n, max_tries, key, taken):
    """n distinct possible mentors (the rules of `mentor_pool`) with a level in [level_lo, level_hi],
    drawn at random population slots: O(n) when such mentors are common. Serial.

    Returns (slots, spare, complete); complete is False when max_tries draws found fewer than
    n, and the caller then builds the whole pool instead. `taken` (all False) is scratch.
    """
    slots = np.empty(n, dtype=np.int64)
    spare = np.empty(n, dtype=np.int64)
    got = 0
    tries = 0
    while got < n and tries < max_tries:
        i = min(np.int64(uniform_at(key, week, tries) * count), count - 1)
        tries += 1
        if taken[i] or level[i] < level_lo or level[i] > level_hi:
            continue
        possible = (active[i] and not is_mentee[i] and not enrolling[i] and level_ok[level[i]]
                    and week - hire_week[i] >= min_tenure)
        free = _spare_places(possible, slot_load[i], capacity, circles)
        if free > 0:
            taken[i] = True
            slots[got] = i
            spare[got] = free
            got += 1
    for g in range(got):
        taken[slots[g]] = False
    return slots[:got], spare[:got], got == n
