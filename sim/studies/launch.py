"""Sweep jobs on warm worker processes: mentorsim's Hydra launcher (`hydra/launcher=mentorsim`,
the default for `-m`) and its Ray backend (`hydra/launcher=ray`).

A sweep job through Hydra's joblib launcher pays, per job, a full composition of the config
files (twice: once when the sweeper checks the batch, once in the worker) and the transfer of
Hydra's whole state. Here each worker process is started once per sweep (imports and compiled
kernels stay loaded: it runs many jobs), receives Hydra's state once, and takes the jobs in
batches. A job's config is composed from the files once per distinct set of config-group choices
(`org=small`, `matching=random` ...); the values of plain keys (`sim.seed=3`) are then set on a
copy with Hydra's own override step, which is what a full composition does last. Each job still
goes through Hydra's `run_job`, so its folder gets `.hydra/` (config, hydra config, overrides),
its log and everything the task writes, exactly as with any other launcher.

Workers are fresh processes (loky's, as joblib's: numba's threads and fork do not mix); the task
sets one numba thread per job. If a worker process dies, the jobs it had not finished are handed
to a fresh pool once; jobs lost after that are reported in one line, and re-running the same
command completes them (finished jobs are skipped by their config hash).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Sequence

from .workers import start_worker, batches, lost_job, report_lost, run_batch, sweep_state, worker_count

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
        return run_batch(jobs)
    results: dict[int, Any] = {}
    pending = batches(jobs, workers, launcher.batch_size)
    for attempt in range(2):  # a dead worker breaks the pool: its unfinished jobs get one fresh pool
        pending = _run_pool(pending, workers, state, results)
        if not pending:
            break
    for batch in pending:
        for idx, overrides in batch:
            results[idx] = lost_job(idx, overrides)
    report_lost(sum(len(b) for b in pending), "a worker process died")
    return [results[idx] for idx, _ in jobs]


def _run_pool(pending: list[list], workers: int, state: bytes, results: dict) -> list[list]:
    """Run the batches on a fresh pool of workers; the batches left unfinished.

    loky's executor (joblib's): a worker killed mid-batch fails the futures it held, where the
    standard library's pool can wait forever for them.
    """
    from concurrent.futures import as_completed

    from joblib.externals.loky import ProcessPoolExecutor
    from joblib.externals.loky.process_executor import BrokenProcessPool

    unfinished = []
    pool = ProcessPoolExecutor(max_workers=min(workers, len(pending)), initializer=start_worker, initargs=(state,))
    try:
        futures = {pool.submit(run_batch, batch): batch for batch in pending}
        for future in as_completed(futures):
            try:
                for (idx, _), ret in zip(futures[future], future.result()):
                    results[idx] = ret
            except BrokenProcessPool:
                unfinished.append(futures[future])
    finally:
        pool.shutdown(wait=True, kill_workers=bool(unfinished))
    return unfinished
