"""The per-employee numba kernels of the weekly path (the exit draw and the review have their own files,
`exit_kernels` and `review_kernels`).

Kernels take arrays and scalars (parameters as NamedTuples of floats), never
objects. Each loop body touches only its own row and draws its randomness from
counter-based streams (`sim.engine.rng`), keyed by the row's `draw_key`, so `prange` loops give bit-identical results
for any thread count. "Parallel-safe" below means exactly that. Parallel-safe
kernels are built twice (`Dual`): serial for small populations, parallel from
PARALLEL_MIN_ROWS rows up.
"""
from __future__ import annotations

import types
from typing import NamedTuple

import numpy as np
from numba import njit, prange

from .rng import entity_key, normal_at

EXIT_NONE, EXIT_VOLUNTARY, EXIT_RETIREMENT, EXIT_INVOLUNTARY, EXIT_CYCLE = 0, 1, 2, 3, 4
# Below this many rows a parallel loop costs more in thread hand-offs than it saves (and
# suffers most when other processes hold the cores), so the serial build runs instead.
PARALLEL_MIN_ROWS = 10_000


def _renamed(fn, suffix: str):
    """A copy of `fn` under another name.

    numba's on-disk cache is keyed by the function's qualified name and bytecode, not by
    its compile options: two builds of one function would share one cache entry, and
    whichever was compiled first would be loaded for both (numba issue #6845).
    """
    clone = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__ + suffix, fn.__defaults__, fn.__closure__)
    clone.__qualname__ = fn.__qualname__ + suffix
    clone.__doc__ = fn.__doc__
    return clone


class Dual:
    """A per-row kernel compiled twice, serial and parallel (`prange` is `range` when serial).

    Both builds compute the same thing row by row with counter-based draws, so the
    choice changes speed only, never results.
    """

    def __init__(self, fn):
        self.serial = njit(cache=True)(fn)
        self.parallel = njit(cache=True, parallel=True)(_renamed(fn, "_parallel"))
        self.__doc__ = fn.__doc__

    def for_size(self, work: int):
        """The build for this much work (rows, or cells of a pair matrix)."""
        return self.parallel if work >= PARALLEL_MIN_ROWS else self.serial

    def __call__(self, active, count, *args):
        # `for_size` written out: a call a week per kernel, where a Python call is a fair part of the time
        return (self.parallel if count >= PARALLEL_MIN_ROWS else self.serial)(active, count, *args)


class DevelopmentParams(NamedTuple):
    growth_per_week: float  # learning rate per year / weeks per year
    stretch: float
    talent_sd: float
    talent_common: float  # sqrt(talent_correlation): weight of the common talent
    talent_own: float  # sqrt(1 - talent_correlation): weight of the competency's own talent (0: one talent)
    decay_factor: float
    noise_sd_week: float
    drift_per_week: float
    state_noise_sd_week: float
    baseline_confidence: float
    baseline_engagement: float
    baseline_belonging: float
    # 1.0: readiness counts competence without the mentoring gains (a program channel switched off)
    unmentored_readiness: float = 0.0
    # 1.0: `market` (what the exit hazard's market pull reads) gets competence without the mentoring
    # gains; 0.0: it is not written (the hazard then reads the competencies themselves)
    unmentored_market_pull: float = 0.0


class HazardParams(NamedTuple):
    first_year_multiplier: float
    first_year_weeks: float
    confidence_effect: float
    engagement_effect: float
    belonging_effect: float
    passed_over_effect: float
    passed_over_cap: float
    market_pull_effect: float
    market_threshold: float  # competence above demand + this pulls people to the market
    baseline_confidence: float
    baseline_engagement: float
    baseline_belonging: float
    retirement_enabled: float  # 1.0 or 0.0


@njit(inline="always", cache=True)
def _clip01(x):
    return min(1.0, max(0.0, x))


@njit(inline="always", cache=True)
def competence_under(profile_row, competency_row):
    """Profile-weighted competence: sum_k w_k c_k."""
    total = 0.0
    for k in range(competency_row.shape[0]):
        total += profile_row[k] * competency_row[k]
    return total


@njit(inline="always", cache=True)
def competence_of(profile, lv, competency, i):
    """competence_under(profile[lv], competency[i]), the same sum, indexed: no row views, whose
    reference counting a branch beside them can leave in a hot loop (several times slower)."""
    total = 0.0
    for k in range(competency.shape[1]):
        total += profile[lv, k] * competency[i, k]
    return total


