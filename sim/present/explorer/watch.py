"""One simulation stepped week by week, for the explorer's "watch one run" page: headcount and
open seats by level and the live mentoring pairs, as the week runs (the same `OrgModel.step` a
full run calls, so a watched run ends exactly where `sim.run` of the same seed ends)."""
from __future__ import annotations

import pandas as pd

from ...config.load import load_config
from ...config.schema import PARTICIPATION_LABELS
from ...engine.model import OrgModel
from ...mentoring.program import Program


class Watch:
    """A live model of one design and seed, and what each week looked like so far."""

    def __init__(self, overrides: list[str], seed: int = 0):
        cfg = load_config([*overrides, f"sim.seed={seed}", "sim.agent_views=auto"])
        self.programs = [Program(p, i) for i, p in enumerate(cfg.programs())]
        self.model = OrgModel(cfg, interventions=self.programs)
        self.levels = list(self.model.org.level_names)
        self.rows: list[dict] = []
        self.record()

    @property
    def done(self) -> bool:
        return self.model.week >= self.model.horizon

    def step(self, weeks: int = 1) -> None:
        for _ in range(weeks):
            if self.done:
                break
            self.model.step()
            self.record()
        if self.done and self.model.running:
            for program in self.programs:
                program.finalize(self.model)
            self.model.running = False

    def record(self) -> None:
        n = self.model.org.n_levels
        headcount = self.model.pop.headcount_by_level(n)
        open_seats = self.model.vacancies.open_by_level(n)
        row = {"week": self.model.week, "live_pairs": sum(p.rel.n_active for p in self.programs),
               "open_seats": int(open_seats.sum())}
        row.update({f"headcount.{name}": int(headcount[i]) for i, name in enumerate(self.levels)})
        row.update({f"open.{name}": int(open_seats[i]) for i, name in enumerate(self.levels)})
        self.rows.append(row)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows)

    def agents(self, limit: int = 200) -> pd.DataFrame:
        """The Mesa agent view of the first `limit` employees (what SolaraViz users look at)."""
        weeks_per_year = self.model.cfg.sim.weeks_per_year
        rows = [{"employee": agent.eid, "level": agent.level_name, "group": agent.group_name,
                 "tenure_years": round(agent.tenure_weeks / weeks_per_year, 1),
                 "engagement": round(float(agent.engagement), 2), "readiness": round(float(agent.readiness), 2),
                 "role": PARTICIPATION_LABELS[int(agent.participation)]}
                for agent in list(self.model.agents)[:limit]]  # a view for the page, not the weekly path
        return pd.DataFrame(rows)
