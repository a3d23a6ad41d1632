"""Promotion rules: how the candidates for seats one level up are ranked, chosen by `promotion.rule`.

A rule is one numba function registered under a name (`@PROMOTION_RULES.register("name")`, the
registry the config layer checks `promotion.rule` against). It sees the same candidate arrays as
every other rule and writes one score per candidate; the vacancy chain
(`chain_kernels.vacancy_chain`) then gives the k seats of a level to its k highest scores, best
first (after the sponsorship shift, when anyone has visibility). Its arguments:

    cand_slots, cand_offset, cand_n   candidates of level L: cand_slots[cand_offset[L]:][:cand_n[L]]
    n_levels                          score the levels below this one
    u                                 each candidate's tiebreak uniform u(promotion, draw key, week, 0),
                                      next to its slot in cand_slots
    readiness, performance, hire_week by employee slot
    week                              this week
    scores                            output, next to the slots in cand_slots

A rule must be deterministic given these (all randomness is `u`), so one seed reproduces a run.
Adding a rule is writing one such function here (or in any module imported with `sim`).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..config.registry import PROMOTION_RULES


@PROMOTION_RULES.register("random")
@njit(cache=True)
def random_rule(cand_slots, cand_offset, cand_n, n_levels, u, readiness, performance, hire_week, week, scores):
    """u: a uniformly random order."""
    for lv in range(n_levels):
        c0 = cand_offset[lv]
        for j in range(cand_n[lv]):
            scores[c0 + j] = u[c0 + j]


@PROMOTION_RULES.register("readiness")
@njit(cache=True)
def readiness_rule(cand_slots, cand_offset, cand_n, n_levels, u, readiness, performance, hire_week, week, scores):
    """readiness + 1e-9 u: the most ready first (competence weighted by the next level's profile)."""
    for lv in range(n_levels):
        c0 = cand_offset[lv]
        for j in range(cand_n[lv]):
            scores[c0 + j] = readiness[cand_slots[c0 + j]] + 1e-9 * u[c0 + j]


@PROMOTION_RULES.register("performance")
@njit(cache=True)
def performance_rule(cand_slots, cand_offset, cand_n, n_levels, u, readiness, performance, hire_week, week, scores):
    """performance + 1e-9 u: the best last review score first."""
    for lv in range(n_levels):
        c0 = cand_offset[lv]
        for j in range(cand_n[lv]):
            scores[c0 + j] = performance[cand_slots[c0 + j]] + 1e-9 * u[c0 + j]


@PROMOTION_RULES.register("seniority")
@njit(cache=True)
def seniority_rule(cand_slots, cand_offset, cand_n, n_levels, u, readiness, performance, hire_week, week, scores):
    """tenure in weeks + 1e-3 u: the longest-serving first."""
    for lv in range(n_levels):
        c0 = cand_offset[lv]
        for j in range(cand_n[lv]):
            scores[c0 + j] = np.float64(week - hire_week[cand_slots[c0 + j]]) + 1e-3 * u[c0 + j]


@PROMOTION_RULES.register("worst")
@njit(cache=True)
def worst_rule(cand_slots, cand_offset, cand_n, n_levels, u, readiness, performance, hire_week, week, scores):
    """-(performance + 1e-9 u): the lowest last review score first (the "worst" strategy of the
    Peter-principle models)."""
    for lv in range(n_levels):
        c0 = cand_offset[lv]
        for j in range(cand_n[lv]):
            scores[c0 + j] = -(performance[cand_slots[c0 + j]] + 1e-9 * u[c0 + j])


@PROMOTION_RULES.register("alternate")
@njit(cache=True)
def alternate_rule(cand_slots, cand_offset, cand_n, n_levels, u, readiness, performance, hire_week, week, scores):
    """Best and worst by performance in turn: ranked by performance + 1e-9 u (best first, rank r of
    n), a candidate's place in the queue is 2r for r < ceil(n / 2) and 2(n - 1 - r) + 1 otherwise
    (best, worst, second best, second worst, ...); the score is minus that place. Within one week's
    chain the seats of a level go down this queue."""
    for lv in range(n_levels):
        c0 = cand_offset[lv]
        n = cand_n[lv]
        base = np.empty(n)
        for j in range(n):
            base[j] = performance[cand_slots[c0 + j]] + 1e-9 * u[c0 + j]
        order = np.argsort(-base, kind="mergesort")
        half = (n + 1) // 2
        for r in range(n):
            place = 2 * r if r < half else 2 * (n - 1 - r) + 1
            scores[c0 + order[r]] = -np.float64(place)
