"""Employee: a thin Mesa agent that reads and writes through to the Population arrays.

Views exist for notebooks, interactive inspection and Mesa tooling; the weekly
path never touches them. One is created when someone joins and removed when
they leave, so `model.agents` is always the live workforce.
"""
from __future__ import annotations

import mesa

from .population import employee_columns


def _through(name: str, doc: str):
    def get(self):
        value = getattr(self.model.pop, name)[self.slot]
        return value.copy() if getattr(value, "ndim", 0) else value.item()

    def set_(self, value):
        getattr(self.model.pop, name)[self.slot] = value

    return property(get, set_, doc=doc)


class Employee(mesa.Agent):
    """One employee, by slot in `model.pop`. Attributes mirror the population columns."""

    def __init__(self, model, slot: int):
        super().__init__(model)
        self.slot = int(slot)

    @property
    def tenure_weeks(self) -> int:
        return int(self.model.week - self.model.pop.hire_week[self.slot])

    @property
    def age_years(self) -> float:
        return float(self.model.pop.age_years(self.slot, self.model.week))

    @property
    def level_name(self) -> str:
        return self.model.org.level_names[self.level]

    @property
    def group_name(self) -> str:
        return self.model.org.group_names[self.group]

    def competencies(self) -> dict[str, float]:
        return dict(zip(self.model.org.competency_names, self.competency.tolist()))


for _column in employee_columns(1):
    setattr(Employee, _column.name, _through(_column.name, _column.doc))
