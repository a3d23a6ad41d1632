"""The one clock: a SimPy environment whose processes mark work as due.

SimPy decides *when* something is due (a review every N weeks, a cohort
launch, a one-off date); the model's `step` decides *in which order* the week's
work is done. `advance(week)` runs every SimPy event up to and including that
week, so work due in week t is always seen by step t, whatever order the events
were scheduled in. Events are stepped one by one up to the week (SimPy's `run(until=...)` would
schedule and process a stop event every week, most of which have nothing else); SimPy's own time
catches up with the clock's week before a process is added.
"""
from __future__ import annotations

import simpy


class Clock:
    """Weeks as integer SimPy time; `due(week)` returns the names marked for that week."""

    def __init__(self):
        self.env = simpy.Environment()
        self._due: dict[int, set[str]] = {}
        self._week = 0  # the week after the last one advanced to: env.now, or ahead of it after quiet weeks

    @property
    def now(self) -> int:
        return max(int(self.env.now), self._week)

    def _catch_up(self) -> None:
        """Bring SimPy's time to the clock's week, so that a process added now starts now (an event
        processed at its own time only marks work due then and schedules later ones, so stepping to
        the week is the same as SimPy's `run(until=...)`)."""
        if self.env.now < self._week:
            self.env.timeout(self._week - self.env.now)
            while self.env.now < self._week:
                self.env.step()

    def _mark(self, name: str) -> None:
        self._due.setdefault(int(self.env.now), set()).add(name)

    def every(self, name: str, period: int, first: int = 0, until: int | None = None) -> None:
        """Mark `name` due at first, first + period, ... (before `until`)."""

        def process():
            yield self.env.timeout(first)
            while until is None or self.env.now < until:
                self._mark(name)
                yield self.env.timeout(period)

        self._catch_up()
        self.env.process(process())

    def at(self, name: str, week: int) -> None:
        """Mark `name` due once, at `week`."""

        def process():
            yield self.env.timeout(week - self.env.now)
            self._mark(name)

        self._catch_up()
        self.env.process(process())

    def advance(self, week: int) -> set[str]:
        """Run the SimPy events of weeks <= `week`; return (and forget) what is due in `week`."""
        env = self.env
        while env.peek() <= week:  # one event at a time, in SimPy's order; most weeks have none
            env.step()
        self._week = week + 1
        return self._due.pop(week, set())
