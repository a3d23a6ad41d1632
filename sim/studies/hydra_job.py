"""One sweep job through Hydra's steps, for the workers of mentorsim's launcher (sim/studies/workers.py).

`run_job` takes the steps of Hydra's own `hydra.core.utils.run_job`, in its order: the HydraConfig
of the job while its task runs, its folder, its log, its record in `.hydra/` (config.yaml,
hydra.yaml, overrides.yaml, the same bytes), Hydra's callbacks and a JobReturn. What a job cost
there beside the task, about a tenth of a simulation, is cheaper here:

- the HydraConfig is set once, not twice (the job's output folder is set in it directly);
- the task's config is copied by pickling (OmegaConf's deepcopy walks every node in Python), and
  Hydra's config is not copied for the return at all (the launcher hands back the return value);
- the YAML is written by libyaml's emitter with OmegaConf's own representation of strings
  (`to_yaml`: the text `OmegaConf.to_yaml` gives; Python's emitter where PyYAML lacks libyaml).

`snapshot` and `thaw` are the same copy for the launcher's composer: a composed config kept as
bytes, and a fresh copy of it per job.
"""
from __future__ import annotations

import copy
import os
import pickle
from pathlib import Path

import yaml
from omegaconf import DictConfig, OmegaConf, open_dict, read_write
from omegaconf._utils import get_omega_conf_dumper


class _Dumper(getattr(yaml, "CDumper", yaml.Dumper)):
    """OmegaConf's YAML dumper (strings that read as numbers or booleans quoted) on libyaml."""


_Dumper.add_representer(str, get_omega_conf_dumper().str_representer)


def to_yaml(cfg) -> str:
    """`OmegaConf.to_yaml(cfg)` (interpolations kept, keys in order), the same text."""
    container = OmegaConf.to_container(cfg, resolve=False, enum_to_str=True)
    return yaml.dump(container, default_flow_style=False, allow_unicode=True, sort_keys=False, Dumper=_Dumper)


def snapshot(cfg: DictConfig) -> bytes | DictConfig:
    """A config kept as bytes: `thaw` gives a copy of it as it was now (flags, resolver cache and all).
    A config pickle cannot take is kept as a deep copy instead: a plugin's structured config (the
    Optuna sweeper's) names a class that Hydra's plugin scan imported a second time."""
    try:
        return pickle.dumps(cfg, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return copy.deepcopy(cfg)


def thaw(data: bytes | DictConfig) -> DictConfig:
    return pickle.loads(data) if isinstance(data, bytes) else copy.deepcopy(data)


def copy_of(cfg: DictConfig) -> DictConfig:
    """A deep copy of `cfg`, by pickling where it can."""
    data = snapshot(cfg)
    return pickle.loads(data) if isinstance(data, bytes) else data


def _save(cfg, filename: str, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / filename, "w", encoding="utf-8") as file:
        file.write(to_yaml(cfg))


def run_job(hydra_context, config: DictConfig, task_function, job_dir_key: str, job_subdir_key: str | None):
    """Hydra's `run_job` for one job of a sweep (`config`: the job's composed config, which it
    may change); its JobReturn, with `cfg` and `hydra_cfg` the job's own configs, not copies."""
    from hydra import version
    from hydra.core.hydra_config import HydraConfig
    from hydra.core.utils import JobReturn, JobRuntime, JobStatus, _flush_loggers, configure_log, env_override

    callbacks = hydra_context.callbacks
    old_cwd = os.getcwd()
    orig_hydra_cfg = HydraConfig.instance().cfg
    HydraConfig.instance().set_config(config)  # the job's folder may read hydra keys
    output_dir = str(OmegaConf.select(config, job_dir_key))
    if job_subdir_key is not None:
        output_dir = os.path.join(output_dir, str(OmegaConf.select(config, job_subdir_key)))
    # Hydra sets the whole HydraConfig again for this one key (a copy of the hydra node, ~4 ms a job);
    # the key set in the job's config and in the copy already set gives the same config
    for node in (config.hydra.runtime, HydraConfig.instance().cfg.hydra.runtime):
        with read_write(node), open_dict(node):
            node.output_dir = os.path.abspath(output_dir)
    chdir = False
    try:
        ret = JobReturn()
        task_cfg = copy_of(config)
        with read_write(task_cfg), open_dict(task_cfg):
            del task_cfg["hydra"]
        hydra_cfg = HydraConfig.instance().cfg
        ret.cfg, ret.hydra_cfg = task_cfg, hydra_cfg
        ret.overrides = OmegaConf.to_container(config.hydra.overrides.task)
        Path(output_dir).mkdir(parents=True, exist_ok=True)
        chdir = hydra_cfg.hydra.job.chdir
        if chdir is None:  # Hydra's default by version base: stay where the command started since 1.2
            chdir = not version.base_at_least("1.2")
        if chdir:
            os.chdir(output_dir)
        ret.working_dir = output_dir if chdir else os.getcwd()
        configure_log(config.hydra.job_logging, config.hydra.verbose)
        if config.hydra.output_subdir is not None:
            record = Path(config.hydra.runtime.output_dir) / Path(config.hydra.output_subdir)
            _save(task_cfg, "config.yaml", record)
            _save(hydra_cfg, "hydra.yaml", record)
            _save(config.hydra.overrides.task, "overrides.yaml", record)
        with env_override(hydra_cfg.hydra.job.env_set):
            callbacks.on_job_start(config=config, task_function=task_function)
            try:
                ret.return_value = task_function(task_cfg)
                ret.status = JobStatus.COMPLETED
            except Exception as err:  # as Hydra: the job failed, the launcher reports it
                ret.return_value = err
                ret.status = JobStatus.FAILED
        ret.task_name = JobRuntime.instance().get("name")
        _flush_loggers()
        callbacks.on_job_end(config=config, job_return=ret)
        return ret
    finally:
        HydraConfig.instance().cfg = orig_hydra_cfg
        if chdir:
            os.chdir(old_cwd)
