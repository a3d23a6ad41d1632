"""Money: what the programs cost and what the effects they caused are worth, both in present
value at the start of the run (docs/MODEL.md 8.9 and 8.10).

Every amount is discounted to week 0 at `evaluation.discount_rate` (real, per year):
one unit paid in week w is worth (1 + r) ** (-w / W) now. Costs are discounted at the
week they were incurred; exits and fills, which the tables hold by metrics period, at
the middle of their period.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

# Program cost components, as recorded week by week in `Program.cost_by_week`, and their cost.* names.
COST_KEYS = {"mentee_cost": "mentee_time", "mentor_cost": "mentor_time", "coordinator_cost": "coordination",
             "training_cost": "training"}


def discount_factors(weeks, rate: float, weeks_per_year: int) -> np.ndarray:
    """Present value at week 0 of one unit paid at each of `weeks`."""
    return (1.0 + rate) ** (-np.asarray(weeks, dtype=float) / weeks_per_year)


def by_period_and_level(table: pd.DataFrame, column: str, levels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(middle week of each metrics period, sums of `column` by period and level: shape (P, L)).
    Rows of other levels are left out; a missing value adds nothing."""
    week_end = table["week_end"].to_numpy(dtype=float)
    ends = np.unique(week_end)
    starts = np.concatenate([[0.0], ends[:-1]])
    level = table["level"]
    column_of = {name: i for i, name in enumerate(levels)}
    if isinstance(level.dtype, pd.CategoricalDtype):  # a table of a run: codes, not strings per row
        of_code = np.array([column_of.get(str(name), -1) for name in level.cat.categories] + [-1])
        at = of_code[level.cat.codes.to_numpy()]  # code -1 (missing) reads the last entry: no level
    else:
        at = np.array([column_of.get(str(name), -1) for name in level.to_numpy()], dtype=np.int64)
    values = table[column].to_numpy(dtype=float)
    kept = (at >= 0) & ~np.isnan(values)
    # column-major, as pandas gave it before: the products below sum in an order that depends on it,
    # and the values must not change in the last digit
    sums = np.zeros((len(ends), len(levels)), order="F")
    np.add.at(sums, (np.searchsorted(ends, week_end[kept]), at[kept]), values[kept])
    return (starts + ends) / 2, sums


def present_value_costs(programs, rate: float, weeks_per_year: int) -> dict[str, float]:
    """Each cost component summed over programs, discounted week by week."""
    out = dict.fromkeys(COST_KEYS, 0.0)
    for program in programs:
        weekly = program.cost_by_week
        pv = discount_factors(np.arange(len(weekly)), rate, weeks_per_year) @ weekly
        for name, amount in zip(program.COST_COMPONENTS, pv):
            out[name] += float(amount)
    return out


def replacement_savings(cfg, program_ts: pd.DataFrame, twin_ts: pd.DataFrame) -> tuple[float, float]:
    """Voluntary exits the program avoided (twin minus program, all levels), and their present value.

    An exit costs salary_L x replacement_cost_share_L at the time it happens; each world's exits are
    valued where they happen, so an exit the program prevented is valued once, at its twin week.
    """
    levels = [lv.name for lv in cfg.org.levels]
    per_exit = np.array([lv.salary * lv.replacement_cost_share for lv in cfg.org.levels])
    counts, values = [], []
    for ts in (twin_ts, program_ts):
        mid, exits = by_period_and_level(ts, "voluntary_exits", levels)
        counts.append(exits.sum())
        values.append(discount_factors(mid, cfg.evaluation.discount_rate, cfg.sim.weeks_per_year) @ exits @ per_exit)
    return float(counts[0] - counts[1]), float(values[0] - values[1])


def internal_fill_rates(cfg, level_ts: pd.DataFrame) -> np.ndarray:
    """Share of each level's fills made by internal promotion over the run (NaN: no fill)."""
    levels = [lv.name for lv in cfg.org.levels]
    internal = by_period_and_level(level_ts, "fills_internal", levels)[1].sum(axis=0)
    external = by_period_and_level(level_ts, "fills_external", levels)[1].sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return internal / (internal + external)


def internal_fill_savings(cfg, program_lt: pd.DataFrame, twin_lt: pd.DataFrame) -> dict[str, float]:
    """Value of filling leadership seats from inside more often than the twin did.

    Per leadership level L the program changed the internal fill *rate* by d_L = rate_L(program) -
    rate_L(twin) (0 when either world filled no seat there); of the program world's F_L fills,
    d_L x F_L were internal instead of external, each saving salary_L x external_hire_premium_share.
    A rate, not a count: a vacancy chain set off by an exit (prevented or caused) changes the number
    of fills, not the share filled from inside, so it adds no value of its own.
    """
    levels = [lv.name for lv in cfg.org.levels]
    lead = np.array([lv.leadership for lv in cfg.org.levels])
    change = np.nan_to_num(internal_fill_rates(cfg, program_lt) - internal_fill_rates(cfg, twin_lt)) * lead
    mid, internal = by_period_and_level(program_lt, "fills_internal", levels)
    fills = internal + by_period_and_level(program_lt, "fills_external", levels)[1]
    premium = cfg.evaluation.external_hire_premium_share * np.array([lv.salary for lv in cfg.org.levels])
    extra = fills * change  # (P, L)
    out = {"value.extra_internal_leadership_fills": float(extra.sum()),
           "value.internal_fill_savings": float(
               discount_factors(mid, cfg.evaluation.discount_rate, cfg.sim.weeks_per_year) @ extra @ premium)}
    for name, is_lead, d in zip(levels, lead, change):
        if is_lead:
            out[f"value.internal_fill_rate_change.level.{name}"] = float(d)
    return out


def money(cfg, result, twin, metrics: dict) -> dict:
    """cost.*, value.* and roi for a program world against its twin (present values)."""
    out = {"cost.nominal": metrics["programs_total_cost"]}
    for name, key in COST_KEYS.items():
        out[f"cost.{key}"] = metrics[f"programs_present_value_cost.{name}"]
    out["cost.total"] = metrics["programs_present_value_cost"]
    avoided, savings = replacement_savings(cfg, result.timeseries, twin.timeseries)
    out["value.avoided_voluntary_exits"] = avoided
    out["value.replacement_savings"] = savings
    out.update(internal_fill_savings(cfg, result.level_timeseries, twin.level_timeseries))
    out["value.total"] = out["value.replacement_savings"] + out["value.internal_fill_savings"]
    out["value.net"] = out["value.total"] - out["cost.total"]
    out["roi"] = out["value.net"] / out["cost.total"] if out["cost.total"] > 0 else float("nan")
    return out
