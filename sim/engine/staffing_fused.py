"""The staffing path of a week in few kernel calls: an exit batch, a promotion round and the week's
hires are each applied to the population, the vacancy table and the metric counters by one or two
kernels (a call costs a few microseconds however little it does, which sets the time of a small
organization's week).

Each fused kernel does what the separate kernels of `staffing_kernels`, `chain_kernels`, `rng` and
`table` did one after another, in the same order and with the same arithmetic, so results are the
same to the bit. Three steps stay outside, in `Staffing`: the promotion rule (a registered function,
`sim.engine.promotion_rules`), new people's draws (`people_kernels.new_people`, serial or parallel by
size) and everything numpy computes that a kernel would round differently: the logs of the
time-to-fill uniforms (numpy's vectorized log differs from the scalar one in the last bit) and
readiness (einsum's order of summation). The programs' hooks stay in Python too; the event rows of
exits, promotions and hires, and the hires' roster rows, are written by the kernels (`events.log_events`,
`events.log_people`) into room the caller made (`EventLog.spare`, `Roster.spare`).

Table bookkeeping: a kernel claims rows with `table.claim_slots` and frees them with
`table._release`; it returns the free-list length and high-water mark, which the caller hands to
`Table.sync` (which also raises on a full table or a row freed twice). Serial throughout.
"""
from __future__ import annotations

import numpy as np
from numba import literal_unroll, njit

from .chain_kernels import ChainParams, vacancy_chain
from .events import log_events, log_people
from .kernels import count_flows, count_levels, count_open_seats
from .people_kernels import NewPeopleParams, new_people
from .population import frailty_at
from .promotion_rules import narrow_candidates
from .rng import HIRE_KEY_BIT, LINEAGE_EXIT_SEAT, LINEAGE_HIRE, lineage_key
from .staffing_kernels import (_write_seat, candidate_draws, draws, due_vacancies, open_by_channel, open_seats,
                               promote_rows, promotion_candidates, send_outside)
from .table import _release, claim_slots

_serial_candidate_draws = candidate_draws.serial


@njit(inline="always", cache=True)
def _ttf_uniforms(key_ttf, vkey, vslots, ttf_draws):
    """The time-to-fill uniforms of seats going outside: u[j, i] = uniform(time_to_fill, seat key, 0,
    ttf_draws[j]) of vslots[i] (`staffing_kernels.draws`, as `Staffing.route_external` draws them)."""
    return draws(key_ttf, vkey[vslots], 0, ttf_draws, ttf_draws[:0])[0]


@njit(cache=True)
def separate(leavers, week, flows, period, flow_columns, level, group, participation, hipo, department, draw_key,
             pop_active, pop_free, pop_n_free, vac_active, vac_free, vac_n_free, vac_count, first_vid, seat_columns,
             channels, key_channel, external_share, key_ttf, ttf_draws, eid, hire_week, log):
    """People leave and their seats open: the exits counted in their flow cells (`flow_columns`:
    the exits column, the column of the kind of exit, the regretted column or -1), the rows freed,
    one seat opened per leaver at his or her level and department (ids from `first_vid`, keyed
    lineage_key(LINEAGE_EXIT_SEAT, draw key, 0)) and routed (`goes_outside`; `channels`: the
    internal and external codes). The exits are logged first (`log`: `EventLog.spare`; detail: tenure
    in weeks, from `hire_week`).

    Returns (pop_n_free, vac_n_free, vac_count, outside, u, n_internal): the seats going outside
    (their channel set, their due weeks not yet: `send_outside`, from their time-to-fill uniforms u)
    and how many seats wait for internal promotion.
    """
    to_internal, to_external = channels
    n = leavers.shape[0]
    if log[0] >= 0:
        tenure = np.empty(n, dtype=np.int64)
        for j in range(n):
            tenure[j] = week - hire_week[leavers[j]]
        log_events(log, week, leavers, eid, level, group, tenure)
    column, also, hipo_column = flow_columns
    count_flows(flows, period, leavers, level, group, participation, column, also, hipo, hipo_column)
    pop_n_free = _release(pop_active, pop_free, pop_n_free, leavers)
    vslots, vac_n_free, vac_count = claim_slots(vac_active, vac_free, vac_n_free, vac_count, n)
    if pop_n_free < 0 or vslots.shape[0] < n:  # a bug: Table.sync raises
        return pop_n_free, vac_n_free, vac_count, np.empty(0, dtype=np.int64), np.empty((0, 0)), 0
    keys = np.empty(n, dtype=np.uint64)
    for j in range(n):
        keys[j] = lineage_key(LINEAGE_EXIT_SEAT, draw_key[leavers[j]], 0)
    outside = open_seats(vslots, first_vid, level[leavers], department[leavers], keys, week, key_channel,
                         external_share, seat_columns, to_internal)
    n_out = outside.shape[0]
    for j in range(n_out):
        seat_columns[5][outside[j]] = to_external
    return (pop_n_free, vac_n_free, vac_count, outside, _ttf_uniforms(key_ttf, seat_columns[1], outside, ttf_draws),
            n - n_out)


