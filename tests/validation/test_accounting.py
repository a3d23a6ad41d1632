"""Stock-flow accounting, week by week, and the life cycle of each employee in the event log.

With metrics.period_weeks=1 every period is one week, so for every week t and level L

    headcount_end(t, L) = headcount_end(t-1, L) + hires - exits - promotions out of L
                          + promotions out of L-1 (into L)

where headcount_end(-1) is the start snapshot. Seats are fixed, so headcount plus
open seats equals the seats of every level at the end of every week.
"""
from __future__ import annotations

import numpy as np
import pytest

from sim import run
from tests.conftest import make_config

from .helpers import EXIT_KINDS, N_LEVELS, level_codes

_RUNS: dict = {}


def _get(name: str, small_run):
    if name == "small_default":
        return small_run  # 5 years, default dynamics, timing=vacancy, external hires with time to fill
    if name not in _RUNS:
        # Involuntary exits, promotions only at reviews, seniority rule: seats stay open for months.
        _RUNS[name] = run(make_config(
            "metrics.period_weeks=1", "sim.horizon_years=3", "sim.seed=7",
            "review.involuntary_enabled=true", "review.involuntary_threshold=-1.0",
            "promotion.timing=review", "promotion.rule=seniority"))
    return _RUNS[name]


@pytest.fixture(params=["small_default", "review_involuntary"])
def result(request, small_run):
    res = _get(request.param, small_run)
    assert res.config.metrics.period_weeks == 1
    return res


def _weekly(ts, column) -> np.ndarray:
    """(weeks, levels) sums over group and participation."""
    table = ts.groupby(["period", "level"], observed=False)[column].sum().unstack("level")
    return table.to_numpy()


def test_headcount_balance_every_week_and_level(result):
    ts, metrics = result.timeseries, result.model.metrics
    weeks = result.config.sim.horizon_weeks
    end = _weekly(ts, "headcount")
    assert end.shape == (weeks, N_LEVELS)
    start = metrics.snapshots[0, ..., 0].sum(axis=(1, 2))
    before = np.vstack([start[None, :], end[:-1]])
    hires, exits, prom_out = (_weekly(ts, c) for c in ("hires", "exits", "promotions"))
    prom_in = np.zeros_like(prom_out)
    prom_in[:, 1:] = prom_out[:, :-1]
    assert prom_out[:, -1].sum() == 0, "promotions out of the top level"
    balance = before + hires - exits - prom_out + prom_in
    bad = np.argwhere(balance != end)
    assert bad.size == 0, (
        f"week {bad[0][0]}, level {bad[0][1]}: expected {balance[tuple(bad[0])]}, got {end[tuple(bad[0])]}")
    # promotions_in of the level table is the same flow seen from the level entered
    lts = result.level_timeseries.groupby(["period", "level"], observed=False)["promotions_in"].sum()
    assert np.array_equal(lts.unstack("level").to_numpy(), prom_in)
    assert prom_out.sum() > 0 and hires.sum() > 0 and exits.sum() > 0


def test_exit_flows_add_up(result):
    ts = result.timeseries
    parts = ts[["voluntary_exits", "retirements", "involuntary_exits", "cycle_exits"]].sum(axis=1)
    assert np.array_equal(parts.to_numpy(), ts["exits"].to_numpy())
    assert (ts["regretted_exits"] <= ts["voluntary_exits"]).all()


def test_headcount_plus_open_seats_equals_seats(result):
    model = result.model
    seats = model.org.seats
    hc_end = model.pop.headcount_by_level(N_LEVELS)
    open_end = model.vacancies.open_by_level(N_LEVELS)
    assert np.array_equal(hc_end + open_end, seats)
    # ... and at every week end: vacancy-weeks of a one-week period are the seats open at its end
    end = _weekly(result.timeseries, "headcount")
    open_weekly = result.level_timeseries.groupby(["period", "level"], observed=False)[
        "vacancy_weeks"].sum().unstack("level").to_numpy()
    assert np.array_equal(end + open_weekly, np.broadcast_to(seats, end.shape))
    mt = result.model_timeseries
    assert (mt["headcount"] + mt["open_vacancies"] == seats.sum()).all()
    assert np.array_equal(end[-1], hc_end)


def test_event_log_matches_flow_counters(result):
    ev, ts = result.events, result.timeseries
    weeks = result.config.sim.horizon_weeks
    for kinds, column in ((EXIT_KINDS, "exits"), (("hire",), "hires")):
        sel = ev[ev["kind"].isin(kinds)]
        counts = np.zeros((weeks, N_LEVELS), dtype=np.int64)
        np.add.at(counts, (sel["week"].to_numpy(), level_codes(sel["level"])), 1)
        assert np.array_equal(counts, _weekly(ts, column)), column
    prom = ev[ev["kind"] == "promotion"]
    counts = np.zeros((weeks, N_LEVELS), dtype=np.int64)
    np.add.at(counts, (prom["week"].to_numpy(), level_codes(prom["level"]) - 1), 1)  # event level = new level
    assert np.array_equal(counts, _weekly(ts, "promotions"))


def test_nobody_acts_after_leaving(result):
    """After an employee's exit row the log holds nothing more about them: programs close a
    leaver's ties (mentoring_end) before the exit is logged."""
    ev = result.events.reset_index(drop=True)
    assert ev["week"].is_monotonic_increasing
    is_exit = ev["kind"].isin(EXIT_KINDS)
    exits = ev[is_exit]
    assert exits["employee"].is_unique, "someone left twice"
    exit_row = exits.reset_index().set_index("employee")["index"]
    later = ev[(ev.index.to_numpy() > exit_row.reindex(ev["employee"]).fillna(np.inf).to_numpy())]
    assert later.empty, f"events after the employee's exit:\n{later.head().to_string()}"
    # the people still here at the end are exactly those who never left
    ever = set(ev["employee"].unique()) | set(range(result.metrics["headcount_start"]))
    active = set(result.model.pop.eid[result.model.pop.active_slots()].tolist())
    assert active == ever - set(exits["employee"].tolist())


def test_every_hire_is_a_new_employee(result):
    ev = result.events.reset_index(drop=True)
    n0 = result.metrics["headcount_start"]
    hires = ev[ev["kind"] == "hire"]
    ids = hires["employee"].to_numpy()
    # ids are handed out in order and never reused: the initial workforce is 0..n0-1
    assert np.array_equal(ids, np.arange(n0, n0 + len(ids)))
    first_row = ev.reset_index().groupby("employee")["index"].min()
    assert np.array_equal(first_row.loc[ids].to_numpy(), hires.index.to_numpy()), "event before the hire"
    assert ev["employee"].max() < result.model.pop.next_eid
