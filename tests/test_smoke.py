from tests.conftest import make_config
from sim import run


def test_small_run_produces_tables(small_run):
    assert small_run.metrics["headcount_start"] == 200
    assert len(small_run.timeseries) > 0
    assert {"hire", "promotion"} <= set(small_run.events["kind"].unique())


def test_default_run_two_years_checks_invariants():
    result = run(make_config("org=default", "sim.horizon_years=2"))
    assert result.metrics["seats"] == 1000
