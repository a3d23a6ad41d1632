"""Hires' tenure in the fit report, through lifelines: Kaplan-Meier curves of the time from hire to
a voluntary exit (other exits and the end of observation censor) with their 95% bands, overall and
by the level hired into, and a log-rank test of the data's hires against the simulated ones per
level.

lifelines is imported here only (about 3 s on a loaded machine, against well under a second for the
run's own charts): the default run's retention chart keeps `charts/survival.kaplan_meier`, the
same estimator with Greenwood bands.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

ALL, ALL_SHOWN = "all levels", "all levels shown"
SIGNIFICANCE = 0.05


@dataclass
class Curve:
    """A Kaplan-Meier step curve: S(t) from t = 0, with its pointwise 95% band."""

    t: np.ndarray
    s: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n: int

    def at(self, when: float) -> float:
        return float(self.s[max(np.searchsorted(self.t, when, side="right") - 1, 0)])


def censor_at(duration: np.ndarray, event: np.ndarray, horizon: float) -> tuple[np.ndarray, np.ndarray]:
    """Durations cut at `horizon` (an event after it is censored there): both samples span the same."""
    duration = np.asarray(duration, dtype=float)
    return np.minimum(duration, horizon), np.asarray(event, dtype=bool) & (duration <= horizon)


def kaplan_meier(duration, event) -> Curve:
    """lifelines' Kaplan-Meier estimate (its band: exponential Greenwood, log(-log) scale, 95%)."""
    from lifelines import KaplanMeierFitter

    fit = KaplanMeierFitter().fit(np.asarray(duration, dtype=float), np.asarray(event, dtype=bool))
    band = fit.confidence_interval_survival_function_
    return Curve(t=fit.survival_function_.index.to_numpy(float), s=fit.survival_function_.iloc[:, 0].to_numpy(float),
                 low=band.iloc[:, 0].to_numpy(float), high=band.iloc[:, 1].to_numpy(float), n=len(duration))


def logrank(observed: tuple, simulated: tuple) -> tuple[float, float]:
    """lifelines' log-rank test of equal hazards: (chi-square statistic, p-value)."""
    from lifelines.statistics import logrank_test

    (d1, e1), (d2, e2) = observed, simulated
    with warnings.catch_warnings():  # lifelines 0.30 calls pandas in ways pandas 3 deprecates
        warnings.simplefilter("ignore", DeprecationWarning)
        result = logrank_test(d1, d2, event_observed_A=e1, event_observed_B=e2)
    return float(result.test_statistic), float(result.p_value)


@dataclass
class LevelTenure:
    """The curves and the test of one level (or of all), or why they are not shown."""

    level: str
    observed_hires: int
    simulated_hires: int
    observed: Curve | None = None
    simulated: Curve | None = None
    statistic: float = float("nan")
    p_value: float = float("nan")
    suppressed: bool = False

    def verdict(self) -> str:
        """The p-value said plainly, short enough for a table cell (the report explains the words)."""
        if self.suppressed:
            return "suppressed"
        if not np.isfinite(self.p_value):
            return "no test (no hires or no exit)"
        if self.p_value < SIGNIFICANCE:
            return f"p = {self.p_value:.2g}: differs"
        return f"p = {self.p_value:.2f}: consistent"


def tenure_by_level(observed: tuple, simulated: tuple, levels: list[str], horizon: float, min_cell: int,
                    hidden: set[str] = frozenset()) -> list[LevelTenure]:
    """All hires, then each level: curves and log-rank test, censored at `horizon` years. A level
    with fewer than `min_cell` observed hires (or in `hidden`) is suppressed: no curve, no test, and
    left out of the pooled first row too (named ALL_SHOWN then), so that no subtraction recovers it.
    `observed` and `simulated` are (years, voluntary exit, level hired into)."""
    observed_level, simulated_level = np.asarray(observed[2]), np.asarray(simulated[2])
    small = {name for name in levels
             if name in hidden or 0 < int((observed_level == name).sum()) < min_cell}
    shown = [name for name in levels if name not in small]
    out = []
    for name in [ALL_SHOWN if small else ALL, *levels]:
        parts = []
        for (duration, event, _), level in ((observed, observed_level), (simulated, simulated_level)):
            mask = np.isin(level, shown) if name in (ALL, ALL_SHOWN) else (level == name)
            parts.append(censor_at(np.asarray(duration)[mask], np.asarray(event)[mask], horizon))
        row = LevelTenure(name, len(parts[0][0]), len(parts[1][0]))
        if name in small:
            row.suppressed, row.observed_hires = True, -1  # not even the count
        else:
            if row.observed_hires:
                row.observed = kaplan_meier(*parts[0])
            if row.simulated_hires:
                row.simulated = kaplan_meier(*parts[1])
            if row.observed_hires and row.simulated_hires and (parts[0][1].any() or parts[1][1].any()):
                row.statistic, row.p_value = logrank(parts[0], parts[1])
        out.append(row)
    return out
