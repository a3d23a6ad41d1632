"""The engine's weekly model written the idiomatic Mesa way: a MEASURING STICK ONLY.

This is not a second engine. It exists to show how fast the array/numba engine
(`sim/`) is against the way an agent-based model is usually written with Mesa:
one `mesa.Agent` per employee with its own `develop()` and `decide_exit()`,
staged with `AgentSet.do`/`shuffle_do`, Python loops everywhere, and all
randomness from the model's numpy Generator (`model.rng`). It reads only the
config and the Org's static per-level arrays from `sim`; none of the engine's
kernels, arrays or counter-based streams.

It implements the engine's weekly dynamics for the default config and the
default (one-to-one, cohort, skill-gap matching) mentoring program, assigned or
opt-in (`mesa_mentoring.py`), in the engine's order (see `sim/engine/model.py`):
develop -> program -> exits -> review -> vacancy chains -> passed over -> hires
-> measure. Same distributions, different draws: it agrees with the engine
statistically, not run by run (tests/benchmarks/test_mesa_baseline.py). Not
modelled (no effect under the default config): departments, involuntary and
cycle exits, rater bias, promotion rules other than readiness. A program it does
not implement (another format, rolling enrollment, another matching policy, caps
and budgets, more than one program) is refused with a ValueError saying which key.

    from experiments.benchmarks.mesa_baseline import run_baseline
    run_baseline(load_config(["org=small", "program=none"]))
"""
from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import mesa
import numpy as np

from sim.engine.org import Org
from sim.config.schema import Config

try:  # imported as experiments.benchmarks.mesa_baseline
    from .mesa_mentoring import STAT_KEYS, MentoringProgram, unsupported
except ImportError:  # run or loaded as a file: the mentoring module lies beside it
    if str(Path(__file__).resolve().parent) not in sys.path:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
    from mesa_mentoring import STAT_KEYS, MentoringProgram, unsupported

VOLUNTARY, RETIREMENT = "voluntary", "retirement"


