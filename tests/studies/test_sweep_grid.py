"""Test 1: a real multirun through the joblib launcher, then collect and compare on it.

The sweep (conftest.grid_sweep) is matching {random, optimal} x program.cadence_weeks {2, 4}
x sim.seed {0, 1}: 8 jobs, two worker processes, each with its no-program twin.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

from sim import load_config, run
from sim.runs.folder import clean_json, is_complete

from ._util import find_job, job_folders, job_overrides, mentorsim, ok, status_of

OV_COLUMNS = {"ov.org", "ov.sim.horizon_years", "ov.output.charts", "ov.output.sweep_tables", "ov.matching",
              "ov.program.cadence_weeks", "ov.sim.seed"}


def test_sweep_writes_eight_complete_run_folders(grid_sweep):
    sweep, proc = grid_sweep
    folders = job_folders(sweep)
    assert len(folders) == 8
    assert all(is_complete(f) for f in folders), [status_of(f) for f in folders]
    for f in folders:
        assert (f / "metrics.json").exists() and (f / "twin" / "status.json").exists()
        assert not list(f.glob(".*.tmp")), "a temporary file was left behind"
        assert not (f / "charts").exists()  # output.charts=false reached the jobs
    combos = {(o["matching"], o["program.cadence_weeks"], o["sim.seed"]) for o in map(job_overrides, folders)}
    assert combos == {(m, c, s) for m in ("random", "optimal") for c in ("2", "4") for s in ("0", "1")}
    # run_sweep: the sweep went to the folder asked for, and said so
    assert f"8 run folders in {sweep}" in proc.stdout, proc.stdout
    assert "skipped" not in proc.stdout


@pytest.fixture(scope="module")
def collected(grid_sweep, tmp_path_factory):
    sweep, _ = grid_sweep
    proc = ok(mentorsim("collect", str(sweep), cwd=tmp_path_factory.mktemp("collect")))
    return sweep, proc, pd.read_parquet(sweep / "runs.parquet")


def test_collect_one_row_per_run_with_overrides_and_seeds(collected):
    sweep, proc, runs = collected
    assert "8 runs: 8 complete" in proc.stdout, proc.stdout
    assert len(runs) == 8
    assert set(runs["status"]) == {"complete"}
    assert {c for c in runs.columns if c.startswith("ov.")} == OV_COLUMNS
    assert sorted(runs["seed"].astype(int)) == [0, 0, 0, 0, 1, 1, 1, 1]
    assert (runs["seed"].astype(int) == runs["ov.sim.seed"].astype(int)).all()
    assert sorted(runs["run"]) == [str(i) for i in range(8)]
    # scenario: every override but the seed, so the 4 designs have 2 seeds each
    assert runs.groupby("scenario").size().tolist() == [2, 2, 2, 2]
    assert not runs["scenario"].str.contains("sim.seed").any()
    assert runs["config_hash"].notna().all() and runs["config_hash"].nunique() == 8
    # metrics columns, equal to each folder's metrics.json
    for _, row in runs.iterrows():
        metrics = json.loads((sweep / row["run"] / "metrics.json").read_text())
        assert row["turnover_annual"] == pytest.approx(metrics["turnover_annual"])
        assert row["effect.turnover_annual"] == pytest.approx(metrics["effect.turnover_annual"])


def _hand_paired(runs: pd.DataFrame, metric: str, scenario_ov: dict, baseline_ov: dict) -> list[float]:
    """Differences scenario - baseline, seed by seed, selected by override values."""
    def pick(ov):
        mask = pd.Series(True, index=runs.index)
        for k, v in ov.items():
            mask &= runs[f"ov.{k}"].astype(str) == v
        return runs[mask].set_index("seed")[metric]
    s, b = pick(scenario_ov), pick(baseline_ov)
    return [float(s[seed] - b[seed]) for seed in sorted(s.index)]


def test_compare_against_a_key_value_baseline(collected, tmp_path):
    sweep, _, runs = collected
    proc = ok(mentorsim("compare", str(sweep), "--baseline", "matching=random", "--metric", "turnover_annual",
                        cwd=tmp_path))
    table = pd.read_csv(sweep / "comparison_matching-random.csv")
    assert len(table) == 2, table
    assert (table["metric"] == "turnover_annual").all()
    assert (table["n_pairs"] == 2).all()
    assert table["scenario"].str.contains("matching=optimal").all()
    assert sorted(table["scenario"].str.extract(r"program\.cadence_weeks=(\d+)")[0]) == ["2", "4"]
    for _, row in table.iterrows():
        cadence = row["scenario"].split("program.cadence_weeks=")[1].split()[0]
        assert f"program.cadence_weeks={cadence}" in row["baseline"] and "matching=random" in row["baseline"]
        diffs = _hand_paired(runs, "turnover_annual", {"matching": "optimal", "program.cadence_weeks": cadence},
                             {"matching": "random", "program.cadence_weeks": cadence})
        assert row["mean_difference"] == pytest.approx(sum(diffs) / 2, abs=1e-12)
    assert "matching=optimal" in proc.stdout


def test_compare_against_the_twin(collected, tmp_path):
    sweep, _, runs = collected
    ok(mentorsim("compare", str(sweep), "--baseline", "twin", "--metric", "turnover_annual", cwd=tmp_path))
    table = pd.read_csv(sweep / "comparison_twin.csv")
    assert len(table) == 4 and (table["n_pairs"] == 2).all()
    assert table["baseline"].str.startswith("twin").all()
    for _, row in table.iterrows():
        mine = runs[runs["scenario"] == row["scenario"]]
        # the paired difference against the twin is the run's own effect
        assert row["mean_difference"] == pytest.approx(mine["effect.turnover_annual"].mean(), abs=1e-12)
        assert row["mean_baseline"] == pytest.approx(mine["twin.turnover_annual"].mean(), abs=1e-12)


@pytest.mark.parametrize("combo", [("random", "2", "0"), ("optimal", "4", "1")])
def test_a_sweep_job_equals_the_same_config_run_in_process(grid_sweep, combo):
    """One seed is one result, whatever the number of worker processes (and numba threads)."""
    sweep, _ = grid_sweep
    matching, cadence, seed = combo
    folder = find_job(sweep, matching=matching, program__cadence_weeks=cadence, sim__seed=seed)
    on_disk = json.loads((folder / "metrics.json").read_text())
    # evaluation.decomposition=false: sweep jobs skip it unless evaluation.sweep_decomposition
    result = run(load_config(["org=small", "sim.horizon_years=0.5", "output.charts=false",
                              "evaluation.decomposition=false",
                              f"matching={matching}", f"program.cadence_weeks={cadence}", f"sim.seed={seed}"]))
    in_process = json.loads(json.dumps(clean_json(result.metrics)))
    differing = {k: (on_disk.get(k), in_process.get(k)) for k in set(on_disk) | set(in_process)
                 if on_disk.get(k) != in_process.get(k)}
    assert not differing, differing
