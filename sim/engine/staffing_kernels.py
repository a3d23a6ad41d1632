"""The numba kernels of staffing: vacancy gathers, promotion candidates and scores, the vacancy
chain, new people and times to fill.

Same conventions as `sim.engine.kernels`. Gathers (their output is in slot order), the vacancy chain
(a sequence by construction) and small bookkeeping kernels are serial; per-candidate draws and
new people are per-row `Dual`s. Candidates are scored by the promotion rule
(`sim.engine.promotion_rules`) between `candidate_draws` and `vacancy_chain`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from .kernels import Dual
from .rng import LINEAGE_PROMOTION_SEAT, entity_key, lineage_key, normal_at, uniform_at


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
def _pairwise_block(a, start, n):
    """numpy's pairwise sum of a block of at most 128 values."""
    if n < 8:
        res = -0.0
        for i in range(start, start + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[start], a[start + 1], a[start + 2], a[start + 3]
    r4, r5, r6, r7 = a[start + 4], a[start + 5], a[start + 6], a[start + 7]
    i = 8
    while i < n - n % 8:
        j = start + i
        r0 += a[j]
        r1 += a[j + 1]
        r2 += a[j + 2]
        r3 += a[j + 3]
        r4 += a[j + 4]
        r5 += a[j + 5]
        r6 += a[j + 6]
        r7 += a[j + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[start + i]
        i += 1
    return res


@njit(cache=True)
def pairwise_sum(a):
    """Sum of a 1-D float64 array in numpy's order, so bit-identical to `np.add.reduce(a)`.

    numpy sums blocks of up to 128 values with 8 accumulators and adds halves of longer
    ranges pairwise (the first half a multiple of 8 long). Here the recursion runs on an
    explicit stack (numba's cache cannot hold recursive functions).
    """
    n = a.shape[0]
    if n <= 128:
        return 0.0 + _pairwise_block(a, 0, n)
    starts = np.empty(64, dtype=np.int64)  # ranges still to add up; depth ~ log2(n / 128)
    sizes = np.empty(64, dtype=np.int64)
    stage = np.zeros(64, dtype=np.int64)  # 0: left half next, 1: right half next, 2: both done
    values = np.empty(64)
    depth = 0
    n_values = 0
    starts[0], sizes[0], stage[0] = 0, n, 0
    while depth >= 0:
        start, size = starts[depth], sizes[depth]
        if size <= 128:
            values[n_values] = _pairwise_block(a, start, size)
            n_values += 1
            depth -= 1
            continue
        half = size // 2
        half -= half % 8
        if stage[depth] == 0:
            stage[depth] = 1
            depth += 1
            starts[depth], sizes[depth], stage[depth] = start, half, 0
        elif stage[depth] == 1:
            stage[depth] = 2
            depth += 1
            starts[depth], sizes[depth], stage[depth] = start + half, size - half, 0
        else:
            n_values -= 1
            values[n_values - 1] = values[n_values - 1] + values[n_values]
            depth -= 1
    return 0.0 + values[0]


@njit(cache=True)
def numpy_std(a):
    """`np.std(a)` for a 1-D float64 array, bit for bit (mean, squared deviations, pairwise sums)."""
    n = a.shape[0]
    mean = pairwise_sum(a) / n
    sq = np.empty(n)
    for i in range(n):
        d = a[i] - mean
        sq[i] = d * d
    return np.sqrt(pairwise_sum(sq) / n)


@njit(inline="always", cache=True)
def _below(score_a, index_a, score_b, index_b):
    """Is (score_a, index_a) ranked below (score_b, index_b): a lower score, or equal and a higher index."""
    return score_a < score_b or (score_a == score_b and index_a > index_b)


@njit(cache=True)
def _heap_best_k(scores, k):
    """Indices of the k highest scores (k < len), unordered: a min-heap of the best so far."""
    n = scores.shape[0]
    value = np.empty(k)
    index = np.empty(k, dtype=np.int64)
    for j in range(k):
        c = j
        while c > 0:  # sift up
            parent = (c - 1) // 2
            if not _below(scores[j], j, value[parent], index[parent]):
                break
            value[c], index[c] = value[parent], index[parent]
            c = parent
        value[c], index[c] = scores[j], j
    for j in range(k, n):
        s = scores[j]
        if not s > value[0]:  # a tie with the worst kept: the lower index stays
            continue
        c = 0
        while True:  # sift down from the root
            w = 2 * c + 1
            if w >= k:
                break
            if w + 1 < k and _below(value[w + 1], index[w + 1], value[w], index[w]):
                w += 1
            if not _below(value[w], index[w], s, j):
                break
            value[c], index[c] = value[w], index[w]
            c = w
        value[c], index[c] = s, j
    return index


@njit(cache=True)
def best_k(scores, k):
    """Indices of the k highest scores, best first; equal scores in index order.

    Long arrays are first cut to the scores at or above a threshold that a strided sample
    puts a little below the k-th best (retried lower if fewer than k pass), then a min-heap
    keeps the best k of those. O(n) with a small constant.
    """
    n = scores.shape[0]
    if k >= n:
        return np.argsort(-scores, kind="mergesort")
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    if n >= 4096 and 16 * k <= n:
        m = 1024
        sample = np.empty(m)
        for i in range(m):
            sample[i] = scores[(i * n) // m]
        sample.sort()
        expected = k * m / n  # sampled scores above the k-th best
        r = int(1.5 * expected + 4.0 * np.sqrt(expected)) + 8
        pool = np.empty(n, dtype=np.int64)
        count = 0
        while r < m:
            threshold = sample[m - 1 - r]
            count = 0
            for j in range(n):
                if scores[j] >= threshold:
                    pool[count] = j
                    count += 1
            if count >= k:  # the best k are among these
                break
            r *= 4
        pool = pool[:count] if count >= k else np.arange(n)
    else:
        pool = np.arange(n)
    kept = pool[_heap_best_k(scores[pool], k)] if pool.shape[0] > k else pool
    kept = np.sort(kept)
    return kept[np.argsort(-scores[kept], kind="mergesort")]


class ChainParams(NamedTuple):
    week: int
    key_channel: np.uint64  # a new seat's channel (the vacancy_channel stream)
    next_vid: int  # the id of the first seat a promotion opens
    lowest: int = 1  # fill levels down to this one; the seats promotions open below it stay open, internal


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
def add_chain_seats(slots, vids, levels, departments, keys, week, stays_internal, columns, internal):
    """Write the rows of the seats a vacancy chain opened and left open (already routed: `stays_internal`).
    Serial. Returns the slots of those going outside, in order."""
    outside = np.empty(slots.shape[0], dtype=np.int64)
    n_out = 0
    for j in range(slots.shape[0]):
        _write_seat(slots[j], vids[j], keys[j], levels[j], departments[j], week, columns, internal)
        if not stays_internal[j]:
            outside[n_out] = slots[j]
            n_out += 1
    return outside[:n_out]


@njit(cache=True)
def vacancy_chain(vac_slots, vac_starts, vac_department, vac_opened_week, cand_slots, cand_offset, cand_n,
                  cand_scores, boosted, visibility, department, draw_key, vac_vkey, external_share, p):
    """Fill internal vacancies top-down; every promotion opens a seat one level below. Serial.

    Level by level from the top: the seats are the level's open internal vacancies
    (vac_slots[vac_starts[L]:vac_starts[L + 1]], oldest first) and the seats opened this week by
    promotions into the level above that went to the internal channel, all oldest first and the
    seats of one week by lineage key (`_seat_order`). The k = min(seats,
    candidates) best candidates from the level below take the k oldest seats, best first: by
    their scores (the promotion rule's), each shifted by its visibility times the SD of the
    level's scores when anyone there has visibility (sponsorship). Each promotion opens a seat
    with the next id at the promoted person's old level and department, keyed by its lineage
    (lineage_key(LINEAGE_PROMOTION_SEAT, the promoted person's draw key, old level)); the seat goes
    outside when uniform(vacancy_channel, seat key, 0, 0) < external_share of its level, else it
    waits for the next level's round. Seats left without a candidate go outside.

    Promotions into level L move people from L - 1 to L, so filling the levels above never
    changes who is eligible at L - 1: the candidates of every level are gathered (and scored)
    once, before the chains run.

    The tables are left as they are (cand_scores is overwritten: it is scratch); the caller
    applies the result, which is
      promoted     employee slots, in order of promotion
      seat_level   the level each was promoted into
      seat_dept    the department of the seat taken
      seat_opened  the week that seat opened
      seat_slot    the vacancy's slot, or -1 for a seat opened in this chain
      external     vacancy slots that go outside (open internal seats without a candidate)
      new_vid, new_vkey, new_level, new_dept, new_internal: the seats opened here that stay open
    (new_internal only for internal seats at level p.lowest - 1, which this call does not fill: the
    entry level, which has nobody below, unless a top-down cycle fills one level at a time).
    """
    n_levels = vac_starts.shape[0] - 1
    week = p.week
    open_internal = vac_starts[n_levels] - vac_starts[0]
    bound = max(open_internal * (n_levels - 1), 1)  # a chain has at most one promotion per level
    promoted = np.empty(bound, dtype=np.int64)
    seat_level = np.empty(bound, dtype=np.int64)
    seat_dept = np.empty(bound, dtype=np.int64)
    seat_opened = np.empty(bound, dtype=np.int64)
    seat_slot = np.empty(bound, dtype=np.int64)
    external = np.empty(max(open_internal, 1), dtype=np.int64)
    new_vid = np.empty(bound, dtype=np.int64)
    new_vkey = np.empty(bound, dtype=np.uint64)
    new_level = np.empty(bound, dtype=np.int64)
    new_dept = np.empty(bound, dtype=np.int64)
    new_internal = np.zeros(bound, dtype=np.bool_)
    pending_vid = np.empty(bound, dtype=np.int64)  # seats opened at the level filled next
    pending_vkey = np.empty(bound, dtype=np.uint64)
    pending_dept = np.empty(bound, dtype=np.int64)
    n_pending = n_prom = n_ext = n_new = 0
    vid = p.next_vid
    for lv in range(n_levels - 1, p.lowest - 1, -1):
        a = vac_starts[lv]
        n_old = vac_starts[lv + 1] - a
        n_seats = n_old + n_pending
        if n_seats == 0:
            continue
        c0 = cand_offset[lv - 1]
        cand = cand_slots[c0:c0 + cand_n[lv - 1]]
        k = min(n_seats, cand.shape[0])
        order = np.empty(0, dtype=np.int64)
        if k > 0:
            score = cand_scores[c0:c0 + cand.shape[0]]  # scratch: shifted in place
            if boosted[lv - 1]:
                scale = max(numpy_std(score), 1e-12)
                for j in range(score.shape[0]):
                    score[j] = score[j] + visibility[cand[j]] * scale
            order = best_k(score, k)
        seats = _seat_order(vac_slots[a:a + n_old], vac_opened_week, vac_vkey, pending_vkey[:n_pending], week)
        n_next = 0
        for i in range(k):
            person = cand[order[i]]
            promoted[n_prom] = person
            seat_level[n_prom] = lv
            j = seats[i]
            if j < n_old:
                v = vac_slots[a + j]
                seat_dept[n_prom] = vac_department[v]
                seat_opened[n_prom] = vac_opened_week[v]
                seat_slot[n_prom] = v
            else:
                seat_dept[n_prom] = pending_dept[j - n_old]
                seat_opened[n_prom] = week
                seat_slot[n_prom] = -1
            n_prom += 1
        for i in range(k, n_seats):  # nobody ready inside: these seats go to the market
            j = seats[i]
            if j < n_old:
                external[n_ext] = vac_slots[a + j]
                n_ext += 1
            else:
                new_vid[n_new] = pending_vid[j - n_old]
                new_vkey[n_new] = pending_vkey[j - n_old]
                new_level[n_new] = lv
                new_dept[n_new] = pending_dept[j - n_old]
                n_new += 1
        for i in range(k):  # the seats the promoted leave behind, one level down
            person = cand[order[i]]
            vkey = lineage_key(LINEAGE_PROMOTION_SEAT, draw_key[person], lv - 1)
            if goes_outside(p.key_channel, vkey, external_share[lv - 1]):
                new_vid[n_new] = vid
                new_vkey[n_new] = vkey
                new_level[n_new] = lv - 1
                new_dept[n_new] = department[person]
                n_new += 1
            else:
                pending_vid[n_next] = vid
                pending_vkey[n_next] = vkey
                pending_dept[n_next] = department[person]
                n_next += 1
            vid += 1
        n_pending = n_next
    for j in range(n_pending):
        new_vid[n_new] = pending_vid[j]
        new_vkey[n_new] = pending_vkey[j]
        new_level[n_new] = p.lowest - 1
        new_dept[n_new] = pending_dept[j]
        new_internal[n_new] = True
        n_new += 1
    return (promoted[:n_prom], seat_level[:n_prom], seat_dept[:n_prom], seat_opened[:n_prom], seat_slot[:n_prom],
            external[:n_ext], new_vid[:n_new], new_vkey[:n_new], new_level[:n_new], new_dept[:n_new],
            new_internal[:n_new])


@njit(cache=True)
def _seat_order(old, opened_week, vkey, pending_vkey, week):
    """The order of one level's seats in the chain: `old` (vacancy slots, oldest first, a week's by
    lineage key) and then the pending seats opened this week, with this week's old seats and the
    pending ones merged by lineage key. Returns indices: j < len(old) is old[j], else pending j - len(old).

    By key, not by when in the week a seat opened: that order can differ between two scenarios.
    """
    n_old, n_pending = old.shape[0], pending_vkey.shape[0]
    seats = np.arange(n_old + n_pending)
    if n_pending == 0:
        return seats
    first = n_old  # this week's old seats are the last ones
    while first > 0 and opened_week[old[first - 1]] == week:
        first -= 1
    keys = np.empty(n_old + n_pending - first, dtype=np.uint64)
    for j in range(first, n_old):
        keys[j - first] = vkey[old[j]]
    for j in range(n_pending):
        keys[n_old - first + j] = pending_vkey[j]
    seats[first:] = first + np.argsort(keys, kind="mergesort")
    return seats


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
