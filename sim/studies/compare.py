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

import difflib
import math
import re

import numpy as np
import pandas as pd
# scipy.special, not scipy.stats: the same quantile functions (t.ppf is stdtrit, norm.ppf is ndtri, to the
# bit) without importing scipy.stats, a third of a CPU-second at the start of every run
from scipy.special import ndtri, stdtrit

from ..config.checks import ConfigError

SEED = "seed"
# columns of the runs table that are bookkeeping, not outcomes
NOT_METRICS = {"run", "status", "error", "wall_seconds", "config_hash", "scenario", "seed"}


def check_confidence(value: float) -> float:
    """A fraction strictly between 0 and 1 (95 is refused, not guessed to mean 95%)."""
    if not (isinstance(value, (int, float)) and math.isfinite(value) and 0 < value < 1):
        raise ConfigError(f"--confidence = {value!r}: must be a fraction in (0, 1), e.g. 0.95 for 95%")
    return float(value)


def check_precision(value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise ConfigError(f"--precision = {value!r}: must be a positive number, in the metric's own units "
                          f"(a fraction for rates: 0.002 = 0.2 points)")
    return value


# Rates and shares are fractions in metrics.json; differences of them read as percentage points.
_FRACTION = re.compile(r"turnover|_rate|rate_|share|representation|attendance")


def metric_unit(metric: str) -> tuple[float, str]:
    """(scale, unit) for printing a metric's differences: rates in percentage points."""
    if _FRACTION.search(metric):
        return 100.0, "pts"
    if "weeks" in metric:
        return 1.0, "weeks"
    if metric.split(".")[0] in ("cost", "value") or metric.endswith("cost"):
        return 1.0, "money"
    if metric.split(".")[-1].endswith("_total") or metric.split(".")[-1] in ("seats", "headcount_start",
                                                                             "headcount_end"):
        return 1.0, "count"
    return 1.0, ""


def output_name(baseline) -> str:
    """comparison_<baseline>.csv: one file per baseline, so comparisons do not overwrite each other."""
    label = "twin" if baseline == "twin" else "_".join(f"{k}-{v}" for k, v in baseline.items())
    return f"comparison_{re.sub(r'[^A-Za-z0-9._-]+', '-', label)[:120]}.csv"


def half_width(sd: float, n: int, confidence: float) -> float:
    if n < 2 or not np.isfinite(sd):
        return float("nan")
    return float(stdtrit(n - 1, 0.5 + confidence / 2) * sd / math.sqrt(n))


def seeds_needed(sd: float, precision: float | None, confidence: float) -> float:
    """Smallest n whose t-interval half-width is <= precision, for differences with this SD."""
    if precision is None or not np.isfinite(sd):
        return float("nan")
    check_precision(precision)
    if sd == 0:
        return 2.0
    guess = (ndtri(0.5 + confidence / 2) * sd / precision) ** 2
    if not guess < 1e12:  # far beyond any sweep; the t correction would not change the answer
        return float("inf")
    n = max(2, math.ceil(guess))
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
    return float(stdtrit(df, 0.5 + confidence / 2) * se)


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
        if not sep or not key.strip():
            raise ConfigError(f"--baseline = {item!r}: expected KEY=VALUE (a swept override) or 'twin'")
        out[key.strip()] = value.strip()
    return out


def _is_metric(done: pd.DataFrame, column: str) -> bool:
    if column not in done.columns or column in NOT_METRICS or column.startswith("ov."):
        return False
    return done[column].dropna().map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).all()


