"""The Optuna design search: trials scored on paired seeds, a budget penalty that trades off, and the
winner scored again on fresh seeds."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
import yaml

from sim.api import run
from sim.config.checks import ConfigError
from sim.config.load import load_config
from sim.runs.folder import is_complete
from sim.runs.jobs import OBJECTIVE_FILE, budget_penalty, objective, search_seeds
from sim.studies.design_check import CHECK_FILE, fresh_seeds, winner_overrides

from ._util import job_folders, job_overrides, mentorsim, ok

SEARCHED = {"matching", "program.cadence_weeks", "program.length_weeks", "program.mentor_capacity",
            "program.enroll_share"}
FIXED = ["org=small", "sim.horizon_years=0.5", "output.charts=false"]


def test_design_search_scores_trials_on_paired_seeds_and_checks_the_winner_on_fresh_ones(tmp_path):
    sweep = tmp_path / "opt"
    proc = ok(mentorsim("-m", "experiment=design_search", *FIXED, "evaluation.objective_seeds=2",
                        "hydra.sweeper.n_trials=3", "hydra.callbacks.design_check.seeds=3",
                        f"hydra.sweep.dir={sweep}", cwd=tmp_path))
    results = yaml.safe_load((sweep / "optimization_results.yaml").read_text())
    assert set(results["best_params"]) == SEARCHED
    assert math.isfinite(results["best_value"])
    folders = job_folders(sweep)
    assert len(folders) == 3 and all(is_complete(f) for f in folders)
    assert "3 run folders" in proc.stdout
    # each trial's score: the mean over its two paired seeds (its own run is the first), plus the penalty
    values, used = [], set()
    for f in folders:
        scored = json.loads((f / OBJECTIVE_FILE).read_text())
        metrics = json.loads((f / "metrics.json").read_text())
        assert scored["seeds"] == [0, 1] and scored["values"][0] == metrics["effect.turnover_annual"]
        assert scored["mean"] == pytest.approx(np.mean(scored["values"]))
        assert scored["value"] == pytest.approx(scored["mean"] + scored["penalty"])
        values.append(scored["value"])
        used.update(scored["seeds"])
    assert results["best_value"] == pytest.approx(min(values))
    best_job = job_overrides(folders[values.index(min(values))])
    for key, value in results["best_params"].items():
        assert best_job[key] == str(value), (key, best_job[key], value)
    # the winner, again, on seeds the search never used; each value is that seed's paired effect
    check = yaml.safe_load((sweep / CHECK_FILE).read_text())
    assert check["best_params"] == results["best_params"]
    assert check["search"] == {"seeds": [0, 1], "value": pytest.approx(results["best_value"])}
    assert check["check"]["seeds"] == [2, 3, 4] and not used & set(check["check"]["seeds"])
    winner = [*FIXED, "experiment=design_search", *(f"{k}={v}" for k, v in results["best_params"].items())]
    assert check["check"]["values"][-1] == run([*winner, "sim.seed=4"]).metrics["effect.turnover_annual"]
    assert check["check"]["mean"] == pytest.approx(np.mean(check["check"]["values"]))
    assert f"wrote {sweep / CHECK_FILE}" in proc.stdout and "design check: the best design on 3 fresh seeds" in proc.stdout


def _cfg(*overrides):
    return load_config(["org=small", "sim.horizon_years=0.5", *overrides])


def test_budget_penalty_is_lambda_times_relative_overspend():
    cfg = _cfg("evaluation.objective=effect.turnover_annual", "evaluation.objective_budget=1000",
               "evaluation.objective_penalty=0.01")
    assert budget_penalty(cfg, 1500.0) == pytest.approx(0.01 * 0.5)
    assert budget_penalty(cfg, 3000.0) == pytest.approx(0.01 * 2.0)
    assert budget_penalty(cfg, 1000.0) == 0.0 and budget_penalty(cfg, 400.0) == 0.0
    assert budget_penalty(cfg, None) == 0.0
    metrics = {"effect.turnover_annual": -0.002, "cost.total": 1500.0}
    assert objective(cfg, metrics) == pytest.approx(-0.002 + 0.005)
    assert objective(cfg, {**metrics, "cost.total": 400.0}) == pytest.approx(-0.002)
    assert math.isnan(objective(cfg, {"cost.total": 400.0}))
    assert math.isnan(objective(cfg, {"effect.turnover_annual": None, "cost.total": 400.0}))


def test_objective_without_a_budget_is_the_metric():
    cfg = _cfg()
    assert cfg.evaluation.objective == "turnover_annual" and cfg.evaluation.objective_budget is None
    assert cfg.evaluation.objective_seeds == 1
    assert objective(cfg, {"turnover_annual": 0.12, "cost.total": 1e12}) == pytest.approx(0.12)


def test_objective_is_the_mean_over_its_seeds_as_separate_runs_give_it(tmp_path):
    """Three paired seeds from sim.seed=5: the same as three separate runs averaged by hand,
    with the penalty on their mean cost (a budget of 1 is overspent by every design)."""
    cfg = _cfg("sim.seed=5", "evaluation.objective=effect.turnover_annual", "evaluation.objective_seeds=3",
               "evaluation.objective_budget=1", "evaluation.objective_penalty=0.001")
    assert search_seeds(cfg) == [5, 6, 7]
    runs = [run(_cfg(f"sim.seed={s}")).metrics for s in (5, 6, 7)]
    by_hand = np.mean([m["effect.turnover_annual"] for m in runs])
    cost = np.mean([m["cost.total"] for m in runs])
    expected = by_hand + 0.001 * (cost / 1 - 1)
    assert objective(cfg, runs[0], tmp_path) == pytest.approx(expected, rel=1e-12)
    saved = json.loads((tmp_path / OBJECTIVE_FILE).read_text())
    assert saved["seeds"] == [5, 6, 7] and saved["values"] == [m["effect.turnover_annual"] for m in runs]
    # a resumed sweep reuses the file for the same configuration (it would not run the seeds again)
    assert objective(cfg, {"effect.turnover_annual": 99.0}, tmp_path) == pytest.approx(expected, rel=1e-12)


def test_budget_without_a_penalty_and_zero_seeds_are_one_line_errors():
    with pytest.raises(ConfigError, match=r"^evaluation.objective_penalty = None: .*units per 100% overspend"):
        _cfg("evaluation.objective_budget=1000")
    with pytest.raises(ConfigError, match=r"^evaluation.objective_seeds = 0: must be >= 1"):
        _cfg("evaluation.objective_seeds=0")


def test_design_search_preset_scores_on_five_seeds_with_a_penalty_in_turnover_units():
    cfg = load_config(["experiment=design_search", "org=small"])
    assert cfg.evaluation.objective == "effect.turnover_annual"
    assert cfg.evaluation.objective_budget == 1_500_000 and cfg.evaluation.objective_penalty == 0.002
    assert search_seeds(cfg) == [0, 1, 2, 3, 4]
    # 3,000,000 is twice the budget: +0.2 points of turnover, not +100 points as (cost / budget - 1) gave
    assert budget_penalty(cfg, 3_000_000) == pytest.approx(0.002)


def test_fresh_seeds_follow_the_search_seeds_and_the_winner_replaces_searched_keys():
    cfg = _cfg("sim.seed=10", "evaluation.objective_seeds=4")
    assert fresh_seeds(cfg, 3) == [14, 15, 16] and not set(fresh_seeds(cfg, 3)) & set(search_seeds(cfg))
    task = ["experiment=design_search", "org=small", "program.cadence_weeks=choice(1,2)"]
    assert winner_overrides(task, {"program.cadence_weeks": 2, "matching": "optimal"}) == [
        "experiment=design_search", "org=small", "program.cadence_weeks=2", "matching=optimal"]
