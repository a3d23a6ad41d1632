"""Metric accumulation and definitions.

During the run only arrays are touched: flow counters per (period, level,
group, participation) cell, incremented by a kernel over the slots an event
concerns; state sums per cell at every period end (one kernel pass); per-level
counters for vacancies and fills. Tables and the flat summary are built once,
at the end (`timeseries`, `summary`). Definitions are in README and docs/MODEL.md.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import kernels
from .kernels import EXIT_CYCLE, EXIT_INVOLUNTARY, EXIT_RETIREMENT, EXIT_VOLUNTARY
from ..config.schema import PARTICIPATION_LABELS

FLOWS = ["hires", "exits", "voluntary_exits", "retirements", "involuntary_exits", "cycle_exits",
         "regretted_exits", "promotions"]
EXIT_FLOW = {EXIT_VOLUNTARY: "voluntary_exits", EXIT_RETIREMENT: "retirements",
             EXIT_INVOLUNTARY: "involuntary_exits", EXIT_CYCLE: "cycle_exits"}
STATE_STATS = ["headcount", "confidence", "engagement", "belonging", "readiness", "hipo", "ready_now"]
LEVEL_STATS = ["vacancy_weeks", "fills_internal", "fills_external", "ttf_internal_weeks",
               "ttf_external_weeks", "promotions_in", "weeks_in_level_at_promotion"]


class Metrics:
    """Counters and snapshots of one run."""

    def __init__(self, model):
        self.model = model
        cfg, org = model.cfg, model.org
        self.org = org
        self.wpy = cfg.sim.weeks_per_year
        self.horizon = cfg.sim.horizon_weeks
        self.period_weeks = cfg.metrics.period_weeks
        self.n_periods = math.ceil(self.horizon / self.period_weeks)
        self.shape = (org.n_levels, len(org.group_names), len(PARTICIPATION_LABELS))
        self.flows = np.zeros((self.n_periods, *self.shape, len(FLOWS)))
        self.state_names = STATE_STATS + list(org.competency_names)
        self.snapshots = np.zeros((self.n_periods + 1, *self.shape, len(self.state_names)))
        self.level_stats = np.zeros((self.n_periods, org.n_levels, len(LEVEL_STATS)))
        self.capability = np.zeros(self.n_periods + 1)
        self.snapshot_week = np.zeros(self.n_periods + 1, dtype=np.int64)
        self._flow = {name: i for i, name in enumerate(FLOWS)}
        self._lstat = {name: i for i, name in enumerate(LEVEL_STATS)}
        # Where the fused staffing kernels count (`staffing_fused`):
        # by exit code, (exits, the kind's column, regretted or -1); a promotion's (flow, promotions in,
        # weeks in level at promotion, internal fills, weeks to fill); a hire's flow and external fills.
        flow, lstat = self._flow, self._lstat
        self.exit_columns = {code: (flow["exits"], flow[name], flow["regretted_exits"] if code == EXIT_VOLUNTARY else -1)
                             for code, name in EXIT_FLOW.items()}
        self.promotion_columns = (flow["promotions"], lstat["promotions_in"], lstat["weeks_in_level_at_promotion"],
                                  lstat["fills_internal"], lstat["ttf_internal_weeks"])
        self.hire_column = flow["hires"]
        self.external_fill_columns = (lstat["fills_external"], lstat["ttf_external_weeks"])
        self.vacancy_weeks_column = lstat["vacancy_weeks"]
        # Leadership levels above the entry level, and their seats (at least 1): the bench's (`bench`).
        lead = org.leadership_levels
        self._lead = lead[lead > 0]
        self._lead_seats = max(org.seats[self._lead].sum(), 1)
        # Ready now: readiness at least this, by level (the next level's demand x ratio; none at the top).
        self._ready_threshold = cfg.promotion.ready_now_ratio * org.demand[org.next_level]
        self._capability_seats = float((org.capability_weight * org.seats).sum())

    def period_of(self, week: int) -> int:
        return min(week // self.period_weeks, self.n_periods - 1)

    # ------------------------------------------------------------ accumulation
    # Exits, hires, promotions and fills are counted by the fused staffing kernels, at the columns above.
    def end_of_week(self, week: int, seats_counted: bool = False) -> None:
        """The week's open seats (vacancy-weeks; unless `seats_counted`: the week's hires counted them,
        `Staffing.hire_due`), and a snapshot at a period's end."""
        if not seats_counted:
            vac = self.model.vacancies
            kernels.count_open_seats(vac.active, vac.count, vac.level, self.level_stats[self.period_of(week)],
                                     self._lstat["vacancy_weeks"])
        if (week + 1) % self.period_weeks == 0 or week + 1 == self.horizon:
            self.snapshot(self.period_of(week) + 1, week + 1)

    def ready_now(self) -> np.ndarray:
        """Ready-now flag per slot: readiness >= ratio x next level's demand (not at the top)."""
        pop = self.model.pop
        level = pop.level[: pop.count]
        return (pop.readiness[: pop.count] >= self._ready_threshold[level]) & (level < self.org.n_levels - 1)

    def snapshot(self, index: int, week: int) -> None:
        pop, org = self.model.pop, self.org
        self.snapshot_week[index] = week
        self.snapshots[index] = kernels.cell_sums(
            pop.active, pop.count, pop.level, pop.group, pop.participation, pop.competency,
            pop.confidence, pop.engagement, pop.belonging, pop.readiness, pop.hipo, self.ready_now(),
            *self.shape)
        total = kernels.capability_sum(pop.active, pop.count, pop.level, pop.competency, org.profile,
                                       org.demand, org.capability_weight)
        self.capability[index] = total / self._capability_seats
        self.model.collect(index)

    # ------------------------------------------------------------ derived series
    def headcount_by_level(self, index: int) -> np.ndarray:
        return self.snapshots[index, ..., 0].sum(axis=(1, 2))

    def bench(self, index: int) -> tuple[float, dict[str, float]]:
        """Ready-now successors one level below per leadership seat: overall and by level."""
        ready = self._ready_by_level(index)
        per = {self.org.level_names[lv]: ready[lv - 1] / self.org.seats[lv] for lv in self._lead}
        return self._bench_overall(ready), per

    def _ready_by_level(self, index: int) -> np.ndarray:
        return self.snapshots[index, ..., STATE_STATS.index("ready_now")].sum(axis=(1, 2))

    def _bench_overall(self, ready) -> float:
        return float(ready[self._lead - 1].sum() / self._lead_seats)

    def model_row(self, index: int) -> dict:
        """Organization-level values at one snapshot (what the Mesa DataCollector records)."""
        bench = self._bench_overall(self._ready_by_level(index))
        hc = self.snapshots[index, ..., 0].sum()
        eng = self.snapshots[index, ..., STATE_STATS.index("engagement")].sum()
        open_vac = self.model.vacancies.open_by_level(self.org.n_levels)
        return {
            "week": int(self.snapshot_week[index]),
            "headcount": int(hc),
            "open_vacancies": int(open_vac.sum()),
            "leadership_open_vacancies": int(open_vac[self.org.leadership].sum()),
            "bench_strength": bench,
            "capability_index": float(self.capability[index]),
            "mean_engagement": float(eng / hc) if hc else float("nan"),
        }

    # ------------------------------------------------------------ tables
    def timeseries(self) -> pd.DataFrame:
        """Long format: one row per (period, level, group, participation)."""
        org = self.org
        L, G, P = self.shape
        idx = np.indices((self.n_periods, L, G, P)).reshape(4, -1)
        end = self.snapshots[1:].reshape(-1, len(self.state_names))
        flows = self.flows.reshape(-1, len(FLOWS))
        hc = end[:, 0]
        week_end = self.snapshot_week[1:][idx[0]]
        # every column first, then one frame: inserting 26 columns one by one cost more than the data
        columns = {
            "period": idx[0],
            "week_end": week_end,
            "level": pd.Categorical.from_codes(idx[1], org.level_names),
            "group": pd.Categorical.from_codes(idx[2], org.group_names),
            "participation": pd.Categorical.from_codes(idx[3], list(PARTICIPATION_LABELS)),
            "headcount": hc.astype(np.int64),
        }
        for j, name in enumerate(FLOWS):
            columns[name] = flows[:, j].astype(np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            for j, name in enumerate(self.state_names[1:], start=1):
                label = name if name in ("hipo", "ready_now") else f"mean_{name}"
                columns[label] = end[:, j] if name in ("hipo", "ready_now") else end[:, j] / hc
        columns["year"] = week_end / self.wpy
        return pd.DataFrame(columns)

    def level_timeseries(self) -> pd.DataFrame:
        """One row per (period, level): vacancies, fills, time to fill, promotions in."""
        L = self.org.n_levels
        idx = np.indices((self.n_periods, L)).reshape(2, -1)
        columns = {"period": idx[0], "week_end": self.snapshot_week[1:][idx[0]],
                   "level": pd.Categorical.from_codes(idx[1], self.org.level_names)}
        for j, name in enumerate(LEVEL_STATS):
            columns[name] = self.level_stats[:, :, j].reshape(-1)
        return pd.DataFrame(columns)
