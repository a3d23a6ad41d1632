"""`mentorsim hris export`: a run's history as an HR extract that re-imports valid and whose counts
are the run's own."""
from __future__ import annotations

import pandas as pd
import pytest

from sim import run
from sim.commands import dispatch
from sim.hris.history import counts_by_level
from sim.hris.load import load_hr_data
from tests.conftest import make_config

START = pd.Timestamp("2020-01-01")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    # Involuntary exits on, so every exit reason appears.
    cfg = make_config("sim.horizon_years=3", "program=none", "review.involuntary_enabled=true",
                      "review.involuntary_threshold=-1.0", "output.charts=false", "output.report=false")
    result = run(cfg)
    return result.save(tmp_path_factory.mktemp("run") / "run", charts=False), result


@pytest.fixture(scope="module")
def extract(run_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("hr") / "extract"
    assert dispatch(["hris", "export", str(run_dir[0]), str(out), "--salt", "test"]) == 0
    return out


def test_the_export_reimports_valid_with_pseudonymous_ids(extract, run_dir):
    data = load_hr_data(extract)
    people = run_dir[1].people
    assert len(data.employees) == len(people)
    assert not set(data.employees["employee_id"]) & {str(e) for e in people["employee"]}
    assert sorted(p.name for p in extract.iterdir()) == ["employees.csv", "job_history.csv", "levels.csv",
                                                         "requisitions.csv"]


def test_requisitions_are_the_runs_fills_with_their_times_to_fill(extract, run_dir):
    result = run_dir[1]
    reqs = load_hr_data(extract).requisitions
    ev = result.events[result.events["kind"].astype(str).isin(["hire", "promotion"])]
    names = [lv.name for lv in result.config.org.levels]
    for source, kind in (("external", "hire"), ("internal", "promotion")):
        ours = reqs.loc[reqs["source"] == source, "level"].value_counts().reindex(names, fill_value=0)
        theirs = ev.loc[ev["kind"].astype(str) == kind, "level"].astype(str).value_counts().reindex(names, fill_value=0)
        assert ours.tolist() == theirs.tolist()
    external = reqs[reqs["source"] == "external"]
    weeks = (external["filled"] - external["opened"]).dt.days / 7
    hires = ev[ev["kind"].astype(str) == "hire"]
    # Dates are whole days (week w on day round(w x 365.25 / 52)): each span is off by under a day.
    assert abs(weeks.mean() - hires["detail"].mean()) < 1 / 7
    assert reqs.loc[reqs["source"] == "internal", "opened"].isna().all()  # not logged by the run


def test_counts_by_level_equal_the_runs_own(extract, run_dir):
    result = run_dir[1]
    data = load_hr_data(extract)
    end = START + pd.Timedelta(days=round(result.config.sim.horizon_weeks * 365.25 / 52))
    counts = counts_by_level(data, since=START, until=end)
    ts = result.timeseries.groupby("level", observed=False)
    flows = ts[["voluntary_exits", "involuntary_exits", "retirements", "promotions", "hires"]].sum()
    last = result.timeseries[result.timeseries["week_end"] == result.timeseries["week_end"].max()]
    headcount = last.groupby("level", observed=False)["headcount"].sum()
    assert counts["voluntary"].tolist() == flows["voluntary_exits"].tolist()
    assert counts["involuntary"].tolist() == flows["involuntary_exits"].tolist()
    assert counts["retirement"].tolist() == flows["retirements"].tolist()
    assert counts["promotions"].tolist() == flows["promotions"].tolist()
    assert counts["hires"].tolist() == flows["hires"].tolist()
    assert counts["headcount"].tolist() == headcount.tolist()
    m = result.metrics
    assert counts["involuntary"].sum() == m["involuntary_exits_total"] > 0
    assert counts["promotions"].sum() == m["promotions_total"] > 0
    assert counts["headcount"].sum() == m["headcount_end"]


def test_export_refuses_a_folder_that_is_not_empty_and_writes_nothing_for_a_bad_run(tmp_path, extract, capsys):
    assert dispatch(["hris", "export", str(tmp_path), str(tmp_path / "out")]) == 2
    assert "not a complete run folder" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert dispatch(["hris", "export", str(tmp_path), str(extract)]) == 2
    assert "exists and is not empty" in capsys.readouterr().err
