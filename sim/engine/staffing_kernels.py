"""The numba kernels of staffing: vacancy gathers, promotion candidates and their draws, seats
opened and routed, promotions applied, times to fill (the chain itself is `sim.engine.chain_kernels`;
new people `sim.engine.people_kernels`).

Same conventions as `sim.engine.kernels`. Gathers (their output is in slot order) and small
bookkeeping kernels are serial; per-candidate draws are a per-row `Dual`. Candidates are scored by
the promotion rule (`sim.engine.promotion_rules`) between `candidate_draws` and `vacancy_chain`.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .kernels import Dual
from .rng import entity_key, normal_at, uniform_at


@njit(cache=True)
def open_by_channel(active, count, level, channel, opened_week, vkey, wanted, n_levels):
    """Open vacancies of one channel by level, oldest first within a level, seats of one week in
    the order of their lineage keys (not of their ids: ids follow the order of events, which can
    differ between two scenarios for the same seats).

    Returns (slots, starts): the vacancies of level L are slots[starts[L]:starts[L + 1]].
    """
    starts = np.zeros(n_levels + 1, dtype=np.int64)
    for i in range(count):
        if active[i] and channel[i] == wanted:
            starts[level[i] + 1] += 1
    for lv in range(n_levels):
        starts[lv + 1] += starts[lv]
    slots = np.empty(starts[n_levels], dtype=np.int64)
    at = starts[:n_levels].copy()
    for i in range(count):
        if active[i] and channel[i] == wanted:
            slots[at[level[i]]] = i
            at[level[i]] += 1
    for lv in range(n_levels):
        seg = slots[starts[lv]:starts[lv + 1]]
        if seg.shape[0] > 1:
            keys = np.empty(seg.shape[0], dtype=np.uint64)
            weeks = np.empty(seg.shape[0], dtype=np.int64)
            for j in range(seg.shape[0]):
                keys[j] = vkey[seg[j]]
                weeks[j] = opened_week[seg[j]]
            by_key = np.argsort(keys, kind="mergesort")
            seg[:] = seg[by_key[np.argsort(weeks[by_key], kind="mergesort")]]  # stable: keys order a week
    return slots, starts


@njit(cache=True)
def due_vacancies(active, count, channel, due_week, vid, wanted, week):
    """Open vacancies of one channel due by `week`, in id order."""
    n = 0
    for i in range(count):
        if active[i] and channel[i] == wanted and due_week[i] <= week:
            n += 1
    slots = np.empty(n, dtype=np.int64)
    n = 0
    for i in range(count):
        if active[i] and channel[i] == wanted and due_week[i] <= week:
            slots[n] = i
            n += 1
    if n > 1:
        ids = np.empty(n, dtype=np.int64)
        for j in range(n):
            ids[j] = vid[slots[j]]
        slots = slots[np.argsort(ids)]  # ids are unique: any sort is stable
    return slots


@njit(cache=True)
def promotion_candidates(active, count, level, level_week, readiness, week, min_weeks, min_readiness, offset, slots):
    """Everyone eligible for a seat one level up, grouped by level, in slot order.

    Eligible at level L < top: at least `min_weeks` in the level and readiness >= min_readiness[L + 1].
    The candidates of level L are written to slots[offset[L]:offset[L] + n[L]]; returns n. Each
    level's segment must hold one more slot than the level has seats, and offset[top] a scratch
    slot: every row is written somewhere and only eligible ones are kept, so the loop has no
    unpredictable branch (min_readiness has an entry past the top level for the same reason).
    """
    n_levels = offset.shape[0] - 1
    at = offset[:n_levels].copy()
    top = n_levels - 1
    for i in range(count):
        lv = np.int64(level[i])
        ok = active[i] & (lv < top) & (week - level_week[i] >= min_weeks) & (readiness[i] >= min_readiness[lv + 1])
        j = at[lv]
        slots[j] = i
        at[lv] = j + ok
    return at - offset[:n_levels]


def _candidate_draws(cand_slots, cand_offset, cand_n, n_levels, draw_key, visibility, key, week, u):
    """The tiebreak uniform of every candidate of the levels below `n_levels`, next to its slot:
    u = uniform(promotion stream, draw key, week, 0), which the promotion rule
    (`sim.engine.promotion_rules`) turns into scores. Parallel-safe. Returns, per level, how many
    candidates have a visibility boost (sponsorship).
    """
    boosted = np.zeros(cand_n.shape[0], dtype=np.int64)
    for lv in range(n_levels):
        c0 = cand_offset[lv]
        nb = 0
        for j in prange(cand_n[lv]):
            i = cand_slots[c0 + j]
            u[c0 + j] = uniform_at(entity_key(key, draw_key[i]), week, 0)
            if visibility[i] != 0.0:
                nb += 1
        boosted[lv] = nb
    return boosted


candidate_draws = Dual(_candidate_draws)


@njit(inline="always", cache=True)
def goes_outside(key_channel, vkey, share):
    """The routing of a new seat: external hiring when uniform(vacancy_channel, seat key, 0, 0) < the
    external share of its level, else internal promotion."""
    return uniform_at(entity_key(key_channel, vkey), 0, 0) < share


# The vacancy columns `open_seats` writes (any other keeps its default).
SEAT_COLUMNS = frozenset({"vid", "vkey", "level", "department", "opened_week", "channel", "due_week"})


@njit(inline="always", cache=True)
def _write_seat(v, vid, vkey, level, department, week, columns, internal):
    """One open seat's row (`columns`: the vacancy table's vid, vkey, level, department, opened_week,
    channel and due_week), waiting for internal promotion until routed outside."""
    vids, vkeys, levels, departments, opened_week, channel, due_week = columns
    vids[v] = vid
    vkeys[v] = vkey
    levels[v] = level
    departments[v] = department
    opened_week[v] = week
    channel[v] = internal
    due_week[v] = 0


@njit(cache=True)
def open_seats(slots, first_vid, levels, departments, keys, week, key_channel, external_share, columns, internal):
    """Write the rows of newly opened seats (vacancy slots `slots`, ids from `first_vid`) and route each:
    outside (external hiring) when `goes_outside`, else to internal promotion. Serial.

    Returns the slots routed outside, in order; the caller draws their times to fill.
    """
    outside = np.empty(slots.shape[0], dtype=np.int64)
    n_out = 0
    for j in range(slots.shape[0]):
        _write_seat(slots[j], first_vid + j, keys[j], levels[j], departments[j], week, columns, internal)
        if goes_outside(key_channel, keys[j], external_share[levels[j]]):
            outside[n_out] = slots[j]
            n_out += 1
    return outside[:n_out]


@njit(cache=True)
def promote_rows(chosen, departments, week, confidence_boost, engagement_boost, level, department, level_week,
                 passed_over, confidence, engagement):
    """Move `chosen` one level up into seats of `departments`: a new level start, nobody passed over,
    and confidence and engagement raised by the promotion boosts (capped at 1). Serial."""
    for j in range(chosen.shape[0]):
        i = chosen[j]
        level[i] += 1
        department[i] = departments[j]
        level_week[i] = week
        passed_over[i] = 0
        confidence[i] = min(1.0, confidence[i] + confidence_boost)
        engagement[i] = min(1.0, engagement[i] + engagement_boost)


@njit(cache=True)
def draws(key, entities, week, uniform_ks, normal_ks):
    """uniform_at / normal_at of every entity for several draw indices, in one call. Serial.

    Returns (u, z): u[j, i] is uniform draw uniform_ks[j] of entities[i], z[j, i] normal draw
    normal_ks[j]; the same values as `rng.uniforms` / `rng.normals` one index at a time.
    """
    n = entities.shape[0]
    u = np.empty((uniform_ks.shape[0], n))
    z = np.empty((normal_ks.shape[0], n))
    for i in range(n):
        ek = entity_key(key, entities[i])
        for j in range(uniform_ks.shape[0]):
            u[j, i] = uniform_at(ek, week, uniform_ks[j])
        for j in range(normal_ks.shape[0]):
            z[j, i] = normal_at(ek, week, normal_ks[j])
    return u, z


@njit(cache=True)
def send_outside(vslots, log_u, level, ttf_weeks, ttf_scale, week, channel, due_week, external):
    """Vacancies to external hiring: an Erlang time to fill from the logs of its uniforms. Serial.

    ttf = round(-mean / shape x (log u_0 + ... + log u_{shape-1})), mean = ttf_weeks[level] x ttf_scale;
    log_u[j, i] belongs to vslots[i] (numpy's log, as it always was). due_week = week + ttf.
    """
    shape = log_u.shape[0]
    for i in range(vslots.shape[0]):
        v = vslots[i]
        log_sum = 0.0
        for j in range(shape):
            log_sum += log_u[j, i]
        mean = ttf_weeks[level[v]] * ttf_scale
        channel[v] = external
        due_week[v] = week + np.int32(np.rint(-mean / shape * log_sum))