@njit(cache=True)
def gather_chain(vac_active, vac_count, vac_level, vac_channel, vac_opened_week, vac_vkey, internal, n_levels,
                 pop_active, pop_count, level, level_week, readiness, week, min_weeks, min_readiness, cand_offset,
                 cand_slots, draw_key, visibility, key_promotion, cand_u, parallel_from, anyone_visible, bounds,
                 performance, hire_week, cand_scores):
    """What the vacancy chain needs before the promotion rule scores the candidates: the open
    internal seats by level (`open_by_channel`), every level's candidates (`promotion_candidates`),
    narrowed to those that can still be promoted where the rule's `bounds` allow
    (`narrow_candidates`; cand_scores is its scratch; `anyone_visible`: whether a program runs) and,
    when fewer than `parallel_from`, their tiebreak uniforms (`candidate_draws`; more are drawn by its
    parallel build, by the caller).

    Returns (vac_slots, vac_starts, cand_n, top, boosted, drawn); top = -1 when no internal seat is
    open above the entry level (nothing to do), else the highest level with one.
    """
    vs, vstarts = open_by_channel(vac_active, vac_count, vac_level, vac_channel, vac_opened_week, vac_vkey, internal,
                                  n_levels)
    if vstarts[n_levels] == vstarts[1]:
        return vs, vstarts, np.zeros(n_levels, dtype=np.int64), -1, np.zeros(n_levels, dtype=np.int64), False
    cand_n = promotion_candidates(pop_active, pop_count, level, level_week, readiness, week, min_weeks, min_readiness,
                                  cand_offset, cand_slots)
    top = n_levels - 1
    while vstarts[top + 1] == vstarts[top]:
        top -= 1
    narrow_candidates(cand_slots, cand_offset, cand_n, top, vstarts, visibility, anyone_visible, bounds, readiness,
                      performance, hire_week, week, cand_scores)
    n_draws = 0
    for lv in range(top):
        n_draws += cand_n[lv]
    if n_draws >= parallel_from:
        return vs, vstarts, cand_n, top, np.zeros(n_levels, dtype=np.int64), False
    boosted = _serial_candidate_draws(cand_slots, cand_offset, cand_n, top, draw_key, visibility, key_promotion, week,
                                      cand_u)
    return vs, vstarts, cand_n, top, boosted, True


