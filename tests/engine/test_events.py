"""The engine's event log as a frame: each record call's week and kind over its rows, the people's ids,
levels and groups as they were when recorded, every column of the dtype the run files carry, and an
empty log the same columns; the roster likewise."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from sim.engine.events import EVENT_KINDS, EventLog, Roster

LEVELS, GROUPS = ["L1", "L2", "L3"], ["a", "b"]


def people(eid, level, group, **more):
    """A population's columns by slot (what the log reads)."""
    return SimpleNamespace(eid=np.array(eid, dtype=np.int64), level=np.array(level, dtype=np.int8),
                           group=np.array(group, dtype=np.int8), **more)


def test_each_record_calls_week_and_kind_cover_its_rows_only():
    log = EventLog(capacity=2)  # (grown twice below)
    pop = people([10, 11, 12, 13, 14, 15], [0, 1, 1, 0, 0, 1], [1, 0, 1, 0, 1, 0])
    log.record("hire", 3, pop, np.array([0, 1]), np.array([4, 5], dtype=np.int32))
    pop.level[2] = 2  # the level as it is when recorded
    log.record("promotion", 7, pop, np.array([2]), np.array([30.5]))
    pop.level[2] = 0
    log.record("voluntary_exit", 9, pop, np.array([], dtype=np.int64), [])  # nothing to log
    log.record("passed_over", 9, pop, [3, 4, 5], np.array([1, 2, 3], dtype=np.int16))
    frame = log.frame(LEVELS, GROUPS)
    expected = pd.DataFrame({
        "week": np.array([3, 3, 7, 9, 9, 9], dtype=np.int32),
        "kind": pd.Categorical(["hire", "hire", "promotion", "passed_over", "passed_over", "passed_over"],
                               categories=EVENT_KINDS),
        "employee": np.array([10, 11, 12, 13, 14, 15], dtype=np.int64),
        "level": pd.Categorical(["L1", "L2", "L3", "L1", "L1", "L2"], categories=LEVELS),
        "group": pd.Categorical(["b", "a", "b", "a", "b", "a"], categories=GROUPS),
        "detail": [4.0, 5.0, 30.5, 1.0, 2.0, 3.0],
    })
    pd.testing.assert_frame_equal(frame, expected)


def test_an_empty_or_disabled_log_has_the_same_columns_and_dtypes():
    pop = people([0, 1], [0, 0], [0, 0])
    full = EventLog()
    full.record("hire", 1, pop, [1], [2.0])
    off = EventLog(enabled=False)
    off.record("hire", 1, pop, [1], [2.0])
    for log in (EventLog(), off):
        frame = log.frame(LEVELS, GROUPS)
        assert len(frame) == 0
        pd.testing.assert_series_equal(frame.dtypes, full.frame(LEVELS, GROUPS).dtypes)


def test_the_roster_keeps_people_as_they_joined():
    pop = people([7, 8, 9], [0, 2, 1], [1, 0, 1], hire_week=np.array([5, 6, 7], dtype=np.int32),
                 level_week=np.array([5, 6, 1], dtype=np.int32), birth_week=np.array([-900, -1000, -800], dtype=np.int32),
                 department=np.array([3, 0, 1], dtype=np.int16), draw_key=np.array([2**63 + 5, 1, 2], dtype=np.uint64))
    roster = Roster(capacity=1)
    roster.add(pop, np.array([0]), 5)
    roster.add(pop, np.array([], dtype=np.int64), 6)
    roster.add(pop, np.array([2, 1]), 7)
    pop.level[:] = 0  # later changes do not reach the roster
    frame = roster.frame(LEVELS, GROUPS, ["d0", "d1", "d2", "d3"])
    expected = pd.DataFrame({
        "employee": np.array([7, 9, 8], dtype=np.int64), "joined_week": np.array([5, 7, 7], dtype=np.int32),
        "level": pd.Categorical(["L1", "L2", "L3"], categories=LEVELS),
        "hire_week": np.array([5, 7, 6], dtype=np.int32), "level_week": np.array([5, 1, 6], dtype=np.int32),
        "birth_week": np.array([-900, -800, -1000], dtype=np.int32),
        "group": pd.Categorical(["b", "b", "a"], categories=GROUPS),
        "department": pd.Categorical(["d3", "d1", "d0"], categories=["d0", "d1", "d2", "d3"]),
        "draw_key": np.array([2**63 + 5, 2, 1], dtype=np.uint64),
    })
    pd.testing.assert_frame_equal(frame, expected)
    empty = Roster(enabled=False)
    empty.add(pop, np.array([0]), 5)
    pd.testing.assert_series_equal(empty.frame(LEVELS, GROUPS, ["d0", "d1", "d2", "d3"]).dtypes, frame.dtypes)
