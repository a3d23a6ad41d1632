"""The model: reproducibility, common random numbers, agent views, and the clock."""
from __future__ import annotations

import math

import numba
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import run
from sim.engine.clock import Clock
from sim.engine.model import OrgModel
from tests.conftest import make_config

EXIT_KINDS = ["voluntary_exit", "retirement", "involuntary_exit", "cycle_exit"]
FRAMES = ["timeseries", "level_timeseries", "model_timeseries", "events"]


def engine(*overrides: str):
    """The organization alone (no mentoring program), as `make_config` otherwise."""
    return make_config("program=none", *overrides)


def _same_metrics(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    for key in a:
        x, y = a[key], b[key]
        if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
            continue
        if x != y:
            return False
    return True


def _assert_same_run(a, b) -> None:
    assert _same_metrics(a.metrics, b.metrics)
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)


def _of_kind(events: pd.DataFrame, kinds) -> pd.DataFrame:
    return events[events["kind"].isin(kinds)].reset_index(drop=True)


@pytest.fixture(scope="module")
def three_year():
    return run(engine("sim.horizon_years=3", "sim.seed=11"))


# ---------------------------------------------------------------- reproducibility


def test_same_seed_gives_identical_outputs(three_year):
    again = run(engine("sim.horizon_years=3", "sim.seed=11"))
    assert len(again.events) > 100  # a run with real activity, not an empty comparison
    _assert_same_run(three_year, again)


def test_same_seed_with_the_default_program_is_identical():
    """Programs (and the no-program twin, when one runs) draw from the same counter-based streams."""
    a = run(make_config("sim.horizon_years=2", "sim.seed=5"))
    b = run(make_config("sim.horizon_years=2", "sim.seed=5"))
    _assert_same_run(a, b)
    assert (a.twin is None) == (b.twin is None)
    if a.twin is not None:
        _assert_same_run(a.twin, b.twin)


def test_different_seeds_differ(three_year):
    other = run(engine("sim.horizon_years=3", "sim.seed=12"))
    assert not three_year.events.equals(other.events)
    assert not _same_metrics(three_year.metrics, other.metrics)
    assert three_year.metrics["mean_engagement_end"] != other.metrics["mean_engagement_end"]
    # The initial workforce itself is drawn from the seed.
    a, b = three_year.timeseries, other.timeseries
    assert not np.allclose(a["mean_readiness"].fillna(0), b["mean_readiness"].fillna(0))


def test_results_do_not_depend_on_the_thread_count(three_year):
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs at least two numba threads")
    default = numba.get_num_threads()
    try:
        single = run(engine("sim.horizon_years=3", "sim.seed=11", "sim.numba_threads=1"))
    finally:
        numba.set_num_threads(default)
    _assert_same_run(three_year, single)


def test_api_accepts_overrides_or_config(three_year):
    by_overrides = run(["org=small", "program=none", "sim.horizon_years=3", "sim.seed=11",
                        "sim.check_invariants=true"])
    _assert_same_run(three_year, by_overrides)


def test_event_log_agrees_with_metrics(three_year):
    ev, m = three_year.events, three_year.metrics
    kinds = ev["kind"].value_counts()
    assert m["hires_total"] == kinds["hire"] > 0
    assert m["promotions_total"] == kinds["promotion"] > 0
    assert m["voluntary_exits_total"] == kinds["voluntary_exit"] > 0
    assert m["exits_total"] == sum(kinds.get(k, 0) for k in EXIT_KINDS)
    assert m["headcount_start"] == 200
    assert m["headcount_end"] == three_year.model.pop.n_active
    assert m["headcount_end"] == 200 + m["hires_total"] - m["exits_total"]


def test_review_events_happen_only_in_review_weeks():
    res = run(engine("sim.horizon_years=3", "promotion.timing=review", "review.period_weeks=13",
                          "review.first_week=10"))
    review_weeks = set(range(10, 3 * 52, 13))
    promo_weeks = set(res.events.loc[res.events["kind"] == "promotion", "week"].tolist())
    passed_weeks = set(res.events.loc[res.events["kind"] == "passed_over", "week"].tolist())
    assert promo_weeks and promo_weeks <= review_weeks
    assert passed_weeks <= review_weeks
    assert len(promo_weeks) >= len(review_weeks) // 2  # most reviews promote someone