def _develop(active, count, draw_key, level, talent, talent_own, competency, confidence, engagement, belonging,
            readiness, mentored, unmentored, market, profile, target, next_level, params, key_dev, key_state, week):
    """On-the-job growth, state drift, and readiness, for one week. Parallel-safe. `params`: the fields of
    DevelopmentParams as a plain tuple (numba types it in C; a NamedTuple in Python, ~1.5 us a call).

    gap = t_{L,k} + stretch + talent_sd * talent_k - c_k  (the distance to the personal ceiling;
          t_{L,k} is the level's target for competency k, see Org.target; talent_k = talent when
          talent_own weight is 0, else talent_common * talent + talent_own * talent_own_k)
    c_k += g * K w_{L,k} * gap * (1 if gap > 0 else decay_factor) + s * N(0,1), clipped to [0, 1]
    x   += r * (baseline_x - x) + s_x * N(0,1) for x in confidence, engagement, belonging
    readiness = sum_k w_{L+1,k} c_k
    A mentored person's competencies without the mentoring gains (`unmentored`) grow by the same
    rule and draws, so they stay what a world without those gains would hold; `market` gets them
    (everyone else's competencies) when market pull is not to see the gains.
    """
    p = DevelopmentParams(*params)
    n_comp = competency.shape[1]
    for i in prange(count):
        if not active[i]:
            continue
        lv = level[i]
        ceiling = p.stretch + p.talent_sd * talent[i]
        kd = entity_key(key_dev, draw_key[i])
        is_mentored = mentored[i]
        for k in range(n_comp):
            c = competency[i, k]
            if p.talent_own != 0.0:
                ceiling = p.stretch + p.talent_sd * (p.talent_common * talent[i] + p.talent_own * talent_own[i, k])
            gap = target[lv, k] + ceiling - c
            # Growth toward the personal ceiling; skills above it (noise, mentoring) fade more slowly.
            rate = p.growth_per_week * n_comp * profile[lv, k]
            growth = rate * gap if gap > 0.0 else p.decay_factor * rate * gap
            noise = p.noise_sd_week * normal_at(kd, week, k) if p.noise_sd_week > 0.0 else 0.0
            if p.noise_sd_week > 0.0:
                growth += noise
            competency[i, k] = _clip01(c + growth)
            if is_mentored:
                c0 = unmentored[i, k]
                gap0 = target[lv, k] + ceiling - c0
                growth0 = rate * gap0 if gap0 > 0.0 else p.decay_factor * rate * gap0
                if p.noise_sd_week > 0.0:
                    growth0 += noise
                unmentored[i, k] = _clip01(c0 + growth0)
        ks = entity_key(key_state, draw_key[i])
        noise = p.state_noise_sd_week
        confidence[i] += p.drift_per_week * (p.baseline_confidence - confidence[i])
        engagement[i] += p.drift_per_week * (p.baseline_engagement - engagement[i])
        belonging[i] += p.drift_per_week * (p.baseline_belonging - belonging[i])
        if noise > 0.0:
            confidence[i] += noise * normal_at(ks, week, 0)
            engagement[i] += noise * normal_at(ks, week, 1)
            belonging[i] += noise * normal_at(ks, week, 2)
        confidence[i] = _clip01(confidence[i])
        engagement[i] = _clip01(engagement[i])
        belonging[i] = _clip01(belonging[i])
        readiness[i] = competence_of(profile, next_level[lv], competency, i)
        if p.unmentored_readiness > 0.0 and mentored[i]:
            readiness[i] = competence_of(profile, next_level[lv], unmentored, i)
        if p.unmentored_market_pull > 0.0:
            for k in range(n_comp):
                market[i, k] = unmentored[i, k] if mentored[i] else competency[i, k]


develop = Dual(_develop)


@njit(inline="always", cache=True)
def hazard_before_effects(i, level, hire_week, base_hazard, p, week):
    """h_L * tenure shape: the weekly hazard before the state effects (`weekly_hazard`)."""
    h = base_hazard[level[i]]
    if week - hire_week[i] < p.first_year_weeks:
        h *= p.first_year_multiplier
    return h