class Employee(mesa.Agent):
    """One employee: state as plain Python attributes, drawn like `Staffing.sample_people`."""

    def __init__(self, model: "PipelineModel", level: int, initial: bool):
        super().__init__(model)
        cfg, org, dev, rng, wpy, week = model.cfg, model.org, model.cfg.development, model.rng, model.wpy, model.week
        lv_cfg = cfg.org.levels[level]
        self.level = level
        shares = org.initial_group_share[level] if initial else org.hire_share
        self.group = int(rng.choice(len(shares), p=shares / shares.sum()))
        age = min(66.0, max(18.0, (lv_cfg.mean_age if initial else lv_cfg.hire_age)
                            + (8.0 if initial else 4.0) * rng.normal()))
        self.birth_week = round(week - age * wpy)
        ret = cfg.attrition.retirement
        self.retire_week = self.birth_week + round(rng.uniform(ret.min_age, ret.max_age) * wpy)
        self.talent = rng.normal()
        centre = list(model.target[level])
        if initial:  # already grown toward the personal ceiling; someone past retirement age goes this year
            self.retire_week = max(self.retire_week, week + math.floor(rng.random() * wpy))
            tenure = min(rng.exponential(lv_cfg.mean_tenure_years), max(age - 18.0, 0.0))
            self.hire_week = round(week - tenure * wpy)
            self.level_week = round(week - rng.random() * min(tenure, 4.0) * wpy)
            centre = [c + dev.stretch + dev.talent_sd * self.talent for c in centre]
        else:
            self.hire_week = self.level_week = week
            centre = [c - dev.hire_gap for c in centre]
        self.competency = [min(1.0, max(0.0, c + dev.hire_sd * rng.normal())) for c in centre]
        self.confidence, self.engagement, self.belonging = (
            min(1.0, max(0.0, base + dev.state_sd * rng.normal()))
            for base in (dev.baseline_confidence, dev.baseline_engagement, dev.baseline_belonging))
        interest = rng.normal(size=3)
        self.interest = (interest / np.linalg.norm(interest)).tolist()
        self.passed_over = 0
        self.performance = 0.0
        self.hipo = False
        self.participation = "none"  # first program role
        self.hazard_shift = 0.0  # log-hazard declared by the program this week
        self.visibility = 0.0  # promotion-score boost (sponsorship), in SDs
        self.alive = True
        sd = cfg.attrition.frailty_sd  # persistent log-hazard offset, E[exp] = 1 (MODEL.md 7.3)
        self.frailty = sd * rng.normal() - 0.5 * sd * sd
        self.update_readiness()

    def competence(self, level: int) -> float:
        """Profile-weighted competence under a level's profile."""
        return sum(w * c for w, c in zip(self.model.profile[level], self.competency))

    def update_readiness(self) -> None:
        self.readiness = self.competence(self.model.next_level[self.level])

    def develop(self) -> None:
        """A week of on-the-job growth toward the personal ceiling, and drift of the three states."""
        m, p = self.model, self.model.dev
        noise = m.rng.normal(size=len(self.competency) + 3)
        ceiling = p["stretch"] + p["talent_sd"] * self.talent
        n_comp = len(self.competency)
        for k, c in enumerate(self.competency):
            gap = m.target[self.level][k] + ceiling - c
            rate = p["growth"] * n_comp * m.profile[self.level][k]
            growth = rate * gap if gap > 0.0 else p["decay"] * rate * gap
            self.competency[k] = min(1.0, max(0.0, c + growth + p["noise_sd"] * noise[k]))
        drift, sd = p["drift"], p["state_noise_sd"]
        self.confidence = min(1.0, max(0.0, self.confidence + drift * (p["confidence"] - self.confidence)
                                       + sd * noise[-3]))
        self.engagement = min(1.0, max(0.0, self.engagement + drift * (p["engagement"] - self.engagement)
                                       + sd * noise[-2]))
        self.belonging = min(1.0, max(0.0, self.belonging + drift * (p["belonging"] - self.belonging)
                                      + sd * noise[-1]))
        self.update_readiness()

    def hazard(self, as_felt: bool = False) -> float:
        """Weekly voluntary-exit hazard: base rate, first-year shape, state effects, program shift, frailty.

        `as_felt`: the attachment a person judges by when volunteering, without any program's shift
        and without the market pull of skills (docs/MODEL.md 8.2)."""
        m, a, dev = self.model, self.model.cfg.attrition, self.model.cfg.development
        h = m.org.base_hazard_week[self.level]
        if m.week - self.hire_week < m.wpy:
            h *= a.first_year_multiplier
        above = max(self.competence(self.level) - m.org.demand[self.level] - dev.stretch, 0.0)
        log_effect = (a.confidence_effect * (self.confidence - dev.baseline_confidence)
                      + a.engagement_effect * (self.engagement - dev.baseline_engagement)
                      + a.belonging_effect * (self.belonging - dev.baseline_belonging)
                      + a.passed_over_effect * min(self.passed_over, a.passed_over_cap)
                      + a.participation_effect.get(self.participation, 0.0) + self.frailty)
        if not as_felt:
            log_effect += a.market_pull_effect * above + self.hazard_shift
        return h * math.exp(log_effect)

    def decide_exit(self) -> None:
        """Retire at the planned week, or quit with probability 1 - exp(-hazard)."""
        m = self.model
        if m.cfg.attrition.retirement.enabled and m.week >= self.retire_week:
            m.leavers.append((self, RETIREMENT))
        elif m.rng.random() < -math.expm1(-self.hazard()):
            m.leavers.append((self, VOLUNTARY))


class Vacancy:
    """An empty seat: filled inside along the vacancy chain, or by an outside hire when due."""

    def __init__(self, level: int, week: int):
        self.level, self.opened, self.external, self.due = level, week, False, 0


