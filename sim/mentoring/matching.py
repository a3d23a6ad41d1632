"""Matching policies, one registry. A new policy is one function here and one file in configs/matching/
(a greedy one, a weighted sum of the pair scores, is one `greedy_policy` line: `match` then runs its
whole round in one compiled call, `match_kernels.greedy_match`).

Every policy sees the same `Pool` (mentees, mentors with spare capacity, which
pairs are feasible, and the pairwise scores) and returns, for each mentee, the
index of its mentor in the pool or -1. Match quality (in [0, 1]) is the
weighted mean of skill complementarity, interest similarity and same group; it
sets each relationship's goal alignment and initial trust, and is the
"predicted benefit" that `optimal` maximizes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config.registry import MATCHING_POLICIES
from ..engine import rng
from .kernels import PairWeights, greedy_assign, pair_scores, sample_columns, weakest
from .match_kernels import GreedyScore, greedy_match

# name -> policy(pool) -> chosen mentor column per mentee; owned by the config layer, which checks names.
POLICIES = MATCHING_POLICIES
# Complementarity saturates when the mentor leads by this much on each focus competency.
FULL_GAP = 0.2
# Upper bound on numbers of matrix cells built at once (memory: cells x K x 8 bytes).
MAX_CELLS = 4_000_000
# Candidate samples are keyed by block under entity ids no employee has; a mentor pool sampled
# straight from the population (Program._mentor_pool) by the one just below.
SAMPLE_ENTITY_BASE = 1 << 62
SAMPLE_POOL_ENTITY = SAMPLE_ENTITY_BASE - 1
# A greedy round runs the parallel build of `greedy_match` only when a block has this many cells.
# Its scores cost about a nanosecond or two a pair (vector code), so a default block (200 mentees x
# 400 sampled mentors) takes about 0.1 ms, no more than waking the threads: in a run of 10,000
# employees a cohort launch took 1.5-2.1 ms wall parallel against 1.0-1.1 ms serial (a loaded
# 2-core machine). Either build gives the same pairs.
MATCH_PARALLEL_MIN_CELLS = 1_000_000


def policy(name: str):
    """Register a matching policy under `name` (one function and one `configs/matching/` file)."""
    return POLICIES.register(name)


@dataclass
class Pool:
    """One matching round: mentees (rows) x mentors (columns)."""

    mentees: np.ndarray  # slots
    mentors: np.ndarray  # slots
    capacity: np.ndarray  # spare places per mentor
    feasible: np.ndarray  # (rows, cols) bool
    skill: np.ndarray  # (rows, cols) complementarity in [0, 1]
    similarity: np.ndarray  # (rows, cols) interest similarity in [0, 1]
    same_group: np.ndarray  # (rows, cols) bool
    quality: np.ndarray  # (rows, cols) in [0, 1]
    random: np.ndarray  # (rows, cols) uniform, keyed by both ids and the week
    order: np.ndarray  # a random order of the rows, for greedy policies


def focus_mask(pop, org, mentees, n_focus: int, fixed: np.ndarray | None) -> np.ndarray:
    """Each mentee's focus competencies: the n weakest, weighted by the next level's profile."""
    if fixed is not None:
        return np.broadcast_to(fixed, (len(mentees), pop.n_competencies)).copy()
    return weakest(mentees, pop.level, pop.competency, org.profile, org.next_level, n_focus)


def pair_weights(program) -> PairWeights:
    """The weights and rules of pair scores (`kernels._pair_scores`) for a program."""
    m = program.matching
    total = m.skill_weight + m.similarity_weight + m.same_group_weight
    return PairWeights(m.skill_weight / total, m.similarity_weight / total, m.same_group_weight / total, FULL_GAP,
                       float(program.min_level_gap), float(program.format == "reverse"),
                       float(program.mentor_other_department))


def build_pool(pop, org, program, mentees, mentors, capacity, key, week: int, reverse_mask) -> Pool:
    """Score every mentee-mentor pair of one block (one kernel pass, `pair_scores`)."""
    mask = focus_mask(pop, org, mentees, program.matching.n_focus, reverse_mask)
    scores = pair_scores.for_size(len(mentees) * len(mentors))
    skill, similarity, same_group, quality, feasible, random = scores(
        mentees, mentors, pop.draw_key, pop.level, pop.group, pop.department, pop.competency, pop.interest, mask,
        pair_weights(program), key, week)
    order = np.argsort(rng.uniforms(key, pop.draw_key[mentees], week, 1), kind="stable")
    return Pool(mentees, mentors, capacity.astype(np.int64), feasible, skill, similarity, same_group, quality,
                random, order)


def assign_greedy(pool: Pool, score: np.ndarray) -> np.ndarray:
    """Mentees in random order each take their best feasible mentor with a free place."""
    return greedy_assign(np.ascontiguousarray(score, dtype=np.float64), pool.feasible, pool.capacity.copy(),
                         pool.order)


def assign_optimal(pool: Pool, score: np.ndarray) -> np.ndarray:
    """Maximum total score under capacities: linear_sum_assignment on mentors repeated by capacity."""
    n_rows = len(pool.mentees)
    columns = np.repeat(np.arange(len(pool.mentors)), pool.capacity)
    choice = np.full(n_rows, -1, dtype=np.int64)
    if columns.size == 0 or n_rows == 0:
        return choice
    # Infeasible cells cost more than any feasible matching can gain, so they are used only when forced.
    big = 1.0 + 2.0 * n_rows * (np.abs(score).max() + 1.0)
    benefit = np.where(pool.feasible[:, columns], score[:, columns], -big)
    from scipy.optimize import linear_sum_assignment  # here: scipy.optimize takes ~0.25 s to import

    rows, cols = linear_sum_assignment(benefit, maximize=True)
    ok = pool.feasible[rows, columns[cols]]
    choice[rows[ok]] = columns[cols[ok]]
    return choice


def greedy_policy(name: str, doc: str, **weights: float):
    """Register a greedy policy: mentees in random order each take the feasible mentor with a free
    place scoring highest on the weighted sum `weights` of the pair scores (`GreedyScore`)."""
    score = GreedyScore(**weights)

    def greedy(pool: Pool) -> np.ndarray:
        return assign_greedy(pool, score.of(pool))

    greedy.__doc__, greedy.__name__, greedy.greedy_score = doc, f"{name}_policy", score
    return policy(name)(greedy)


random_policy = greedy_policy("random", "Any feasible mentor, at random (the usual 'assigned by HR' baseline).",
                              random=1.0)
skill_gap_policy = greedy_policy("skill_gap", "The mentor who leads most on the mentee's weakest competencies.",
                                 skill=1.0, random=1e-6)
affinity_policy = greedy_policy("affinity", "Similar interests and the same group: the pairs people would choose "
                                "themselves.", similarity=0.5, same_group=0.5, random=1e-6)


@policy("cross_group")
def cross_group_policy(pool: Pool) -> np.ndarray:
    """As many cross-group pairs as capacity allows (sponsorship across groups), then quality."""
    bonus = float(len(pool.mentees) + 1)  # one more cross-group pair outweighs any quality total
    return assign_optimal(pool, bonus * (~pool.same_group) + pool.quality)


@policy("optimal")
def optimal_policy(pool: Pool) -> np.ndarray:
    """Globally maximal total match quality under mentor capacities."""
    return assign_optimal(pool, pool.quality)


def match(pop, org, program, mentees, mentors, capacity, key, week: int, reverse_mask=None):
    """Run the program's policy over blocks of mentees; returns (mentee slots, mentor slots, quality)."""
    m = program.matching
    fn = POLICIES[m.policy]
    greedy_score = getattr(fn, "greedy_score", None)
    if greedy_score is not None:
        fixed = np.zeros(0, dtype=np.bool_) if reverse_mask is None else reverse_mask
        cells = min(len(mentees), m.block_size) * min(len(mentors), m.candidates or len(mentors))  # a block's
        build = greedy_match.parallel if cells >= MATCH_PARALLEL_MIN_CELLS else greedy_match.serial
        return build(mentees, mentors, capacity, pop.draw_key, pop.level, pop.group, pop.department, pop.competency,
                     pop.interest, org.profile, org.next_level, fixed, m.n_focus, tuple(pair_weights(program)),
                     tuple(greedy_score), key, week, m.block_size, m.candidates, MAX_CELLS, SAMPLE_ENTITY_BASE)
    return match_blocks(pop, org, program, fn, mentees, mentors, capacity, key, week, reverse_mask)


