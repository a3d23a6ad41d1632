"""The launcher composes a job's config once per kind and sets plain values on a copy: the result
must be exactly what Hydra's full composition of that job gives."""
from __future__ import annotations

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf

from sim.config.load import config_dir
from sim.studies.workers import JobComposer

JOBS = [
    ["org=small", "matching=random", "sim.seed=0"],
    ["org=small", "matching=random", "sim.seed=7"],            # plain value on a copy
    ["org=small", "matching=optimal", "sim.seed=7"],           # another group choice: composed in full
    ["org=small", "matching=random", "sim.seed=3", "program.cadence_weeks=4"],   # another key set
    ["org=small", "matching=random", "sim.seed=4", "program.cadence_weeks=2"],
    # a dict value is merged by Hydra: composed in full, never merged onto the previous job's
    ["org=small", "matching=random", "sim.seed=5", "attrition.participation_effect={none: 0.1}"],
    ["org=small", "matching=random", "sim.seed=5", "attrition.participation_effect={mentee: -0.1}"],
    ["org=small", "matching=random", "sim.seed=6", "+extra_key=1"],                    # an addition
    ["org=small", "matching=random", "sim.seed=9", "output.dir=null", "sim.horizon_years=0.5"],
    # a plain value, then a dict merged over it or its parent deleted: Hydra applies them in that order
    ["org=small", "attrition.participation_effect.mentee=0.1",
     "attrition.participation_effect={none: 0.0, mentee: 0.5, mentor: 0.0}"],
    ["org=small", "attrition.participation_effect.mentee=0.2",
     "attrition.participation_effect={none: 0.0, mentee: 0.5, mentor: 0.0}"],
    ["org=small", "attrition.retirement.min_age=55", "~attrition.retirement"],
    ["org=small", "attrition.retirement.min_age=58", "~attrition.retirement"],
]


@pytest.fixture(scope="module")
def hydra_state():
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        from hydra.core.global_hydra import GlobalHydra as G

        loader = G.instance().config_loader()
        master = compose("config", overrides=["sim.seed=0"], return_hydra_config=True)
        yield loader, master
    GlobalHydra.instance().clear()


def task_and_record(cfg) -> tuple[str, list, str, dict]:
    task = OmegaConf.to_yaml({k: v for k, v in cfg.items() if k != "hydra"})
    hydra = cfg.hydra
    return task, list(hydra.overrides.task), hydra.job.override_dirname, dict(hydra.runtime.choices)


def test_each_job_equals_hydras_full_composition(hydra_state):
    loader, master = hydra_state
    composer = JobComposer(loader, master)
    for job in JOBS:
        fast = composer.compose(job)
        full = loader.load_sweep_config(master, list(job))
        assert task_and_record(fast) == task_and_record(full), job
    # the files were read once per kind of job, not once per job
    assert len(composer.bases) < len(JOBS)


def test_a_composed_job_is_a_copy(hydra_state):
    loader, master = hydra_state
    composer = JobComposer(loader, master)
    first = composer.compose(JOBS[0])
    first.sim.seed = 99
    assert composer.compose(JOBS[1]).sim.seed == 7 and composer.compose(JOBS[0]).sim.seed == 0
