"""Test 3: a sweep with a failed and an interrupted job is collected whole, and compare skips them."""
from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

import sim.runs.result
from sim.config.load import load_config
from sim.runs.jobs import run_job
from sim.runs.folder import is_complete
from sim.studies.collect import collect, describe
from sim.commands import dispatch

from ._util import find_job, status_of


@pytest.fixture
def damaged_sweep(grid_sweep, tmp_path):
    """A copy of the grid sweep with (optimal, 2, seed 1) failed and (random, 4, seed 0) killed."""
    sweep = tmp_path / "sw"
    shutil.copytree(grid_sweep[0], sweep)
    (sweep / "runs.parquet").unlink(missing_ok=True)
    for stale in [*sweep.glob("comparison*.csv"), *sweep.glob("report.*")]:
        stale.unlink()
    failed = find_job(sweep, matching="optimal", program__cadence_weeks="2", sim__seed="1")
    (failed / "status.json").write_text(json.dumps({"status": "failed", "config_hash": "x",
                                                    "error": "MemoryError: out of memory"}))
    (failed / "metrics.json").unlink()
    killed = find_job(sweep, matching="random", program__cadence_weeks="4", sim__seed="0")
    (killed / "status.json").write_text(json.dumps({"status": "running", "config_hash": "x"}))
    (killed / "metrics.json").unlink()
    return sweep, failed, killed


def test_collect_lists_failed_and_incomplete_runs(damaged_sweep):
    sweep, failed, killed = damaged_sweep
    runs = collect(sweep).set_index("run")
    assert len(runs) == 8
    assert runs.loc[failed.name, "status"] == "failed"
    assert runs.loc[failed.name, "error"] == "MemoryError: out of memory"
    assert runs.loc[killed.name, "status"] == "incomplete"
    assert (runs["status"] == "complete").sum() == 6
    # no result for runs that have none, but their seeds and overrides are known
    assert runs.loc[[failed.name, killed.name], "turnover_annual"].isna().all()
    assert runs.loc[failed.name, "seed"] == 1 and runs.loc[killed.name, "seed"] == 0
    assert runs.loc[failed.name, "ov.matching"] == "optimal"
    assert pd.read_parquet(sweep / "runs.parquet").shape == runs.reset_index().shape
    lines = describe(runs.reset_index())
    assert lines[0] == "8 runs: 6 complete, 1 failed, 1 incomplete"
    assert any(line.strip().startswith(f"failed: {failed.name} ") and "MemoryError" in line for line in lines)
    assert any(line.strip().startswith(f"incomplete: {killed.name} ") for line in lines)


def test_compare_ignores_runs_without_a_result(damaged_sweep, capsys):
    sweep, failed, killed = damaged_sweep
    code = dispatch(["compare", str(sweep), "--baseline", "matching=random", "--metric", "turnover_annual",
                     "--metric", "bench_strength_end"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"not compared: failed: {failed.name}" in out and f"not compared: incomplete: {killed.name}" in out
    table = pd.read_csv(sweep / "comparison_matching-random.csv")
    assert len(table) == 4  # 2 scenarios x 2 metrics
    # optimal@2 lost seed 1 (its own run failed); optimal@4 lost seed 0 (its baseline was killed)
    assert (table["n_pairs"] == 1).all(), table[["scenario", "metric", "n_pairs"]]
    runs = collect(sweep, write=False)
    done = runs[runs["status"] == "complete"]
    for _, row in table.iterrows():
        cadence = row["scenario"].split("program.cadence_weeks=")[1].split()[0]
        seed = 0 if cadence == "2" else 1
        pick = lambda m: done[(done["ov.matching"] == m) & (done["ov.program.cadence_weeks"] == cadence)  # noqa
                              & (done["seed"] == seed)][row["metric"]].item()
        assert row["mean_difference"] == pytest.approx(pick("optimal") - pick("random"), abs=1e-12)


def test_compare_with_no_complete_runs_is_a_one_line_error(tmp_path, capsys):
    folder = tmp_path / "sw" / "0"
    folder.mkdir(parents=True)
    (folder / "status.json").write_text(json.dumps({"status": "failed", "error": "boom"}))
    assert dispatch(["compare", str(tmp_path / "sw")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "no complete runs" in err[0]


def test_compare_unknown_metric_is_a_one_line_error(grid_sweep, tmp_path, capsys):
    sweep = tmp_path / "sw"
    shutil.copytree(grid_sweep[0], sweep)
    assert dispatch(["compare", str(sweep), "--baseline", "matching=random", "--metric", "turnovr"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("mentorsim: error: ") and "turnovr" in err[0], err


def _tiny(*extra):
    return load_config(["org=small", "sim.horizon_years=0.25", "evaluation.twin=false", "output.charts=false",
                        *extra])


def test_a_job_that_raises_is_recorded_as_failed_and_does_not_propagate(tmp_path, monkeypatch):
    sweep = tmp_path / "sw"
    assert run_job(_tiny("sim.seed=0"), sweep / "good", announce=lambda *_: None)[0] == "complete"
    real_run = sim.runs.result.run

    def broken(cfg, *args, **kwargs):
        raise RuntimeError("boom in the engine")

    monkeypatch.setattr(sim.runs.result, "run", broken)
    status, metrics = run_job(_tiny("sim.seed=1"), sweep / "bad", announce=lambda *_: None)
    assert (status, metrics) == ("failed", {})
    st = status_of(sweep / "bad")
    assert st["status"] == "failed" and st["error"] == "RuntimeError: boom in the engine"
    assert "Traceback" in st["traceback"] and "boom in the engine" in st["traceback"]
    assert not is_complete(sweep / "bad") and not (sweep / "bad" / "metrics.json").exists()
    monkeypatch.setattr(sim.runs.result, "run", real_run)
    # an interrupted job: status running and no metrics
    killed = sweep / "killed"
    killed.mkdir()
    (killed / "status.json").write_text(json.dumps({"status": "running", "config_hash": "abc"}))
    runs = collect(sweep).set_index("run")
    assert runs["status"].to_dict() == {"bad": "failed", "good": "complete", "killed": "incomplete"}
    assert runs.loc["bad", "error"] == "RuntimeError: boom in the engine"
    assert runs.loc["good", "seed"] == 0 and runs.loc["good", "scenario"] == "default"


def test_collect_handles_named_and_numbered_run_folders_together(grid_sweep, tmp_path):
    """A folder holding Hydra's numbered jobs and a run written there by name (output.dir=SWEEP/extra).

    collect's contract: every folder with a status.json is a run, listed, never a crash.
    """
    sweep = tmp_path / "sw"
    shutil.copytree(grid_sweep[0], sweep)
    assert run_job(_tiny(), sweep / "extra", announce=lambda *_: None)[0] == "complete"
    runs = collect(sweep, write=False)
    assert len(runs) == 9
    assert set(runs["run"]) == {*(str(i) for i in range(8)), "extra"}
    assert (runs["status"] == "complete").all()
