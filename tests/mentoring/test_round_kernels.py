"""The compiled steps of an enrollment round (`round_kernels`) and of ties ending (`end_kernels`) give
what the numpy steps they replaced gave, element for element, on random inputs and on a real program."""
from __future__ import annotations

import numpy as np
import pytest

from sim.engine import rng
from sim.engine.model import OrgModel
from sim.mentoring import round_kernels
from sim.mentoring.program import Program
from tests.conftest import make_config


@pytest.mark.parametrize("seed", range(5))
def test_union_waiting_and_order_equal_numpy(seed):
    gen = np.random.default_rng(seed)
    a = np.unique(gen.integers(0, 60, size=gen.integers(0, 30)))
    b = np.unique(gen.integers(0, 60, size=gen.integers(0, 30)))
    assert np.array_equal(round_kernels.union_of_sorted(a, b), np.union1d(a, b))
    # Waiting mentees: some slots hold someone else now, left, or are at a level not allowed; duplicates.
    n_pop = 80
    active = gen.random(n_pop) < 0.8
    eid = np.arange(n_pop, dtype=np.int64) + 1000
    level = gen.integers(0, 4, size=n_pop)
    level_ok = np.array([True, True, False, True])
    slots = gen.integers(0, n_pop, size=40)
    eids = np.where(gen.random(40) < 0.8, eid[slots], -1)
    n = int(gen.integers(0, 41))
    s, e = slots[:n], eids[:n]
    want = np.unique(s[active[s] & (eid[s] == e) & level_ok[level[s]]])
    assert np.array_equal(round_kernels.waiting_mentees(slots, eids, n, active, eid, level, level_ok), want)
    # The order places go in: a stable sort of keyed uniforms, cut at the places left.
    draw_key = gen.integers(0, 2**63, size=n_pop).astype(np.uint64)
    draw_key[5] = draw_key[7]  # equal draws keep their order
    key = rng.stream_key(seed, 3)
    mentees = np.sort(gen.choice(n_pop, size=30, replace=False)).astype(np.int64)
    mentees[:2] = [5, 7]
    order = np.argsort(rng.uniforms(key, draw_key[mentees], 9, 1), kind="stable")
    for places in (0, 4, 30, 2**62):
        got = round_kernels.in_draw_order(mentees, draw_key, key, 9, 1, places)
        assert np.array_equal(got, mentees[order][:places])


@pytest.mark.parametrize("overrides", [(), ("program.mentee_max_tenure_weeks=200", "program.mentee_min_tenure_weeks=20"),
                                       ("program=hipo_leadership",), ("program=sponsorship",)])
def test_eligible_equals_the_numpy_rules(overrides):
    cfg = make_config(*overrides, "sim.horizon_years=3")
    model = OrgModel(cfg, interventions=[Program(p, i) for i, p in enumerate(cfg.programs())])
    prog, pop = model.interventions[0], model.pop
    some = 0
    for week in range(1, 150):
        model.step()
        if week % 10:
            continue
        s = pop.active_slots()
        tenure = model.week - pop.hire_week[s]
        ok = prog.mentee_level_ok[pop.level[s]] & (tenure >= prog.cfg.mentee_min_tenure_weeks)
        if prog.cfg.mentee_max_tenure_weeks is not None:
            ok &= tenure <= prog.cfg.mentee_max_tenure_weeks
        if prog.cfg.mentee_hipo_only:
            ok &= pop.hipo[s]
        if prog.cfg.mentee_groups:
            ok &= np.isin(pop.group[s], [model.org.group_names.index(g) for g in prog.cfg.mentee_groups])
        ok &= ~prog._enrolled(pop.eid[s]) & ~prog.is_mentee[s] & (prog.mentor_load[s] == 0)
        assert np.array_equal(prog.eligible_mentees(model.week), s[ok])
        some += ok.any() and not ok.all()
    assert some >= 3 and prog.rel.n_active > 0  # compared where some were eligible and others not


def test_group_rule_of_eligibility():
    cfg = make_config("sim.horizon_years=1")
    model = OrgModel(cfg, interventions=[Program(p, i) for i, p in enumerate(cfg.programs())])
    model.step()
    prog = model.interventions[0]
    everyone = prog.eligible_mentees(model.week)
    prog.mentee_group_ok[:] = False
    prog.mentee_group_ok[1] = True
    assert np.array_equal(prog.eligible_mentees(model.week), everyone[model.pop.group[everyone] == 1])


def test_due_endings_close_grouped_by_reason_in_row_order():
    from sim.mentoring.end_kernels import close_due
    from sim.mentoring.ties import DUE_ORDER, N_END_CODES

    cfg = make_config("program.enroll_share=1.0", "sim.horizon_years=2")
    model = OrgModel(cfg, interventions=[Program(p, i) for i, p in enumerate(cfg.programs())])
    for _ in range(40):
        model.step()
    prog, rel = model.interventions[0], model.interventions[0].rel
    live = rel.active_slots()
    assert live.size > 8
    code = np.zeros(rel.capacity, dtype=np.int8)
    gen = np.random.default_rng(3)
    code[live] = gen.choice(np.r_[0, DUE_ORDER], size=live.size)
    want = np.concatenate([live[code[live] == reason] for reason in DUE_ORDER])
    want_trust = [float(rel.trust[live[code[live] == reason]].sum()) for reason in DUE_ORDER]
    want_held = [int(rel.held[live[code[live] == reason]].sum()) for reason in DUE_ORDER]
    mentees, n_free = rel.mentee[want].copy(), rel._n_free
    rows, starts, reasons, got_mentees, eids, sums, freed, n_free_after = close_due(
        code, rel.count, N_END_CODES, DUE_ORDER, *prog._close_arrays, rel._n_free)
    assert np.array_equal(rows, want) and np.array_equal(got_mentees, mentees)
    assert np.array_equal(np.diff(starts), [(code[live] == reason).sum() for reason in DUE_ORDER])
    assert np.array_equal(reasons, code[want]) and np.array_equal(eids, rel.mentee_eid[want])
    assert sums[0].tolist() == want_held
    # Each reason's trust summed on its own in row order (as one close_ties call per reason did).
    for g, reason in enumerate(DUE_ORDER):
        part = rel.trust[live[code[live] == reason]]
        total = 0.0
        for t in part:
            total += t
        assert sums[2, g] == total and np.isclose(total, want_trust[g])
    assert n_free_after == n_free + want.size and not rel.active[want].any()
    assert not prog.is_mentee[mentees].any()
    assert np.array_equal(rel._free[n_free:n_free_after], want)  # the free list: rows are reused in this order
