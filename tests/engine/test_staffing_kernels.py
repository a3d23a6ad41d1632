"""The staffing and metrics kernels against plain numpy references on small cases.

Each kernel must give what the numpy code it replaced gave, bit for bit: gathers in slot
order, numpy's own summation order for standard deviations, top-k with ties in index order.
"""
from __future__ import annotations

import numpy as np
import pytest

from sim.config.registry import PROMOTION_RULES
from sim.engine import chain_kernels, kernels, people_kernels, rng, staffing_kernels
from sim.engine import promotion_rules  # (also fills PROMOTION_RULES)
from sim.engine.org import EXTERNAL, INTERNAL

# the rules that declare score bounds (`promotion_rules.bounded`): the package's readiness, performance,
# seniority and worst
BOUNDED_RULES = sorted(r for r in PROMOTION_RULES if promotion_rules.score_bounds(r) != promotion_rules.NO_BOUNDS)

KEY = rng.stream_key(7, "promotion")


# ---------------------------------------------------------------- numpy's sums


@pytest.mark.parametrize("n", [*range(1, 140), 255, 256, 257, 1000, 4097, 8192, 8193, 65537, 300001])
def test_pairwise_sum_and_std_are_numpys_bit_for_bit(n):
    gen = np.random.default_rng(n)
    a = gen.normal(size=n) * 10.0 ** gen.uniform(-6, 6, size=n) + gen.normal() * 1e3
    assert chain_kernels.pairwise_sum(a) == np.add.reduce(a)
    assert chain_kernels.numpy_std(a) == a.std()
    view = np.concatenate([np.zeros(3), a])[3:]  # a slice that does not start its buffer
    assert chain_kernels.numpy_std(view) == view.std()


# ---------------------------------------------------------------- top k


def _best_k_reference(scores, k):
    return np.lexsort((np.arange(scores.size), -scores))[:k]


