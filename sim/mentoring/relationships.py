"""Mentoring relationships as arrays: one row per mentor-mentee tie (a circle is rows sharing `circle`)."""
from __future__ import annotations

import numpy as np

from .kernels import (END_COMPLETED, END_DISSOLVED, END_MENTEE_LEFT, END_MENTOR_LEFT, END_PROMOTED,
                       END_REMATCHED)
from ..engine.table import Column, Table

END_REASONS = {
    END_COMPLETED: "completed",
    END_MENTOR_LEFT: "mentor_left",
    END_MENTEE_LEFT: "mentee_left",
    END_PROMOTED: "promoted",
    END_DISSOLVED: "dissolved",
    END_REMATCHED: "rematched",
}
PHASES = ("initiation", "cultivation", "separation", "redefinition")  # Kram (1985)


def relationship_columns() -> list[Column]:
    return [
        Column("pid", np.int64, -1, doc="relationship id, unique within the program"),
        Column("circle", np.int64, -1, doc="meeting group: the pid for one-to-one, shared in a circle"),
        Column("mentor", np.int64, -1, doc="mentor's population slot"),
        Column("mentee", np.int64, -1, doc="mentee's population slot"),
        Column("mentor_eid", np.int64, -1, doc="mentor's employee id"),
        Column("mentee_eid", np.int64, -1, doc="mentee's employee id"),
        Column("start_week", np.int32, 0, doc="week matched"),
        Column("end_week", np.int32, 0, doc="planned end"),
        Column("cadence", np.int32, 4, doc="weeks between meetings"),
        Column("next_meeting", np.int32, 0, doc="week of the next scheduled meeting"),
        Column("held", np.int32, 0, doc="meetings held"),
        Column("missed", np.int32, 0, doc="meetings missed"),
        Column("quality", np.float64, 0.0, doc="match quality at matching, 0-1"),
        Column("alignment", np.float64, 0.0, doc="goal alignment, 0-1"),
        Column("trust", np.float64, 0.0, doc="trust, 0-1"),
        Column("mentoring_skill", np.float64, 1.0, doc="mentor's effectiveness multiplier"),
        Column("phase", np.int8, 0, doc="Kram phase: 0 initiation, 1 cultivation"),
        Column("end_reason", np.int8, 0, doc="set when the relationship ends (see END_REASONS)"),
    ]


class Relationships(Table):
    """Live relationships of one program; a row is freed when the tie ends."""

    def __init__(self, capacity: int):
        super().__init__(relationship_columns(), capacity, id_column="pid")
