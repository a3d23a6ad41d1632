"""Shared pieces of the validation tests: config overrides and small table helpers."""
from __future__ import annotations

import numpy as np

from tests.conftest import make_config

# Seats of configs/org/small.yaml, entry level first (read from the composed config, see `seats`).
N_LEVELS = 6
EXIT_KINDS = ("voluntary_exit", "retirement", "involuntary_exit", "cycle_exit")

# No mentoring program (the default config runs one): the organization alone.
NO_PROGRAM = ("program=none",)

# Every state effect on the voluntary hazard off, no program, no tenure shape, no retirement,
# no involuntary exits: the hazard is the level's base rate and nothing else.
CONSTANT_HAZARD = (
    *NO_PROGRAM,
    "attrition.mode=hazard",
    "attrition.confidence_effect=0",
    "attrition.engagement_effect=0",
    "attrition.belonging_effect=0",
    "attrition.passed_over_effect=0",
    "attrition.market_pull_effect=0",
    "attrition.first_year_multiplier=1",
    "attrition.frailty_sd=0",
    "attrition.participation_effect.none=0",
    "attrition.participation_effect.mentee=0",
    "attrition.participation_effect.mentor=0",
    "attrition.retirement.enabled=false",
    "review.involuntary_enabled=false",
)


def seats(scale: int = 1) -> list[int]:
    """The small org's seats per level, times `scale`."""
    return [lv.seats * scale for lv in make_config().org.levels]


def scaled_seats(scale: int) -> list[str]:
    """Overrides multiplying every level's seats of the small org by `scale`."""
    return [f"org.levels.{i}.seats={s}" for i, s in enumerate(seats(scale))]


def set_seats(values) -> list[str]:
    return [f"org.levels.{i}.seats={int(s)}" for i, s in enumerate(values)]


def same_turnover(rate: float) -> list[str]:
    """Overrides giving every level the same base_turnover."""
    return [f"org.levels.{i}.base_turnover={rate}" for i in range(N_LEVELS)]


def weekly_exit_probability(rate_per_year: float, weeks_per_year: int, multiplier: float = 1.0) -> float:
    """P(exit in one week) for a constant hazard, from the documented semantics:

    base_turnover is voluntary exits per person-year, so the weekly hazard is
    rate / weeks_per_year and one week's exit probability is 1 - exp(-hazard).
    """
    return float(-np.expm1(-multiplier * rate_per_year / weeks_per_year))


def level_codes(frame_column) -> np.ndarray:
    """Integer level codes of a categorical column."""
    return np.asarray(frame_column.cat.codes, dtype=np.int64)


def scored_at_reviews(*overrides):
    """Run 5x the small org for 3 years (reviews at weeks 26, 52, ..., 130), capturing every review
    as it is scored (by wrapping the model's `dynamics.review`).

    Returns the config and, pooled over the reviews, a dict of arrays over everyone scored:
    level, z (profile-weighted competence standardized within level), sd (that level's
    competence SD, population form), score and group.
    """
    from sim.engine.model import OrgModel

    cfg = make_config("sim.horizon_years=3", "sim.agent_views=off", *NO_PROGRAM, *scaled_seats(5), *overrides)
    model = OrgModel(cfg)
    original = model.dynamics.review
    rows = []

    def review(week):
        out = original(week)
        pop, org = model.pop, model.org
        s = pop.active_slots()
        level = pop.level[s].astype(np.int64)
        competence = np.einsum("ij,ij->i", org.profile[level], pop.competency[s])
        z, sd = np.empty_like(competence), np.empty_like(competence)
        for lv in np.unique(level):
            here = level == lv
            sd[here] = competence[here].std()
            z[here] = (competence[here] - competence[here].mean()) / sd[here]
        rows.append((level, z, sd, pop.performance[s].copy(), pop.group[s].astype(np.int64)))
        return out

    model.dynamics.review = review
    model.run()
    names = ("level", "z", "sd", "score", "group")
    return cfg, {name: np.concatenate(col) for name, col in zip(names, zip(*rows))}, len(rows)
