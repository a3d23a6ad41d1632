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
eps, may declare it with `@bounded(key column, sign, eps)`: a level nobody there has visibility at then
only draws and scores the candidates that could still be among its best few (the k-th highest
lower bound of a score beats every upper bound below it: `narrow_candidates`).
The picks are the same to the bit; a rule without bounds scores every candidate.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..config.registry import PROMOTION_RULES
from .chain_kernels import best_k

# The keys a rule's score bound can name (`rule_key`).
KEY_NONE, KEY_READINESS, KEY_PERFORMANCE, KEY_TENURE = -1, 0, 1, 2
NO_BOUNDS = (KEY_NONE, 1.0, 0.0)
TIE_EPS = 1e-9  # the random tie-break's weight beside a score on the 0-1 scale
TENURE_TIE_EPS = 1e-3  # ... beside tenure in weeks


def bounded(column: int, sign: float, eps: float):
    """Declare on a rule that its score is sign x (key + eps x u), 0 < u < 1, the key named by `column`:
    the bounds travel with the function, so a rule registered in its place under the same name has none
    unless it declares its own."""

    def mark(rule):
        rule.score_bounds = (column, sign, eps)
        return rule

    return mark


def score_bounds(rule: str) -> tuple[int, float, float]:
    """The registered rule's declared bounds, or NO_BOUNDS: every candidate is scored."""
    return getattr(PROMOTION_RULES[rule], "score_bounds", NO_BOUNDS)


@PROMOTION_RULES.register("random")
@njit(cache=True)
def random_rule(cand_slots, cand_offset, cand_n, n_levels, u, readiness, performance, hire_week, week, scores):
    """u: a uniformly random order."""
    for lv in range(n_levels):
        c0 = cand_offset[lv]
        for j in range(cand_n[lv]):
            scores[c0 + j] = u[c0 + j]


@PROMOTION_RULES.register("readiness")
@bounded(KEY_READINESS, 1.0, TIE_EPS)
@njit(cache=True)
def readiness_rule(cand_slots, cand_offset, cand_n, n_levels, u, readiness, performance, hire_week, week, scores):
    """readiness + 1e-9 u: the most ready first (competence weighted by the next level's profile)."""
    for lv in range(n_levels):
        c0 = cand_offset[lv]
        for j in range(cand_n[lv]):
            scores[c0 + j] = readiness[cand_slots[c0 + j]] + TIE_EPS * u[c0 + j]


@PROMOTION_RULES.register("performance")
@bounded(KEY_PERFORMANCE, 1.0, TIE_EPS)
@njit(cache=True)
def performance_rule(cand_slots, cand_offset, cand_n, n_levels, u, readiness, performance, hire_week, week, scores):
    """performance + 1e-9 u: the best last review score first."""
    for lv in range(n_levels):
        c0 = cand_offset[lv]
        for j in range(cand_n[lv]):
            scores[c0 + j] = performance[cand_slots[c0 + j]] + TIE_EPS * u[c0 + j]


@PROMOTION_RULES.register("seniority")
@bounded(KEY_TENURE, 1.0, TENURE_TIE_EPS)
@njit(cache=True)
def seniority_rule(cand_slots, cand_offset, cand_n, n_levels, u, readiness, performance, hire_week, week, scores):
    """tenure in weeks + 1e-3 u: the longest-serving first."""
    for lv in range(n_levels):
        c0 = cand_offset[lv]
        for j in range(cand_n[lv]):
            scores[c0 + j] = np.float64(week - hire_week[cand_slots[c0 + j]]) + TENURE_TIE_EPS * u[c0 + j]


@PROMOTION_RULES.register("worst")
@bounded(KEY_PERFORMANCE, -1.0, TIE_EPS)
@njit(cache=True)
def worst_rule(cand_slots, cand_offset, cand_n, n_levels, u, readiness, performance, hire_week, week, scores):
    """-(performance + 1e-9 u): the lowest last review score first (the "worst" strategy of the
    Peter-principle models)."""
    for lv in range(n_levels):
        c0 = cand_offset[lv]
        for j in range(cand_n[lv]):
            scores[c0 + j] = -(performance[cand_slots[c0 + j]] + TIE_EPS * u[c0 + j])


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
            base[j] = performance[cand_slots[c0 + j]] + TIE_EPS * u[c0 + j]
        order = np.argsort(-base, kind="mergesort")
        half = (n + 1) // 2
        for r in range(n):
            place = 2 * r if r < half else 2 * (n - 1 - r) + 1
            scores[c0 + order[r]] = -np.float64(place)


@njit(inline="always", cache=True)
def rule_key(column, i, readiness, performance, hire_week, week):
    """The key a rule's score bound names (declared with `bounded`), of employee slot i."""
    if column == KEY_READINESS:
        return readiness[i]
    if column == KEY_PERFORMANCE:
        return performance[i]
    return np.float64(week - hire_week[i])  # KEY_TENURE, as the seniority rule computes it


@njit(cache=True)
def narrow_candidates(cand_slots, cand_offset, cand_n, top, vac_starts, visibility, anyone_visible, bounds, readiness,
                      performance, hire_week, week, scratch):
    """Drop the candidates that cannot be promoted this round, before their draws and scores.

    Candidates of level L (below `top`) fill at most k = the open internal seats at L + 1 and above
    (a promotion opens at most one seat one level down). With the rule's bounds (column, sign, eps:
    score = sign x (key + eps x u), 0 < u < 1), each score lies in [lo, hi]: lo = key, hi = key + eps
    (sign -1: lo = -(key + eps), hi = -key), in float64 as the rule rounds them (monotone). The
    k-th highest score is at least K, the k-th highest lo, so a candidate with hi < K is never
    among the best k and is dropped; the others keep their order (ties by position stay ties by
    position). Levels where anyone has visibility keep everyone (the sponsorship shift uses the SD
    of every score), as do levels with a NaN key and rules without bounds (`anyone_visible` False:
    nobody can have visibility, no program runs, so nobody is looked at). Shrinks cand_n in place;
    `scratch` (as long as cand_slots) is overwritten.
    """
    column, sign, eps = bounds
    if column == KEY_NONE:
        return
    n_levels = vac_starts.shape[0] - 1
    for lv in range(top):
        k = vac_starts[n_levels] - vac_starts[lv + 1]
        n = cand_n[lv]
        if n <= k:
            continue
        if k == 0:  # no seat this round can take anyone of this level
            cand_n[lv] = 0
            continue
        c0 = cand_offset[lv]
        visible = False
        for j in range(n if anyone_visible else 0):
            if visibility[cand_slots[c0 + j]] != 0.0:
                visible = True
                break
        if visible:
            continue
        lo = scratch[c0:c0 + n]
        nan = False
        for j in range(n):
            key = rule_key(column, cand_slots[c0 + j], readiness, performance, hire_week, week)
            nan |= key != key
            lo[j] = key if sign > 0 else -(key + eps)
        if nan:
            continue
        kth = lo[best_k(lo, k)[k - 1]]
        kept = 0
        for j in range(n):
            i = cand_slots[c0 + j]
            hi = lo[j] + eps if sign > 0 else -rule_key(column, i, readiness, performance, hire_week, week)
            cand_slots[c0 + kept] = i
            kept += hi >= kth
        cand_n[lv] = kept
