"""The worker side of mentorsim's sweep launcher (sim/studies/launch.py): Hydra's state taken
over once per process, each job's config composed once per kind, batches of jobs run through
Hydra's steps (`hydra_job.run_job`), twins shared between the jobs of a process
(`sim.runs.jobs.SharedTwins`) and handed on from a group's first job to the rest. Shared by the
local pool and the Ray backend.
"""
from __future__ import annotations

import itertools
import math
import os
import sys
from typing import Any, Sequence

from ..runs.jobs import NOT_READ_BY_TWIN
from .hydra_job import Composition, snapshot, thaw

GC_THRESHOLDS = (20_000, 20, 20)  # the garbage collector's, in a worker after its first job (`_freeze_heap`)
_HEAP_FROZEN = False  # once a process (`_freeze_heap`), whatever number of sweeps it runs
_COMPOSERS = itertools.count()  # JobComposer's serial numbers
_WORKER: dict = {}  # this process's sweep state: Hydra's context, the master config, the task, the composer


class JobComposer:
    """Each job's config as Hydra's `load_sweep_config` composes it, reading the files once per
    distinct set of config-group choices and other non-plain overrides (kept as bytes: a copy per
    job by unpickling is several times cheaper than OmegaConf's deepcopy)."""

    def __init__(self, config_loader, master_config):
        from hydra.core.override_parser.overrides_parser import OverridesParser

        self.loader = config_loader
        self.master = master_config
        self.parser = OverridesParser.create()
        self.bases: dict[tuple, Any] = {}
        self.serial = next(_COMPOSERS)  # this composer's compositions are its own (a later sweep's master differs)
        self.last: Composition | None = None  # how the config `compose` returned last was made

    def _plain(self, override) -> bool:
        """A plain key set to a plain value: the override step of composition alone applies it."""
        from hydra.core.override_parser.types import OverrideType

        return (override.type == OverrideType.CHANGE and override.package is None
                and not override.is_hydra_override() and not override.is_sweep_override()
                and not isinstance(override.value(), (dict, list))
                and not self.loader.repository.group_exists(override.key_or_group))

    def compose(self, overrides: Sequence[str]):
        from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
        from omegaconf import OmegaConf, open_dict

        parsed = self.parser.parse_overrides(list(overrides))
        plain = [o for i, o in enumerate(parsed) if self._plain(o) and not _touched_later(o, parsed[i + 1:], self._plain)]
        plain_ids = {id(o) for o in plain}
        key = (tuple(o.input_line for o in parsed if id(o) not in plain_ids), tuple(o.key_or_group for o in plain))
        base = self.bases.get(key)
        self.last = Composition((self.serial, key), key[1])
        if base is None:  # the first job of its kind: Hydra's full composition, kept for the others
            cfg = self.loader.load_sweep_config(self.master, list(overrides))
            self.bases[key] = snapshot(cfg)
            return cfg
        cfg = thaw(base)
        ConfigLoaderImpl._apply_overrides_to_config(plain, cfg)
        job = cfg.hydra.job
        with open_dict(cfg.hydra):
            cfg.hydra.overrides.task = [o.input_line for o in parsed]
            job.override_dirname = get_overrides_dirname(
                overrides=parsed, kv_sep=job.config.override_dirname.kv_sep,
                item_sep=job.config.override_dirname.item_sep,
                exclude_keys=job.config.override_dirname.exclude_keys)
        OmegaConf.copy_cache(from_config=self.master, to_config=cfg)
        return cfg


def _touched_later(override, later, plain) -> bool:
    """Whether a later override that is not plain (a dict merged in, a key added or deleted) sets the
    same key, one inside it or one it is inside. Hydra applies them in order, so that later one must
    apply after this value: setting the value last on a copy would undo it (`compose`)."""
    key = override.key_or_group
    return any(not plain(o) and (o.key_or_group == key or o.key_or_group.startswith(key + ".")
                                 or key.startswith(o.key_or_group + ".")) for o in later)


def start_pool_worker(state: dict | bytes) -> None:
    """`start_worker` in a worker process of this machine's pool, which ends with the sweep's process
    (a sweep stopped by a signal leaves no worker waiting behind it)."""
    from ..runs.tasks import end_with_parent

    end_with_parent()
    start_worker(state)


def start_worker(state: dict | bytes) -> None:
    """Take over the sweep's Hydra state (once per process and sweep)."""
    from hydra.core.singleton import Singleton
    from hydra.core.utils import setup_globals

    from ..runs.jobs import share_twins

    if isinstance(state, bytes):
        state = _loads(state)
    setup_globals()
    Singleton.set_state(state["singleton_state"])
    if state.get("cwd") and os.getcwd() != state["cwd"]:
        os.chdir(state["cwd"])  # a Ray worker starts elsewhere; the sweep folder may be relative
    _WORKER.clear()
    _WORKER.update(state, composer=JobComposer(state["hydra_context"].config_loader, state["config"]))
    share_twins(state.get("share_twins", True))


def _run_one(idx: int, overrides: Sequence[str]):
    from hydra.core.utils import JobReturn, JobStatus
    from omegaconf import open_dict

    from .hydra_job import run_job

    composer = _WORKER["composer"]
    cfg = composer.compose(overrides)
    with open_dict(cfg):
        cfg.hydra.job.id = f"{cfg.hydra.job.name}_{idx}"
        cfg.hydra.job.num = idx
    try:
        ret = run_job(hydra_context=_WORKER["hydra_context"], config=cfg, task_function=_WORKER["task_function"],
                      job_dir_key="hydra.sweep.dir", job_subdir_key="hydra.sweep.subdir",
                      composition=getattr(composer, "last", None))
    except SystemExit as stop:  # the task's own one-line error (already printed): the sweep stops with it
        ret = JobReturn(overrides=list(overrides), status=JobStatus.FAILED)
        ret.return_value = stop
    ret.cfg = ret.hydra_cfg = None  # the parent reads the return value only; configs are in the folder
    if not _HEAP_FROZEN:
        _freeze_heap()
    return ret


