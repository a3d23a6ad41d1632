"""The fixed-capacity structure-of-arrays table: slots, reuse, defaults, capacity, frames."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.engine.org import Vacancies
from sim.engine.population import Population
from sim.engine.table import CapacityError, Column, Table


def make_table(capacity: int = 5) -> Table:
    return Table(
        [
            Column("x", np.int64, -1),
            Column("score", np.float64, 0.5),
            Column("flag", np.bool_, False),
            Column("vec", np.float64, 2.0, width=3),
        ],
        capacity,
    )


def test_columns_are_preallocated_with_defaults_and_dtypes():
    t = make_table(4)
    assert t.x.shape == (4,) and t.x.dtype == np.int64 and np.all(t.x == -1)
    assert t.score.dtype == np.float64 and np.all(t.score == 0.5)
    assert t.flag.dtype == np.bool_
    assert t.vec.shape == (4, 3) and np.all(t.vec == 2.0)
    assert t.count == 0 and t.n_active == 0 and t.active_slots().size == 0


def test_add_fills_values_and_defaults():
    t = make_table()
    slots = t.add(3, x=[10, 11, 12], score=0.9)
    assert slots.tolist() == [0, 1, 2]
    assert t.x[slots].tolist() == [10, 11, 12]
    assert np.all(t.score[slots] == 0.9)
    assert np.all(t.vec[slots] == 2.0)
    assert t.count == 3 and t.n_active == 3
    assert t.active_slots().tolist() == [0, 1, 2]


def test_add_zero_rows():
    t = make_table()
    assert t.add(0).size == 0
    assert t.count == 0


def test_remove_and_add_reuse_slots_without_reallocating():
    t = make_table(6)
    arrays = {name: getattr(t, name) for name in ("x", "score", "flag", "vec", "active")}
    t.add(5, x=np.arange(5))
    t.remove(np.array([3, 1]))
    assert t.n_active == 3
    assert t.active_slots().tolist() == [0, 2, 4]
    reused = t.add(3, x=[100, 101, 102])
    # Freed slots first, in the order they were freed; then a fresh one.
    assert reused.tolist() == [3, 1, 5]
    assert t.count == 6
    for name, array in arrays.items():
        assert getattr(t, name) is array, f"{name} was reallocated"
    assert t.x[[0, 1, 2, 3, 4, 5]].tolist() == [0, 101, 2, 100, 4, 102]


def test_defaults_are_refilled_when_a_slot_is_reused():
    t = make_table(2)
    (slot,) = t.add(1, x=[7])
    t.score[slot] = 3.0
    t.flag[slot] = True
    t.vec[slot] = [9.0, 9.0, 9.0]
    t.remove([slot])
    (again,) = t.add(1)
    assert again == slot
    assert t.x[again] == -1
    assert t.score[again] == 0.5
    assert not t.flag[again]
    assert np.all(t.vec[again] == 2.0)


def test_capacity_error_when_full():
    t = make_table(3)
    t.add(3)
    with pytest.raises(CapacityError):
        t.add(1)
    assert t.n_active == 3 and t.count == 3  # the failed add changed nothing
    t.remove([1])
    assert t.add(1).tolist() == [1]  # a freed slot makes room again
    with pytest.raises(CapacityError):
        t.add(1)


def test_capacity_error_on_oversized_first_add():
    with pytest.raises(CapacityError):
        make_table(2).add(3)


def test_removing_a_dead_row_raises():
    t = make_table()
    t.add(2)
    t.remove([0])
    with pytest.raises(RuntimeError):
        t.remove([0])
    with pytest.raises(RuntimeError):
        t.remove([3])  # never added
    assert t.active_slots().tolist() == [1]


def test_removing_the_same_row_twice_in_one_call_raises():
    t = make_table(4)
    t.add(3)
    with pytest.raises(RuntimeError):
        t.remove(np.array([1, 1]))


def test_free_list_never_hands_out_a_slot_twice():
    t = make_table(8)
    t.add(8)
    rng = np.random.default_rng(0)
    for _ in range(200):
        live = t.active_slots()
        if live.size and rng.random() < 0.5:
            t.remove(rng.choice(live, size=rng.integers(1, live.size + 1), replace=False))
        else:
            free = t.capacity - t.n_active
            if free:
                new = t.add(rng.integers(1, free + 1))
                assert np.unique(new).size == new.size
        assert t.n_active == t.active.sum() <= t.capacity


def test_remove_empty_is_a_no_op():
    t = make_table()
    t.add(2)
    t.remove(np.array([], dtype=np.int64))
    assert t.n_active == 2


def test_frame_columns_and_rows():
    t = make_table()
    t.add(4, x=[1, 2, 3, 4])
    t.vec[2] = [0.1, 0.2, 0.3]
    t.remove([1])
    df = t.frame()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["x", "score", "flag", "vec_0", "vec_1", "vec_2"]
    assert df["x"].tolist() == [1, 3, 4]  # live rows only, in slot order
    assert df.loc[1, ["vec_0", "vec_1", "vec_2"]].tolist() == [0.1, 0.2, 0.3]
    assert df["x"].dtype == np.int64 and df["flag"].dtype == np.bool_
    sub = t.frame(np.array([3, 0]))
    assert sub["x"].tolist() == [4, 1]


def test_population_columns_and_fresh_ids():
    pop = Population(n_competencies=5, capacity=10)
    first = pop.hire(3)
    pop.remove(first[:1])
    second = pop.hire(2)
    assert second.tolist() == [0, 3]  # slot 0 reused
    assert pop.eid[second].tolist() == [3, 4]  # ids are never reused
    df = pop.frame()
    for name in ("eid", "level", "group", "engagement", "competency_0", "competency_4", "participation"):
        assert name in df.columns
    assert "competency_5" not in df.columns
    assert df["engagement"].eq(0.7).all() and df["confidence"].eq(0.6).all()
    assert pop.headcount_by_level(3).tolist() == [4, 0, 0]


def test_vacancies_open_gives_fresh_ids():
    vac = Vacancies(capacity=4)
    a = vac.open(np.array([1, 2]), np.array([0, 0]), np.array([11, 12], dtype=np.uint64), week=5)
    vac.remove(a[:1])
    b = vac.open(np.array([3]), np.array([1]), np.array([2**64 - 1], dtype=np.uint64), week=6)
    assert b.tolist() == [0]
    assert vac.vid[b].tolist() == [2]
    assert vac.vkey[b].tolist() == [2**64 - 1] and vac.vkey[a[1:]].tolist() == [12]  # 64-bit lineage keys
    assert vac.opened_week[b].tolist() == [6]
    assert vac.open_by_level(4).tolist() == [0, 0, 1, 1]


def test_rows_claimed_in_a_kernel_are_the_rows_add_rows_takes():
    """`claim_slots` (what the fused staffing kernels call) takes the slots `add_rows` would, in the
    same order, and `sync` hands the table its new state; a claim past capacity changes nothing and
    `sync` raises."""
    from sim.engine.table import claim_slots

    plain, fused = make_table(6), make_table(6)
    for t in (plain, fused):
        t.add(5)
        t.remove(np.array([3, 1]))
    expected = plain.add_rows(3, written=frozenset())
    slots, n_free, count = claim_slots(fused.active, fused._free, fused._n_free, fused.count, 3)
    fused.sync(n_free, count)
    assert slots.tolist() == expected.tolist() == [3, 1, 5]
    assert (fused.count, fused.n_active) == (plain.count, plain.n_active) == (6, 6)
    assert np.array_equal(fused.active, plain.active)
    slots, n_free, count = claim_slots(fused.active, fused._free, fused._n_free, fused.count, 1)
    assert slots.size == 0 and fused.active.all()
    with pytest.raises(CapacityError):
        fused.sync(n_free, count)
    assert fused.count == 6
