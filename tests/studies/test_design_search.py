"""Test 7: the Optuna design search preset end to end, and the objective's budget penalty."""
from __future__ import annotations

import json
import math

import pytest
import yaml

from sim.config.load import load_config
from sim.runs.jobs import objective
from sim.runs.folder import is_complete

from ._util import job_folders, job_overrides, mentorsim, ok

SEARCHED = {"matching", "program.cadence_weeks", "program.length_weeks", "program.mentor_capacity",
            "program.enroll_share"}


def test_design_search_runs_trials_and_writes_the_best_params(tmp_path):
    sweep = tmp_path / "opt"
    proc = ok(mentorsim("-m", "experiment=design_search", "org=small", "sim.horizon_years=0.5",
                        "output.charts=false", "hydra.sweeper.n_trials=3", f"hydra.sweep.dir={sweep}",
                        cwd=tmp_path))
    results = yaml.safe_load((sweep / "optimization_results.yaml").read_text())
    assert set(results["best_params"]) == SEARCHED
    assert math.isfinite(results["best_value"])
    folders = job_folders(sweep)
    assert len(folders) == 3 and all(is_complete(f) for f in folders)
    assert "3 run folders" in proc.stdout
    # the best value is the objective of one of the trials: effect.turnover_annual (under budget here)
    values = []
    for f in folders:
        m = json.loads((f / "metrics.json").read_text())
        assert m["cost.total"] <= 1_500_000
        values.append(m["effect.turnover_annual"])
    assert results["best_value"] == pytest.approx(min(values))
    # and the best params are the design that trial ran
    best_job = job_overrides(folders[values.index(min(values))])
    for key, value in results["best_params"].items():
        assert best_job[key] == str(value), (key, best_job[key], value)


def test_objective_adds_the_budget_penalty():
    cfg = load_config(["org=small", "evaluation.objective=effect.turnover_annual",
                       "evaluation.objective_budget=1000"])
    assert objective(cfg, {"effect.turnover_annual": -0.02, "cost.total": 1500.0}) == pytest.approx(-0.02 + 0.5)
    assert objective(cfg, {"effect.turnover_annual": -0.02, "cost.total": 1000.0}) == pytest.approx(-0.02)
    assert objective(cfg, {"effect.turnover_annual": -0.02, "cost.total": 400.0}) == pytest.approx(-0.02)
    assert objective(cfg, {"effect.turnover_annual": 0.01, "cost.total": 3000.0}) == pytest.approx(2.01)
    assert math.isnan(objective(cfg, {"cost.total": 400.0}))
    assert math.isnan(objective(cfg, {"effect.turnover_annual": None, "cost.total": 400.0}))


def test_objective_without_a_budget_is_the_metric():
    cfg = load_config(["org=small"])
    assert cfg.evaluation.objective == "turnover_annual" and cfg.evaluation.objective_budget is None
    assert objective(cfg, {"turnover_annual": 0.12, "cost.total": 1e12}) == pytest.approx(0.12)


def test_design_search_preset_sets_objective_and_budget():
    cfg = load_config(["experiment=design_search", "org=small"])
    assert cfg.evaluation.objective == "effect.turnover_annual"
    assert cfg.evaluation.objective_budget == 1_500_000
    assert objective(cfg, {"effect.turnover_annual": -0.01, "cost.total": 3_000_000}) == pytest.approx(0.99)
