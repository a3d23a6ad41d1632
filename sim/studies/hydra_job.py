"""One sweep job through Hydra's steps, for the workers of mentorsim's launcher (sim/studies/workers.py).

`run_job` takes the steps of Hydra's own `hydra.core.utils.run_job`, in its order: the HydraConfig
of the job while its task runs, its folder, its log, its record in `.hydra/` (config.yaml,
hydra.yaml, overrides.yaml, the same bytes), Hydra's callbacks and a JobReturn. What a job cost
there beside the task, about a tenth of a simulation, is cheaper here:

- the HydraConfig is set once, not twice (the job's output folder is set in it directly), and holds
  the job's own hydra node, not a copy of it (Hydra's `masked_copy` deep-copies it, ~3 ms a job);
- the task's config is copied by pickling (OmegaConf's deepcopy walks every node in Python), without
  the hydra node Hydra copies and then deletes, and Hydra's config is not copied for the return at
  all (the launcher hands back the return value);
- the record's plain data is read from OmegaConf once per composition (`Composition`): a later job
  of it sets its own plain values and Hydra's per-job keys on a copy;
- the YAML is written by libyaml's emitter with OmegaConf's own representation of strings
  (`to_yaml`: the text `OmegaConf.to_yaml` gives; Python's emitter where PyYAML lacks libyaml), the
  task config's sections rendered once per distinct value (`SectionYaml`);
- the task config's plain data, read for its record, is handed to the task (`prepared_tree`), which
  would otherwise read it from OmegaConf again, when resolving it changes nothing.

`snapshot` and `thaw` are the same copy for the launcher's composer: a composed config kept as
bytes, and a fresh copy of it per job.
"""
from __future__ import annotations

import copy
import enum
import os
import pickle
from pathlib import Path
from typing import Hashable, NamedTuple

import yaml
from omegaconf import DictConfig, ListConfig, OmegaConf, open_dict, read_write
from omegaconf._utils import get_omega_conf_dumper

from ..runs.folder import SectionYaml


class _Dumper(getattr(yaml, "CDumper", yaml.Dumper)):
    """OmegaConf's YAML dumper (strings that read as numbers or booleans quoted) on libyaml."""


_Dumper.add_representer(str, get_omega_conf_dumper().str_representer)


def _dump(container) -> str:
    return yaml.dump(container, default_flow_style=False, allow_unicode=True, sort_keys=False, Dumper=_Dumper)


def to_yaml(cfg) -> str:
    """`OmegaConf.to_yaml(cfg)` (interpolations kept, keys in order), the same text."""
    return _dump(OmegaConf.to_container(cfg, resolve=False, enum_to_str=True))


_task_yaml = SectionYaml(_dump)  # the task config's .hydra/config.yaml, by section
_PREPARED: list = []  # [task config, its plain data] of the job whose task runs now (`prepared_tree`)


def _resolves_nothing(data) -> bool:
    """Whether plain data read unresolved from OmegaConf is also what resolving gives: no
    interpolation (nor escaped one) anywhere, and no enum (which only `enum_to_str` turns to text)."""
    if isinstance(data, dict):
        return all(_resolves_nothing(v) for v in data.values())
    if isinstance(data, list):
        return all(_resolves_nothing(v) for v in data)
    if isinstance(data, str):
        return "${" not in data
    return not isinstance(data, enum.Enum)


def prepared_tree(cfg) -> dict | None:
    """The plain data of the task config `cfg`, resolved, when `run_job` read it already for the job's
    record and resolving it changes nothing (`OmegaConf.to_container(cfg, resolve=True)`'s data, a
    fresh copy the caller may keep); None otherwise."""
    if _PREPARED and _PREPARED[0] is cfg:
        return pickle.loads(pickle.dumps(_PREPARED[1], protocol=pickle.HIGHEST_PROTOCOL))
    return None


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


class Composition(NamedTuple):
    """What a launcher knows of how a job's config was made: `key`, the composition (config files
    and non-plain overrides) it was set from, and `plain_keys`, the keys its plain overrides set on
    it (`JobComposer.compose`). The jobs of one composition differ in those keys alone outside the
    hydra node, and there in the launcher's own keys (`JOB_HYDRA_KEYS`)."""

    key: Hashable
    plain_keys: tuple[str, ...]


# The hydra node's keys a launcher sets for each job (its overrides, number, folder).
JOB_HYDRA_KEYS = (("overrides", "task"), ("job", "override_dirname"), ("job", "id"), ("job", "num"),
                  ("runtime", "output_dir"))
_HYDRA_DATA: dict = {}  # composition key -> {"hydra": plain data of its hydra node}
_TASK_DATA: dict = {}  # composition key -> (plain data of its task config, whether it resolves nothing)


def _remember(store: dict, key, value):
    if len(store) >= 64:
        store.clear()
    store[key] = value
    return value


def _raw(node):
    """A node's plain data as `to_container(resolve=False, enum_to_str=True)` writes it in a YAML record."""
    if isinstance(node, (DictConfig, ListConfig)):
        return OmegaConf.to_container(node, resolve=False, enum_to_str=True)
    value = node._value()
    return value.name if isinstance(value, enum.Enum) else value


def _with_values(data: dict, cfg: DictConfig, keys) -> dict | None:
    """A copy of `data` (a config's plain data) with the values of `keys` (dotted) read from `cfg`;
    None where a key is not a plain value in nested mappings (a list index, a section)."""
    out = dict(data)
    for key in keys:
        *path, last = key.split(".")
        target, node = out, cfg
        for part in path:
            if not isinstance(target.get(part), dict) or not isinstance(node, DictConfig) or part not in node:
                return None
            target[part] = dict(target[part])
            target, node = target[part], node._get_node(part)
        if last not in target or not isinstance(node, DictConfig) or last not in node:
            return None
        child = node._get_node(last)
        if child is None or isinstance(child, (DictConfig, ListConfig)):
            return None
        target[last] = child._value()
    return out


