"""Scenarios against a baseline on common random numbers.

Runs of two scenarios with the same seed share every random draw that the
scenario does not change, so the difference of their outcomes, seed by seed,
has far less noise than the difference of two independent samples. For each
scenario and metric this reports the mean paired difference with a
t-interval, the unpaired (Welch) interval the same runs would give if they had
not been paired, and how many seeds a chosen precision (interval half-width)
needs.

Baselines: `KEY=VALUE ...` (for each scenario, the run with the same seed and
the same other overrides, but these values), or `twin` (each program run's own
no-program twin, whose paired difference is the run's `effect.<metric>`).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

SEED = "seed"


def half_width(sd: float, n: int, confidence: float) -> float:
    if n < 2 or not np.isfinite(sd):
        return float("nan")
    return float(stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n))


def seeds_needed(sd: float, precision: float | None, confidence: float) -> float:
    """Smallest n whose t-interval half-width is <= precision, for differences with this SD."""
    if precision is None or not np.isfinite(sd):
        return float("nan")
    if sd == 0:
        return 2.0
    n = max(2, math.ceil((stats.norm.ppf(0.5 + confidence / 2) * sd / precision) ** 2))
    while half_width(sd, n, confidence) > precision:
        n += 1
    return float(n)


def welch_half_width(x: np.ndarray, y: np.ndarray, confidence: float) -> float:
    nx, ny = len(x), len(y)
    if nx < 2 or ny < 2:
        return float("nan")
    vx, vy = x.var(ddof=1) / nx, y.var(ddof=1) / ny
    se = math.sqrt(vx + vy)
    if se == 0:
        return 0.0
    df = (vx + vy) ** 2 / (vx**2 / (nx - 1) + vy**2 / (ny - 1))
    return float(stats.t.ppf(0.5 + confidence / 2, df) * se)


def summarize_pairs(x: np.ndarray, b: np.ndarray, confidence: float, precision: float | None) -> dict:
    """Paired and unpaired summaries of scenario values x against baseline values b (same seeds)."""
    d = x - b
    n = len(d)
    sd = float(d.std(ddof=1)) if n > 1 else float("nan")
    mean = float(d.mean()) if n else float("nan")
    hw = half_width(sd, n, confidence)
    hw_u = welch_half_width(x, b, confidence)
    return {
        "n_pairs": n, "mean_scenario": float(x.mean()) if n else float("nan"),
        "mean_baseline": float(b.mean()) if n else float("nan"), "mean_difference": mean,
        "ci_low": mean - hw, "ci_high": mean + hw, "half_width_paired": hw, "half_width_unpaired": hw_u,
        "width_ratio_unpaired_to_paired": hw_u / hw if hw and np.isfinite(hw) and hw > 0 else float("nan"),
        "sd_difference": sd, "seeds_needed": seeds_needed(sd, precision, confidence),
    }


def parse_baseline(spec: list[str] | str) -> dict[str, str] | str:
    items = [spec] if isinstance(spec, str) else list(spec)
    if items == ["twin"]:
        return "twin"
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"baseline {item!r}: expected KEY=VALUE or 'twin'")
        out[key.strip()] = value.strip()
    return out


def compare(table: pd.DataFrame, baseline, metrics: list[str], confidence: float = 0.95,
            precision: float | None = None) -> pd.DataFrame:
    """One row per (scenario, metric): paired effect against the baseline, and the unpaired view."""
    done = table[table["status"] == "complete"].copy()
    ov = [c for c in done.columns if c.startswith("ov.") and c != "ov.sim.seed"]
    missing = [m for m in metrics if m not in done.columns]
    if missing:
        raise KeyError(f"metric(s) not in the runs: {', '.join(missing)}")
    rows = []
    if baseline == "twin":
        for scenario, runs in done.groupby("scenario", sort=True):
            for metric in metrics:
                if f"twin.{metric}" not in runs:
                    raise KeyError(f"twin.{metric} not in the runs: was evaluation.twin on, and is "
                                   f"{metric} among the compared metrics (sim/mentoring/evaluation.py)?")
                ok = runs[[metric, f"twin.{metric}"]].dropna()
                row = summarize_pairs(ok[metric].to_numpy(float), ok[f"twin.{metric}"].to_numpy(float),
                                      confidence, precision)
                rows.append({"scenario": scenario, "baseline": "twin (same seed, no program)", "metric": metric,
                             **row})
        return pd.DataFrame(rows)
    for key in baseline:
        if f"ov.{key}" not in done.columns:
            raise KeyError(f"baseline key {key!r} is not an override of these runs")
    keys = [f"ov.{k}" for k in baseline]
    is_base = np.logical_and.reduce([done[f"ov.{k}"].astype(str) == v for k, v in baseline.items()])
    base = done[is_base]
    others = [c for c in ov if c not in keys]
    for scenario, runs in done[~is_base].groupby("scenario", sort=True):
        match = base
        for col in others:
            value = runs[col].iloc[0]
            match = match[match[col].astype(str) == str(value)] if col in match else match
        pairs = runs.merge(match, on=SEED, suffixes=("", "__base"))
        base_name = match["scenario"].iloc[0] if len(match) else "none"
        for metric in metrics:
            ok = pairs[[metric, f"{metric}__base"]].dropna()
            row = summarize_pairs(ok[metric].to_numpy(float), ok[f"{metric}__base"].to_numpy(float),
                                  confidence, precision)
            rows.append({"scenario": scenario, "baseline": base_name, "metric": metric, **row})
    return pd.DataFrame(rows)


def format_table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "nothing to compare"
    cols = ["scenario", "metric", "n_pairs", "mean_difference", "ci_low", "ci_high", "half_width_paired",
            "half_width_unpaired", "seeds_needed"]
    return frame[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}")