# ---------------------------------------------------------------- common random numbers


def test_hipo_share_changes_only_the_regretted_metric(three_year):
    """High-potential flags feed only the regretted-exit count: every event stays the same."""
    other = run(engine("sim.horizon_years=3", "sim.seed=11", "review.hipo_share=0.4"))
    pd.testing.assert_frame_equal(three_year.events, other.events, check_exact=True)
    assert three_year.metrics["exits_total"] == other.metrics["exits_total"]
    assert three_year.metrics["regretted_turnover_annual"] < other.metrics["regretted_turnover_annual"]
    changed = {"regretted_exits", "hipo"}
    a, b = three_year.timeseries, other.timeseries
    assert not a["hipo"].equals(b["hipo"])
    pd.testing.assert_frame_equal(a.drop(columns=list(changed)), b.drop(columns=list(changed)), check_exact=True)


def test_rater_bias_leaves_exits_and_promotions_unchanged_under_seniority():
    base = run(engine("sim.horizon_years=3", "promotion.rule=seniority"))
    biased = run(engine("sim.horizon_years=3", "promotion.rule=seniority", "+performance.rater_bias.B=-0.5"))
    for kinds in (EXIT_KINDS, ["promotion"], ["hire"]):
        pd.testing.assert_frame_equal(_of_kind(base.events, kinds), _of_kind(biased.events, kinds), check_exact=True)
    assert len(_of_kind(base.events, EXIT_KINDS)) > 0 and len(_of_kind(base.events, ["promotion"])) > 0
    # Same people in the same slots; the performance scores differ by the bias, for group B only.
    pa, pb = base.model.pop, biased.model.pop
    slots = pa.active_slots()
    assert np.array_equal(slots, pb.active_slots())
    assert np.array_equal(pa.eid[slots], pb.eid[slots])
    last_review = 26 * 5  # reviews at weeks 26, 52, ..., 130; hires join after the week's review
    reviewed = pa.hire_week[slots] < last_review
    diff = pb.performance[slots] - pa.performance[slots]
    group_b = pa.group[slots] == 1
    assert np.all(diff[~group_b] == 0.0)
    assert np.allclose(diff[group_b & reviewed], -0.5, atol=1e-12)
    assert (group_b & reviewed).sum() > 20


def test_initial_workforce_depends_only_on_the_seed():
    """Settings of later processes never shift the draws of the initial workforce."""
    a = OrgModel(engine("sim.seed=3"))
    b = OrgModel(engine("sim.seed=3", "attrition.engagement_effect=0", "promotion.rule=random"))
    for name in ("eid", "level", "group", "birth_week", "hire_week", "talent", "competency", "engagement"):
        assert np.array_equal(getattr(a.pop, name), getattr(b.pop, name)), name


def test_initial_draws_are_mutually_independent():
    """Planned retirement age must not depend on the drawn age (separate draw indices).

    Among people far below retirement at the start (age < 55, so nobody's date is
    moved), the rank correlation between |age - level mean age| and planned
    retirement age must be zero within 4 standard errors (1/sqrt(n - 1)).
    """
    cfg = engine("org=default", "sim.agent_views=off")
    model = OrgModel(cfg)
    pop, wpy = model.pop, cfg.sim.weeks_per_year
    slots = pop.active_slots()
    age = -pop.birth_week[slots] / wpy
    retire_age = (pop.retire_week[slots] - pop.birth_week[slots]) / wpy
    mean_age = np.array([lv.mean_age for lv in cfg.org.levels])[pop.level[slots]]
    keep = age < 55
    n = int(keep.sum())
    assert n > 800
    rho = stats.spearmanr(np.abs(age - mean_age)[keep], retire_age[keep]).statistic
    assert abs(rho) < 4 / np.sqrt(n - 1), f"rank correlation {rho:.3f} over {n} people"