def _check_metrics(done: pd.DataFrame, metrics: list[str]) -> None:
    for metric in metrics:
        if not _is_metric(done, metric):
            known = [c for c in done.columns if c not in NOT_METRICS and not c.startswith("ov.")]
            close = difflib.get_close_matches(metric, known, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else "; any metrics.json key, e.g. turnover_annual"
            raise ConfigError(f"--metric = {metric!r}: not a metric of these runs{hint}")


def _check_baseline(done: pd.DataFrame, baseline: dict[str, str]) -> np.ndarray:
    """The mask of baseline runs; a one-line error naming what exists when there are none."""
    spec = " ".join(f"{k}={v}" for k, v in baseline.items())
    swept = sorted(c[3:] for c in done.columns if c.startswith("ov.") and c != "ov.sim.seed")
    if "sim.seed" in baseline:
        raise ConfigError(f"--baseline = {spec!r}: runs are paired on sim.seed, so it cannot pick the baseline; "
                          f"choose a swept key: {', '.join(swept) or 'none'} (or 'twin')")
    for key, value in baseline.items():
        if f"ov.{key}" not in done.columns:
            raise ConfigError(f"--baseline = {spec!r}: {key} is not an override of these runs; "
                              f"overrides: {', '.join(swept) or 'none'}")
        values = sorted(done[f"ov.{key}"].dropna().astype(str).unique())
        if value not in values:
            raise ConfigError(f"--baseline = {spec!r}: no complete run has {key}={value}; "
                              f"values in the runs: {', '.join(values)}")
    is_base = np.logical_and.reduce([done[f"ov.{k}"].astype(str) == v for k, v in baseline.items()])
    if not is_base.any():
        raise ConfigError(f"--baseline = {spec!r}: no complete run has all of these values at once")
    if is_base.all():
        raise ConfigError(f"--baseline = {spec!r}: every complete run is a baseline run; nothing to compare "
                          f"(choose a value of a swept key: {', '.join(swept) or 'none'})")
    return is_base


def compare(table: pd.DataFrame, baseline, metrics: list[str], confidence: float = 0.95,
            precision: float | None = None) -> pd.DataFrame:
    """One row per (scenario, metric): paired effect against the baseline, and the unpaired view.

    A user mistake (a metric or baseline not in the runs, a confidence outside (0, 1), a
    precision <= 0) raises a one-line ConfigError naming what exists or is allowed.
    """
    confidence, precision = check_confidence(confidence), check_precision(precision)
    done = table[table["status"] == "complete"].copy()
    ov = [c for c in done.columns if c.startswith("ov.") and c != "ov.sim.seed"]
    _check_metrics(done, metrics)
    rows = []
    if baseline == "twin":
        for scenario, runs in done.groupby("scenario", sort=True):
            for metric in metrics:
                if f"twin.{metric}" not in runs:
                    raise ConfigError(f"--metric = {metric!r}: no twin.{metric} in the runs of {scenario}; was "
                                      f"evaluation.twin on, and does the twin report {metric}? (or --baseline "
                                      f"KEY=VALUE)")
                ok = runs[[metric, f"twin.{metric}"]].dropna()
                row = summarize_pairs(ok[metric].to_numpy(float), ok[f"twin.{metric}"].to_numpy(float),
                                      confidence, precision)
                rows.append({"scenario": scenario, "baseline": "twin (same seed, no program)", "metric": metric,
                             **row})
        return _with_units(pd.DataFrame(rows))
    keys = [f"ov.{k}" for k in baseline]
    is_base = _check_baseline(done, baseline)
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
    return _with_units(pd.DataFrame(rows))


def _with_units(frame: pd.DataFrame) -> pd.DataFrame:
    """The unit each metric's values are in (the table itself keeps metrics.json's raw values)."""
    if not frame.empty:
        frame["unit"] = ["fraction" if metric_unit(m)[1] == "pts" else metric_unit(m)[1] for m in frame["metric"]]
    return frame


PRINTED = ["mean_difference", "ci_low", "ci_high", "half_width_paired", "half_width_unpaired"]


def format_table(frame: pd.DataFrame) -> str:
    """The terminal table: differences in their unit (rates in percentage points), n/a where fewer
    than two pairs leave an interval undefined."""
    if frame.empty:
        return "nothing to compare"
    shown = frame[["scenario", "metric"]].copy()
    scale_unit = [metric_unit(m) for m in frame["metric"]]
    shown["unit"] = [unit for _, unit in scale_unit]
    shown["n_pairs"] = frame["n_pairs"].astype(int)
    scales = np.array([scale for scale, _ in scale_unit])
    for col in PRINTED:
        shown[col] = [_number(v) for v in frame[col].to_numpy(float) * scales]
    shown["seeds_needed"] = [_number(v, integer=True) for v in frame["seeds_needed"].to_numpy(float)]
    if frame["seeds_needed"].isna().all():
        shown = shown.drop(columns="seeds_needed")
    return shown.to_string(index=False)


def _number(value: float, integer: bool = False) -> str:
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return ">1e12" if integer else ("inf" if value > 0 else "-inf")
    return f"{value:.0f}" if integer else f"{value:+.4g}"
