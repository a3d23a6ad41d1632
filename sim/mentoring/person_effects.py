"""The program's effect on the people who took part, in the units studies report: hazard ratios.

The same people are found in the program world and its twin by their `draw_key` (the roster,
`people.parquet`): ids of people hired after the worlds diverged can differ, the draw key does
not. Mentees are followed from their first enrolment, mentors from their first tie, in both worlds,
to their exit or the horizon (who, in the twin, had left before that week or joined after it is not
followed there).

Causal (`effect.<role>.*_hazard_ratio`): person-time rate ratios, program world over twin, with a
95% interval exp(log r +- 1.96 sqrt(1/a + 1/b)), a and b the event counts (Poisson counts; the
person-time taken as fixed). Exits count every kind; voluntary exits count voluntary exits only,
other exits ending the person-time; promotion is the first promotion after the start, the spell
ending there, at an exit or at the horizon.

Naive (`naive.<role>.*_hazard_ratio`): in the program world alone, the rate of participants over
that of non-participants, person-time classified by status at each time (the participation split
of `turnover_annual` and `promotion_rate_annual`): selection included.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

EXIT_KINDS = ("voluntary_exit", "retirement", "involuntary_exit", "cycle_exit")
Z95 = 1.959963984540054
OUTCOMES = ("exit", "voluntary_exit", "promotion")
NAIVE = (("mentee", "exit", "turnover_annual"), ("mentee", "promotion", "promotion_rate_annual"),
         ("mentor", "exit", "turnover_annual"))


def _legacy_same_people(result, twin, ids: np.ndarray) -> pd.Series:
    """Without a roster (a run folder from before it carried draw keys): the starting workforce,
    and hires with the same id, hire week and level in both event logs."""
    def hires(events):
        h = events[events["kind"] == "hire"]
        return h.groupby("employee")[["week", "level"]].first().astype(str)

    same_hire = hires(result.events).reindex(ids).eq(hires(twin.events).reindex(ids)).all(axis=1).to_numpy()
    keep = (ids < result.metrics["headcount_start"]) | same_hire
    return pd.Series(ids[keep], index=ids[keep])


def same_people(result, twin, ids) -> pd.Series:
    """The people among `ids` (program-world ids) who are in the twin too: program id -> twin id.

    Matched by draw key through each world's roster (a person's first row in it); a key held by two
    people in one world (a hash collision, never seen) matches nobody."""
    ids = np.asarray(ids, dtype=np.int64)
    people, twin_people = getattr(result, "people", None), getattr(twin, "people", None)
    if people is None or twin_people is None or "draw_key" not in people or "draw_key" not in twin_people:
        return _legacy_same_people(result, twin, ids)
    our_ids, our_keys = _unique_keys(people)
    their_ids, their_keys = _unique_keys(twin_people)
    at = _positions(our_ids, ids)  # each of `ids` in our roster, -1 if not there
    ids, at = ids[at >= 0], at[at >= 0]
    found = _positions(their_keys, our_keys[at])
    return pd.Series(their_ids[found[found >= 0]], index=pd.Index(ids[found >= 0], name="employee"),
                     name="twin_employee")


def _unique_keys(people: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(ids, draw keys) of a roster: each person's first row; keys held by more than one person left out."""
    employee = people["employee"].to_numpy(dtype=np.int64)
    keys = people["draw_key"].to_numpy(dtype=np.uint64)
    first = np.sort(np.unique(employee, return_index=True)[1])
    employee, keys = employee[first], keys[first]
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    once = counts[inverse.reshape(-1)] == 1
    return employee[once], keys[once]