# ---------------------------------------------------------------- agent views


def test_agents_are_the_live_workforce_at_the_end(small_run):
    model = small_run.model
    assert model.agent_views
    assert len(model.agents) == model.pop.n_active == small_run.metrics["headcount_end"]
    slots = sorted(agent.slot for agent in model.agents)
    assert slots == model.pop.active_slots().tolist()
    assert sorted(agent.eid for agent in model.agents) == sorted(model.pop.eid[model.pop.active_slots()].tolist())


def test_agent_view_reads_and_writes_through_to_the_arrays():
    model = OrgModel(engine())
    agent = model.view(10)
    assert agent is model.view(10)  # the registered view, not a new one
    assert agent in set(model.agents)
    pop = model.pop
    agent.engagement = 0.123
    assert pop.engagement[10] == 0.123
    pop.confidence[10] = 0.456
    assert agent.confidence == 0.456
    assert isinstance(agent.level, int) and agent.level == pop.level[10]
    assert agent.level_name == model.org.level_names[pop.level[10]]
    assert agent.group_name == model.org.group_names[pop.group[10]]
    comps = agent.competencies()
    assert list(comps) == list(model.cfg.org.competencies)
    assert np.allclose(list(comps.values()), pop.competency[10])
    agent.competency = [0.1, 0.2, 0.3, 0.4, 0.5]
    assert pop.competency[10].tolist() == [0.1, 0.2, 0.3, 0.4, 0.5]
    copy = agent.competency
    copy[0] = 0.9  # reading returns a copy: writing to it does not touch the arrays
    assert pop.competency[10, 0] == 0.1
    assert agent.tenure_weeks == -pop.hire_week[10]
    assert agent.age_years == pytest.approx(-pop.birth_week[10] / 52)
    # Other rows are untouched.
    assert pop.engagement[11] != 0.123


def test_views_are_created_on_join_and_removed_on_exit():
    model = OrgModel(engine("sim.horizon_years=2"))
    pop = model.pop
    departed_total = joined_total = 0
    while model.week < model.horizon:
        before = {agent: agent.eid for agent in model.agents}
        model.step()
        active_eids = set(pop.eid[pop.active_slots()].tolist())
        agents = set(model.agents)
        assert {a.eid for a in agents} == active_eids
        assert len(agents) == len(active_eids)
        gone = {eid for eid in before.values()} - active_eids
        for agent, eid in before.items():
            if eid in gone:
                assert agent not in agents
        departed_total += len(gone)
        joined_total += len(agents - set(before))
    assert departed_total > 20 and joined_total > 20


def test_agent_views_off_gives_no_agents():
    res = run(engine("sim.horizon_years=1", "sim.agent_views=off"))
    assert not res.model.agent_views
    assert len(res.model.agents) == 0
    assert res.model.pop.n_active > 0


def test_agent_views_auto_is_off_for_a_very_large_org(monkeypatch):
    from sim.engine import kernels

    # The serial builds: this test is about the views, and the parallel builds a 60,000-row table would
    # pick compile on first use (tests/engine/test_threads.py runs and compares those).
    monkeypatch.setattr(kernels, "PARALLEL_MIN_ROWS", 10**12)
    model = OrgModel(engine("org.levels.0.seats=60000", "sim.agent_views=auto"))
    assert not model.agent_views
    assert len(model.agents) == 0
    assert OrgModel(engine("sim.agent_views=auto")).agent_views


def test_agent_views_do_not_change_results(three_year):
    off = run(engine("sim.horizon_years=3", "sim.seed=11", "sim.agent_views=off"))
    assert _same_metrics(three_year.metrics, off.metrics)
    pd.testing.assert_frame_equal(three_year.events, off.events, check_exact=True)


