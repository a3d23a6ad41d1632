"""Two to four designs of a sweep side by side: `mentorsim report SWEEP --compare KEY=A,B[,C,D]`.

A design is one value of one swept key. Runs are paired across designs on everything else the
sweep varies (the seed and any other swept key): a pairing unit is one (seed, other overrides)
combination that every design ran to completion. Each design's figures are the mean of its
per-unit values with a t-interval (the `effect.*` figures are already each run against its own
twin); the difference between a design and the first is `sim.studies.compare.compare` with the
first value as the baseline, on the same units, so the page quotes exactly what `compare` gives.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..config.checks import ConfigError
from .compare import compare, half_width

# (metrics key, words, scale to display units, unit, digits, lower is better)
FIGURES = [
    ("effect.turnover_annual", "Annual turnover against the twin", 100, "points", 2, True),
    ("effect.exits_total", "People who left, against the twin", 1, "people", 0, True),
    ("effect.internal_fill_rate_leadership", "Leadership seats filled from inside, against the twin", 100,
     "points", 1, False),
    ("effect.promotions_total", "Promotions, against the twin", 1, "promotions", 0, False),
    ("cost.total", "Program cost (present value)", 1, "currency", 0, True),
    ("value.net", "Net value (value minus cost)", 1, "currency", 0, False),
]
MIN_DESIGNS, MAX_DESIGNS = 2, 4


def parse_designs(spec: str) -> tuple[str, list[str]]:
    """KEY=A,B[,C,D] -> (KEY, [A, B, ...]); a malformed spec is a one-line ConfigError."""
    key, sep, values = (spec or "").partition("=")
    items = [v.strip() for v in values.split(",") if v.strip()]
    if not sep or not key.strip():
        raise ConfigError(f"--compare = {spec!r}: expected KEY=A,B (a swept key and 2 to 4 of its values)")
    if not MIN_DESIGNS <= len(items) <= MAX_DESIGNS or len(set(items)) != len(items):
        raise ConfigError(f"--compare = {spec!r}: name {MIN_DESIGNS} to {MAX_DESIGNS} different values of "
                          f"{key.strip()}, separated by commas")
    return key.strip(), items


def pairing_units(runs: pd.DataFrame, key: str, values: list[str]) -> pd.DataFrame:
    """The complete runs of the designs, each with a `unit` id: a (seed, other overrides) combination
    that every design has; a one-line ConfigError when the key, a value or the pairs are missing."""
    spec = f"{key}={','.join(values)}"
    done = runs[runs["status"] == "complete"].copy()
    swept = sorted(c[3:] for c in done.columns
                   if c.startswith("ov.") and c != "ov.sim.seed" and done[c].astype(str).nunique() > 1)
    if f"ov.{key}" not in done.columns or key not in swept:
        raise ConfigError(f"--compare = {spec!r}: {key} is not a swept key of this sweep's complete runs; swept "
                          f"keys: {', '.join(swept) or 'none'}")
    have = sorted(done[f"ov.{key}"].astype(str).unique())
    missing = [v for v in values if v not in have]
    if missing:
        raise ConfigError(f"--compare = {spec!r}: no complete run has {key}={missing[0]}; values in the sweep: "
                          f"{', '.join(have)}")
    done = done[done[f"ov.{key}"].astype(str).isin(values)]
    others = [c for c in done.columns if c.startswith("ov.") and c not in (f"ov.{key}", "ov.sim.seed")]
    unit_cols = ["seed", *others]
    labels = done[unit_cols].astype(str).agg("|".join, axis=1)
    designs_per_unit = done.assign(_unit=labels).groupby("_unit")[f"ov.{key}"].nunique()
    shared = designs_per_unit[designs_per_unit == len(values)].index
    if len(shared) < 2:
        raise ConfigError(f"--compare = {spec!r}: {len(shared)} seed(s) ran every one of these designs; paired "
                          f"intervals need at least 2 (sweep sim.seed over several values for every design)")
    done = done.assign(unit=labels)[labels.isin(shared)]
    return done


def compare_designs(runs: pd.DataFrame, key: str, values: list[str], confidence: float = 0.95) -> dict:
    """{"designs": one row per (design, figure): mean, low, high, n; "differences": one row per (design
    after the first, figure): compare's paired difference from the first design; "units": n}."""
    done = pairing_units(runs, key, values)
    figures = [f for f in FIGURES if f[0] in done.columns and done[f[0]].notna().any()]
    rows = []
    for value in values:
        mine = done[done[f"ov.{key}"].astype(str) == value]
        for metric, *_ in figures:
            x = pd.to_numeric(mine[metric], errors="coerce").dropna().to_numpy(float)
            n = len(x)
            mean = float(x.mean()) if n else math.nan
            half = half_width(float(x.std(ddof=1)), n, confidence) if n > 1 else math.nan
            rows.append({"design": value, "metric": metric, "mean": mean, "low": mean - half, "high": mean + half,
                         "n": n})
    # compare pairs on `seed`: here the pairing unit (the seed and every other swept key)
    table = done.assign(seed=done["unit"], scenario=f"{key}=" + done[f"ov.{key}"].astype(str))
    table = table[["status", "seed", "scenario", f"ov.{key}", *[f[0] for f in figures]]]
    diffs = compare(table, {key: values[0]}, [f[0] for f in figures], confidence)
    diffs["design"] = diffs["scenario"].str.split("=", n=1).str[1]
    order = {v: i for i, v in enumerate(values)}
    diffs = diffs.sort_values("design", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    return {"designs": pd.DataFrame(rows), "differences": diffs, "units": int(done["unit"].nunique()),
            "figures": figures, "key": key, "values": values, "confidence": confidence}


def spans_zero(low: float, high: float) -> bool:
    """An interval that includes zero, or is undefined: the sign of the difference is unclear."""
    return not (np.isfinite(low) and np.isfinite(high)) or low <= 0 <= high
