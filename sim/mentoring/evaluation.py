"""What a program caused: the run against its counterfactual twin (same organization, same
seed, no program), beside the naive participants-vs-non-participants comparison, the
effect on the mentees themselves (hazard ratios for mentees and mentors in `person_effects.py`),
and what it cost and saved (`money.py`). Every
assumption used is written into the metrics (`assumption.*`).
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..config.schema import Config
from .money import money, present_value_costs
from .person_effects import EventLog, causal_hazard_ratios, naive_hazard_ratios, same_people, spells
from .person_effects import starts as role_starts

PROMOTION_YEARS = (1, 2, 3)  # cumulative incidence of promotion read this many years after enrolment

EFFECT_METRICS = [
    "turnover_annual", "voluntary_turnover_annual", "regretted_turnover_annual", "exits_total",
    "internal_fill_rate_leadership", "bench_strength_mean", "bench_strength_end", "promotions_total",
    "promotion_rate_annual", "leadership_vacancy_weeks", "capability_index_mean", "mean_engagement_end",
]


def twin_config(cfg: Config) -> Config:
    """The same configuration with every program switched off."""
    return dataclasses.replace(cfg, program=dataclasses.replace(cfg.program, enabled=False), extra_programs=[])


def _top_representation_key(cfg: Config) -> str:
    return f"representation_end.{cfg.org.groups[-1].name}.level.{cfg.org.levels[-1].name}"


def aalen_johansen(duration, cause, of: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative incidence of cause `of` with every other cause competing (Aalen-Johansen).

    duration: time from the origin; cause: 0 censored, 1, 2, ... the event that ended the spell.
    Returns the step function (times, incidence), starting at (0, 0), with a step at each
    distinct event time of any cause. Censored at t means still at risk at t.
    """
    duration = np.asarray(duration, dtype=float)
    cause = np.asarray(cause, dtype=int)
    times, ended = np.unique(duration[cause > 0], return_counts=True)
    at_risk = len(duration) - np.searchsorted(np.sort(duration), times, side="left")
    of_times = np.sort(duration[cause == of])
    of_cause = (np.searchsorted(of_times, times, side="right") - np.searchsorted(of_times, times, side="left"))
    ended, of_cause = ended.astype(float), of_cause.astype(float)
    survival = np.cumprod(1.0 - ended / at_risk)  # all-cause Kaplan-Meier just after each time
    before = np.concatenate([[1.0], survival[:-1]])
    incidence = np.cumsum(before * of_cause / at_risk)
    return np.concatenate([[0.0], times]), np.concatenate([[0.0], incidence])


def incidence_at(times: np.ndarray, incidence: np.ndarray, when: float, followed: float) -> float:
    """The step function at `when`; NaN past the longest follow-up (`followed`)."""
    if when > followed:
        return float("nan")
    return float(incidence[np.searchsorted(times, when, side="right") - 1])


def _follow_up(log: EventLog, starts: np.ndarray, ids: np.ndarray, horizon: int) -> dict:
    """Per mentee (`ids`, enrolled at `starts`) in one world, those at risk at enrolment: weeks
    followed, left (any/voluntary), weeks to promotion and what ended that spell."""
    s = spells(log, ids, starts, horizon)
    at_risk, exit_week, promoted = s["present"], s["exit_week"], s["promoted"]  # who left before, or joined after
    end = np.fmin(np.fmin(promoted, exit_week), float(horizon))
    cause = np.where(~np.isnan(promoted), 1, np.where(~np.isnan(exit_week), 2, 0))
    return {"weeks": (s["end"] - starts)[at_risk], "left": s["left"][at_risk],
            "left_voluntarily": s["voluntary"][at_risk], "promotion_weeks": (end - starts)[at_risk],
            "promotion_cause": cause[at_risk]}


