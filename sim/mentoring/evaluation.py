"""What a program caused: the run against its counterfactual twin (same organization, same
seed, no program), beside the naive participants-vs-non-participants comparison, and
what it cost and saved. Every assumption used is written into the metrics (`assumption.*`).
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..config.schema import Config

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


def _exits_by_level(result) -> np.ndarray:
    """Voluntary exits by level: the exits a program can prevent (retirements are age-driven)."""
    ts = result.timeseries
    return ts.groupby("level", observed=False)["voluntary_exits"].sum().to_numpy(dtype=float)


def _internal_leadership_fills(result) -> float:
    lt = result.level_timeseries
    lead = [lv.name for lv in result.config.org.levels if lv.leadership]
    return float(lt.loc[lt["level"].isin(lead), "fills_internal"].sum())


def mentee_promotions(result, twin) -> dict:
    """Mentees' first promotion after enrolling, against the same people in the twin.

    Only people who are the same person in both worlds are compared: the initial
    workforce, and hires with the same id, hire week and level in both runs.
    """
    ev, tw = result.events, twin.events
    starts = ev[ev["kind"] == "mentoring_start"].groupby("employee")["week"].min()
    if starts.empty:
        return {}
    hires = ev[ev["kind"] == "hire"].set_index("employee")[["week", "level"]]
    twin_hires = tw[tw["kind"] == "hire"].set_index("employee")[["week", "level"]]
    initial = result.metrics["headcount_start"]
    ids = starts.index.to_numpy()
    joined = hires.reindex(ids).astype(object).eq(twin_hires.reindex(ids).astype(object)).all(axis=1).to_numpy()
    same = (ids < initial) | joined
    starts = starts[same]

    def first_after(events):
        promo = events[events["kind"] == "promotion"][["employee", "week"]]
        promo = promo[promo["employee"].isin(starts.index)]
        promo = promo[promo["week"].to_numpy() >= starts.reindex(promo["employee"]).to_numpy()]
        return promo.groupby("employee")["week"].min().reindex(starts.index)

    horizon = result.config.sim.horizon_weeks
    out = {"mentees_compared": float(len(starts))}
    for label, events in (("program", ev), ("twin", tw)):
        weeks = first_after(events) - starts
        out[f"mentee_promotion_share.{label}"] = float(weeks.notna().mean()) if len(weeks) else float("nan")
        out[f"mentee_weeks_to_promotion.{label}"] = float(weeks.mean()) if weeks.notna().any() else float("nan")
        # Time-censored mean: people never promoted count as promoted at the horizon.
        censored = weeks.fillna(horizon - starts)
        out[f"mentee_weeks_to_promotion_censored.{label}"] = float(censored.mean())
    out["effect.mentee_promotion_share"] = out["mentee_promotion_share.program"] - out["mentee_promotion_share.twin"]
    out["effect.mentee_weeks_to_promotion_censored"] = (out["mentee_weeks_to_promotion_censored.program"]
                                                        - out["mentee_weeks_to_promotion_censored.twin"])
    return out


def compare(result, twin, program_costs: float) -> dict:
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
    salary = np.array([lv.salary for lv in cfg.org.levels])
    share = np.array([lv.replacement_cost_share for lv in cfg.org.levels])
    avoided = _exits_by_level(twin) - _exits_by_level(result)
    out["value.avoided_voluntary_exits"] = float(avoided.sum())
    out["value.replacement_savings"] = float((avoided * salary * share).sum())
    lead = np.array([lv.leadership for lv in cfg.org.levels])
    extra_internal = _internal_leadership_fills(result) - _internal_leadership_fills(twin)
    premium = cfg.evaluation.external_hire_premium_share * float(salary[lead].mean()) if lead.any() else 0.0
    out["value.extra_internal_leadership_fills"] = extra_internal
    out["value.internal_fill_savings"] = extra_internal * premium
    out["value.total"] = out["value.replacement_savings"] + out["value.internal_fill_savings"]
    out["cost.total"] = program_costs
    out["value.net"] = out["value.total"] - program_costs
    out["roi"] = out["value.net"] / program_costs if program_costs > 0 else float("nan")
    for lv, s, r in zip(cfg.org.levels, salary, share):
        out[f"assumption.salary.level.{lv.name}"] = float(s)
        out[f"assumption.replacement_cost_share.level.{lv.name}"] = float(r)
    out["assumption.external_hire_premium_share"] = cfg.evaluation.external_hire_premium_share
    out.update(mentee_promotions(result, twin))
    return out


def program_metrics(programs) -> dict:
    """program.<name>.<stat> for every program, and their summed cost."""
    out = {}
    for program in programs:
        for key, value in program.summary().items():
            out[f"program.{program.name}.{key}"] = value
        for key in ("loaded_cost_factor", "hours_per_year", "coordinator_cost_per_year", "training_cost_per_mentor",
                    "meeting_hours"):
            out[f"assumption.program.{program.name}.{key}"] = float(getattr(program.cfg, key))
    out["programs_total_cost"] = float(sum(p.summary()["total_cost"] for p in programs))
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
