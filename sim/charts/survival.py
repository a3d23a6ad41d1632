"""Employment spells from the event log, and Kaplan-Meier survival with Greenwood bands.

The run's retention charts use this estimator; the fit report of `mentorsim calibrate` uses
lifelines' (`sim/hris/survival.py`), which the default run need not import."""
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
    """Weeks from origin to exit (event=True) or to the horizon (censored), for the people still
    employed at their origin; anyone who had left before it (possible in the twin) is not at risk
    then and is left out."""
    end = exits.reindex(origins.index).to_numpy(dtype=float)
    start = origins.to_numpy(dtype=float)
    present = np.isnan(end) | (end >= start)
    end, start = end[present], start[present]
    event = ~np.isnan(end)
    return np.where(event, end, float(horizon)) - start, event


def mentor_starts(events: pd.DataFrame) -> pd.Series:
    """Week each mentor first started a relationship (mentor's employee id -> week)."""
    st = events[events["kind"] == "mentoring_start"]
    return st.groupby(st["detail"].astype(np.int64))["week"].min()


def status_spells(events: pd.DataFrame, headcount_start: int, horizon: int, first_week: int) -> dict:
    """Spells by status at each time, for the naive participants-vs-others comparison.

    A mentee spell runs from enrolment to exit (event) or the horizon. A non-participant spell
    runs from `first_week` (or the hire week, if later) to exit (event), the horizon, or the week
    the person first takes part as mentee or mentor (censored there: from then on the time is
    not a non-participant's). Classifying by status now, not by what happens later, avoids the
    immortal-time bias of calling "non-participants" those never enrolled by the horizon.
    Returns {"mentee": (durations, events), "none": (durations, events)} in weeks.
    """
    exits = exit_weeks(events)
    hired = events[events["kind"] == "hire"].groupby("employee")["week"].min()
    people = pd.Index(np.arange(headcount_start)).union(hired.index)
    origin = np.maximum(hired.reindex(people).fillna(-1).to_numpy(dtype=float), first_week)
    took_part = pd.concat([mentee_starts(events), mentor_starts(events)]).groupby(level=0).min()
    change = took_part.reindex(people).to_numpy(dtype=float)
    end = exits.reindex(people).to_numpy(dtype=float)
    change = np.where(np.isnan(change), np.inf, change)
    leaves = ~np.isnan(end) & (end < change)  # an exit in the week of enrolment is a mentee's exit
    stop = np.where(leaves, end, np.minimum(change, horizon))
    spell = (np.isnan(end) | (end >= origin)) & (change > origin)  # present, and not yet taking part
    return {"mentee": durations(mentee_starts(events), exits, horizon),
            "none": ((stop - origin)[spell], leaves[spell])}


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