def _positions(table: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Where each of `values` is in `table` (distinct entries), -1 where it is not."""
    if len(table) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    order = np.argsort(table, kind="stable")
    at = np.minimum(np.searchsorted(table[order], values), len(table) - 1)
    return np.where(table[order][at] == values, order[at], -1)


class EventLog:
    """One world's event log as arrays, for the per-person follow-ups: compare() reads each log
    several times a run, and pandas' overhead per small filter and groupby cost more than the work."""

    def __init__(self, events: pd.DataFrame):
        self.week = events["week"].to_numpy(dtype=np.float64)
        self.employee = events["employee"].to_numpy(dtype=np.int64)
        self.detail = events["detail"].to_numpy()
        kind = events["kind"]
        if isinstance(kind.dtype, pd.CategoricalDtype):
            self._codes = kind.cat.codes.to_numpy()
            self._code_of = {name: code for code, name in enumerate(kind.cat.categories)}
        else:
            self._codes, self._kinds = None, kind.to_numpy()
        self._masks: dict = {}

    def of(self, kinds: tuple[str, ...]) -> np.ndarray:
        """Rows whose kind is one of `kinds` (a mask, kept for the next call)."""
        mask = self._masks.get(kinds)
        if mask is None:
            if self._codes is None:
                mask = np.isin(self._kinds, list(kinds))
            else:
                mask = np.isin(self._codes, [self._code_of[k] for k in kinds if k in self._code_of])
            self._masks[kinds] = mask
        return mask

    def first(self, rows: np.ndarray, ids: np.ndarray, after: np.ndarray | None = None) -> np.ndarray:
        """Per person of `ids` (distinct), the first week among `rows` (a mask), only weeks at or after
        `after` (aligned to `ids`) when given; NaN where there is none."""
        out = np.full(len(ids), np.inf)
        picked = np.flatnonzero(rows)
        at = _positions(np.asarray(ids, dtype=np.int64), self.employee[picked])
        weeks, at = self.week[picked[at >= 0]], at[at >= 0]
        if after is not None:
            late = weeks >= after[at]
            weeks, at = weeks[late], at[late]
        np.minimum.at(out, at, weeks)
        out[np.isinf(out)] = np.nan
        return out


def event_log(events) -> EventLog:
    """`events` (a run's event table) as an EventLog; an EventLog as it is."""
    return events if isinstance(events, EventLog) else EventLog(events)


def starts(events, role: str) -> pd.Series:
    """Each participant's first week in the role (id -> week, ids in order): a mentee's first
    enrolment, a mentor's first tie (the mentor's id is the detail of mentoring_start)."""
    log = event_log(events)
    rows = log.of(("mentoring_start",))
    who = log.employee[rows] if role == "mentee" else log.detail[rows].astype(np.int64)
    ids = np.unique(who)
    first = np.full(len(ids), np.inf)
    np.minimum.at(first, np.searchsorted(ids, who), log.week[rows])
    return pd.Series(first, index=ids)


def spells(log: EventLog, ids: np.ndarray, start: np.ndarray, horizon: int) -> dict:
    """Per person (`ids`, followed from week `start`) in one world: `present` (employed at the start:
    hired by then, the starting workforce having no hire event, and not yet gone), `exit_week`, `left`,
    `voluntary`, the first promotion after the start (`promoted`; NaN: none) and `end` (exit or horizon)."""
    exit_week = log.first(log.of(EXIT_KINDS), ids)
    voluntary = ~np.isnan(log.first(log.of(("voluntary_exit",)), ids))
    hired = log.first(log.of(("hire",)), ids)
    present = (np.isnan(hired) | (hired <= start)) & (np.isnan(exit_week) | (exit_week >= start))
    left = ~np.isnan(exit_week)
    return {"present": present, "exit_week": exit_week, "left": left, "voluntary": voluntary,
            "promoted": log.first(log.of(("promotion",)), ids, after=start),
            "end": np.where(left, exit_week, float(horizon))}


def follow(events, origin: pd.Series, horizon: int) -> dict:
    """Events and person-weeks from `origin` (id -> week) in one world, for each outcome."""
    start = origin.to_numpy(dtype=np.float64)
    s = spells(event_log(events), origin.index.to_numpy(dtype=np.int64), start, horizon)
    present, left, promoted, end = s["present"], s["left"], s["promoted"], s["end"]
    first_promotion = np.fmin(promoted, end)
    out = {"people": int(present.sum())}
    weeks = (end - start)[present]
    out["exit"] = (int(left[present].sum()), float(weeks.sum()))
    out["voluntary_exit"] = (int(s["voluntary"][present].sum()), float(weeks.sum()))
    out["promotion"] = (int((~np.isnan(promoted))[present].sum()), float((first_promotion - start)[present].sum()))
    return out


def rate_ratio(a: int, time_a: float, b: int, time_b: float) -> tuple[float, float, float]:
    """(a / time_a) / (b / time_b) and its 95% interval; NaN where a count or a time is zero."""
    if time_a <= 0 or time_b <= 0 or b == 0:
        return float("nan"), float("nan"), float("nan")
    ratio = (a / time_a) / (b / time_b)
    if a == 0:
        return ratio, float("nan"), float("nan")
    half = Z95 * math.sqrt(1.0 / a + 1.0 / b)
    return ratio, math.exp(math.log(ratio) - half), math.exp(math.log(ratio) + half)


def causal_hazard_ratios(result, twin, logs: tuple[EventLog, EventLog] | None = None) -> dict:
    """effect.<role>.<outcome>_hazard_ratio (with _low, _high) for mentees and mentors, and the
    counts behind them (<role>s_compared, <role>.<outcome>_events, <role>.person_years, twin.* alike).
    `logs`: the two worlds' event logs when the caller has them already."""
    cfg = result.config
    horizon, wpy = cfg.sim.horizon_weeks, cfg.sim.weeks_per_year
    out: dict = {}
    logs = logs or (EventLog(result.events), EventLog(twin.events))
    for role in ("mentee", "mentor"):
        origin = starts(logs[0], role)
        if origin.empty:
            continue
        pairs = same_people(result, twin, origin.index)
        ours = origin.reindex(pairs.index)
        theirs = pd.Series(ours.to_numpy(), index=pairs.to_numpy())
        worlds = {"": follow(logs[0], ours, horizon), "twin.": follow(logs[1], theirs, horizon)}
        out[f"{role}s_matched"] = float(len(pairs))
        out[f"{role}s_matched_share"] = len(pairs) / len(origin)
        for prefix, counts in worlds.items():
            out[f"{prefix}{role}.person_years"] = counts["exit"][1] / wpy
            for outcome in OUTCOMES:
                out[f"{prefix}{role}.{outcome}_events"] = float(counts[outcome][0])
        for outcome in OUTCOMES:
            (a, ta), (b, tb) = worlds[""][outcome], worlds["twin."][outcome]
            ratio, low, high = rate_ratio(a, ta, b, tb)
            key = f"effect.{role}.{outcome}_hazard_ratio"
            out[key], out[f"{key}_low"], out[f"{key}_high"] = ratio, low, high
    return out


def naive_hazard_ratios(metrics: dict) -> dict:
    """naive.mentee.exit_hazard_ratio, naive.mentee.promotion_hazard_ratio and
    naive.mentor.exit_hazard_ratio: participants' rate over non-participants' in the program world."""
    out = {}
    for role, outcome, rate in NAIVE:
        part, none = metrics.get(f"{rate}.participation.{role}"), metrics.get(f"{rate}.participation.none")
        ok = part is not None and none is not None and part == part and none == none and none > 0
        out[f"naive.{role}.{outcome}_hazard_ratio"] = part / none if ok else float("nan")
    return out