def _freeze_heap() -> None:
    """After this process's first job, tune the garbage collector for many jobs in a row.

    What is still alive then (modules, compiled kernels, Hydra's state, the composed configs) lives
    as long as the process: frozen, the collector stops walking it. A job allocates many container
    objects (configs, tables, agents); at Python's default thresholds (700, 10, 10) they set off
    about forty collections a job, and a full one every few jobs. Collections of the youngest
    objects after 20,000 allocations, not 700, let most of a job's objects die by their reference
    count first. Measured on the default organization (experiments/benchmarks/sweep_job.py): about
    40 ms of collection a job before, under 20 ms after. Once only: an object frozen is never freed
    if it ends up in a reference cycle, and later jobs' objects are collected as usual."""
    import gc

    global _HEAP_FROZEN
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    _HEAP_FROZEN = True


def run_batch(batch: list[tuple[int, list[str]]], twins: dict | None = None) -> list:
    """Run a batch of (job number, overrides) in this worker; their JobReturns. `twins` (by twin
    hash) join this process's shared twins first."""
    from ..runs.jobs import shared_twins

    store = shared_twins()
    if store is not None and twins:
        store.add(twins)
    rets = [_run_one(idx, overrides) for idx, overrides in batch]
    if store is not None:
        store.take_made()  # kept in the store, not handed back
    return rets


def run_leaders(batch: list[tuple[int, list[str]]]) -> list[tuple[Any, dict]]:
    """Run the first job of each twin group; per job, its JobReturn and the twins it simulated (by
    twin hash), for the rest of its group wherever they run."""
    from ..runs.jobs import shared_twins

    store = shared_twins()
    out = []
    for idx, overrides in batch:
        ret = _run_one(idx, overrides)
        out.append((ret, store.take_made() if store is not None else {}))
    return out


# Sections the no-program twin never reads (sim.runs.jobs.twin_hash), and output (mostly where runs
# write): jobs that differ only in these probably share their twin. From the override's text alone;
# a wrong guess costs speed, never results (the worker checks the twin hash itself).
PROGRAM_ONLY = (*NOT_READ_BY_TWIN, "output")


def twin_group(overrides: Sequence[str]) -> tuple[str, ...]:
    """The overrides of a job that may change its twin."""
    def root(override: str) -> str:
        return override.lstrip("~+").split("=", 1)[0].split(".", 1)[0].split("/", 1)[0].split("@", 1)[0]

    return tuple(o for o in overrides if root(o) not in PROGRAM_ONLY)


def by_twin(jobs: list) -> list[list]:
    """The jobs in groups that probably share a twin, each in the jobs' order, groups in order of
    their first job."""
    groups: dict[tuple, list] = {}
    for job in jobs:
        groups.setdefault(twin_group(job[1]), []).append(job)
    return list(groups.values())


def run_batch_with(sweep_id: str, state: bytes, batch: list[tuple[int, list[str]]]) -> list:
    """`run_batch` in a process that may not hold this sweep's state yet (a Ray worker)."""
    if _WORKER.get("sweep_id") != sweep_id:
        start_worker(state)
    return run_batch(batch)


def worker_count(n_jobs: int | None, jobs: int) -> int:
    """joblib's convention: n_jobs <= 0 counts back from the usable cores (-1: all of them)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    n = cores + 1 + n_jobs if n_jobs is not None and n_jobs <= 0 else (n_jobs or cores)
    return max(1, min(n, jobs))


def batches(jobs: list, workers: int, batch_size: int | None) -> list[list]:
    """Contiguous batches: by default about four per worker (so a slow batch does not leave the
    other workers idle at the end), at most 16 jobs each."""
    size = batch_size or max(1, min(16, math.ceil(len(jobs) / (4 * workers))))
    return [jobs[i:i + size] for i in range(0, len(jobs), size)]


def lost_job(idx: int, overrides: Sequence[str]):
    """The return of a job whose worker died: NaN, like a failed run (its folder says incomplete)."""
    from hydra.core.utils import JobReturn, JobStatus

    ret = JobReturn(overrides=list(overrides), status=JobStatus.COMPLETED)
    ret.return_value = float("nan")
    return ret


def report_lost(lost: int, why: str) -> None:
    if lost:
        print(f"mentorsim: {lost} sweep job(s) did not finish ({why}); run the same command again to complete "
              f"them (finished jobs are kept)", file=sys.stderr)


def sweep_state(launcher, sweep_id: str) -> bytes:
    """Hydra's state for the workers, pickled once, with cloudpickle: Hydra's singletons hold
    OmegaConf resolvers that are local functions, which plain pickle refuses."""
    from hydra.core.singleton import Singleton
    import cloudpickle

    return cloudpickle.dumps({"hydra_context": launcher.hydra_context, "config": launcher.config,
                              "task_function": launcher.task_function, "singleton_state": Singleton.get_state(),
                              "cwd": os.getcwd(), "sweep_id": sweep_id,
                              "share_twins": bool(getattr(launcher, "share_twins", True))})


def _loads(state: bytes) -> dict:
    import pickle

    return pickle.loads(state)


