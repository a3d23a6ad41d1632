"""Base rates adjusted through simulation, so that the fitted organization reproduces the data's
voluntary turnover with the model's state effects on.

The GLM (`hazard`) estimates the hazard realized in the data. In the model a person's hazard is
`base_turnover` times the state effects (confidence, engagement, belonging, passed over, market
pull: section 7.3), whose average is not 1, so a simulation with the fitted base rates leaves at
another rate. Each round simulates the written experiment (no program, from its snapshot) over a few
seeds and multiplies each level's base rate by (voluntary exits with the state effects off, at the
fitted rates) / (exits with them on, at the current rates), on the same seeds and exposure. With the
effects off the realized hazard is the base rate, which the GLM fitted to the data; so the adjusted
organization, effects on, leaves at the data's rate. Two or three rounds suffice because the state
effects barely depend on the base rate itself.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

ROUNDS = 3
SEEDS = 4
MAX_YEARS = 5.0
FIRST_SEED = 1000  # the adjustment's seeds: apart from the seeds users and the backtest start at
MIN_EXITS = 20  # simulated exits a level needs for its own factor (log error about 1/sqrt(20) = 0.22)
STATE_EFFECTS = ("confidence_effect", "engagement_effect", "belonging_effect", "passed_over_effect",
                 "market_pull_effect")


@dataclass
class Adjustment:
    factors: np.ndarray  # per level: adjusted base rate / fitted base rate
    simulated_rate: np.ndarray  # voluntary exits per person-year in the last round, before its factor
    observed_rate: np.ndarray
    rounds: int
    seeds: int
    years: float

    def how(self, rank: int) -> str:
        return (f"x{self.factors[rank]:.3f} so that simulation with the state effects on reproduces the data's "
                f"{self.observed_rate[rank]:.3f} voluntary exits per person-year, all tenures ({self.rounds} rounds "
                f"of {self.seeds} seeds x {self.years:g} years)")


def simulated_turnover(config, seeds: int, years: float, first_seed: int = FIRST_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Voluntary exits and person-years per level over `seeds` runs of `config` (no program)."""
    from ..runs.result import simulate

    n = len(config.org.levels)
    exits, person_years = np.zeros(n), np.zeros(n)
    for seed in range(first_seed, first_seed + seeds):
        cfg = copy.deepcopy(config)
        cfg.sim.seed = seed
        cfg.sim.horizon_years = float(years)
        result = simulate(cfg, [])
        names = [lv.name for lv in cfg.org.levels]
        by_level = result.timeseries.groupby("level", observed=False)["voluntary_exits"].sum()
        exits += by_level.reindex(names, fill_value=0).to_numpy()
        vacancy = result.level_timeseries.groupby("level", observed=False)["vacancy_weeks"].sum()
        seat_weeks = np.array([lv.seats for lv in cfg.org.levels]) * cfg.sim.horizon_weeks
        person_years += (seat_weeks - vacancy.reindex(names, fill_value=0).to_numpy()) / cfg.sim.weeks_per_year
    return exits, person_years


def without_state_effects(config):
    cfg = copy.deepcopy(config)
    for key in STATE_EFFECTS:
        setattr(cfg.attrition, key, 0.0)
    return cfg


def adjust_base_rates(config, observed_rate: np.ndarray, rounds: int = ROUNDS, seeds: int = SEEDS,
                      years: float = MAX_YEARS) -> Adjustment:
    """Factors on `config`'s base rates (not changed) under which the simulation with the state
    effects on leaves at the rate the same simulation with them off leaves at with the fitted rates
    (which is the data's, the fitted hazard being the realized one). Both run on the same seeds, so
    their common noise largely cancels in the ratio. A level with fewer than MIN_EXITS simulated
    exits takes the pooled factor of all levels (its own ratio would be mostly noise)."""
    base = np.array([lv.base_turnover for lv in config.org.levels])
    reference, _ = simulated_turnover(without_state_effects(config), seeds, years)
    factors = np.ones(len(base))
    simulated = np.full(len(base), np.nan)
    for _ in range(rounds):
        cfg = copy.deepcopy(config)
        for level, rate in zip(cfg.org.levels, base * factors):
            level.base_turnover = float(rate)
        exits, person_years = simulated_turnover(cfg, seeds, years)
        simulated = np.divide(exits, person_years, out=np.full(len(base), np.nan), where=person_years > 0)
        if exits.sum() == 0:
            break
        pooled = reference.sum() / exits.sum()
        own = (reference >= MIN_EXITS) & (exits > 0)
        factors *= np.where(own, reference / np.maximum(exits, 1), pooled)
    factors[base == 0] = 1.0
    return Adjustment(factors=factors, simulated_rate=simulated, observed_rate=observed_rate, rounds=rounds,
                      seeds=seeds, years=years)