def test_best_k_is_the_k_highest_best_first_ties_in_index_order():
    gen = np.random.default_rng(0)
    for trial in range(600):
        n = int(gen.integers(1, 30_000)) if trial % 3 else int(gen.integers(1, 60))
        k = int(gen.integers(0, n + 3)) if trial % 2 else int(gen.integers(1, max(2, n // 50)))
        scores = gen.normal(size=n)
        if trial % 5 == 0:
            scores = np.round(scores, 1)  # many ties, also at the k-th place
        if trial % 7 == 0:
            scores = np.sort(scores)  # rising: every score beats the ones kept so far
        if trial % 11 == 0:
            scores = -np.sort(scores)
        got = chain_kernels.best_k(scores, k)
        assert np.array_equal(got, _best_k_reference(scores, min(k, n))), (n, k)


def test_best_k_when_the_threshold_sample_is_misleading():
    """The sampled positions hold the highest scores: too few pass the first thresholds, which
    are lowered until k do (or everything is kept)."""
    n = 100_000
    scores = np.random.default_rng(9).random(n)
    scores[(np.arange(1024) * n) // 1024] = 2.0
    for k in (1, 50, 1000, 1024, 1025, 3000, 6000):
        assert np.array_equal(chain_kernels.best_k(scores, k), _best_k_reference(scores, k)), k


# ---------------------------------------------------------------- gathers


def test_slots_by_code_groups_nonzero_codes_in_slot_order():
    gen = np.random.default_rng(1)
    code = gen.choice(3, size=5000, p=[0.9, 0.07, 0.03]).astype(np.int8)
    count = 4000
    slots, starts = kernels.slots_by_code(code, count, 3)
    assert starts[1] == 0
    for c in (1, 2):
        assert np.array_equal(slots[starts[c] : starts[c + 1]], np.flatnonzero(code[:count] == c))


def _vacancy_table(gen, n, n_levels):
    active = gen.random(n) < 0.8
    level = gen.integers(0, n_levels, size=n).astype(np.int8)
    channel = gen.integers(0, 2, size=n).astype(np.int8)
    opened = gen.integers(0, 20, size=n).astype(np.int32)
    vid = gen.permutation(10 * n)[:n].astype(np.int64)
    due = gen.integers(0, 40, size=n).astype(np.int32)
    vkey = gen.integers(0, 2**64, size=n, dtype=np.uint64)  # lineage keys: any 64-bit value
    vkey[1] = vkey[0] ^ np.uint64(2**63)  # two keys that differ only in the top bit
    return active, level, channel, opened, vid, due, vkey


def test_open_by_channel_is_oldest_first_then_by_lineage_key_within_each_level():
    gen = np.random.default_rng(2)
    active, level, channel, opened, _, _, vkey = _vacancy_table(gen, 3000, 6)
    count = 2500
    slots, starts = staffing_kernels.open_by_channel(active, count, level, channel, opened, vkey, INTERNAL, 6)
    for lv in range(6):
        vs = np.flatnonzero(active[:count] & (channel[:count] == INTERNAL) & (level[:count] == lv))
        vs = vs[np.lexsort((vkey[vs], opened[vs]))]
        assert np.array_equal(slots[starts[lv] : starts[lv + 1]], vs)


def test_due_vacancies_in_id_order():
    gen = np.random.default_rng(3)
    active, _, channel, _, vid, due, _ = _vacancy_table(gen, 3000, 6)
    vs = np.flatnonzero(active & (channel == EXTERNAL) & (due <= 17))
    expected = vs[np.argsort(vid[vs], kind="stable")]
    assert np.array_equal(staffing_kernels.due_vacancies(active, 3000, channel, due, vid, EXTERNAL, 17), expected)


def test_promotion_candidates_by_level_in_slot_order():
    gen = np.random.default_rng(4)
    n, n_levels, week, min_weeks = 20_000, 6, 100, 52
    seats = np.array([8000, 5000, 3500, 2000, 1000, 500])
    level = np.repeat(np.arange(n_levels), seats).astype(np.int8)
    gen.shuffle(level)
    active = gen.random(n) < 0.95
    level_week = gen.integers(-200, week + 1, size=n).astype(np.int32)
    readiness = gen.random(n)
    min_readiness = np.append(np.array([0.0, 0.2, 0.3, 0.4, 0.5, 0.6]), 0.0)
    offset = np.concatenate(([0], np.cumsum(seats + 1)))
    slots = np.full(int(offset[-1]), -7, dtype=np.int64)
    got = staffing_kernels.promotion_candidates(active, n, level, level_week, readiness, week, min_weeks, min_readiness,
                                       offset, slots)
    for lv in range(n_levels):
        target = min(lv + 1, n_levels - 1)
        ok = active & (level == lv) & (week - level_week >= min_weeks) & (readiness >= min_readiness[target])
        if lv == n_levels - 1:
            ok[:] = False  # nobody above the top
        expected = np.flatnonzero(ok)
        assert got[lv] == expected.size
        assert np.array_equal(slots[offset[lv] : offset[lv] + got[lv]], expected)


@pytest.mark.parametrize("rule", ["random", "readiness", "performance", "seniority"])
def test_candidate_scores_follow_the_rule_in_both_builds(rule):
    """The tiebreak draws (both builds) and the built-in rules' formulas, which predate the registry."""
    gen = np.random.default_rng(5)
    n = 3000
    eid = gen.permutation(10 * n)[:n].astype(np.int64)
    readiness, performance = gen.random(n), gen.normal(size=n)
    hire_week = gen.integers(-500, 50, size=n).astype(np.int32)
    visibility = np.where(gen.random(n) < 0.1, 0.3, 0.0)
    visibility[:1500] = 0.0  # nobody boosted at the first level
    cand_n = np.array([1000, 800, 0])
    cand_offset = np.array([0, 1500, 3000, 3001])
    cand_slots = np.concatenate([np.arange(1000), np.zeros(500, dtype=np.int64), 1500 + np.arange(800),
                                 np.zeros(701, dtype=np.int64)])
    week = 60
    results = []
    for build in (staffing_kernels.candidate_draws.serial, staffing_kernels.candidate_draws.parallel):
        u = np.full(cand_slots.size, np.nan)
        boosted = build(cand_slots, cand_offset, cand_n, 2, eid, visibility, KEY, week, u)
        results.append((u, boosted))
    assert np.array_equal(results[0][0], results[1][0], equal_nan=True)
    assert np.array_equal(results[0][1], results[1][1])
    u_all, boosted = results[0]
    scores = np.full(cand_slots.size, np.nan)
    PROMOTION_RULES[rule](cand_slots, cand_offset, cand_n, 2, u_all, readiness, performance, hire_week, week, scores)
    for lv in (0, 1):
        cand = cand_slots[cand_offset[lv] : cand_offset[lv] + cand_n[lv]]
        u = rng.uniforms(KEY, eid[cand], week, 0)
        assert np.array_equal(u_all[cand_offset[lv] : cand_offset[lv] + cand_n[lv]], u)
        expected = {"random": u, "readiness": readiness[cand] + 1e-9 * u,
                    "performance": performance[cand] + 1e-9 * u,
                    "seniority": (week - hire_week[cand]) + 1e-3 * u}[rule]
        assert np.array_equal(scores[cand_offset[lv] : cand_offset[lv] + cand_n[lv]], expected)
        assert boosted[lv] == np.count_nonzero(visibility[cand])
    assert boosted[0] == 0 and boosted[1] > 0
    assert np.isnan(scores[cand_offset[2]:]).all()  # levels at or above n_levels are left alone


def test_worst_and_alternate_rules_order_by_performance():
    """worst: lowest performance first; alternate: best, worst, second best, second worst, ..."""
    perf = np.array([0.3, -1.2, 2.0, 0.0, 1.1, -0.4, 0.7])
    n = perf.size
    cand_slots = np.concatenate([np.arange(n), [0]])
    cand_offset, cand_n = np.array([0, n + 1]), np.array([n])
    u = np.linspace(0.1, 0.9, n + 1)
    best_first = np.argsort(-perf)
    for rule, expected in (("worst", best_first[::-1]),
                           ("alternate", [best_first[0], best_first[-1], best_first[1], best_first[-2],
                                          best_first[2], best_first[-3], best_first[3]])):
        scores = np.full(n + 1, np.nan)
        PROMOTION_RULES[rule](cand_slots, cand_offset, cand_n, 1, u, np.zeros(n), perf,
                              np.zeros(n, dtype=np.int32), 0, scores)
        for k in range(1, n + 1):  # the chain's top-k, best first: the queue's first k
            assert chain_kernels.best_k(scores[:n], k).tolist() == list(expected[:k])


@pytest.mark.parametrize("rule", BOUNDED_RULES)
def test_score_bounds_hold_every_score_of_the_rule(rule):
    """Each declared bound [lo, hi] (as `narrow_candidates` rounds it) holds the rule's score for
    every tiebreak, the extreme uniforms of the streams included."""
    column, sign, eps = promotion_rules.score_bounds(rule)
    gen = np.random.default_rng(11)
    n = 20_000
    readiness = np.concatenate([gen.random(n - 4), [0.0, 1e-300, 1.0, 7.5]])
    performance = np.concatenate([gen.normal(size=n - 4) * 10.0 ** gen.integers(-12, 3), [0.0, -0.0, -1e-9, 1e-9]])
    hire_week = gen.integers(-2000, 100, size=n).astype(np.int32)
    u = np.concatenate([gen.random(n - 2), [0.5 * 2.0**-53, 1.0 - 0.5 * 2.0**-53]])  # uniform_at's range
    slots = np.arange(n)
    scores = np.empty(n)
    PROMOTION_RULES[rule](slots, np.array([0, n]), np.array([n]), 1, u, readiness, performance, hire_week, 100,
                          scores)
    key = {promotion_rules.KEY_READINESS: readiness, promotion_rules.KEY_PERFORMANCE: performance,
           promotion_rules.KEY_TENURE: (100 - hire_week).astype(np.float64)}[column]
    lo, hi = (key, key + eps) if sign > 0 else (-(key + eps), -key)
    assert (lo <= scores).all() and (scores <= hi).all()


def _chain_inputs(gen, n_levels=5):
    """Candidates of every level (keys with many ties), open seats at each level, visibility at one."""
    room = np.array([3000, 1500, 700, 300, 100])
    cand_offset = np.concatenate(([0], np.cumsum(room + 1)))
    n_people = int(room.sum())
    cand_n = room - gen.integers(0, 50, size=n_levels)
    cand_n[n_levels - 1] = 0
    cand_slots = np.zeros(int(cand_offset[-1]), dtype=np.int64)
    people = gen.permutation(n_people)
    at = 0
    for lv in range(n_levels):
        cand_slots[cand_offset[lv]:cand_offset[lv] + cand_n[lv]] = np.sort(people[at:at + cand_n[lv]])
        at += room[lv]
    readiness = np.round(gen.random(n_people), 2)  # ties at the k-th place
    performance = np.round(gen.normal(size=n_people), 1)
    hire_week = gen.integers(-300, 0, size=n_people).astype(np.int32)
    visibility = np.zeros(n_people)
    visibility[cand_slots[cand_offset[1]:cand_offset[1] + 5]] = 0.4  # level 1 is boosted
    vstarts = np.concatenate(([0], np.cumsum(gen.integers(0, 6, size=n_levels))))
    return cand_slots, cand_offset, cand_n, readiness, performance, hire_week, visibility, vstarts


@pytest.mark.parametrize("rule", ["readiness", "performance", "seniority", "worst", "random", "alternate"])
def test_narrowed_candidates_give_the_same_chain(rule):
    """The vacancy chain on the narrowed candidates promotes the same people into the same seats,
    in the same order, as on every candidate; only levels nobody is visible at are narrowed."""
    n_levels, week = 5, 400
    for trial in range(12):
        gen = np.random.default_rng(100 + trial)
        cand_slots, cand_offset, cand_n, readiness, performance, hire_week, visibility, vstarts = (
            _chain_inputs(gen, n_levels))
        if trial == 3:
            readiness[cand_slots[0]] = np.nan  # a NaN key: the level keeps everyone
        n_seats = int(vstarts[-1])
        vac_slots = np.arange(n_seats)
        vac_department = gen.integers(0, 4, size=n_seats).astype(np.int16)
        vac_opened = gen.integers(week - 30, week + 1, size=n_seats).astype(np.int32)
        vac_vkey = gen.integers(0, 2**64, size=n_seats, dtype=np.uint64)
        department = gen.integers(0, 4, size=readiness.size).astype(np.int16)
        draw_key = gen.integers(0, 2**63, size=readiness.size).astype(np.uint64)
        share = np.array([1.0, 0.3, 0.3, 0.3, 0.3])
        chain = chain_kernels.ChainParams(week, rng.stream_key(1, "vacancy_channel"), 1000, 1)
        top = n_levels - 1
        results = []
        for narrow in (False, True):
            slots, n = cand_slots.copy(), cand_n.copy()
            scores = np.full(slots.size, np.nan)
            if narrow:
                promotion_rules.narrow_candidates(slots, cand_offset, n, top, vstarts, visibility, True,
                                                promotion_rules.score_bounds(rule), readiness, performance,
                                                hire_week, week, scores)
            u = np.full(slots.size, np.nan)
            boosted = staffing_kernels.candidate_draws.serial(slots, cand_offset, n, top, draw_key, visibility, KEY,
                                                              week, u)
            PROMOTION_RULES[rule](slots, cand_offset, n, top, u, readiness, performance, hire_week, week, scores)
            out = chain_kernels.vacancy_chain(vac_slots, vstarts, vac_department, vac_opened, slots, cand_offset, n,
                                              scores, boosted, visibility, department, draw_key, vac_vkey, share,
                                              chain)
            results.append((out, n, boosted))
        (full, n_full, boosted_full), (narrowed, n_narrowed, boosted_narrowed) = results
        assert full[0].size > 0
        for a, b in zip(full, narrowed):
            assert np.array_equal(a, b)
        assert np.array_equal(boosted_full > 0, boosted_narrowed > 0)
        if rule in BOUNDED_RULES and trial != 3:
            assert n_narrowed[0] < n_full[0]  # level 0: nobody visible, narrowed
        if rule not in BOUNDED_RULES:
            assert np.array_equal(n_narrowed, n_full)
        assert n_narrowed[1] == n_full[1]  # somebody visible at level 1: everyone scored
        nobody = cand_n.copy()  # no program: visibility is not looked at
        promotion_rules.narrow_candidates(cand_slots.copy(), cand_offset, nobody, top, vstarts, visibility, False,
                                        promotion_rules.score_bounds(rule), readiness, performance, hire_week, week,
                                        np.empty(cand_slots.size))
        if rule in BOUNDED_RULES and trial != 3:
            assert nobody[1] < n_full[1]


def test_promotion_rules_registry_is_what_the_config_checks():
    assert {"random", "readiness", "performance", "seniority", "worst", "alternate"} <= set(PROMOTION_RULES)
    assert PROMOTION_RULES.kind == "promotion rule"


# ---------------------------------------------------------------- draws and new people


def test_draws_are_the_streams_draws():
    eids = np.array([0, 5, 17, 123456789], dtype=np.int64)
    u, z = staffing_kernels.draws(KEY, eids, 9, np.array([0, 2, 7]), np.array([1, 40]))
    for j, k in enumerate((0, 2, 7)):
        assert np.array_equal(u[j], rng.uniforms(KEY, eids, 9, k))
    for j, k in enumerate((1, 40)):
        assert np.array_equal(z[j], rng.normals(KEY, eids, 9, k))


def _new_people(build, n, initial):
    gen = np.random.default_rng(6)
    n_levels, n_comp = 4, 5
    eids = np.arange(1000, 1000 + n)
    levels = gen.integers(0, n_levels, size=n).astype(np.int8)
    departments = gen.integers(0, 3, size=n).astype(np.int16)
    shares = np.array([[0.6, 0.4], [0.65, 0.35], [0.7, 0.3], [0.75, 0.25]])
    cdf = np.cumsum(shares, axis=1) if initial else np.cumsum(shares[0])[None, :]
    params = people_kernels.NewPeopleParams(52.0, 8.0 if initial else 4.0, 60.0, 7.0, 0.1, 0.05, 1.0, 0.0, 0.08,
                                            0.06, 0.1, 0.6, 0.7, 0.7)
    log_u = np.log(rng.uniforms(KEY, eids, 0, 4)) if initial else np.zeros(0)
    # Rows written in a shuffled order into a larger table: row at[i] is person i.
    rows = n + 7
    at = gen.permutation(rows)[:n]
    out = (np.empty(rows, np.uint64), np.empty(rows, np.int8), np.empty(rows, np.int16), np.empty(rows, np.int8),
           *(np.empty(rows, np.int32) for _ in range(4)), np.empty(rows), np.empty((rows, n_comp)),
           np.empty((rows, n_comp)), np.empty(rows), np.empty(rows), np.empty(rows), np.empty((rows, 3)))
    build(eids.astype(np.uint64), levels, departments, KEY, 10, initial, cdf, np.array([29.0, 33.0, 37.0, 41.0]),
          np.array([3.0, 5.0, 7.0, 9.0]), log_u, gen.random((n_levels, n_comp)), params, at, *out)
    assert np.array_equal(out[0][at], eids) and np.array_equal(out[1][at], levels)
    assert np.array_equal(out[2][at], departments)
    return tuple(column[at] for column in out[3:])


@pytest.mark.parametrize("initial", [True, False])
def test_new_people_serial_and_parallel_builds_agree(initial):
    serial = _new_people(people_kernels.new_people.serial, 2000, initial)
    parallel = _new_people(people_kernels.new_people.parallel, 2000, initial)
    for a, b in zip(serial, parallel):
        assert np.array_equal(a, b)
    (group, birth, retire, hire, level_week, talent, talent_own, competency, confidence, engagement, belonging,
     interest) = serial
    states = np.stack([confidence, engagement, belonging])
    assert np.array_equal(talent_own[:, 3], rng.normals(KEY, np.arange(1000, 3000), 0, 53))
    assert set(np.unique(group)) == {0, 1}
    assert (competency >= 0).all() and (competency <= 1).all() and (states >= 0).all() and (states <= 1).all()
    assert np.array_equal(talent, rng.normals(KEY, np.arange(1000, 3000), 0, 6))
    # Interests: the three normals over their length, exactly as numpy normalizes them.
    raw = np.stack([rng.normals(KEY, np.arange(1000, 3000), 0, 40 + j) for j in range(3)], axis=1)
    assert np.array_equal(interest, raw / np.linalg.norm(raw, axis=1, keepdims=True))
    assert (retire > birth).all()
    if initial:
        assert (hire <= 10).all() and (level_week >= hire).all()
    else:
        assert (hire == 10).all() and (level_week == 10).all()


# ---------------------------------------------------------------- metrics


def test_count_flows_and_levels_match_add_at():
    gen = np.random.default_rng(8)
    n, shape = 500, (3, 4, 2, 3)
    level = gen.integers(0, 4, size=n).astype(np.int8)
    group = gen.integers(0, 2, size=n).astype(np.int8)
    part = gen.integers(0, 3, size=n).astype(np.int8)
    hipo = gen.random(n) < 0.2
    slots = gen.choice(n, size=200, replace=False)
    flows = np.zeros((*shape, 5))
    kernels.count_flows(flows, 1, slots, level, group, part, 0, 3, hipo, 4)
    expected = np.zeros((*shape, 5))
    for column, who in ((0, slots), (3, slots), (4, slots[hipo[slots]])):
        np.add.at(expected[1, ..., column], (level[who], group[who], part[who]), 1)
    assert np.array_equal(flows, expected)
    stats = np.zeros((3, 4, 6))
    values = gen.integers(0, 100, size=200).astype(np.int32)
    kernels.count_levels(stats, 2, level[slots], 1, 5, values)
    expected = np.zeros((3, 4, 6))
    np.add.at(expected[2, :, 1], level[slots], 1)
    np.add.at(expected[2, :, 5], level[slots], values)
    assert np.array_equal(stats, expected)


def test_bounds_travel_with_the_rule_not_its_name(monkeypatch):
    assert BOUNDED_RULES == ["performance", "readiness", "seniority", "worst"]
    # a rule registered in place of a bounded one, under its name, scores otherwise: it must not be narrowed
    monkeypatch.setitem(PROMOTION_RULES, "readiness", promotion_rules.random_rule)
    assert promotion_rules.score_bounds("readiness") == promotion_rules.NO_BOUNDS
