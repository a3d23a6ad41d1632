"""The event log and the roster: typed rows, appended by a kernel to growing arrays, one DataFrame at the end."""
from __future__ import annotations

import numpy as np
import pandas as pd
from numba import njit

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


class Rows:
    """Columns of rows appended in order, in arrays that double when full (a run appends a few rows at
    a time, a thousand times or more: one kernel call each, no arrays made per call). The first `n`
    rows of `columns` hold them (the event log and roster; a program's waiting mentees and alumni)."""

    def __init__(self, dtypes, capacity: int = 256):
        self.columns = tuple(np.empty(capacity, dtype=dtype) for dtype in dtypes)
        self.size = capacity  # rows the columns hold
        self.n = 0

    def room(self, k: int) -> int:
        """Make room for `k` more rows; returns where they start."""
        at = self.spare(k)
        self.n = at + k
        return at

    def took(self, k: int) -> None:
        """`k` rows a kernel wrote after `spare`: it must not have written past the room made."""
        if self.n + k > self.size:
            raise RuntimeError(f"{k} rows written where {self.size - self.n} were set aside")
        self.n += k

    def spare(self, k: int) -> int:
        """Make room for up to `k` more rows without taking them (a kernel writes them, the caller then
        `took` as many as it wrote); returns where they start."""
        at = self.n
        if at + k > self.size:
            self.size = max(2 * self.size, at + k)
            self.columns = tuple(np.concatenate([column[:at], np.empty(self.size - at, dtype=column.dtype)])
                                 for column in self.columns)
        return at

    def taken(self) -> list[np.ndarray]:
        return [column[: self.n].copy() for column in self.columns]


@njit(cache=True)
def _put_events(at, week, kind, slots, eid, level, group, detail, out_week, out_kind, out_employee, out_level,
                out_group, out_detail):
    """Rows at..at + len(slots) of the event columns: the people of `slots` as they are now."""
    for j in range(slots.shape[0]):
        s = slots[j]
        out_week[at + j], out_kind[at + j] = week, kind
        out_employee[at + j], out_level[at + j], out_group[at + j] = eid[s], level[s], group[s]
        out_detail[at + j] = detail[j]


@njit(cache=True)
def _put_people(at, week, slots, eid, level, hire_week, level_week, birth_week, group, department, draw_key,
                out_employee, out_week, out_level, out_hire_week, out_level_week, out_birth_week, out_group,
                out_department, out_draw_key):
    """Rows at..at + len(slots) of the roster columns: the people of `slots` as they join."""
    for j in range(slots.shape[0]):
        s = slots[j]
        out_employee[at + j], out_week[at + j], out_level[at + j] = eid[s], week, level[s]
        out_hire_week[at + j], out_level_week[at + j], out_birth_week[at + j] = hire_week[s], level_week[s], birth_week[s]
        out_group[at + j], out_department[at + j], out_draw_key[at + j] = group[s], department[s], draw_key[s]


@njit(inline="always", cache=True)
def log_events(log, week, slots, eid, level, group, detail):
    """A kernel's event rows: `log` from `EventLog.spare` (first row, kind, the columns; first row -1: the
    log keeps nothing), the people of `slots` read from the population's columns given."""
    at, kind, columns = log
    if at >= 0:
        out_week, out_kind, out_employee, out_level, out_group, out_detail = columns
        _put_events(at, week, kind, slots, eid, level, group, detail, out_week, out_kind, out_employee, out_level,
                    out_group, out_detail)


@njit(inline="always", cache=True)
def log_people(roster, week, slots, eid, level, hire_week, level_week, birth_week, group, department, draw_key):
    """A kernel's roster rows: `roster` from `Roster.spare` (first row, the columns; first row -1: kept
    nothing), the people of `slots` read from the population's columns given."""
    at, columns = roster
    if at >= 0:
        (out_employee, out_week, out_level, out_hire_week, out_level_week, out_birth_week, out_group, out_department,
         out_draw_key) = columns
        _put_people(at, week, slots, eid, level, hire_week, level_week, birth_week, group, department, draw_key,
                    out_employee, out_week, out_level, out_hire_week, out_level_week, out_birth_week, out_group,
                    out_department, out_draw_key)


class EventLog:
    """Append-only log; `enabled=False` keeps nothing (large sweeps)."""

    COLUMNS = ("week", "kind", "employee", "level", "group", "detail")
    DTYPES = (np.int32, np.int16, np.int64, np.int16, np.int16, np.float64)

    def __init__(self, enabled: bool = True, capacity: int = 256):
        self.enabled = enabled
        self._rows = Rows(self.DTYPES, capacity)

    def record(self, kind: str, week: int, pop, slots, detail) -> None:
        """One row per person of `slots` (employee id, level and group read from `pop` now), with `detail`."""
        if not self.enabled or len(slots) == 0:
            return
        slots = np.asarray(slots, dtype=np.int64)
        detail = np.asarray(detail, dtype=np.float64)
        if detail.shape != slots.shape:  # the kernel reads detail[j] for each slot, unchecked
            raise ValueError(f"event {kind!r}: {detail.shape} details for {slots.shape} people")
        at = self._rows.room(slots.size)
        _put_events(at, week, EVENT_KINDS.index(kind), slots, pop.eid, pop.level, pop.group, detail,
                    *self._rows.columns)

    def spare(self, kind: str, most: int) -> tuple:
        """Room for up to `most` rows of `kind` that a kernel writes (`log_events`); the caller then
        `took` the rows written. What the kernel takes: (first row, kind code, the columns)."""
        rows = self._rows
        if not self.enabled:
            return -1, 0, rows.columns
        return rows.spare(most), EVENT_KINDS.index(kind), rows.columns

    def took(self, k: int) -> None:
        """`k` rows written by a kernel at `spare`'s first row."""
        if self.enabled:
            self._rows.took(k)

    def frame(self, level_names, group_names) -> pd.DataFrame:
        data = dict(zip(self.COLUMNS, self._rows.taken()))
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

    DTYPES = (np.int64, np.int32, np.int16, np.int32, np.int32, np.int32, np.int16, np.int16, np.uint64)

    def __init__(self, enabled: bool = True, capacity: int = 256):
        self.enabled = enabled
        self._rows = Rows(self.DTYPES, capacity)

    def add(self, pop, slots, week: int) -> None:
        if not self.enabled or len(slots) == 0:
            return
        slots = np.asarray(slots, dtype=np.int64)
        at = self._rows.room(slots.size)
        _put_people(at, week, slots, pop.eid, pop.level, pop.hire_week, pop.level_week, pop.birth_week, pop.group,
                    pop.department, pop.draw_key, *self._rows.columns)

    def spare(self, most: int) -> tuple:
        """Room for up to `most` rows that a kernel writes (`log_people`); the caller then `took` the
        rows written. What the kernel takes: (first row, the columns)."""
        return (self._rows.spare(most) if self.enabled else -1), self._rows.columns

    def took(self, k: int) -> None:
        """`k` rows written by a kernel at `spare`'s first row."""
        if self.enabled:
            self._rows.took(k)

    def frame(self, level_names, group_names, department_names) -> pd.DataFrame:
        data = dict(zip(self.COLUMNS, self._rows.taken()))
        for name, names in (("level", level_names), ("group", group_names), ("department", department_names)):
            data[name] = pd.Categorical.from_codes(data[name], names)
        return pd.DataFrame(data)