def match_blocks(pop, org, program, fn, mentees, mentors, capacity, key, week: int, reverse_mask):
    """`match` block by block in Python, with any policy function `fn` (what `greedy_match` does in
    one call for a greedy policy)."""
    m = program.matching
    out_e, out_m, out_q = [], [], []
    # Mentors by level: the mentors senior (or, in reverse mentoring, junior) enough for a
    # block's least demanding mentee are then one contiguous range.
    mentor_level = pop.level[mentors]
    capacity = capacity.astype(np.int64)
    if mentor_level.size > 1 and (mentor_level[1:] < mentor_level[:-1]).any():  # not grouped by level yet
        by_level = np.argsort(mentor_level, kind="stable")
        mentors, capacity, mentor_level = mentors[by_level], capacity[by_level], mentor_level[by_level]
    # Large pools: each block of mentees sees a random sample of the mentors with spare places,
    # big enough to seat the block three times over, so matching costs O(mentees x sample).
    mean_cap = max(float(capacity.mean()), 1.0) if capacity.size else 1.0
    sample = 0 if m.candidates == 0 else max(m.candidates, int(np.ceil(3 * m.block_size / mean_cap)))
    block = max(1, min(m.block_size, MAX_CELLS // max(min(len(mentors), sample or len(mentors)), 1)))
    mentees = mentees[np.argsort(pop.level[mentees], kind="stable")]
    reverse = program.format == "reverse"
    taken = np.zeros(len(mentors), dtype=np.bool_)
    for b, start in enumerate(range(0, len(mentees), block)):
        rows = mentees[start:start + block]
        if reverse:
            lo, hi = 0, int(np.searchsorted(mentor_level, int(pop.level[rows].max()) - program.min_level_gap, "right"))
        else:
            lo, hi = int(np.searchsorted(mentor_level, int(pop.level[rows].min()) + program.min_level_gap)), len(mentors)
        if hi <= lo:
            continue
        if sample and hi - lo > sample:
            block_key = np.uint64(rng.entity_key(key, SAMPLE_ENTITY_BASE + b))
            cols = sample_columns(capacity, lo, hi, sample, block_key, week, taken)
        else:
            cols = lo + np.flatnonzero(capacity[lo:hi] > 0)
        if cols.size == 0:
            continue
        pool = build_pool(pop, org, program, rows, mentors[cols], capacity[cols], key, week, reverse_mask)
        choice = fn(pool)
        got = np.flatnonzero(choice >= 0)
        out_e.append(rows[got])
        out_m.append(pool.mentors[choice[got]])
        out_q.append(pool.quality[got, choice[got]])
        np.subtract.at(capacity, cols[choice[got]], 1)
    if not out_e:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    return np.concatenate(out_e), np.concatenate(out_m), np.concatenate(out_q)
