"""Sharing the twin between designs: designs that differ only in program settings have the same
no-program twin for the same seed, so a sweep runs it once (sim.runs.jobs.SharedTwins)."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from sim.mentoring.evaluation import twin_config
from sim.runs.jobs import SharedTwins, twin_hash
from sim.runs.result import run, simulate
from tests.conftest import make_config

BASE = ("sim.horizon_years=1", "evaluation.decomposition=false", "sim.seed=3")
# Program settings that change who enrolls, how and when (every enrollment draw), the matching, the
# program itself and a second program, and evaluation and output keys the twin does not read.
DESIGNS = [
    (),
    ("program.enroll_share=0.6", "program.cadence_weeks=1"),
    ("program.enrollment_mode=assigned", "program.mentor_capacity=1"),
    ("matching=optimal", "program.first_cohort_week=1", "program.enrollment=rolling"),
    ("program=onboarding", "evaluation.discount_rate=0.1", "output.sweep_tables=true"),
    ("experiment=onboarding_plus_leadership", "evaluation.objective_seeds=3"),
]


def _exact(metrics: dict) -> str:
    return json.dumps(metrics, sort_keys=True)  # NaN written as NaN: equal strings, equal values


@pytest.fixture(scope="module")
def twins():
    """Each design's twin, simulated on its own (no sharing)."""
    out = []
    for design in DESIGNS:
        cfg = make_config(*BASE, *design)
        out.append((cfg, simulate(twin_config(cfg), [], None)))
    return out


def test_the_twin_of_one_seed_is_the_same_whatever_the_program(twins):
    first_cfg, first = twins[0]
    for cfg, twin in twins[1:]:
        assert twin_hash(cfg) == twin_hash(first_cfg)
        assert _exact(twin.metrics) == _exact(first.metrics), cfg.program
        for table in ("events", "people", "timeseries", "level_timeseries"):
            pd.testing.assert_frame_equal(getattr(twin, table), getattr(first, table), check_exact=True)


@pytest.mark.parametrize("change", ["sim.seed=4", "attrition.first_year_multiplier=2.0", "sim.horizon_years=2",
                                    "output.events=false", "org=default"])
def test_a_setting_the_twin_reads_gives_it_another_hash(twins, change):
    assert twin_hash(make_config(*BASE, change)) != twin_hash(twins[0][0])


def test_runs_sharing_one_twin_give_exactly_the_metrics_of_runs_with_their_own():
    shared = SharedTwins()
    for design in DESIGNS[:3]:
        cfg = make_config(*BASE, *design)
        alone, with_shared = run(cfg), run(cfg, twin_of=shared)
        assert _exact(with_shared.metrics) == _exact(alone.metrics), design
        assert with_shared.twin.config == alone.twin.config  # its own config, as its folder shows
    assert len(shared.take_made()) == 1  # one twin simulated for the three designs


def test_the_store_keeps_the_last_twins_only():
    shared = SharedTwins(size=2)
    for seed in (0, 1, 2):
        shared(make_config("sim.horizon_years=0.25", f"sim.seed={seed}"))
    assert list(shared.runs) == [twin_hash(make_config("sim.horizon_years=0.25", f"sim.seed={s}")) for s in (1, 2)]


def test_a_process_keeps_its_twins_from_one_launch_to_the_next():
    from sim.runs.jobs import share_twins, shared_twins

    try:
        store = share_twins(True)
        assert share_twins(True) is store and shared_twins() is store
        assert share_twins(False) is None and shared_twins() is None
    finally:
        share_twins(False)


def test_the_store_keeps_no_more_tables_than_its_memory_bound_but_always_the_newest():
    from sim.runs.jobs import _table_bytes

    shared = SharedTwins(max_bytes=1)
    for seed in (0, 1):
        twin = shared(make_config("sim.horizon_years=0.25", f"sim.seed={seed}"))
    assert _table_bytes(twin) > 1 and list(shared.runs) == [twin_hash(twin.config)]