def mentee_outcomes(result, twin, logs: tuple[EventLog, EventLog] | None = None) -> dict:
    """The program's effect on its mentees themselves: the same people followed from their
    enrolment week in both worlds (turnover per person-year; cumulative incidence of promotion
    with exits competing, at 1, 2 and 3 years after enrolment). `logs`: the two worlds' event
    logs when the caller has them already."""
    logs = logs or (EventLog(result.events), EventLog(twin.events))
    log = logs[0]
    starts = role_starts(log, "mentee")
    if starts.empty:
        return {}
    pairs = same_people(result, twin, starts.index)  # program id -> twin id, matched by draw key
    starts = starts.reindex(pairs.index).to_numpy(dtype=float)
    cfg = result.config
    horizon, wpy = cfg.sim.horizon_weeks, cfg.sim.weeks_per_year
    out: dict = {"mentees_compared": float(len(starts))}
    worlds = (("", log, pairs.index.to_numpy()), ("twin.", logs[1], pairs.to_numpy()))
    for prefix, world, ids in worlds:
        f = _follow_up(world, starts, ids, horizon)
        years = f["weeks"].sum() / wpy
        followed_weeks = f["promotion_weeks"]
        out[f"mentees_followed.{'twin' if prefix else 'program'}"] = float(len(followed_weeks))
        out[f"{prefix}mentee.turnover_annual"] = float(f["left"].sum() / years) if years > 0 else float("nan")
        out[f"{prefix}mentee.voluntary_turnover_annual"] = (float(f["left_voluntarily"].sum() / years)
                                                            if years > 0 else float("nan"))
        times, cif = aalen_johansen(f["promotion_weeks"], f["promotion_cause"])
        # Past the longest spell the incidence is known only if that spell ended in an event.
        followed = -1.0
        if len(followed_weeks):
            longest = followed_weeks == followed_weeks.max()
            followed = float("inf") if (f["promotion_cause"][longest] > 0).all() else float(followed_weeks.max())
        for year in PROMOTION_YEARS:
            out[f"{prefix}mentee.promotion_incidence_{year}y"] = incidence_at(times, cif, year * wpy, followed)
    for key in [k for k in out if k.startswith("mentee.")]:
        out[f"effect.{key}"] = out[key] - out[f"twin.{key}"]
    return out


def compare(result, twin) -> dict:
    """effect.*, twin.*, naive.*, cost.*, value.*, roi and assumption.* keys."""
    cfg = result.config
    m, t = result.metrics, twin.metrics
    out: dict = {}
    keys = EFFECT_METRICS + [_top_representation_key(cfg)]
    for key in keys:
        out[f"twin.{key}"] = t.get(key)
        a, b = m.get(key), t.get(key)
        out[f"effect.{key}"] = (a - b) if a is not None and b is not None else float("nan")
    for key in ("turnover_annual", "promotion_rate_annual", "regretted_turnover_annual"):
        none = m.get(f"{key}.participation.none")
        for role in ("mentee", "mentor"):
            part = m.get(f"{key}.participation.{role}")
            out[f"naive.{key}.{role}_minus_none"] = (part - none) if part == part and none == none else float("nan")
    out.update(money(cfg, result, twin, m))
    for lv in cfg.org.levels:
        out[f"assumption.salary.level.{lv.name}"] = float(lv.salary)
        out[f"assumption.replacement_cost_share.level.{lv.name}"] = float(lv.replacement_cost_share)
    out["assumption.external_hire_premium_share"] = cfg.evaluation.external_hire_premium_share
    out["assumption.discount_rate"] = cfg.evaluation.discount_rate
    logs = EventLog(result.events), EventLog(twin.events)  # read once, for both follow-ups
    out.update(mentee_outcomes(result, twin, logs))
    out.update(causal_hazard_ratios(result, twin, logs))
    out.update(naive_hazard_ratios(m))
    return out


def program_metrics(programs, cfg: Config) -> dict:
    """program.<name>.<stat> for every program, and their summed cost (nominal and present value)."""
    out = {}
    rate, wpy = cfg.evaluation.discount_rate, cfg.sim.weeks_per_year
    for program in programs:
        out[f"program.{program.name}.present_value_cost"] = sum(present_value_costs([program], rate, wpy).values())
        for key, value in program.summary().items():
            out[f"program.{program.name}.{key}"] = value
        for key in ("loaded_cost_factor", "hours_per_year", "coordinator_cost_per_year", "training_cost_per_mentor",
                    "meeting_hours"):
            out[f"assumption.program.{program.name}.{key}"] = float(getattr(program.cfg, key))
    out["programs_total_cost"] = float(sum(p.summary()["total_cost"] for p in programs))
    components = present_value_costs(programs, rate, wpy)
    out["programs_present_value_cost"] = sum(components.values())
    for name, amount in components.items():
        out[f"programs_present_value_cost.{name}"] = amount
    return out


def effects_table(metrics: dict) -> pd.DataFrame:
    """The effect.* keys as a table: metric, program world, twin, effect."""
    rows = []
    for key, value in metrics.items():
        if key.startswith("effect.") and f"twin.{key[7:]}" in metrics:
            name = key[7:]
            rows.append({"metric": name, "program": metrics.get(name), "twin": metrics[f"twin.{name}"],
                         "effect": value})
    return pd.DataFrame(rows)