def _lookup(data: dict, key: str):
    for part in key.split("."):
        data = data[part]
    return data


def _task_data(task_cfg: DictConfig, composition: Composition | None) -> tuple[dict, bool]:
    """The task config's plain data (`to_container(resolve=False)`) and whether it resolves nothing:
    read once per composition; for its later jobs, the values of their plain keys set on a copy."""
    cached = _TASK_DATA.get(composition.key) if composition is not None else None
    if cached is not None:
        data = _with_values(cached[0], task_cfg, composition.plain_keys)
        if data is not None:
            values = [_lookup(data, key) for key in composition.plain_keys]
            return data, cached[1] and _resolves_nothing(values)
    data = OmegaConf.to_container(task_cfg, resolve=False)
    plain = _resolves_nothing(data)
    if composition is not None:
        _remember(_TASK_DATA, composition.key, (data, plain))
    return data, plain


def _task_record(task_cfg: DictConfig, composition: Composition | None = None) -> str:
    """The task config's YAML for `.hydra/config.yaml`; its plain data kept for `prepared_tree`."""
    data, plain = _task_data(task_cfg, composition)
    if not plain:  # an interpolation or an enum: OmegaConf's text, nothing kept
        return to_yaml(task_cfg)
    _PREPARED[:] = [task_cfg, data]
    return _task_yaml(data)


def _hydra_record(hydra_cfg: DictConfig, composition: Composition | None = None) -> str:
    """hydra.yaml's text: `to_yaml(hydra_cfg)`, from the plain data of the job's composition when
    there is one, with this job's own keys set on a copy."""
    data = _HYDRA_DATA.get(composition.key) if composition is not None else None
    if data is None:
        data = OmegaConf.to_container(hydra_cfg, resolve=False, enum_to_str=True)
        if composition is not None:
            _remember(_HYDRA_DATA, composition.key, data)
        return _dump(data)
    node = hydra_cfg._get_node("hydra")
    record = dict(data["hydra"])
    for section, key in JOB_HYDRA_KEYS:
        record[section] = {**record[section], key: _raw(node._get_node(section)._get_node(key))}
    return _dump({"hydra": record})


def _save(text: str, filename: str, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / filename, "w", encoding="utf-8") as file:
        file.write(text)


def _task_config(config: DictConfig) -> DictConfig:
    """Hydra's task config, a deep copy of `config` with its hydra node deleted, without copying the
    hydra node first (a third of the config's nodes): `config` is pickled without it."""
    content = config.__dict__["_content"]
    config.__dict__["_content"] = {key: node for key, node in content.items() if key != "hydra"}
    try:
        return copy_of(config)
    finally:
        config.__dict__["_content"] = content


def _set_hydra_config(config: DictConfig) -> None:
    """`HydraConfig.instance().set_config(config)` holding the job's own hydra node: the same config
    (Hydra's is a copy of the node, its parent set to the job's config as this one's is) without
    Hydra's deep copy of it. The job's config is this job's alone, and is not changed after."""
    from hydra.conf import HydraConf
    from hydra.core.hydra_config import HydraConfig

    OmegaConf.set_readonly(config.hydra, True)
    hydra_node_type = OmegaConf.get_type(config, "hydra")
    assert hydra_node_type is not None and issubclass(hydra_node_type, HydraConf)
    hydra_cfg = DictConfig(content={}, flags={"no_deepcopy_set_nodes": True})
    hydra_cfg.hydra = config.hydra
    hydra_cfg._set_flag("no_deepcopy_set_nodes", None)
    hydra_cfg.hydra._set_parent(config)
    HydraConfig.instance().cfg = hydra_cfg


def run_job(hydra_context, config: DictConfig, task_function, job_dir_key: str, job_subdir_key: str | None,
            composition=None):
    """Hydra's `run_job` for one job of a sweep (`config`: the job's composed config, which it
    may change); its JobReturn, with `cfg` and `hydra_cfg` the job's own configs, not copies.
    `composition`: how the launcher made the config (`Composition`), when it set plain overrides on a
    composition it made before (`JobComposer.compose`); None when not known."""
    from hydra import version
    from hydra.core.hydra_config import HydraConfig
    from hydra.core.utils import JobReturn, JobRuntime, JobStatus, _flush_loggers, configure_log, env_override

    callbacks = hydra_context.callbacks
    old_cwd = os.getcwd()
    orig_hydra_cfg = HydraConfig.instance().cfg
    _set_hydra_config(config)  # the job's folder may read hydra keys
    output_dir = str(OmegaConf.select(config, job_dir_key))
    if job_subdir_key is not None:
        output_dir = os.path.join(output_dir, str(OmegaConf.select(config, job_subdir_key)))
    # Hydra sets the whole HydraConfig again for this one key (a copy of the hydra node, ~4 ms a job);
    # the HydraConfig holds the job's own hydra node: the key set there gives the same config
    runtime = config.hydra.runtime
    with read_write(runtime), open_dict(runtime):
        runtime.output_dir = os.path.abspath(output_dir)
    chdir = False
    try:
        ret = JobReturn()
        task_cfg = _task_config(config)
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
            _save(_task_record(task_cfg, composition), "config.yaml", record)
            _save(_hydra_record(hydra_cfg, composition), "hydra.yaml", record)
            _save(to_yaml(config.hydra.overrides.task), "overrides.yaml", record)
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
        _PREPARED.clear()
        HydraConfig.instance().cfg = orig_hydra_cfg
        if chdir:
            os.chdir(old_cwd)
