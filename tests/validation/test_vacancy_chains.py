"""Vacancy chains in a fixed-size organization filled from inside.

With hiring.internal_only=true, no time-in-level or readiness requirement and
hires arriving the week their seat opens (ttf_scale=0), every seat that opens at
level L >= 1 is filled by promoting someone from L-1, which opens a seat at L-1,
and so on down to the entry level, where the chain ends in an external hire.
Conservation of seats then gives, over the run and for every boundary L-1 -> L,

    promotions(L-1 -> L) = exits at levels >= L - seats still open at levels >= L

and hires = exits - seats still open (all at the entry level or above once the
chains are done). With promotion.timing=vacancy the chains run the week the exit
happens, so the identity holds week by week and nothing is left open; with
promotion.timing=review seats above the entry level wait for the next review
and the ones still open at the end are accounted for from `model.vacancies`.
"""
from __future__ import annotations

import numpy as np
import pytest

from sim import run
from tests.conftest import make_config

from .helpers import EXIT_KINDS, N_LEVELS, NO_PROGRAM, level_codes, set_seats

INTERNAL_FILL = (
    *NO_PROGRAM,
    "hiring.internal_only=true",
    "promotion.min_weeks_in_level=0",
    "promotion.min_readiness_ratio=0",
    "hiring.ttf_scale=0",
    "metrics.period_weeks=1",
    "sim.agent_views=off",
    # Seats are counted here, not hazards: without the frailty (whose sorting leaves fewer exits
    # above the entry level) the runs have the exits they were sized for.
    "attrition.frailty_sd=0",
)
# 10 x the small org, with Director seats 72 (not 70) so that no level's
# cycle share x headcount is a tie (x.5) for round().
CYCLE_SEATS = (960, 520, 280, 140, 72, 30)

CASES = {
    "vacancy": ("promotion.timing=vacancy", "sim.horizon_years=5", "sim.seed=3"),
    "review": ("promotion.timing=review", "sim.horizon_years=5", "sim.seed=4",
               "review.involuntary_enabled=true", "review.involuntary_threshold=-1.0"),
    "stylized_cycle": ("experiment=stylized_cycle", "sim.seed=5", *set_seats(CYCLE_SEATS)),
}


_RUNS: dict = {}


def _run(name: str):
    if name not in _RUNS:
        _RUNS[name] = run(make_config(*INTERNAL_FILL, *CASES[name]))
    return _RUNS[name]


@pytest.fixture(scope="module", params=list(CASES))
def chain_run(request):
    return request.param, _run(request.param)


def _per_level(events, kind_filter) -> np.ndarray:
    sel = events[events["kind"].isin(kind_filter)]
    return np.bincount(level_codes(sel["level"]), minlength=N_LEVELS)


def _open_by_level(model) -> np.ndarray:
    return model.vacancies.open_by_level(model.org.n_levels)


def _at_or_above(x: np.ndarray) -> np.ndarray:
    """y[L] = sum of x over levels >= L."""
    return np.cumsum(x[::-1])[::-1]


def test_promotions_across_each_boundary_equal_exits_above(chain_run):
    name, result = chain_run
    ev, model = result.events, result.model
    exits = _per_level(ev, EXIT_KINDS)
    promotions_into = _per_level(ev, ["promotion"])  # promotion events carry the new level
    open_end = _open_by_level(model)
    if name != "review":  # chains complete within the week of the exits
        assert open_end.sum() == 0, f"{name}: seats left open at the end: {open_end}"
    expected = _at_or_above(exits) - _at_or_above(open_end)
    assert promotions_into[0] == 0
    assert exits[1:].sum() > 50, "too few exits above the entry level for the check to mean anything"
    assert np.array_equal(promotions_into[1:], expected[1:]), (
        f"{name}: promotions into L {promotions_into.tolist()} != exits at >= L - open at >= L "
        f"{expected.tolist()} (exits {exits.tolist()}, open {open_end.tolist()})")


def test_review_timing_leaves_seats_open_between_reviews():
    """The review case really exercises the open-seat correction: seats are open at the end."""
    result = _run("review")
    model = result.model
    assert (model.week - 1 - model.cfg.review.first_week) % model.cfg.review.period_weeks != 0
    assert _open_by_level(model)[1:].sum() > 0


