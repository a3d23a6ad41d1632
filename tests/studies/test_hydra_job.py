"""A sweep job's Hydra steps (sim/studies/hydra_job.py) against Hydra's own run_job: the same job
folder record byte for byte, the same config for the task, the same return; the YAML is OmegaConf's."""
from __future__ import annotations

import copy

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.utils import JobStatus, run_job as hydra_run_job, setup_globals
from hydra.types import HydraContext, RunMode
from omegaconf import OmegaConf, open_dict

from sim.config.load import config_dir
from sim.studies.hydra_job import copy_of, run_job, snapshot, thaw, to_yaml


@pytest.fixture(scope="module")
def job_config(tmp_path_factory):
    """A sweep job's composed config (Hydra's state as a launcher's worker holds it)."""
    GlobalHydra.instance().clear()
    setup_globals()
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        loader = GlobalHydra.instance().config_loader()
        master = compose("config", overrides=["org=small"], return_hydra_config=True)
        with open_dict(master):
            master.hydra.mode = RunMode.MULTIRUN
            master.hydra.sweep.dir = str(tmp_path_factory.mktemp("sweep"))
        cfg = loader.load_sweep_config(master, ["org=small", "sim.seed=3", "program.cadence_weeks=4"])
        with open_dict(cfg):
            cfg.hydra.job.id, cfg.hydra.job.num = "job_0", 0
        yield HydraContext(config_loader=loader, callbacks=None), cfg
    GlobalHydra.instance().clear()


def _context(hydra_context):
    from hydra._internal.callbacks import Callbacks

    return HydraContext(config_loader=hydra_context.config_loader, callbacks=Callbacks())


@pytest.mark.parametrize("fails", [False, True])
def test_the_job_folder_and_return_are_hydras(job_config, tmp_path, fails):
    hydra_context, cfg = job_config
    seen = []

    def task(task_cfg):
        # the whole HydraConfig the task sees (ours is set once, its output folder set in place): Hydra's
        hydra_node = OmegaConf.to_yaml(HydraConfig.instance().cfg).replace(str(tmp_path), "TMP")
        seen.append((OmegaConf.to_yaml(task_cfg), HydraConfig.get().runtime.output_dir, HydraConfig.get().job.num,
                     hydra_node.replace("TMP/hydra", "TMP/SWEEP").replace("TMP/ours", "TMP/SWEEP")))
        if fails:
            raise ValueError("the task failed")
        return task_cfg.sim.seed * 2

    rets = []
    for name, runner in (("hydra", hydra_run_job), ("ours", run_job)):
        job = copy.deepcopy(cfg)
        with open_dict(job):
            job.hydra.sweep.dir = str(tmp_path / name)
        rets.append(runner(hydra_context=_context(hydra_context), config=job, task_function=task,
                           job_dir_key="hydra.sweep.dir", job_subdir_key="hydra.sweep.subdir"))
    for file in ("config.yaml", "hydra.yaml", "overrides.yaml"):
        theirs = (tmp_path / "hydra" / "0" / ".hydra" / file).read_text().replace(str(tmp_path / "hydra"), "SWEEP")
        ours = (tmp_path / "ours" / "0" / ".hydra" / file).read_text().replace(str(tmp_path / "ours"), "SWEEP")
        assert ours == theirs, file
    assert seen[0][0] == seen[1][0] and seen[1][1] == str(tmp_path / "ours" / "0") and seen[1][2] == 0
    assert seen[0][3] == seen[1][3]
    hydra_ret, ours = rets
    assert ours.status == hydra_ret.status == (JobStatus.FAILED if fails else JobStatus.COMPLETED)
    assert ours.overrides == hydra_ret.overrides == ["org=small", "sim.seed=3", "program.cadence_weeks=4"]
    assert ours.task_name == hydra_ret.task_name
    assert ours.working_dir == hydra_ret.working_dir
    if fails:
        assert isinstance(ours._return_value, ValueError)
    else:
        assert ours.return_value == hydra_ret.return_value == 6


