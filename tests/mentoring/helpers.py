"""Shared pieces of the mentoring tests: an instrumented Program and event-log helpers.

`Recording` is a real `sim.mentoring.program.Program` that keeps a copy of every
relationship row as it ends (rows are freed when a tie ends, so their held /
missed counts and trust would otherwise be lost) and of every meeting it holds.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.runs.result import simulate
from sim.mentoring.kernels import (END_COMPLETED, END_DISSOLVED, END_MENTEE_LEFT, END_MENTOR_LEFT, END_PROMOTED,
                         END_REMATCHED)
from sim.mentoring.program import Program

EXIT_KINDS = ("voluntary_exit", "retirement", "involuntary_exit", "cycle_exit")
# The documented codes of mentoring_end events (detail column).
COMPLETED, MENTOR_LEFT, MENTEE_LEFT, PROMOTED, DISSOLVED, REMATCHED = 1, 2, 3, 4, 5, 6
assert (END_COMPLETED, END_MENTOR_LEFT, END_MENTEE_LEFT, END_PROMOTED, END_DISSOLVED, END_REMATCHED) == (
    COMPLETED, MENTOR_LEFT, MENTEE_LEFT, PROMOTED, DISSOLVED, REMATCHED)

ROW_FIELDS = ("pid", "circle", "mentor_eid", "mentee_eid", "start_week", "end_week", "cadence", "held", "missed",
              "quality", "alignment", "trust")


class Recording(Program):
    """A Program that records ended rows (`ended`) and meetings (`meetings`)."""

    def __init__(self, cfg, index):
        super().__init__(cfg, index)
        self._ended_rows: list[dict] = []
        self._meetings: list[dict] = []

    def _rows(self, rows) -> dict:
        rel = self.rel
        return {name: getattr(rel, name)[rows].copy() for name in ROW_FIELDS}

    def _ended(self, order, closed, week):
        rows, reasons = closed[0], closed[2]  # closed and freed, their values not overwritten yet
        rec = self._rows(rows)
        rec["reason"] = reasons.astype(np.int64)
        rec["week"] = np.full(rows.size, week)
        self._ended_rows.append(rec)
        super()._ended(order, closed, week)

    def _tie_week(self, week, effects_now):
        rel, pop = self.rel, self.pop
        rows = rel.active_slots()
        before = self._rows(rows)
        levels = pop.level[rel.mentee[rows]].copy(), pop.level[rel.mentor[rows]].copy()
        out = super()._tie_week(week, effects_now)
        after = self._rows(rows)  # rows are not freed inside _tie_week (the meetings and due endings)
        self._meetings.append({
            "week": np.full(rows.size, week), "pid": before["pid"], "circle": before["circle"],
            "start_week": before["start_week"], "cadence": before["cadence"],
            "d_held": after["held"] - before["held"], "d_missed": after["missed"] - before["missed"],
            "mentor_slot": rel.mentor[rows].copy(), "mentee_level": levels[0], "mentor_level": levels[1],
        })
        return out

    @staticmethod
    def _frame(parts) -> pd.DataFrame:
        if not parts:
            return pd.DataFrame()
        return pd.DataFrame({k: np.concatenate([p[k] for p in parts]) for k in parts[0]})

    @property
    def ended(self) -> pd.DataFrame:
        return self._frame(self._ended_rows)

    @property
    def meetings(self) -> pd.DataFrame:
        """One row per live relationship and week: how many meetings it held / missed that week."""
        frame = self._frame(self._meetings)
        return frame

    def live(self) -> pd.DataFrame:
        """Rows still live (call after the run)."""
        return pd.DataFrame(self._rows(self.rel.active_slots()))


def simulate_with(cfg, cls=Recording):
    """Run `cfg` with its programs as instances of `cls`; returns (result, programs)."""
    programs = [cls(p, i) for i, p in enumerate(cfg.programs())]
    assert programs, "the config runs no program"
    result = simulate(cfg, programs)
    return result, programs


def exit_weeks(events: pd.DataFrame) -> pd.Series:
    """Exit week by employee id."""
    ex = events[events["kind"].isin(EXIT_KINDS)]
    assert not ex["employee"].duplicated().any()
    return ex.set_index("employee")["week"]


def mentoring_spells(events: pd.DataFrame) -> pd.DataFrame:
    """Each mentoring_start paired with the mentoring_end that follows it for the same mentee.

    Columns: mentee, mentor, start, end (NaN while live at the horizon), reason (NaN likewise).
    Asserts that each mentee's events alternate start, end, start, ... in log order.
    """
    ev = events[events["kind"].isin(["mentoring_start", "mentoring_end"])].reset_index(drop=True)
    rows = []
    for mentee, g in ev.groupby("employee", sort=True):
        kinds = g["kind"].astype(str).tolist()
        expected = ["mentoring_start", "mentoring_end"] * (len(kinds) // 2 + 1)
        assert kinds == expected[: len(kinds)], f"mentee {mentee}: events out of order {kinds}"
        weeks, details = g["week"].to_numpy(), g["detail"].to_numpy()
        for i in range(0, len(kinds), 2):
            done = i + 1 < len(kinds)
            rows.append({"mentee": mentee, "mentor": int(details[i]), "start": weeks[i],
                         "end": weeks[i + 1] if done else np.nan, "reason": details[i + 1] if done else np.nan})
    return pd.DataFrame(rows, columns=["mentee", "mentor", "start", "end", "reason"])