@njit(inline="always", cache=True)
def hazard_log_effect(i, level, competency, confidence, engagement, belonging, passed_over, participation,
                      hazard_shift, frailty, profile, demand, participation_effect, p):
    """The sum of state effects, program shift and frailty in the exponent of `weekly_hazard`."""
    lv = level[i]
    above_demand = max(competence_of(profile, lv, competency, i) - demand[lv] - p.market_threshold, 0.0)
    return (
        p.confidence_effect * (confidence[i] - p.baseline_confidence)
        + p.engagement_effect * (engagement[i] - p.baseline_engagement)
        + p.belonging_effect * (belonging[i] - p.baseline_belonging)
        + p.passed_over_effect * min(passed_over[i], p.passed_over_cap)
        + p.market_pull_effect * above_demand
        + participation_effect[participation[i]]
        + hazard_shift[i]
        + frailty[i]
    )


@njit(inline="always", cache=True)
def weekly_hazard(i, level, hire_week, competency, confidence, engagement, belonging, passed_over,
                  participation, hazard_shift, frailty, profile, demand, base_hazard, participation_effect, p, week):
    """h = h_L * tenure shape * exp(sum of state effects + program shift + frailty), per week."""
    return hazard_before_effects(i, level, hire_week, base_hazard, p, week) * np.exp(hazard_log_effect(
        i, level, competency, confidence, engagement, belonging, passed_over, participation, hazard_shift, frailty,
        profile, demand, participation_effect, p))


@njit(cache=True)
def slots_by_code(code, count, n_codes):
    """Slots i < count with code[i] != 0, grouped by code, in slot order within a code.

    Returns (slots, starts): the slots of code c are slots[starts[c]:starts[c + 1]].
    """
    found = np.empty(count, dtype=np.int64)
    m = 0
    for i in range(count):
        if code[i] != 0:
            found[m] = i
            m += 1
    starts = np.zeros(n_codes + 1, dtype=np.int64)
    for j in range(m):
        starts[code[found[j]] + 1] += 1
    for c in range(n_codes):
        starts[c + 1] += starts[c]
    slots = np.empty(m, dtype=np.int64)
    at = starts[:n_codes].copy()
    for j in range(m):
        c = code[found[j]]
        slots[at[c]] = found[j]
        at[c] += 1
    return slots, starts


@njit(cache=True)
def cell_sums(active, count, level, group, participation, competency, confidence, engagement,
              belonging, readiness, hipo, ready_now, n_levels, n_groups, n_part):
    """Sums of state per (level, group, participation) cell. Serial (a reduction).

    Columns: headcount, confidence, engagement, belonging, readiness, hipo,
    ready-now, then one column per competency.
    """
    n_comp = competency.shape[1]
    out = np.zeros((n_levels, n_groups, n_part, 7 + n_comp))
    for i in range(count):
        if not active[i]:
            continue
        row = out[level[i], group[i], participation[i]]
        row[0] += 1.0
        row[1] += confidence[i]
        row[2] += engagement[i]
        row[3] += belonging[i]
        row[4] += readiness[i]
        row[5] += 1.0 if hipo[i] else 0.0
        row[6] += 1.0 if ready_now[i] else 0.0
        for k in range(n_comp):
            row[7 + k] += competency[i, k]
    return out


@njit(cache=True)
def capability_sum(active, count, level, competency, profile, demand, weight):
    """sum over employees of weight_L * competence / demand_L (the capability index numerator)."""
    total = 0.0
    for i in range(count):
        if active[i]:
            lv = level[i]
            total += weight[lv] * competence_under(profile[lv], competency[i]) / demand[lv]
    return total


# ---------------------------------------------------------------------------- metrics


@njit(cache=True)
def count_flows(flows, period, slots, level, group, participation, column, also, hipo, hipo_column):
    """Count people in flow cells: flows[period, level, group, participation, column] += 1 per slot.

    Also in column `also` when it is >= 0, and high potentials also in `hipo_column` when it is
    >= 0. Counts are whole numbers, so the order of the additions does not matter.
    """
    for j in range(slots.shape[0]):
        s = slots[j]
        cell = flows[period, level[s], group[s], participation[s]]
        cell[column] += 1.0
        if also >= 0:
            cell[also] += 1.0
        if hipo_column >= 0 and hipo[s]:
            cell[hipo_column] += 1.0


@njit(cache=True)
def count_levels(stats, period, levels, count_column, sum_column, values):
    """stats[period, level, count_column] += 1 and stats[period, level, sum_column] += value, per item."""
    for j in range(levels.shape[0]):
        row = stats[period, levels[j]]
        row[count_column] += 1.0
        row[sum_column] += values[j]


@njit(cache=True)
def count_open_seats(active, count, level, stats, column):
    """stats[level, column] += 1 for every open seat (vacancy-weeks: whole numbers, so exact in any order)."""
    for i in range(count):
        if active[i]:
            stats[level[i], column] += 1.0