class PipelineModel(mesa.Model):
    """The organization: employees, open seats, an optional mentoring program."""

    def __init__(self, cfg: Config, program_class=MentoringProgram):
        super().__init__(rng=cfg.sim.seed)
        self.cfg, self.wpy, self.week = cfg, cfg.sim.weeks_per_year, 0
        self.horizon = cfg.sim.horizon_weeks
        self.org = Org(cfg.org, self.wpy, internal_only=cfg.hiring.internal_only)
        self.profile, self.target = self.org.profile.tolist(), self.org.target.tolist()
        self.next_level = self.org.next_level.tolist()
        d = cfg.development
        self.dev = {"growth": d.learning_rate_per_year / self.wpy, "stretch": d.stretch, "talent_sd": d.talent_sd,
                    "decay": d.decay_factor, "noise_sd": d.noise_sd_per_year / math.sqrt(self.wpy),
                    "drift": min(1.0, d.drift_per_year / self.wpy),
                    "state_noise_sd": d.state_noise_sd_per_year / math.sqrt(self.wpy),
                    "confidence": d.baseline_confidence, "engagement": d.baseline_engagement,
                    "belonging": d.baseline_belonging}
        self.internal: list[Vacancy] = []
        self.external: list[Vacancy] = []
        self.leavers: list = []
        self.promotions_since_review = [0] * self.org.n_levels
        self.counts = {"exits": 0, VOLUNTARY: 0, RETIREMENT: 0, "hires": 0, "promotions": 0}
        self.person_weeks = 0.0  # trapezoid of headcount between metric snapshots (as sim.runs.summary)
        self._last_snapshot = (0, 0)
        programs = cfg.programs()
        self.program = program_class(self, programs[0]) if programs else None
        for level, seats in enumerate(self.org.seats):
            for _ in range(int(seats)):
                Employee(self, level, initial=True)
        self._last_snapshot = (0, len(self.agents))

    def due(self, week: int, first: int, every: int) -> bool:
        return week >= first and (week - first) % every == 0

    def step(self) -> None:
        week, cfg = self.week, self.cfg
        review = self.due(week, cfg.review.first_week, cfg.review.period_weeks)
        self.agents.do("develop")
        if self.program is not None:
            for agent in self.agents:
                agent.hazard_shift = agent.visibility = 0.0
            cohort = self.due(week, self.program.cfg.first_cohort_week, self.program.cfg.cohort_every_weeks)
            self.program.step(week, cohort)
        self.leavers = []
        self.agents.shuffle_do("decide_exit")
        for agent, reason in self.leavers:
            self.separate(agent, reason)
        if review:
            self.review()
        self.promote_chains()
        if review:
            self.mark_passed_over()
        self.hire_due()
        self.measure()
        self.week += 1

    def separate(self, agent: Employee, reason: str) -> None:
        if self.program is not None:
            self.program.on_leave(agent)
        self.counts["exits"] += 1
        self.counts[reason] += 1
        agent.alive = False
        agent.remove()
        self.open_vacancy(agent.level)

    def open_vacancy(self, level: int) -> None:
        vacancy = Vacancy(level, self.week)
        if self.rng.random() < self.org.external_share[level]:
            self.go_external(vacancy)
        else:
            self.internal.append(vacancy)

    def go_external(self, vacancy: Vacancy) -> None:
        """Erlang time to fill: a gamma with integer shape and the level's mean."""
        shape = int(self.cfg.hiring.ttf_shape)
        mean = self.org.ttf_weeks[vacancy.level] * self.cfg.hiring.ttf_scale
        vacancy.external, vacancy.due = True, self.week + round(self.rng.gamma(shape, mean / shape))
        self.external.append(vacancy)

    def promote_chains(self) -> None:
        """Top-down: the readiest eligible person one level below fills each internal seat."""
        prom = self.cfg.promotion
        for lv in range(self.org.n_levels - 1, 0, -1):
            seats = [v for v in self.internal if v.level == lv]
            if not seats:
                continue
            self.internal = [v for v in self.internal if v.level != lv]
            need = prom.min_readiness_ratio * self.org.demand[lv]
            cand = [a for a in self.agents if a.level == lv - 1 and self.week - a.level_week >= prom.min_weeks_in_level
                    and a.readiness >= need]
            if cand:
                spread = max(float(np.std([a.readiness for a in cand])), 1e-12)
                cand.sort(key=lambda a: a.readiness + a.visibility * spread + 1e-9 * self.rng.random(), reverse=True)
            for _, agent in zip(seats, cand):
                self.promote(agent)
            for seat in seats[len(cand):]:
                self.go_external(seat)  # nobody ready inside: the market

    def promote(self, agent: Employee) -> None:
        dev = self.cfg.development
        agent.level += 1
        agent.level_week, agent.passed_over = self.week, 0
        agent.confidence = min(1.0, agent.confidence + dev.promotion_confidence_boost)
        agent.engagement = min(1.0, agent.engagement + dev.promotion_engagement_boost)
        agent.update_readiness()
        self.counts["promotions"] += 1
        self.promotions_since_review[agent.level] += 1
        self.open_vacancy(agent.level - 1)

    def review(self) -> None:
        """Scores = rho z(competence within level) + sqrt(1 - rho^2) noise; top share flagged high potential."""
        rho, n_levels = self.cfg.performance.skill_signal, self.org.n_levels
        by_level = [[] for _ in range(n_levels)]
        for agent in self.agents:
            by_level[agent.level].append(agent)
        for lv, people in enumerate(by_level):
            comp = [a.competence(lv) for a in people]
            mean = sum(comp) / len(comp) if comp else 0.0
            var = sum(c * c for c in comp) / len(comp) - mean * mean if comp else 0.0
            sd = math.sqrt(var) if var > 1e-12 else 1.0
            for a, c in zip(people, comp):
                a.performance = (rho * (c - mean) / sd + math.sqrt(1 - rho * rho) * self.rng.normal()
                                 + self.cfg.performance.rater_bias.get(self.org.group_names[a.group], 0.0))
                a.hipo = False
            people.sort(key=lambda a: -a.performance)
            for a in people[: int(self.cfg.review.hipo_share * len(people))]:
                a.hipo = True

    def mark_passed_over(self) -> None:
        prom, dev, top = self.cfg.promotion, self.cfg.development, self.org.n_levels - 1
        for a in self.agents:
            if (a.level < top and self.promotions_since_review[a.level + 1] > 0
                    and self.week - a.level_week >= prom.min_weeks_in_level and a.level_week < self.week
                    and a.readiness >= prom.ready_now_ratio * self.org.demand[a.level + 1]):
                a.passed_over += 1
                a.engagement = max(0.0, a.engagement - dev.passed_over_engagement_drop)
                a.confidence = max(0.0, a.confidence - dev.passed_over_confidence_drop)
        self.promotions_since_review = [0] * self.org.n_levels

    def hire_due(self) -> None:
        due = [v for v in self.external if v.due <= self.week]
        self.external = [v for v in self.external if v.due > self.week]
        for vacancy in due:
            Employee(self, vacancy.level, initial=False)
            self.counts["hires"] += 1

    def measure(self) -> None:
        week = self.week + 1
        if week % self.cfg.metrics.period_weeks == 0 or week == self.horizon:
            last_week, last_hc = self._last_snapshot
            self.person_weeks += (week - last_week) * 0.5 * (last_hc + len(self.agents))
            self._last_snapshot = (week, len(self.agents))


