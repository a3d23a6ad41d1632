"""The event log: typed rows, appended in array chunks, one DataFrame at the end."""
from __future__ import annotations

import numpy as np
import pandas as pd

# Every kind of event the model can log. Programs add theirs through `register_kind`.
EVENT_KINDS = ["hire", "voluntary_exit", "retirement", "involuntary_exit", "cycle_exit", "promotion",
               "passed_over"]
DETAIL = {
    "hire": "weeks the seat was vacant",
    "voluntary_exit": "tenure in weeks",
    "retirement": "tenure in weeks",
    "involuntary_exit": "tenure in weeks",
    "cycle_exit": "tenure in weeks",
    "promotion": "weeks spent in the previous level (level = the new level)",
    "passed_over": "times passed over so far",
}


def register_kind(kind: str, detail: str) -> None:
    """Declare a new event kind (idempotent)."""
    if kind not in EVENT_KINDS:
        EVENT_KINDS.append(kind)
    DETAIL[kind] = detail


class EventLog:
    """Append-only log; `enabled=False` keeps nothing (large sweeps)."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._chunks: list[tuple] = []

    def record(self, kind: str, week: int, employee, level, group, detail) -> None:
        if not self.enabled or len(employee) == 0:
            return
        # week and kind as scalars, repeated once in `frame`: a log gets over a thousand small chunks a
        # run, and two arrays filled per chunk cost more than the rest of recording it
        self._chunks.append((
            week, EVENT_KINDS.index(kind),
            np.asarray(employee, dtype=np.int64), np.asarray(level, dtype=np.int16),
            np.asarray(group, dtype=np.int16), np.asarray(detail, dtype=np.float64),
        ))

    def frame(self, level_names, group_names) -> pd.DataFrame:
        columns = ["week", "kind", "employee", "level", "group", "detail"]
        if not self._chunks:
            parts = [np.zeros(0, dtype=t) for t in (np.int32, np.int16, np.int64, np.int16, np.int16, np.float64)]
        else:
            weeks, kinds, *rows = zip(*self._chunks)
            sizes = [len(employee) for employee in rows[0]]
            parts = [np.repeat(np.array(weeks, dtype=np.int32), sizes),
                     np.repeat(np.array(kinds, dtype=np.int16), sizes), *(np.concatenate(col) for col in rows)]
        data = dict(zip(columns, parts))
        for name, names in (("kind", EVENT_KINDS), ("level", level_names), ("group", group_names)):
            data[name] = pd.Categorical.from_codes(data[name], names)
        return pd.DataFrame(data)  # one frame of finished columns: cheaper than replacing three


class Roster:
    """Everyone who joined during the run (and the starting workforce, joined at week 0), as they
    were on joining: what the event log does not carry (birth, department, time in level at start,
    and the `draw_key` that names the same person in a program world and its twin, where ids of
    later hires can differ). `enabled=False` keeps nothing, like the event log."""

    COLUMNS = ("employee", "joined_week", "level", "hire_week", "level_week", "birth_week", "group", "department",
               "draw_key")

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._chunks: list[tuple] = []

    def add(self, pop, slots, week: int) -> None:
        if not self.enabled or len(slots) == 0:
            return
        self._chunks.append((pop.eid[slots].astype(np.int64), np.full(len(slots), week, dtype=np.int32),
                             pop.level[slots].astype(np.int16), pop.hire_week[slots].copy(),
                             pop.level_week[slots].copy(), pop.birth_week[slots].copy(),
                             pop.group[slots].astype(np.int16), pop.department[slots].astype(np.int16),
                             pop.draw_key[slots].astype(np.uint64)))

    def frame(self, level_names, group_names, department_names) -> pd.DataFrame:
        dtypes = (np.int64, np.int32, np.int16, np.int32, np.int32, np.int32, np.int16, np.int16, np.uint64)
        if not self._chunks:
            parts = [np.zeros(0, dtype=t) for t in dtypes]
        else:
            parts = [np.concatenate(col) for col in zip(*self._chunks)]
        data = dict(zip(self.COLUMNS, parts))
        for name, names in (("level", level_names), ("group", group_names), ("department", department_names)):
            data[name] = pd.Categorical.from_codes(data[name], names)
        return pd.DataFrame(data)