@njit(cache=True)
def run_chain(vs, vstarts, vac_department, vac_opened_week, cand_slots, cand_offset, cand_n, cand_scores, boosted,
              visibility, department, draw_key, vac_vkey, external_share, chain, boosts, level, level_week, passed_over,
              confidence, engagement, group, participation, hipo, flows, level_stats, period, stat_columns,
              promotions_since_review, vac_active, vac_free, vac_n_free, vac_count, seat_columns, channels, key_ttf,
              ttf_draws, eid, log):
    """The vacancy chain (`chain_kernels.vacancy_chain`, `chain`: its ChainParams as a tuple) and its
    result applied: the promotions
    counted (flow column stat_columns[0] at the level left; promotions in and weeks in level at
    stat_columns[1:3] of the level entered), the promoted moved up (`promote_rows`, `boosts`:
    confidence and engagement), the seats they took counted as internal fills (stat_columns[3:5])
    and closed, the seats the chain left open written (and routed as the chain said). The promotions are
    logged at the new level (`log`: as in `separate`; detail: weeks in the level left).

    Returns (promoted, weeks_in_level, vac_n_free, vac_count, outside, u, n_internal): the seats going
    outside (the chain's own first, then the new ones; channel set, due weeks not yet: `send_outside`,
    from their time-to-fill uniforms u) and how many internal seats are left open (below p.lowest).
    """
    to_internal, to_external = channels
    p = ChainParams(*chain)  # given as a plain tuple: a named one costs microseconds a call to type
    (promoted, seat_level, seat_dept, seat_opened, seat_slot, external, new_vid, new_vkey, new_level, new_dept,
     new_internal) = vacancy_chain(vs, vstarts, vac_department, vac_opened_week, cand_slots, cand_offset, cand_n,
                                   cand_scores, boosted, visibility, department, draw_key, vac_vkey, external_share, p)
    week = p.week
    n = promoted.shape[0]
    to_level = np.empty(n, dtype=np.int64)
    weeks_in_level = np.empty(n, dtype=np.int64)
    for j in range(n):
        i = promoted[j]
        to_level[j] = level[i] + 1
        weeks_in_level[j] = week - level_week[i]
    flow_column, in_column, weeks_column, fills_column, ttf_column = stat_columns
    count_flows(flows, period, promoted, level, group, participation, flow_column, -1, hipo, -1)
    count_levels(level_stats, period, to_level, in_column, weeks_column, weeks_in_level)
    promote_rows(promoted, seat_dept, week, boosts[0], boosts[1], level, department, level_week, passed_over,
                 confidence, engagement)
    log_events(log, week, promoted, eid, level, group, weeks_in_level)
    for j in range(n):
        promotions_since_review[to_level[j]] += 1
    count_levels(level_stats, period, seat_level, fills_column, ttf_column, week - seat_opened)
    n_closed = 0
    for j in range(n):
        n_closed += seat_slot[j] >= 0
    closed = np.empty(n_closed, dtype=np.int64)
    n_closed = 0
    for j in range(n):
        if seat_slot[j] >= 0:
            closed[n_closed] = seat_slot[j]
            n_closed += 1
    vac_n_free = _release(vac_active, vac_free, vac_n_free, closed)
    m = new_vid.shape[0]
    opened, vac_n_free, vac_count = claim_slots(vac_active, vac_free, vac_n_free, vac_count, m)
    if vac_n_free < 0 or opened.shape[0] < m:  # a bug: Table.sync raises
        return promoted, weeks_in_level, vac_n_free, vac_count, np.empty(0, dtype=np.int64), np.empty((0, 0)), 0
    outside = np.empty(external.shape[0] + m, dtype=np.int64)
    outside[:external.shape[0]] = external
    n_out = external.shape[0]
    n_internal = vstarts[p.lowest] - vstarts[0]  # seats below the levels filled: untouched
    for j in range(m):
        _write_seat(opened[j], new_vid[j], new_vkey[j], new_level[j], new_dept[j], week, seat_columns, to_internal)
        if new_internal[j]:
            n_internal += 1
        else:
            outside[n_out] = opened[j]
            n_out += 1
    outside = outside[:n_out]
    for j in range(n_out):
        seat_columns[5][outside[j]] = to_external
    return (promoted, weeks_in_level, vac_n_free, vac_count, outside,
            _ttf_uniforms(key_ttf, seat_columns[1], outside, ttf_draws), n_internal)


@njit(cache=True)
def claim_hires(vac_active, vac_count, vac_channel, vac_due_week, vac_vid, vac_vkey, vac_level, vac_department,
                external, week, pop_active, pop_free, pop_n_free, pop_count, eid, first_eid, routed, log_u, ttf_weeks,
                ttf_scale):
    """The due weeks of this week's seats gone outside (`send_outside`: `routed`, the logs of their
    time-to-fill uniforms); then the external hires due this week (`due_vacancies`, in seat id order)
    get population rows, with the next employee ids, and their draw keys (`rng.hire_keys`: by the
    seat filled).

    Returns (seats, slots, draw_keys, levels, departments, pop_n_free, pop_count); the caller writes
    the new people's columns into the rows.
    """
    send_outside(routed, log_u, vac_level, ttf_weeks, ttf_scale, week, vac_channel, vac_due_week, external)
    vs = due_vacancies(vac_active, vac_count, vac_channel, vac_due_week, vac_vid, external, week)
    n = vs.shape[0]
    slots, pop_n_free, pop_count = claim_slots(pop_active, pop_free, pop_n_free, pop_count, n)
    keys = np.empty(slots.shape[0], dtype=np.uint64)
    for j in range(slots.shape[0]):
        eid[slots[j]] = first_eid + j
        keys[j] = lineage_key(LINEAGE_HIRE, vac_vkey[vs[j]], 0) | HIRE_KEY_BIT
    return vs, slots, keys, vac_level[vs], vac_department[vs], pop_n_free, pop_count


