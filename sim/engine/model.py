"""OrgModel: the Mesa model that wires population, organization, clock and metrics."""
from __future__ import annotations

import time

import mesa
import numpy as np

from .agents import Employee
from .clock import Clock
from .dynamics import Dynamics
from .events import EventLog, Roster
from .kernels import EXIT_CYCLE, EXIT_RETIREMENT, EXIT_VOLUNTARY
from .metrics import Metrics
from .org import Org, Vacancies
from .population import Population
from .rng import Streams
from ..config.schema import Config
from .staffing import Staffing
from .switches import ALL_ON, Switches

AGENT_VIEWS_AUTO_LIMIT = 50_000
HAZARD_EXITS = (EXIT_VOLUNTARY, EXIT_RETIREMENT)  # the exit codes `Dynamics.hazard_exits` draws, in order
MODEL_REPORTERS = ["week", "headcount", "open_vacancies", "leadership_open_vacancies", "bench_strength",
                   "capability_index", "mean_engagement"]


class OrgModel(mesa.Model):
    """A talent pipeline simulated week by week.

    The order of one week (`step`), fixed so that events due at the same time never race:

    1. clock     SimPy runs the events of this week; they only mark work as due
                 (a review cycle, a program's cohort launch).
    2. develop   on-the-job growth of competencies, drift of confidence,
                 engagement and belonging, readiness (one kernel).
    3. programs  each intervention's `step` (mentoring meetings and their effects).
    4. exits     voluntary exits by hazard and retirements (one kernel); each exit
                 opens a vacancy, routed to internal promotion or external hire.
    5. review    if due: performance scores, high-potential flags, involuntary
                 exits of low performers, stylized cycle exits (with
                 attrition.cycle_order=top_down level by level from the top,
                 each level's exits followed by its promotions from below).
    6. promote   internal vacancies filled top-down along vacancy chains (every
                 week, or only at reviews); a seat nobody is eligible for goes
                 to external hiring. At a review, ready people who saw others
                 promoted past them count as passed over.
    7. hire      external hires whose time to fill has run out join (seats routed
                 outside this week first get their due weeks).
    8. measure   vacancy-weeks (counted in the hire kernel, the week's last change
                 to the seats); state snapshot at each period end.
    """

    def __init__(self, cfg: Config, interventions=(), switches: Switches = ALL_ON):
        super().__init__(seed=cfg.sim.seed)
        self.cfg = cfg
        self.switches = switches  # program paths switched off (the decomposition by mechanism)
        self.week = 0
        self.horizon = cfg.sim.horizon_weeks
        self.org = Org(cfg.org, cfg.sim.weeks_per_year, internal_only=cfg.hiring.internal_only)
        self.streams = Streams(cfg.sim.seed)
        # Headcount and open seats never exceed the seats, so capacity = seats is exact.
        seats = self.org.total_seats
        self.pop = Population(len(cfg.org.competencies), capacity=seats, weeks_per_year=cfg.sim.weeks_per_year)
        self.vacancies = Vacancies(capacity=seats)
        self.events = EventLog(cfg.output.events)
        self.roster = Roster(cfg.output.events)  # who joined, as they joined (people.parquet)
        mode = cfg.sim.agent_views
        self.agent_views = mode == "on" or (mode == "auto" and seats <= AGENT_VIEWS_AUTO_LIMIT)
        self._views: dict[int, Employee] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={name: (lambda m, key=name: m._model_row[key]) for name in MODEL_REPORTERS})
        self._model_row: dict = {}
        self.metrics = Metrics(self)
        self.dynamics = Dynamics(self)
        self.staffing = Staffing(self)
        self.clock = Clock()
        self.clock.every("review", cfg.review.period_weeks, first=cfg.review.first_week, until=self.horizon)
        self.interventions = list(interventions)
        self.staffing.populate(0)
        for intervention in self.interventions:
            intervention.init(self)
        self.metrics.snapshot(0, 0)
        self.wall_seconds = 0.0

    # ------------------------------------------------------------ hooks
    def on_join(self, slots, in_roster: bool = False) -> None:
        """New people: note them in the roster (unless `in_roster`: a kernel did), create their agent views."""
        if not in_roster:
            self.roster.add(self.pop, slots, self.week)
        if self.agent_views:
            for slot in slots.tolist():
                self._views[slot] = Employee(self, slot)

    def on_leave(self, slots) -> None:
        """People leaving (before their rows are freed): programs end their ties, views go."""
        for intervention in self.interventions:
            intervention.on_leave(self, slots)
        if self.agent_views:
            for slot in slots.tolist():
                self._views.pop(slot).remove()

    def record(self, kind: str, slots, week: int, detail) -> None:
        self.events.record(kind, week, self.pop, slots, detail)

    def collect(self, snapshot_index: int) -> None:
        """Record organization-level values of one metrics snapshot in the DataCollector: the first through
        its reporters (which Mesa checks then), the rest appended to its columns directly, as its `collect`
        would append them (plain ints and floats, whose deepcopy is themselves) without a call per value."""
        self._model_row = row = self.metrics.model_row(snapshot_index)
        columns = self.datacollector.model_vars
        if not getattr(self.datacollector, "_validated", False) or columns.keys() != row.keys():
            self.datacollector.collect(self)  # the first, or reporters not those of MODEL_REPORTERS
            return
        for name, values in columns.items():
            values.append(row[name])

    def view(self, slot: int) -> Employee:
        """The agent view of a live employee's slot (views are kept only when agent_views is on)."""
        if not self.pop.active[slot]:
            raise KeyError(f"slot {slot} holds nobody")
        if slot not in self._views:
            raise KeyError("agent views are off (sim.agent_views=off or a large org)")
        return self._views[slot]

    # ------------------------------------------------------------ the week
    def step(self) -> None:
        week = self.week
        due = self.clock.advance(week)
        review = "review" in due
        staffing = self.staffing
        self.dynamics.develop(week)
        if self.interventions:  # programs re-declare their hazard and promotion effects every week
            self.pop.hazard_shift[: self.pop.count] = 0.0
            self.pop.visibility[: self.pop.count] = 0.0
        for intervention in self.interventions:
            intervention.step(self, week, due)
        leaving, starts = self.dynamics.hazard_exits(week)
        for code in HAZARD_EXITS:
            if starts[code + 1] > starts[code]:
                staffing.separate(leaving[starts[code] : starts[code + 1]], code, week)
        if review:
            for code, slots in self.dynamics.review(week).items():
                staffing.separate(slots, code, week)
            if self.cfg.attrition.mode == "cycle" and self.cfg.attrition.cycle_order == "top_down":
                for level in range(self.org.n_levels - 1, -1, -1):  # leavers of L go, then L fills from below
                    staffing.separate(self.dynamics.cycle_exits_at(level, week), EXIT_CYCLE, week)
                    if level > 0:
                        staffing.promote_chains(week, lowest=level, settle_later=True)
        if review or self.cfg.promotion.timing == "vacancy":
            staffing.promote_chains(week, settle_later=True)
        if review:
            staffing.mark_passed_over(week)
        seats_counted = staffing.hire_due(week)  # the hires are the week's last change to the seats
        self.metrics.end_of_week(week, seats_counted)
        if self.cfg.sim.check_invariants:
            self.check_invariants()
        self.week += 1

    def run(self, progress=None) -> "OrgModel":
        """Run to the horizon; `progress(week, horizon)` is called after every week if given."""
        start = time.perf_counter()
        while self.week < self.horizon:
            self.step()
            if progress is not None:
                progress(self.week, self.horizon)
        for intervention in self.interventions:
            intervention.finalize(self)
        self.running = False
        self.wall_seconds = time.perf_counter() - start
        return self

    def check_invariants(self) -> None:
        """Seats are never over-filled; every seat is held or open; ids are unique; views match."""
        hc = self.pop.headcount_by_level(self.org.n_levels)
        open_seats = self.vacancies.open_by_level(self.org.n_levels)
        if (hc > self.org.seats).any():
            raise AssertionError(f"week {self.week}: seats over-filled {hc} > {self.org.seats}")
        if not np.array_equal(hc + open_seats, self.org.seats):
            raise AssertionError(f"week {self.week}: headcount {hc} + open {open_seats} != seats {self.org.seats}")
        eids = self.pop.eid[self.pop.active_slots()]
        if np.unique(eids).size != eids.size:
            raise AssertionError(f"week {self.week}: duplicate employee ids")
        if eids.size and eids.max() >= self.pop.next_eid:  # programs size their flags by employee id from it
            raise AssertionError(f"week {self.week}: employee id {eids.max()} not below the next, "
                                 f"{self.pop.next_eid}")
        if self.agent_views and len(self.agents) != eids.size:
            raise AssertionError(f"week {self.week}: {len(self.agents)} agent views for {eids.size} employees")
