"""The numba kernels of the vacancy chain: who takes which open seat, level by level from the top,
and the exact-order helpers it needs (best k scores; sums and SDs bit-identical to numpy's).

Same conventions as `sim.engine.kernels`; the chain is serial (a sequence by construction).
Candidates are gathered and scored before it (`sim.engine.staffing_kernels`,
`sim.engine.promotion_rules`).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from .rng import LINEAGE_PROMOTION_SEAT, lineage_key
from .staffing_kernels import goes_outside


@njit(inline="always", cache=True)
def _term(a, i, mean, squared):
    """The i-th value summed: a[i], or (a[i] - mean) ** 2 as numpy's std squares it."""
    if squared:
        d = a[i] - mean
        return d * d
    return a[i]


@njit(inline="always", cache=True)
def _pairwise_block(a, start, n, mean, squared):
    """numpy's pairwise sum of a block of at most 128 values (`_term`s)."""
    if n < 8:
        res = -0.0
        for i in range(start, start + n):
            res += _term(a, i, mean, squared)
        return res
    r0, r1 = _term(a, start, mean, squared), _term(a, start + 1, mean, squared)
    r2, r3 = _term(a, start + 2, mean, squared), _term(a, start + 3, mean, squared)
    r4, r5 = _term(a, start + 4, mean, squared), _term(a, start + 5, mean, squared)
    r6, r7 = _term(a, start + 6, mean, squared), _term(a, start + 7, mean, squared)
    i = 8
    while i < n - n % 8:
        j = start + i
        r0 += _term(a, j, mean, squared)
        r1 += _term(a, j + 1, mean, squared)
        r2 += _term(a, j + 2, mean, squared)
        r3 += _term(a, j + 3, mean, squared)
        r4 += _term(a, j + 4, mean, squared)
        r5 += _term(a, j + 5, mean, squared)
        r6 += _term(a, j + 6, mean, squared)
        r7 += _term(a, j + 7, mean, squared)
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += _term(a, start + i, mean, squared)
        i += 1
    return res


@njit(inline="always", cache=True)
def _pairwise(a, mean, squared):
    """numpy's pairwise sum of the `_term`s of a (see `pairwise_sum`)."""
    n = a.shape[0]
    if n <= 128:
        return 0.0 + _pairwise_block(a, 0, n, mean, squared)
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
            values[n_values] = _pairwise_block(a, start, size, mean, squared)
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
def pairwise_sum(a):
    """Sum of a 1-D float64 array in numpy's order, so bit-identical to `np.add.reduce(a)`.

    numpy sums blocks of up to 128 values with 8 accumulators and adds halves of longer
    ranges pairwise (the first half a multiple of 8 long). Here the recursion runs on an
    explicit stack (numba's cache cannot hold recursive functions).
    """
    return _pairwise(a, 0.0, False)


@njit(cache=True)
def numpy_std(a):
    """`np.std(a)` for a 1-D float64 array, bit for bit (mean, squared deviations, pairwise sums).
    The squares are summed as they are computed, in numpy's order, with no array of them."""
    n = a.shape[0]
    mean = _pairwise(a, 0.0, False) / n
    return np.sqrt(_pairwise(a, mean, True) / n)


@njit(inline="always", cache=True)
def _below(score_a, index_a, score_b, index_b):
    """Is (score_a, index_a) ranked below (score_b, index_b): a lower score, or equal and a higher index."""
    return score_a < score_b or (score_a == score_b and index_a > index_b)


@njit(inline="always", cache=True)
def _heap_push(value, index, filled, s, j):
    """Add (s, j) to the min-heap of the best so far (value, index; `filled` of them)."""
    c = filled
    while c > 0:  # sift up
        parent = (c - 1) // 2
        if not _below(s, j, value[parent], index[parent]):
            break
        value[c], index[c] = value[parent], index[parent]
        c = parent
    value[c], index[c] = s, j


@njit(inline="always", cache=True)
def _heap_replace_root(value, index, k, s, j):
    """Put (s, j) in place of the worst kept (the root) and sift it down."""
    c = 0
    while True:
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


@njit(cache=True)
def _heap_best_k(scores, k, threshold, filtered):
    """Indices of the k highest scores (k < len), unordered: a min-heap of the best so far, in one
    pass. With `filtered`, only scores >= threshold are looked at; returns (indices, how many
    passed), and fewer than k passed when the count is below k (the indices are then not the best)."""
    n = scores.shape[0]
    value = np.empty(k)
    index = np.empty(k, dtype=np.int64)
    filled = 0
    for j in range(n):
        s = scores[j]
        if filtered and not s >= threshold:
            continue
        if filled < k:
            _heap_push(value, index, filled, s, j)
            filled += 1
        elif s > value[0]:  # a tie with the worst kept: the lower index stays
            _heap_replace_root(value, index, k, s, j)
    return index[:filled], filled


@njit(cache=True)
def best_k(scores, k):
    """Indices of the k highest scores, best first; equal scores in index order.

    Long arrays are looked at only where a score is at or above a threshold that a strided sample
    puts a little below the k-th best (retried lower if fewer than k pass), in the same pass that
    keeps the best k in a min-heap; so a rising run of scores costs no more than a shuffled one.
    O(n) with a small constant (the threshold is the sample's order statistic, by partition).
    """
    n = scores.shape[0]
    if k >= n:
        return np.argsort(-scores, kind="mergesort")
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    kept = np.empty(0, dtype=np.int64)
    found = False
    if n >= 4096 and 16 * k <= n:
        m = 1024
        sample = np.empty(m)
        for i in range(m):
            sample[i] = scores[(i * n) // m]
        expected = k * m / n  # sampled scores above the k-th best
        r = int(1.5 * expected + 4.0 * np.sqrt(expected)) + 8
        while r < m:
            threshold = np.partition(sample, m - 1 - r)[m - 1 - r]
            kept, count = _heap_best_k(scores, k, threshold, True)
            if count >= k:  # the best k are among the scores that passed
                found = True
                break
            r *= 4
    if not found:
        kept, count = _heap_best_k(scores, k, 0.0, False)
    kept = np.sort(kept)
    return kept[np.argsort(-scores[kept], kind="mergesort")]


class ChainParams(NamedTuple):
    week: int
    key_channel: np.uint64  # a new seat's channel (the vacancy_channel stream)
    next_vid: int  # the id of the first seat a promotion opens
    lowest: int = 1  # fill levels down to this one; the seats promotions open below it stay open, internal


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
