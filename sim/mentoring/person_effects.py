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

    Matched by draw key through each world's roster; a key held by two people in one world (a hash
    collision, never seen) matches nobody."""
    ids = np.asarray(ids, dtype=np.int64)
    people, twin_people = getattr(result, "people", None), getattr(twin, "people", None)
    if people is None or twin_people is None or "draw_key" not in people or "draw_key" not in twin_people:
        return _legacy_same_people(result, twin, ids)
    ours = people.drop_duplicates("employee").set_index("employee")["draw_key"]
    theirs = twin_people.drop_duplicates("employee")
    theirs = theirs[~theirs["draw_key"].duplicated(keep=False)].set_index("draw_key")["employee"]
    ours = ours[~ours.duplicated(keep=False)]
    keys = ours.reindex(ids)
    twin_ids = theirs.reindex(keys.dropna().astype(np.uint64).to_numpy())
    found = pd.Series(twin_ids.to_numpy(), index=keys.dropna().index).dropna().astype(np.int64)
    found.index.name, found.name = "employee", "twin_employee"
    return found


def starts(events: pd.DataFrame, role: str) -> pd.Series:
    """Each participant's first week in the role (id -> week): a mentee's first enrolment, a
    mentor's first tie (the mentor's id is the detail of mentoring_start)."""
    st = events[events["kind"] == "mentoring_start"]
    who = st["employee"] if role == "mentee" else st["detail"].astype(np.int64)
    return st.groupby(who.to_numpy())["week"].min().astype(float)


def follow(events: pd.DataFrame, origin: pd.Series, horizon: int) -> dict:
    """Events and person-weeks from `origin` (id -> week) in one world, for each outcome."""
    ev = events[events["employee"].isin(origin.index)]
    ex = ev[ev["kind"].isin(EXIT_KINDS)]
    exit_week = ex.groupby("employee")["week"].min().reindex(origin.index).astype(float)
    voluntary = ex[ex["kind"] == "voluntary_exit"].groupby("employee")["week"].min().reindex(origin.index).notna()
    hired = ev[ev["kind"] == "hire"].groupby("employee")["week"].min().reindex(origin.index)
    # employed at the start: hired by then (the starting workforce has no hire event) and not yet gone
    present = ((hired.isna() | (hired <= origin)) & (exit_week.isna() | (exit_week >= origin))).to_numpy()
    pr = ev[ev["kind"] == "promotion"]
    pr = pr[pr["week"].to_numpy() >= origin.reindex(pr["employee"]).to_numpy()]
    promoted = pr.groupby("employee")["week"].min().reindex(origin.index).astype(float)
    end = exit_week.fillna(float(horizon)).to_numpy()
    start = origin.to_numpy()
    first_promotion = np.fmin(promoted.to_numpy(), end)
    left = exit_week.notna().to_numpy()
    out = {"people": int(present.sum())}
    weeks = (end - start)[present]
    out["exit"] = (int(left[present].sum()), float(weeks.sum()))
    out["voluntary_exit"] = (int(voluntary.to_numpy()[present].sum()), float(weeks.sum()))
    out["promotion"] = (int(promoted.notna().to_numpy()[present].sum()),
                        float((first_promotion - start)[present].sum()))
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


def causal_hazard_ratios(result, twin) -> dict:
    """effect.<role>.<outcome>_hazard_ratio (with _low, _high) for mentees and mentors, and the
    counts behind them (<role>s_compared, <role>.<outcome>_events, <role>.person_years, twin.* alike)."""
    cfg = result.config
    horizon, wpy = cfg.sim.horizon_weeks, cfg.sim.weeks_per_year
    out: dict = {}
    for role in ("mentee", "mentor"):
        origin = starts(result.events, role)
        if origin.empty:
            continue
        pairs = same_people(result, twin, origin.index)
        ours = origin.reindex(pairs.index)
        theirs = pd.Series(ours.to_numpy(), index=pairs.to_numpy())
        worlds = {"": follow(result.events, ours, horizon), "twin.": follow(twin.events, theirs, horizon)}
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