def test_data_collector_columns_are_those_its_reporters_give(monkeypatch):
    """Snapshots after the first append to the DataCollector's columns directly (`OrgModel.collect`):
    the same values, of the same types, and the same frame as through Mesa's `collect` every time."""
    cfg = engine("sim.horizon_years=2", "metrics.period_weeks=4", "sim.agent_views=off")
    fast = OrgModel(cfg).run()

    def through_mesa(self, snapshot_index):
        self._model_row = self.metrics.model_row(snapshot_index)
        self.datacollector.collect(self)

    monkeypatch.setattr(OrgModel, "collect", through_mesa)
    slow = OrgModel(cfg).run()
    fast_vars, slow_vars = fast.datacollector.model_vars, slow.datacollector.model_vars
    assert list(fast_vars) == list(slow_vars) and len(fast_vars["week"]) == 27
    for name in slow_vars:
        assert [type(v) for v in fast_vars[name]] == [type(v) for v in slow_vars[name]], name
        assert np.array_equal(fast_vars[name], slow_vars[name], equal_nan=True), name
    pd.testing.assert_frame_equal(fast.datacollector.get_model_vars_dataframe(),
                                  slow.datacollector.get_model_vars_dataframe(), check_exact=True)



def test_a_reporter_added_after_the_first_snapshot_goes_through_mesa():
    """Reporters other than the model's own (a user's, added after the first snapshot) are collected by
    Mesa's `collect`, as they always were, not looked up in the model's row."""
    model = OrgModel(engine("sim.horizon_years=1", "metrics.period_weeks=13", "sim.agent_views=off"))
    model.datacollector._new_model_reporter("twice_headcount", lambda m: 2 * m._model_row["headcount"])
    model.run()
    columns = model.datacollector.model_vars
    assert columns["twice_headcount"] == [2 * h for h in columns["headcount"][1:]]


# ---------------------------------------------------------------- the clock


def _due_weeks(clock: Clock, weeks: int) -> dict[int, set[str]]:
    """Advance week by week from the clock's current week; what was due, by week."""
    return {w: due for w in range(clock.now, weeks) if (due := clock.advance(w))}


def test_clock_every_marks_first_then_each_period_before_until():
    clock = Clock()
    clock.every("review", 26, first=26, until=104)
    due = _due_weeks(clock, 200)
    assert sorted(due) == [26, 52, 78]
    assert all(names == {"review"} for names in due.values())


def test_clock_every_from_week_zero_without_end():
    clock = Clock()
    clock.every("tick", 7)
    assert sorted(_due_weeks(clock, 50)) == [0, 7, 14, 21, 28, 35, 42, 49]


def test_clock_at_marks_one_week():
    clock = Clock()
    clock.at("launch", 12)
    assert _due_weeks(clock, 40) == {12: {"launch"}}


def test_clock_names_due_in_the_same_week_are_all_seen():
    clock = Clock()
    clock.at("b", 20)  # scheduled in a different order than they fall
    clock.every("a", 10, first=10, until=35)
    clock.at("c", 5)
    assert _due_weeks(clock, 40) == {5: {"c"}, 10: {"a"}, 20: {"a", "b"}, 30: {"a"}}


def test_clock_at_scheduled_during_the_run():
    clock = Clock()
    for week in range(6):
        assert clock.advance(week) == set()
    assert clock.now == 6
    clock.at("late", 9)  # 9 weeks from the start, not from now
    assert _due_weeks(clock, 20) == {9: {"late"}}


def test_clock_every_started_after_quiet_weeks_counts_from_the_clock_week():
    """Weeks without an event skip SimPy's run loop; a process started after them still starts now."""
    clock = Clock()
    clock.at("early", 1)
    for week in range(10):
        clock.advance(week)
    assert clock.now == 10
    clock.every("tick", 4, first=2, until=30)
    assert _due_weeks(clock, 40) == {12: {"tick"}, 16: {"tick"}, 20: {"tick"}, 24: {"tick"}, 28: {"tick"}}


def test_clock_forgets_what_it_returned():
    clock = Clock()
    clock.at("once", 3)
    for week in range(3):
        clock.advance(week)
    assert clock.advance(3) == {"once"}
    assert clock.advance(4) == set()