def run_baseline(cfg: Config, program_class=MentoringProgram) -> dict:
    """Run the baseline to the horizon; exits per person-year, counts, end competencies, wall seconds.

    `program_class`: a `MentoringProgram` subclass to run instead (e.g. one that records its ties)."""
    programs = cfg.programs()
    if len(programs) > 1:
        raise ValueError(f"extra_programs = {[p.name for p in programs[1:]]}: the baseline runs one program only")
    for program in programs:
        why = unsupported(program)
        if why:
            raise ValueError(f"program {program.name}: {why}")
    start = time.perf_counter()
    model = PipelineModel(cfg, program_class)
    init_seconds = time.perf_counter() - start
    while model.week < model.horizon:
        model.step()
    wall = time.perf_counter() - start
    person_years = model.person_weeks / model.wpy
    org = model.org
    out = {"seats": int(org.seats.sum()), "weeks": model.horizon, "person_years": person_years,
           "employee_weeks": model.person_weeks, "turnover_annual": model.counts["exits"] / person_years,
           "voluntary_turnover_annual": model.counts[VOLUNTARY] / person_years,
           "exits_total": model.counts["exits"], "retirements_total": model.counts[RETIREMENT],
           "hires_total": model.counts["hires"], "promotions_total": model.counts["promotions"],
           "headcount_end": len(model.agents), "wall_seconds": wall, "init_seconds": init_seconds}
    for lv, lname in enumerate(org.level_names):
        people = [a for a in model.agents if a.level == lv]
        means = np.mean([a.competency for a in people], axis=0) if people else np.full(len(org.competency_names),
                                                                                        np.nan)
        for k, cname in enumerate(org.competency_names):
            out[f"mean_competency_end.{cname}.level.{lname}"] = float(means[k])
        out[f"mean_competency_end.level.{lname}"] = float(np.mean(means))
    if model.program is not None:
        out.update({key: model.program.stats[key] for key in STAT_KEYS})
    return out


if __name__ == "__main__":
    from sim import load_config

    result = run_baseline(load_config(sys.argv[1:] or ["org=small"]))
    for key, value in result.items():
        print(f"{key:<55} {value}")