def test_to_yaml_is_omegaconfs_text_for_strings_yaml_would_read_as_other_types(job_config):
    _, cfg = job_config
    odd = OmegaConf.create({"a": "true", "b": "1", "c": "1.5e3", "d": "null", "e": "a: b", "f": "multi\nline",
                            "g": "café", "h": ["off", 2, None, "${a}"], "i": "x" * 200})
    for value in (odd, cfg, cfg.hydra, cfg.hydra.overrides.task):
        assert to_yaml(value) == OmegaConf.to_yaml(value)


def test_a_thawed_snapshot_is_an_independent_equal_copy(job_config):
    _, cfg = job_config
    data = snapshot(cfg)
    first, second = thaw(data), thaw(data)
    assert OmegaConf.to_yaml(first) == OmegaConf.to_yaml(cfg)
    first.sim.seed = 99
    assert second.sim.seed == cfg.sim.seed == 3
    assert OmegaConf.is_struct(second) == OmegaConf.is_struct(cfg)


def test_a_config_pickle_cannot_take_is_kept_as_a_deep_copy():
    import dataclasses

    @dataclasses.dataclass
    class Local:  # a class pickle cannot find by name, as a plugin's config class imported twice
        seed: int = 1

    cfg = OmegaConf.structured(Local)
    data = snapshot(cfg)
    assert not isinstance(data, bytes)
    first, second = thaw(data), thaw(data)
    first.seed = 5
    assert second.seed == cfg.seed == 1 and OmegaConf.get_type(second) is Local
    copied = copy_of(cfg)
    copied.seed = 7
    assert cfg.seed == 1


SWEEP = [  # jobs of a sweep in a row: plain values set on one composition, another group, another key
    ["org=small", "sim.seed=3", "program.cadence_weeks=4"],
    ["org=small", "sim.seed=4", "program.cadence_weeks=2"],
    ["org=small", "sim.seed=5", "program.cadence_weeks=4"],
    ["org=default", "sim.seed=5", "program.cadence_weeks=4"],
    ["org=small", "sim.seed=6", "program.enroll_share=0.3"],
    ["org=small", "sim.seed=6", "program.enroll_share=0.0"],
    ["org=small", "sim.seed=6", "program.enroll_share=-0.0"],   # equal to 0.0, its own text
    ["org=small", "sim.seed=7", "output.dir=/somewhere"],
    ["org=small", "sim.seed=8", "output.dir='${hydra:job.num}'"],  # an interpolation: OmegaConf's text
]


def test_a_sweeps_records_and_task_data_are_hydras_job_after_job(job_config, tmp_path):
    """Sections of YAML and the hydra node's data reused from job to job give Hydra's own files, and the
    task's data handed over is what resolving the task's config gives."""
    from sim.config.load import to_container
    from sim.studies.hydra_job import prepared_tree
    from sim.studies.workers import JobComposer

    hydra_context, cfg = job_config
    loader = hydra_context.config_loader
    master = copy.deepcopy(cfg)
    composer = JobComposer(loader, master)
    handed = []

    def task(task_cfg):
        tree = prepared_tree(task_cfg)
        handed.append(tree is not None)
        assert tree is None or repr(tree) == repr(to_container(task_cfg))  # repr: 1, 1.0, True, -0.0 apart
        return 0

    for num, overrides in enumerate(SWEEP):
        texts = []
        for name in ("hydra", "ours"):
            job = composer.compose(overrides) if name == "ours" else loader.load_sweep_config(master, overrides)
            with open_dict(job):
                job.hydra.job.id, job.hydra.job.num = f"job_{num}", num
                job.hydra.sweep.dir = str(tmp_path / name)
            runner = run_job if name == "ours" else hydra_run_job
            extra = {"composition": composer.last} if name == "ours" else {}
            runner(hydra_context=_context(hydra_context), config=job, task_function=task,
                   job_dir_key="hydra.sweep.dir", job_subdir_key="hydra.sweep.subdir", **extra)
            record = tmp_path / name / str(num) / ".hydra"
            texts.append([(record / f).read_text().replace(str(tmp_path / name), "SWEEP")
                          for f in ("config.yaml", "hydra.yaml", "overrides.yaml")])
        assert texts[0] == texts[1], overrides
    assert handed[1::2] == [True] * (len(SWEEP) - 1) + [False]  # ours; Hydra's own run_job hands nothing
