"""Sweep jobs on warm worker processes: mentorsim's Hydra launcher (`hydra/launcher=mentorsim`,
the default for `-m`) and its Ray backend (`hydra/launcher=ray`).

A sweep job through Hydra's joblib launcher pays, per job, a full composition of the config
files (twice: once when the sweeper checks the batch, once in the worker) and the transfer of
Hydra's whole state. Here each worker process is started once per sweep (imports and compiled
kernels stay loaded: it runs many jobs), receives Hydra's state once, and takes the jobs in
batches. A job's config is composed from the files once per distinct set of config-group choices
(`org=small`, `matching=random` ...); the values of plain keys (`sim.seed=3`) are then set on a
copy with Hydra's own override step, which is what a full composition does last. Each job goes
through the steps of Hydra's `run_job` (`sim.studies.hydra_job`, cheaper copies and YAML), so its
folder gets `.hydra/` (config, hydra config, overrides), its log and everything the task writes,
exactly as with any other launcher.

Designs that differ only in program settings have the same no-program twin for the same seed
(`sim.runs.jobs.twin_hash`): the first job of each such group runs first and hands its twin to the
group's other jobs, which reuse it instead of running it again (`hydra.launcher.share_twins`,
default true; their metrics are exactly those of a run with its own twin).

Workers are fresh processes (loky's, as joblib's: numba's threads and fork do not mix); the task
sets one numba thread per job. If a worker process dies, the jobs it had not finished are handed
to a fresh pool once; jobs lost after that are reported in one line, and re-running the same
command completes them (finished jobs are skipped by their config hash).
"""
from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any, Sequence

from .workers import (batches, by_twin, lost_job, report_lost, run_batch, run_leaders, start_pool_worker, start_worker,
                      sweep_state, worker_count)

log = logging.getLogger(__name__)

OWN_LAUNCHERS = ("mentorsim", "local", "ray")  # configs/hydra/launcher/ files that select this launcher


def check_launcher_args(argv: list[str]) -> None:
    """This launcher's settings given on the command line, checked before Hydra starts: ConfigError
    (one line) for a value it cannot use."""
    from ..config.checks import ConfigError

    values = dict(a.split("=", 1) for a in argv if a.startswith(("hydra/launcher=", "hydra.launcher.")) and "=" in a)
    if values.get("hydra/launcher", "mentorsim") not in OWN_LAUNCHERS:
        return
    rules = {"hydra.launcher.n_jobs": (lambda n: n != 0, "a whole number of worker processes, not 0 (-1: every core)"),
             "hydra.launcher.batch_size": (lambda n: n >= 1, "null or a whole number of jobs, at least 1"),
             "hydra.launcher.ray.max_retries": (lambda n: n >= 0, "a whole number, at least 0"),
             "hydra.launcher.ray.num_cpus": (lambda n: n >= 1, "a whole number of CPUs per task, at least 1")}
    for key, value in values.items():
        if key == "hydra.launcher.backend" and value not in ("local", "ray"):
            raise ConfigError(f"{key} = {value!r}: local or ray")
        if key == "hydra.launcher.share_twins" and value.lower() not in ("true", "false"):
            raise ConfigError(f"{key} = {value!r}: true or false")
        if key in rules and not (key == "hydra.launcher.batch_size" and value == "null"):
            ok, allowed = rules[key]
            try:
                good = ok(int(value))
            except ValueError:
                good = False
            if not good:
                raise ConfigError(f"{key} = {value!r}: {allowed}")


def launch(launcher, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> list:
    """Run every job (in order of their numbers); a JobReturn per job."""
    import uuid

    from hydra.core.utils import configure_log, setup_globals

    setup_globals()
    configure_log(launcher.config.hydra.hydra_logging, launcher.config.hydra.verbose)
    Path(str(launcher.config.hydra.sweep.dir)).mkdir(parents=True, exist_ok=True)
    jobs = [(initial_job_idx + i, list(o)) for i, o in enumerate(job_overrides)]
    sweep_id = uuid.uuid4().hex
    state = sweep_state(launcher, sweep_id)
    if launcher.backend == "ray":
        from .launch_ray import launch_ray

        return launch_ray(launcher, jobs, sweep_id, state)
    workers = worker_count(launcher.n_jobs, len(jobs))
    log.info("mentorsim launcher: %d jobs on %d worker process(es)", len(jobs), workers)
    if workers == 1:  # in this process: no start-up, and the state is already here
        start_worker(state)
        done = {idx: ret for group in by_twin(jobs) for (idx, _), ret in zip(group, run_batch(group))}
        return [done[idx] for idx, _ in jobs]
    results: dict[int, Any] = {}
    pending = jobs
    for attempt in range(2):  # a dead worker breaks the pool: its unfinished jobs get one fresh pool
        pending = _run_pool(pending, workers, launcher.batch_size, state, results, launcher.share_twins)
        if not pending:
            break
    for idx, overrides in pending:
        results[idx] = lost_job(idx, overrides)
    report_lost(len(pending), "a worker process died")
    return [results[idx] for idx, _ in jobs]


def _run_pool(jobs: list, workers: int, batch_size: int | None, state: bytes, results: dict,
              share: bool) -> list:
    """Run the jobs on a fresh pool of workers; the jobs left unfinished.

    Twins first: the first job of each group that shares a twin (`by_twin`) runs before the rest,
    which go out once it is done, carrying the twin it simulated, so each twin runs once whichever
    worker takes the rest. Jobs alone in their group go out with the first jobs.

    loky's executor (joblib's): a worker killed mid-batch fails the futures it held, where the
    standard library's pool can wait forever for them.
    """
    from concurrent.futures import FIRST_COMPLETED, wait

    from joblib.externals.loky import ProcessPoolExecutor
    from joblib.externals.loky.process_executor import BrokenProcessPool

    groups = by_twin(jobs) if share else [[job] for job in jobs]
    rest = {group[0][0]: group[1:] for group in groups if len(group) > 1}
    size = batch_size or max(1, min(16, math.ceil(len(jobs) / (4 * workers))))
    unfinished: list = []
    pool = ProcessPoolExecutor(max_workers=min(workers, len(jobs)), initializer=start_pool_worker, initargs=(state,))
    running: dict = {}

    def submit(fn, batch, *args):
        try:
            running[pool.submit(fn, batch, *args)] = (fn, batch)
        except (BrokenProcessPool, RuntimeError):  # the pool broke since: these jobs wait for a fresh one
            unfinished.extend(batch)

    try:
        for batch in batches([g[0] for g in groups if len(g) > 1], workers, batch_size):
            submit(run_leaders, batch)
        for batch in batches([g[0] for g in groups if len(g) == 1], workers, size):
            submit(run_batch, batch)
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                fn, batch = running.pop(future)
                try:
                    out = future.result()
                except BrokenProcessPool:
                    unfinished.extend(batch)
                    if fn is run_leaders:
                        unfinished.extend(job for idx, _ in batch for job in rest[idx])
                    continue
                if fn is run_batch:
                    results.update((idx, ret) for (idx, _), ret in zip(batch, out))
                    continue
                for (idx, _), (ret, twins) in zip(batch, out):  # the group's other jobs now, with its twin
                    results[idx] = ret
                    for i in range(0, len(rest[idx]), size):
                        submit(run_batch, rest[idx][i:i + size], twins)
    finally:
        pool.shutdown(wait=True, kill_workers=bool(unfinished))
    return unfinished