def test_hires_equal_exits_and_only_at_entry(chain_run):
    name, result = chain_run
    ev, model = result.events, result.model
    hires = _per_level(ev, ["hire"])
    exits = _per_level(ev, EXIT_KINDS)
    open_end = _open_by_level(model)
    assert hires[1:].sum() == 0, f"{name}: external hires above the entry level: {hires.tolist()}"
    assert hires.sum() == exits.sum() - open_end.sum()
    assert hires.sum() == result.metrics["hires_total"]
    assert exits.sum() == result.metrics["exits_total"]


def test_flow_tables_agree_with_events(chain_run):
    """Promotions counted at the level left (timeseries), promotions_in and internal fills."""
    name, result = chain_run
    ts = result.timeseries.groupby("level", observed=False)["promotions"].sum().to_numpy()
    lts = result.level_timeseries.groupby("level", observed=False)[
        ["promotions_in", "fills_internal", "fills_external"]].sum()
    promotions_into = _per_level(result.events, ["promotion"])
    assert ts[-1] == 0
    assert np.array_equal(ts[:-1], promotions_into[1:])
    assert np.array_equal(lts["promotions_in"].to_numpy(), promotions_into)
    assert np.array_equal(lts["fills_internal"].to_numpy(), promotions_into)
    assert lts["fills_external"].to_numpy()[1:].sum() == 0


def test_vacancy_timing_chains_complete_every_week():
    """Week by week: promotions across L-1 -> L equal that week's exits at levels >= L."""
    result = _run("vacancy")
    ev = result.events
    weeks = result.config.sim.horizon_weeks
    def table(kinds):
        sel = ev[ev["kind"].isin(kinds)]
        out = np.zeros((weeks, N_LEVELS), dtype=np.int64)
        np.add.at(out, (sel["week"].to_numpy(), level_codes(sel["level"])), 1)
        return out
    exits, promotions, hires = table(EXIT_KINDS), table(["promotion"]), table(["hire"])
    exits_above = np.cumsum(exits[:, ::-1], axis=1)[:, ::-1]
    bad = np.flatnonzero((promotions[:, 1:] != exits_above[:, 1:]).any(axis=1))
    assert bad.size == 0, f"weeks {bad[:5].tolist()}: promotions {promotions[bad[0]]} exits {exits[bad[0]]}"
    assert np.array_equal(hires.sum(axis=1), exits.sum(axis=1))


@pytest.mark.parametrize("name", ["review", "stylized_cycle"])
def test_review_timing_moves_only_at_reviews(name):
    """Promotions happen only in review weeks (and, in the stylized cycle, everything does)."""
    result = _run(name)
    cfg = result.config
    reviews = set(range(cfg.review.first_week, cfg.sim.horizon_weeks, cfg.review.period_weeks))
    ev = result.events
    assert set(ev.loc[ev["kind"] == "promotion", "week"].unique()) <= reviews
    if name == "stylized_cycle":
        assert set(ev["week"].unique()) <= reviews
        assert max(reviews) == cfg.sim.horizon_weeks - 1  # the run ends right after a review


def test_stylized_cycle_removes_round_share_of_each_level():
    """At every review exactly round(share_L x headcount_L) people leave level L, nobody else leaves."""
    cfg = make_config(*INTERNAL_FILL, *CASES["stylized_cycle"], "sim.horizon_years=4")
    result = run(cfg)
    ev, metrics = result.events, result.model.metrics
    shares = np.asarray(cfg.attrition.cycle_exit_share)
    reviews = list(range(cfg.review.first_week, cfg.sim.horizon_weeks, cfg.review.period_weeks))
    assert len(reviews) == 4
    exits = ev[ev["kind"].isin(EXIT_KINDS)]
    assert set(exits["kind"].astype(str).unique()) == {"cycle_exit"}
    assert set(exits["week"].unique()) == set(reviews)
    for week in reviews:
        # period_weeks=1: snapshot `week` is the headcount at the end of week - 1, i.e. when the review starts
        assert metrics.snapshot_week[week] == week
        headcount = metrics.snapshots[week, ..., 0].sum(axis=(1, 2))
        expected = np.array([round(s * h) for s, h in zip(shares, headcount)])
        # no ties: the rounding convention does not matter
        assert np.all(np.abs(shares * headcount - np.floor(shares * headcount) - 0.5) > 1e-6)
        here = exits[exits["week"] == week]
        observed = np.bincount(level_codes(here["level"]), minlength=N_LEVELS)
        assert np.array_equal(observed, expected), (
            f"week {week}: cycle exits {observed.tolist()} != round(share x headcount) {expected.tolist()} "
            f"(headcount {headcount.tolist()})")
        assert here["employee"].is_unique
