"""The launcher's Ray backend: the sweep's batches as Ray tasks on a running cluster.

Why not Hydra's Ray launcher: hydra-ray-launcher 1.2.2 pins `cloudpickle<3` (the environment's
other packages need 3.x), forces a 75 MB object store that breaks connecting to an existing
cluster, and starts every job as its own task with Hydra's whole state. Here each batch of jobs is
one Ray task (one CPU: one numba thread); Ray reuses its worker processes, so imports and compiled
kernels stay loaded across batches, and the sweep's Hydra state goes into the object store once.

Connects to `ray.address` in the launcher config, else `RAY_ADDRESS`, else starts a local Ray on
this machine. The workers must import this package and see the sweep folder at the same path (a
shared file system); each works in the command's current folder. A task whose worker dies is
retried by Ray (`max_retries`); a retried batch skips the jobs it already completed (their config
hash) and redoes the rest, so nothing is run twice into a finished folder. Jobs still lost after
the retries are reported in one line; re-running the same command completes them.
"""
from __future__ import annotations

import logging
import os

from .workers import batches, by_twin, lost_job, report_lost, run_batch_with

log = logging.getLogger(__name__)


def connect(address: str | None, num_cpus: int | None):
    address = address or os.environ.get("RAY_ADDRESS") or None
    if not address:  # a Ray of our own for this sweep: Ray's single-machine mode, on the loopback only
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    import ray

    if ray.is_initialized():
        return ray
    options = {"log_to_driver": True, "configure_logging": False}
    if address:  # an existing cluster: its own resources and object store
        ray.init(address=address, **options)
    else:
        ray.init(num_cpus=num_cpus, include_dashboard=False, **options)
    return ray


def launch_ray(launcher, jobs: list[tuple[int, list[str]]], sweep_id: str, state: bytes) -> list:
    settings = launcher.ray or {}
    ray = connect(settings.get("address"), settings.get("num_cpus_local"))
    cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
    task_cpus = settings.get("num_cpus") or 1
    workers = max(1, int(cpus // task_cpus))
    remote = ray.remote(num_cpus=task_cpus, max_retries=int(settings.get("max_retries", 3)))(run_batch_with)
    state_ref = ray.put(state)
    # a group's jobs side by side: a Ray worker runs their common twin once (its process's shared twins)
    ordered = [job for group in by_twin(jobs) for job in group] if launcher.share_twins else jobs
    pending = batches(ordered, workers, launcher.batch_size)
    log.info("mentorsim launcher (ray): %d jobs in %d tasks on %d CPUs", len(jobs), len(pending), cpus)
    refs = [remote.remote(sweep_id, state_ref, batch) for batch in pending]
    results, lost = {}, 0
    for batch, ref in zip(pending, refs):
        try:
            for (idx, _), ret in zip(batch, ray.get(ref)):
                results[idx] = ret
        except (ray.exceptions.RayError, OSError) as err:  # the worker or its node died, retries spent
            log.warning("mentorsim launcher (ray): a batch was lost: %s", str(err).splitlines()[0] if str(err) else err)
            lost += len(batch)
            for idx, overrides in batch:
                results[idx] = lost_job(idx, overrides)
    report_lost(lost, "a Ray worker died and its retries were spent")
    return [results[idx] for idx, _ in jobs]
