"""A whole matching round of a greedy policy in one compiled call (`greedy_match`).

`matching.match` runs a policy block by block in Python: a block's candidate mentors, its pool of
six score matrices, the policy, the capacities left. For a greedy policy (one declared with
`matching.greedy_policy`: a fixed weighted sum of the pair scores) this kernel does the same in
one call, with the same draws, the same order of floating-point operations and so the same
pairs; `tests/mentoring/test_match_kernels.py` holds it to the Python path. Policies that need
scipy (`optimal`, `cross_group`) or a user's own keep the Python path.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from ..engine.kernels import Dual
from ..engine.rng import entity_key, pair_uniform_at, uniforms
from .kernels import PairWeights, greedy_assign, sample_columns, weakest


class GreedyScore(NamedTuple):
    """A greedy policy's score of a pair: a weighted sum of the pool's scores (`matching.Pool`)."""

    skill: float = 0.0
    similarity: float = 0.0
    same_group: float = 0.0
    quality: float = 0.0
    random: float = 0.0

    def of(self, pool) -> np.ndarray:
        """The score matrix of a pool, summed in the kernel's order (terms with weight 0 add 0.0, exactly)."""
        return (self.skill * pool.skill + self.similarity * pool.similarity + self.same_group * pool.same_group
                + self.quality * pool.quality + self.random * pool.random)


@njit(inline="always", cache=True)
def _focus_of(focus, i, full_gap):
    """Row i's focus competencies in order, how many, and the scale of its skill score."""
    n_k = focus.shape[1]
    focus_k = np.empty(n_k, dtype=np.int64)
    n = 0
    for k in range(n_k):
        if focus[i, k]:
            focus_k[n] = k
            n += 1
    return focus_k, n, 1.0 / (max(n, 1) * full_gap)


@njit(inline="always", cache=True)
def _skill(competency, e, col_competency_t, j, focus_k, n_focus, scale):
    """skill = min(sum over focus k of max(c_mentor,k - c_mentee,k, 0) x scale, 1) (`kernels._pair_scores`)."""
    total = 0.0
    for t in range(n_focus):
        k = focus_k[t]
        lead = col_competency_t[k, j] - competency[e, k]
        if lead > 0.0:
            total += lead
    return min(total * scale, 1.0)


@njit(inline="always", cache=True)
def _similarity(interest, e, col_interest, j):
    """similarity = (1 + interest_mentee . interest_mentor) / 2."""
    dot = 0.0
    for d in range(interest.shape[1]):
        dot += interest[e, d] * col_interest[j, d]
    return 0.5 * (1.0 + dot)


@njit(inline="always", cache=True)
def _quality(w, sk, sim, same):
    """quality = w_skill skill + w_similarity similarity + w_group [same group]."""
    return w.skill * sk + w.similarity * sim + (w.same_group if same > 0.0 else 0.0)


@njit(inline="always", cache=True)
def _feasible(w, gap, e, m, e_department, m_department):
    """The level gap (mentor - mentee; reverse: mentee - mentor) is at least min_level_gap, not the same
    person, and (if asked) another department."""
    if w.reverse > 0.0:
        gap = -gap
    ok = gap >= w.min_level_gap and e != m
    if w.other_department > 0.0 and e_department == m_department:
        ok = False
    return ok


