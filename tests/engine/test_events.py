"""The engine's event log as a frame: each record call's week and kind (kept as scalars) repeated over
its rows, every column of the dtype the run files carry, and an empty log the same columns."""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.engine.events import EVENT_KINDS, EventLog

LEVELS, GROUPS = ["L1", "L2", "L3"], ["a", "b"]


def test_each_record_calls_week_and_kind_cover_its_rows_only():
    log = EventLog()
    log.record("hire", 3, np.array([10, 11]), np.array([0, 1], dtype=np.int8), np.array([1, 0], dtype=np.int8),
               np.array([4, 5]))
    log.record("promotion", 7, np.array([12]), np.array([2]), np.array([1]), np.array([30.5]))
    log.record("voluntary_exit", 9, np.array([], dtype=np.int64), [], [], [])  # nothing to log: no chunk
    log.record("passed_over", 9, [13, 14, 15], [0, 0, 1], [0, 1, 0], [1, 2, 3])
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
    full = EventLog()
    full.record("hire", 1, [1], [0], [0], [2.0])
    off = EventLog(enabled=False)
    off.record("hire", 1, [1], [0], [0], [2.0])
    for log in (EventLog(), off):
        frame = log.frame(LEVELS, GROUPS)
        assert len(frame) == 0
        pd.testing.assert_series_equal(frame.dtypes, full.frame(LEVELS, GROUPS).dtypes)
