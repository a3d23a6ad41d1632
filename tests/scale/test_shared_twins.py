"""A sweep over program designs runs each seed's no-program twin once (hydra.launcher.share_twins),
and collects exactly what the same sweep with a twin per job collects."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from sim.studies.collect import collect
from sim.studies.workers import by_twin, twin_group

from ._sweeps import job_folders, mentorsim, record

# 3 designs (program settings and matching) x 2 seeds; the log names every twin simulated or shared.
DESIGNS = ["org=small", "sim.horizon_years=0.25", "output.charts=false", "program.cadence_weeks=2,4",
           "matching=random,optimal", "sim.seed=0,1", "hydra.verbose=sim.runs.jobs"]


def test_jobs_are_grouped_by_the_settings_their_twin_reads():
    jobs = [(0, ["program.cadence_weeks=2", "sim.seed=0"]), (1, ["program=onboarding", "sim.seed=1"]),
            (2, ["+program.x=1", "matching=optimal", "evaluation.twin=true", "sim.seed=0"]),
            (3, ["org=default", "sim.seed=0"]), (4, ["output.sweep_tables=true", "sim.seed=1"])]
    assert twin_group(jobs[2][1]) == ("sim.seed=0",)
    assert [[idx for idx, _ in group] for group in by_twin(jobs)] == [[0, 2], [1, 4], [3]]


def twins_in_logs(folder) -> dict[str, int]:
    """How many times each kind of twin line appears in the jobs' logs."""
    text = "".join((job / "cli.log").read_text() for job in job_folders(folder))
    return {kind: len(re.findall(rf"twin \w+ {kind}", text)) for kind in ("simulated", "shared")}


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_sweep_sharing_twins_collects_exactly_what_one_with_a_twin_per_job_does(tmp_path, workers):
    args = [*DESIGNS, f"hydra.launcher.n_jobs={workers}", "hydra.launcher.batch_size=2"]
    shared, own = tmp_path / "shared", tmp_path / "own"
    for folder, share in ((shared, "true"), (own, "false")):
        proc = mentorsim("-m", *args, f"hydra.launcher.share_twins={share}", f"hydra.sweep.dir={folder}",
                         cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    assert twins_in_logs(own) == {"simulated": 0, "shared": 0}  # each job simulates its own, unlogged
    assert twins_in_logs(shared) == {"simulated": 2, "shared": 6}  # one per seed, whichever worker ran the rest
    assert record(shared) == record(own)
    drop = ["wall_seconds"]
    pd.testing.assert_frame_equal(collect(shared, write=False).drop(columns=drop),
                                  collect(own, write=False).drop(columns=drop), check_exact=True)


def test_share_twins_must_be_true_or_false(tmp_path):
    proc = mentorsim("-m", "org=small", "hydra.launcher.share_twins=maybe", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "mentorsim: error: hydra.launcher.share_twins = 'maybe': true or false"


@pytest.mark.slow
def test_design_search_trials_share_the_twins_of_their_search_seeds(tmp_path):
    """Optuna launches each trial anew in the mentorsim process: the 5 search seeds' twins run once."""
    args = ["experiment=design_search", "hydra.sweeper.n_trials=3", "org=small", "sim.horizon_years=0.5",
            "hydra.callbacks.design_check.seeds=0", "hydra.verbose=sim.runs.jobs"]
    shared, own = tmp_path / "shared", tmp_path / "own"
    for folder, share in ((shared, "true"), (own, "false")):
        proc = mentorsim("-m", *args, f"hydra.launcher.share_twins={share}", f"hydra.sweep.dir={folder}",
                         cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    assert twins_in_logs(shared) == {"simulated": 5, "shared": 10}  # 3 trials x 5 seeds
    for job in ("0", "1", "2"):  # the same trials (a seeded sampler), scored exactly alike
        assert (shared / job / "objective.json").read_text() == (own / job / "objective.json").read_text()