def _greedy_match(mentees, mentors, capacity, draw_key, level, group, department, competency, interest, profile,
                  next_level, fixed_focus, n_focus, pair_weights, score_weights, key, week, block_size, candidates,
                  max_cells, sample_entity_base):
    """`matching.match` for a greedy policy: returns (mentee slots, mentor slots, quality).

    Mentors are grouped by level (stable), mentees sorted by level (stable) and cut into blocks;
    each block sees the mentors senior enough for its least senior mentee (reverse: junior enough
    for its most senior), or a random sample of them (`sample_columns`, keyed by block) when
    there are more than `candidates`; its pair scores are `kernels._pair_scores`' formulas, each
    pair's operations in the same order, computed a row at a time term by term (loops over the
    columns that compile to vector code), only the terms the policy weighs; mentees in random
    order (uniform of the draw key, draw 1) each take the feasible mentor with spare places
    scoring highest (first on ties), as `kernels.greedy_assign`; the quality of the pairs chosen
    only.
    Scores of a block's rows are parallel-safe (`Dual`; `matching.MATCH_PARALLEL_MIN_CELLS` picks the build);
    the assignment is serial. `fixed_focus`: every mentee's focus competencies, or an empty mask
    to find each mentee's `n_focus` weakest.
    """
    w = PairWeights(*pair_weights)
    s_skill, s_similarity, s_group, s_quality, s_random = score_weights
    need_skill = s_skill != 0.0 or s_quality != 0.0
    need_similarity = s_similarity != 0.0 or s_quality != 0.0
    n_k = competency.shape[1]
    # Mentors by level, so the ones senior (or junior) enough for a block are one range.
    mentor_level = level[mentors]
    cap = capacity.astype(np.int64)
    grouped = True
    for j in range(1, mentor_level.shape[0]):
        if mentor_level[j] < mentor_level[j - 1]:
            grouped = False
            break
    if not grouped:
        by_level = np.argsort(mentor_level, kind="mergesort")
        mentors, cap, mentor_level = mentors[by_level], cap[by_level], mentor_level[by_level]
    n_mentors = mentors.shape[0]
    taken = np.zeros(n_mentors, dtype=np.bool_)  # scratch of `sample_columns`
    mean_cap = 1.0
    if n_mentors:
        mean_cap = max(float(cap.sum()) / n_mentors, 1.0)  # integers: the sum is exact, as numpy's mean
    sample = 0
    if candidates != 0:
        sample = max(candidates, np.int64(np.ceil(3 * block_size / mean_cap)))
    seen = min(n_mentors, sample) if sample != 0 else n_mentors
    block = max(1, min(block_size, max_cells // max(seen, 1)))
    # A block's matrices, allocated once a round (a fresh one per block cost its page faults each
    # time): a block has at most `block` mentees and sees at most `seen` mentors.
    n_space = min(block, mentees.shape[0]) * seen
    score_space = np.empty(n_space)
    feasible_space = np.empty(n_space, dtype=np.bool_)
    mentees = mentees[np.argsort(level[mentees], kind="mergesort")]
    n_e = mentees.shape[0]
    out_e = np.empty(n_e, dtype=np.int64)
    out_m = np.empty(n_e, dtype=np.int64)
    out_q = np.empty(n_e)
    n_out = 0
    b = -1
    for start in range(0, n_e, block):
        b += 1
        rows = mentees[start:start + block]
        n_rows = rows.shape[0]
        if w.reverse > 0.0:
            lo = 0
            hi = np.searchsorted(mentor_level, np.int64(level[rows].max()) - np.int64(w.min_level_gap), side="right")
        else:
            lo = np.searchsorted(mentor_level, np.int64(level[rows].min()) + np.int64(w.min_level_gap), side="left")
            hi = n_mentors
        if hi <= lo:
            continue
        if sample != 0 and hi - lo > sample:
            block_key = entity_key(key, np.uint64(sample_entity_base) + np.uint64(b))
            cols = sample_columns(cap, lo, hi, sample, block_key, week, taken)
        else:
            cols = lo + np.flatnonzero(cap[lo:hi] > 0)
        n_cols = cols.shape[0]
        if n_cols == 0:
            continue
        if fixed_focus.shape[0] > 0:
            focus = np.empty((n_rows, n_k), dtype=np.bool_)
            for i in range(n_rows):
                focus[i, :] = fixed_focus
        else:
            focus = weakest(rows, level, competency, profile, next_level, n_focus)
        # The block's mentors, gathered once: the rows below then read them in order.
        n_d = interest.shape[1]
        col_slot = np.empty(n_cols, dtype=np.int64)
        col_level = np.empty(n_cols, dtype=np.int64)
        col_group = np.empty(n_cols, dtype=np.int64)
        col_department = np.empty(n_cols, dtype=np.int64)
        col_key = np.empty(n_cols, dtype=np.uint64)
        col_competency_t = np.empty((n_k, n_cols))  # by competency: a row's loops read it in order
        col_interest = np.empty((n_cols, n_d))
        for j in range(n_cols):
            m = mentors[cols[j]]
            col_slot[j], col_level[j], col_group[j], col_department[j] = m, level[m], group[m], department[m]
            col_key[j] = draw_key[m]
            for k in range(n_k):  # element by element: a slice copy per mentor costs more than the copy
                col_competency_t[k, j] = competency[m, k]
            for d in range(n_d):
                col_interest[j, d] = interest[m, d]
        score = score_space[:n_rows * n_cols].reshape((n_rows, n_cols))
        feasible = feasible_space[:n_rows * n_cols].reshape((n_rows, n_cols))
        for i in prange(n_rows):
            # A row's scores term by term, each a plain loop over the columns (which the compiler
            # vectorizes), every pair's operations as before and in the same order.
            e = rows[i]
            focus_k, n_focus_i, scale = _focus_of(focus, i, w.full_gap)
            e_level, e_group, e_department = np.int64(level[e]), group[e], department[e]
            s_row = score[i]
            f_row = feasible[i]
            for j in range(n_cols):
                f_row[j] = _feasible(w, col_level[j] - e_level, e, col_slot[j], e_department, col_department[j])
            # skill: the leads on the focus competencies summed in their order (as `_skill`); adding
            # 0.0 for no lead leaves the sum as it was (it starts at +0.0, never -0.0), and takes a
            # select instead of a branch.
            s_row[:] = 0.0
            if need_skill:
                for t in range(n_focus_i):
                    k = focus_k[t]
                    c_e = competency[e, k]
                    c_m = col_competency_t[k]
                    for j in range(n_cols):
                        lead = c_m[j] - c_e
                        s_row[j] += lead if lead > 0.0 else 0.0
                for j in range(n_cols):
                    s_row[j] = min(s_row[j] * scale, 1.0)
            # The policy's weighted sum, left to right. A term of weight 0 would add an exact zero
            # (signed: it changes no comparison), so it is left out, and so is what only it needs.
            if s_similarity != 0.0 or s_group != 0.0 or s_quality != 0.0:
                for j in range(n_cols):
                    sk = s_row[j]
                    sim = _similarity(interest, e, col_interest, j) if need_similarity else 0.0
                    same = 1.0 if e_group == col_group[j] else 0.0
                    s_ij = s_skill * sk
                    if s_similarity != 0.0:
                        s_ij = s_ij + s_similarity * sim
                    if s_group != 0.0:
                        s_ij = s_ij + s_group * same
                    if s_quality != 0.0:
                        s_ij = s_ij + s_quality * _quality(w, sk, sim, same)
                    s_row[j] = s_ij
            else:
                for j in range(n_cols):
                    s_row[j] = s_skill * s_row[j]
            if s_random != 0.0:
                ki = entity_key(key, draw_key[e])
                for j in range(n_cols):
                    s_row[j] = s_row[j] + s_random * pair_uniform_at(ki, col_key[j], week)
        order = np.argsort(uniforms(key, draw_key[rows], week, 1), kind="mergesort")
        col_cap = cap[cols]  # the block's columns are distinct mentors: their places, taken and put back
        choice = greedy_assign(score, feasible, col_cap, order)
        cap[cols] = col_cap
        for r in range(n_rows):  # in the block's order, as the Python path lists them
            j = choice[r]
            if j >= 0:
                e = rows[r]
                focus_k, n_focus_i, scale = _focus_of(focus, r, w.full_gap)
                sk = _skill(competency, e, col_competency_t, j, focus_k, n_focus_i, scale)
                sim = _similarity(interest, e, col_interest, j)
                same = 1.0 if group[e] == col_group[j] else 0.0
                out_e[n_out] = e
                out_m[n_out] = col_slot[j]
                out_q[n_out] = _quality(w, sk, sim, same)  # the chosen pair's quality, by the same operations
                n_out += 1
    return out_e[:n_out], out_m[:n_out], out_q[:n_out]


greedy_match = Dual(_greedy_match)
