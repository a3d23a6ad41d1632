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

A rule whose score is sign x (key + eps x u), a key of the candidate plus a tiebreak smaller than
eps, may say so in SCORE_BOUNDS (key column, sign, eps): a level nobody there has visibility at then
only draws and scores the candidates that could still be among its best few (the k-th highest
lower bound of a score beats every upper bound below it: `chain_kernels.narrow_candidates`).
The picks are the same to the bit; a rule without bounds scores every candidate.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..config.registry import PROMOTION_RULES

# The keys a rule's score bound can name (`chain_kernels.rule_key`).
KEY_NONE, KEY_READINESS, KEY_PERFORMANCE, KEY_TENURE = -1, 0, 1, 2
# rule name -> (key column, sign, eps): score = sign x (key + eps x u) with 0 < u < 1.
SCORE_BOUNDS = {
    "readiness": (KEY_READINESS, 1.0, 1e-9),
    "performance": (KEY_PERFORMANCE, 1.0, 1e-9),
    "seniority": (KEY_TENURE, 1.0, 1e-3),
    "worst": (KEY_PERFORMANCE, -1.0, 1e-9),
}


def score_bounds(rule: str) -> tuple[int, float, float]:
    """A rule's SCORE_BOUNDS, or (KEY_NONE, 1.0, 0.0): no bounds, every candidate is scored."""
    return SCORE_BOUNDS.get(rule, (KEY_NONE, 1.0, 0.0))


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