@njit(cache=True)
def settle_hires(slots, vs, draw_keys, week, frailty_key, frailty_sd, frailty, flows, period, flow_column, level,
                 group, participation, hipo, level_stats, stat_columns, vac_level, vac_opened_week, vac_active,
                 vac_free, vac_n_free):
    """The new people written: their frailty (`population.frailty_offsets`), the hires counted (flow
    `flow_column`), the seats counted as external fills (stat_columns: fills, weeks to fill) and
    closed. Returns (weeks each seat was open, vac_n_free)."""
    for j in range(slots.shape[0]):
        frailty[slots[j]] = frailty_at(frailty_key, draw_keys[j], frailty_sd)
    count_flows(flows, period, slots, level, group, participation, flow_column, -1, hipo, -1)
    weeks_open = np.empty(vs.shape[0], dtype=np.int64)
    for j in range(vs.shape[0]):
        weeks_open[j] = week - vac_opened_week[vs[j]]
    count_levels(level_stats, period, vac_level[vs], stat_columns[0], stat_columns[1], weeks_open)
    return weeks_open, _release(vac_active, vac_free, vac_n_free, vs)


_serial_new_people = new_people.serial


@njit(cache=True)
def hire(vac_active, vac_count, vac_channel, vac_due_week, vac_vid, vac_vkey, vac_level, vac_department,
         vac_opened_week, vac_free, vac_n_free, external, week, routed, log_u, ttf_weeks, ttf_scale, pop_active,
         pop_free, pop_n_free, pop_count, eid, first_eid, serial_below, people_key, group_cdf, age_mean, mean_tenure,
         no_values, target, people_params, people_columns, frailty_key, frailty_sd, frailty, flows, period,
         flow_column, participation, hipo, defaults, level_stats, stat_columns, vacancy_weeks_column, other_defaults,
         log, roster):
    """The week's hires in one call: `claim_hires`, then (fewer than `serial_below` hires) the new
    people drawn into their rows (`people_kernels.new_people`, its serial build; `people_params` its
    NewPeopleParams as a plain tuple, `people_columns` its output columns, the population's), the two columns the counts read set to their defaults
    (`defaults`: participation, high potential), every other column a hire does not draw set to its
    default (`other_defaults`: (column, default) pairs, the population's), and `settle_hires` (the
    caller adds readiness); last, the week's open seats counted (`kernels.count_open_seats`, vacancy-weeks
    in column `vacancy_weeks_column`: the hires are the week's last change to the seats); the hires are
    logged (`log`, detail: weeks the seat was open) and noted in the roster (`roster`: `Roster.spare`).
    With more hires only `claim_hires` runs here and the caller does the rest (the parallel build).

    Returns (seats, slots, draw_keys, levels, departments, pop_n_free, pop_count, weeks_open,
    vac_n_free, settled): settled says whether the people were drawn and settled, and the open
    seats counted, here.
    """
    vs, slots, keys, levels, departments, pop_n_free, pop_count = claim_hires(
        vac_active, vac_count, vac_channel, vac_due_week, vac_vid, vac_vkey, vac_level, vac_department, external, week,
        pop_active, pop_free, pop_n_free, pop_count, eid, first_eid, routed, log_u, ttf_weeks, ttf_scale)
    n = vs.shape[0]
    if n >= serial_below or slots.shape[0] < n:  # many (parallel), or a full table (a bug)
        return (vs, slots, keys, levels, departments, pop_n_free, pop_count, np.empty(0, dtype=np.int64),
                vac_n_free, False)
    if n == 0:
        count_open_seats(vac_active, vac_count, vac_level, level_stats[period], vacancy_weeks_column)
        return (vs, slots, keys, levels, departments, pop_n_free, pop_count, np.empty(0, dtype=np.int64),
                vac_n_free, True)
    _serial_new_people(keys, levels, departments, people_key, week, False, group_cdf, age_mean, mean_tenure,
                       no_values, target, NewPeopleParams(*people_params), slots, *people_columns)
    for j in range(n):
        participation[slots[j]] = defaults[0]
        hipo[slots[j]] = defaults[1]
    for column_default in literal_unroll(other_defaults):
        column, default = column_default
        for j in range(n):
            column[slots[j]] = default
    weeks_open, vac_n_free = settle_hires(
        slots, vs, keys, week, frailty_key, frailty_sd, frailty, flows, period, flow_column, people_columns[1],
        people_columns[3], participation, hipo, level_stats, stat_columns, vac_level, vac_opened_week, vac_active,
        vac_free, vac_n_free)
    count_open_seats(vac_active, vac_count, vac_level, level_stats[period], vacancy_weeks_column)
    draw_key, level, department, group, birth_week, _, hire_week, level_week = people_columns[:8]
    log_events(log, week, slots, eid, level, group, weeks_open)
    log_people(roster, week, slots, eid, level, hire_week, level_week, birth_week, group, department, draw_key)
    return vs, slots, keys, levels, departments, pop_n_free, pop_count, weeks_open, vac_n_free, True
