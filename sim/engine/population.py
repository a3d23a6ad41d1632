"""Population: the employee arrays, declared once.

Ages, tenures and time in level are stored as the week they started counting
(birth, hire, last level change), so no array has to be touched every week just
to make people older; `age_years`, `tenure_weeks` and `weeks_in_level` derive them.
"""
from __future__ import annotations

import numpy as np

from .table import Column, Table

NONE, MENTEE, MENTOR = 0, 1, 2  # participation labels, in schema.PARTICIPATION_LABELS order


def employee_columns(n_competencies: int) -> list[Column]:
    """Every per-employee state variable: name, dtype, default, meaning."""
    return [
        Column("eid", np.int64, -1, doc="employee id, unique over the run, never reused"),
        Column("draw_key", np.uint64, 0, doc="entity of every draw for this person (rng): the id for the "
                                             "starting staff, the seat's lineage for a hire"),
        Column("level", np.int8, 0, doc="level index, 0 = entry"),
        Column("department", np.int16, 0, doc="department index"),
        Column("group", np.int8, 0, doc="demographic group index"),
        Column("birth_week", np.int32, 0, doc="week of birth (negative: before the run)"),
        Column("hire_week", np.int32, 0, doc="week hired"),
        Column("level_week", np.int32, 0, doc="week the current level started"),
        Column("retire_week", np.int32, 2**31 - 1, doc="planned retirement week"),
        Column("competency", np.float64, 0.0, width=n_competencies, doc="competencies on a 0-1 scale"),
        Column("talent", np.float64, 0.0, doc="persistent learning ability, a z-score drawn at hire"),
        Column("talent_own", np.float64, 0.0, width=n_competencies,
               doc="competency-specific talent z-scores (used when development.talent_correlation < 1)"),
        Column("confidence", np.float64, 0.6, doc="self-efficacy, 0-1"),
        Column("engagement", np.float64, 0.7, doc="engagement, 0-1"),
        Column("belonging", np.float64, 0.7, doc="sense of belonging, 0-1"),
        Column("performance", np.float64, 0.0, doc="last review score, in SDs within level"),
        Column("readiness", np.float64, 0.0, doc="competence under the next level's profile"),
        Column("hipo", np.bool_, False, doc="flagged high potential at the last review"),
        Column("passed_over", np.int16, 0, doc="times passed over while ready"),
        Column("participation", np.int8, NONE, doc="first program role: 0 none, 1 mentee, 2 mentor"),
        Column("interest", np.float64, 0.0, width=3, doc="unit vector of interests and style (matching)"),
        Column("hazard_shift", np.float64, 0.0, doc="log-hazard added by programs this week"),
        Column("visibility", np.float64, 0.0, doc="promotion-score boost from sponsorship, in SDs"),
        Column("mentored", np.bool_, False, doc="a program changed this person's competencies (since joining)"),
        Column("unmentored_competency", np.float64, 0.0, width=n_competencies,
               doc="competencies as they would be without the mentoring gains (set once `mentored`)"),
    ]


class Population(Table):
    """All employees, past slots reused; `eid` identifies a person across the run.

    Ids are handed out in order of arrival, so after two scenarios diverge the same person
    can carry different ids in each; random draws are therefore keyed by `draw_key`, which
    follows the person's lineage (`rng.hire_keys`) and is the same in every scenario that
    hired him or her into the same seat.
    """

    def __init__(self, n_competencies: int, capacity: int, weeks_per_year: int = 52):
        super().__init__(employee_columns(n_competencies), capacity, id_column="eid")
        self.n_competencies = n_competencies
        self.weeks_per_year = weeks_per_year

    @property
    def next_eid(self) -> int:
        return self.next_id

    def hire(self, n: int, **values) -> np.ndarray:
        """Add `n` employees with fresh ids; returns their slots."""
        return self.add(n, **values)

    def tenure_weeks(self, slots, week: int) -> np.ndarray:
        return week - self.hire_week[slots]

    def weeks_in_level(self, slots, week: int) -> np.ndarray:
        return week - self.level_week[slots]

    def age_years(self, slots, week: int) -> np.ndarray:
        return (week - self.birth_week[slots]) / self.weeks_per_year

    def headcount_by_level(self, n_levels: int) -> np.ndarray:
        slots = self.active_slots()
        return np.bincount(self.level[slots], minlength=n_levels)
