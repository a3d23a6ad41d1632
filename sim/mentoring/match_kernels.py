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
from numba import prange

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


def _greedy_match(mentees, mentors, capacity, draw_key, level, group, department, competency, interest, profile,
                  next_level, fixed_focus, n_focus, pair_weights, score_weights, key, week, block_size, candidates,
                  max_cells, sample_entity_base):
    """`matching.match` for a greedy policy: returns (mentee slots, mentor slots, quality).

    Mentors are grouped by level (stable), mentees sorted by level (stable) and cut into blocks;
    each block sees the mentors senior enough for its least senior mentee (reverse: junior enough
    for its most senior), or a random sample of them (`sample_columns`, keyed by block) when
    there are more than `candidates`; its pair scores are `kernels._pair_scores`' formulas, cell
    by cell; mentees in random order (uniform of the draw key, draw 1) each take the feasible
    mentor with spare places scoring highest (first on ties), as `kernels.greedy_assign`.
    Scores of a block's rows are parallel-safe (`Dual`: pick the build with `for_size(cells)`);
    the assignment is serial. `fixed_focus`: every mentee's focus competencies, or an empty mask
    to find each mentee's `n_focus` weakest.
    """
    w = PairWeights(*pair_weights)
    s_skill, s_similarity, s_group, s_quality, s_random = score_weights
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
        col_competency = np.empty((n_cols, n_k))
        col_interest = np.empty((n_cols, n_d))
        for j in range(n_cols):
            m = mentors[cols[j]]
            col_slot[j], col_level[j], col_group[j], col_department[j] = m, level[m], group[m], department[m]
            col_key[j] = draw_key[m]
            for k in range(n_k):  # element by element: a slice copy per mentor costs more than the copy
                col_competency[j, k] = competency[m, k]
            for d in range(n_d):
                col_interest[j, d] = interest[m, d]
        score = np.empty((n_rows, n_cols))
        quality = np.empty((n_rows, n_cols))
        feasible = np.empty((n_rows, n_cols), dtype=np.bool_)
        for i in prange(n_rows):
            e = rows[i]
            focus_k = np.empty(n_k, dtype=np.int64)  # the row's focus competencies, in order
            n_focus_i = 0
            for k in range(n_k):
                if focus[i, k]:
                    focus_k[n_focus_i] = k
                    n_focus_i += 1
            scale = 1.0 / (max(n_focus_i, 1) * w.full_gap)
            ki = entity_key(key, draw_key[e])
            e_level, e_group, e_department = np.int64(level[e]), group[e], department[e]
            for j in range(n_cols):
                total = 0.0
                for t in range(n_focus_i):
                    k = focus_k[t]
                    lead = col_competency[j, k] - competency[e, k]
                    if lead > 0.0:
                        total += lead
                sk = min(total * scale, 1.0)
                dot = 0.0
                for d in range(n_d):
                    dot += interest[e, d] * col_interest[j, d]
                sim = 0.5 * (1.0 + dot)
                same = 1.0 if e_group == col_group[j] else 0.0
                q = w.skill * sk + w.similarity * sim + (w.same_group if same > 0.0 else 0.0)
                gap = col_level[j] - e_level
                if w.reverse > 0.0:
                    gap = -gap
                ok = gap >= w.min_level_gap and e != col_slot[j]
                if w.other_department > 0.0 and e_department == col_department[j]:
                    ok = False
                rand = pair_uniform_at(ki, col_key[j], week)
                quality[i, j] = q
                feasible[i, j] = ok
                score[i, j] = s_skill * sk + s_similarity * sim + s_group * same + s_quality * q + s_random * rand
        order = np.argsort(uniforms(key, draw_key[rows], week, 1), kind="mergesort")
        col_cap = cap[cols]  # the block's columns are distinct mentors: their places, taken and put back
        choice = greedy_assign(score, feasible, col_cap, order)
        cap[cols] = col_cap
        for r in range(n_rows):  # in the block's order, as the Python path lists them
            if choice[r] >= 0:
                out_e[n_out] = rows[r]
                out_m[n_out] = mentors[cols[choice[r]]]
                out_q[n_out] = quality[r, choice[r]]
                n_out += 1
    return out_e[:n_out], out_m[:n_out], out_q[:n_out]


greedy_match = Dual(_greedy_match)
