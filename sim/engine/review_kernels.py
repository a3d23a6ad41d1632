"""The review's numba kernels: performance scores and high-potential flags.

Same conventions as `sim.engine.kernels`: the score draws are keyed by each person's draw key, so the
serial and parallel builds of `score_performance` give the same rows for any thread count.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .kernels import Dual, competence_under
from .rng import entity_key, normal_at


@njit(cache=True)
def level_competence_moments(active, count, level, competency, profile, n_levels):
    """Mean and SD of profile-weighted competence within each level. Serial (a reduction)."""
    s = np.zeros(n_levels)
    s2 = np.zeros(n_levels)
    n = np.zeros(n_levels)
    for i in range(count):
        if not active[i]:
            continue
        lv = level[i]
        c = competence_under(profile[lv], competency[i])
        s[lv] += c
        s2[lv] += c * c
        n[lv] += 1.0
    mean = np.zeros(n_levels)
    sd = np.ones(n_levels)
    for lv in range(n_levels):
        if n[lv] > 0:
            mean[lv] = s[lv] / n[lv]
            var = s2[lv] / n[lv] - mean[lv] ** 2
            if var > 1e-12:
                sd[lv] = np.sqrt(var)
    return mean, sd


def _score_performance(active, count, draw_key, level, group, competency, profile, n_levels, skill_signal,
                       group_bias, group_shift, key_perf, week, performance):
    """Review score = rho * z + sqrt(1 - rho^2) * N(0,1) + bias[group], z = (competence + shift[group] -
    level mean) / level SD (`level_competence_moments`, first): `group_bias` in score SDs, `group_shift`
    in competence points (one of the two is zero, by performance.rater_bias_units). Parallel-safe."""
    level_mean, level_sd = level_competence_moments(active, count, level, competency, profile, n_levels)
    noise_weight = np.sqrt(1.0 - skill_signal * skill_signal)
    for i in prange(count):
        if not active[i]:
            continue
        lv = level[i]
        z = (competence_under(profile[lv], competency[i]) + group_shift[group[i]] - level_mean[lv]) / level_sd[lv]
        eps = normal_at(entity_key(key_perf, draw_key[i]), week, 0)
        performance[i] = skill_signal * z + noise_weight * eps + group_bias[group[i]]


score_performance = Dual(_score_performance)


@njit(cache=True)
def flag_high_potentials(active, count, level, performance, n_levels, share, hipo):
    """hipo: the floor(share x headcount) best review scores of each level (of equal scores the lower
    slot first, as a stable sort would); every other live row is unflagged. Serial (O(n): one partition
    a level; a parallel loop over a handful of levels would not pay its hand-offs)."""
    per_level = np.zeros(n_levels + 1, dtype=np.int64)
    for i in range(count):
        if active[i]:
            hipo[i] = False
            per_level[level[i] + 1] += 1
    for lv in range(n_levels):
        per_level[lv + 1] += per_level[lv]
    slots = np.empty(per_level[n_levels], dtype=np.int64)  # live slots by level, in slot order within it
    at = per_level[:n_levels].copy()
    for i in range(count):
        if active[i]:
            slots[at[level[i]]] = i
            at[level[i]] += 1
    for lv in range(n_levels):
        here = slots[per_level[lv] : per_level[lv + 1]]
        n_hipo = int(np.floor(share * here.size))
        if n_hipo:
            _flag_best(here, performance, n_hipo, hipo)


@njit(cache=True)
def _flag_best(here, performance, n_hipo, hipo):
    """Flag the slots a stable sort of -performance[here] puts first, n_hipo of them, without the sort:
    every score above the n_hipo-th best (found by a partition, O(n)), then the first slots, in the
    order of `here`, of those equal to it. A NaN score (sorted last) takes the sort itself."""
    keys = -performance[here]
    if np.isnan(keys).any():
        order = np.argsort(keys, kind="mergesort")
        for j in range(n_hipo):
            hipo[here[order[j]]] = True
        return
    threshold = np.partition(keys, n_hipo - 1)[n_hipo - 1]
    left = n_hipo
    for j in range(here.size):
        if keys[j] < threshold:
            hipo[here[j]] = True
            left -= 1
    for j in range(here.size):
        if left == 0:
            break
        if keys[j] == threshold:
            hipo[here[j]] = True
            left -= 1
