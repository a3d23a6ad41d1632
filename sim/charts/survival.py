"""Employment spells from the event log, and Kaplan-Meier survival with Greenwood bands."""
from __future__ import annotations

import numpy as np
import pandas as pd

EXIT_KINDS = ("voluntary_exit", "retirement", "involuntary_exit", "cycle_exit")


def exit_weeks(events: pd.DataFrame) -> pd.Series:
    """Week each employee left (employee id -> week)."""
    ex = events[events["kind"].isin(EXIT_KINDS)]
    return ex.groupby("employee")["week"].min()


def mentee_starts(events: pd.DataFrame) -> pd.Series:
    """Week each mentee first started a relationship (employee id -> week)."""
    st = events[events["kind"] == "mentoring_start"]
    return st.groupby("employee")["week"].min()


def durations(origins: pd.Series, exits: pd.Series, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Weeks from origin to exit (event=True) or to the horizon (censored), per employee."""
    end = exits.reindex(origins.index)
    event = end.notna().to_numpy() & (end.to_numpy(dtype=float) >= origins.to_numpy())
    stop = np.where(event, end.to_numpy(dtype=float), float(horizon))
    return stop - origins.to_numpy(dtype=float), event


def kaplan_meier(duration: np.ndarray, event: np.ndarray, z: float = 1.96):
    """Survival S(t) at each distinct event time, with a Greenwood 95% band (log-log free, clipped)."""
    duration = np.asarray(duration, dtype=float)
    event = np.asarray(event, dtype=bool)
    times = np.unique(duration[event])
    at_risk = np.array([(duration >= t).sum() for t in times], dtype=float)
    deaths = np.array([((duration == t) & event).sum() for t in times], dtype=float)
    factor = 1.0 - deaths / at_risk
    surv = np.cumprod(factor)
    with np.errstate(divide="ignore", invalid="ignore"):
        green = np.cumsum(deaths / (at_risk * (at_risk - deaths)))
    se = surv * np.sqrt(np.where(np.isfinite(green), green, 0.0))
    t = np.concatenate([[0.0], times])
    s = np.concatenate([[1.0], surv])
    lo = np.concatenate([[1.0], np.clip(surv - z * se, 0, 1)])
    hi = np.concatenate([[1.0], np.clip(surv + z * se, 0, 1)])
    return t, s, lo, hi


def survival_at(t: np.ndarray, s: np.ndarray, when: float) -> float:
    """S(when) from a step curve."""
    idx = np.searchsorted(t, when, side="right") - 1
    return float(s[max(idx, 0)])
