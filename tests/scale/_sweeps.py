"""Helpers for the launcher tests: a small sweep, its job folders, and what must be equal."""
from __future__ import annotations

import json
from pathlib import Path

from tests.studies._util import job_folders, mentorsim, ok  # noqa: F401  (re-exported)

# 6 short jobs: a config group and a plain key swept, so both ways of composing a job are used.
SMALL = ["org=small", "sim.horizon_years=0.25", "output.charts=false", "matching=random,optimal",
         "sim.seed=0,1,2"]
JOBLIB = ["hydra/launcher=joblib", "hydra/sweeper=basic", "hydra.launcher.n_jobs=2"]


def sweep(tmp: Path, name: str, *args: str, timeout: float = 300):
    folder = tmp / name
    proc = ok(mentorsim("-m", *SMALL, *args, f"hydra.sweep.dir={folder}", cwd=tmp, timeout=timeout))
    return folder, proc


def record(folder: Path) -> dict[str, dict]:
    """Per job folder: its metrics, config hash and Hydra's record of its config and overrides."""
    out = {}
    for job in job_folders(folder):
        status = json.loads((job / "status.json").read_text())
        assert status["status"] == "complete", (job, status)
        out[job.name] = {"metrics": (job / "metrics.json").read_text(), "config_hash": status["config_hash"],
                         "config": (job / ".hydra" / "config.yaml").read_text(),
                         "overrides": (job / ".hydra" / "overrides.yaml").read_text()}
    return out


def metrics_of(folder: Path) -> dict[str, str]:
    return {name: job["metrics"] for name, job in record(folder).items()}


def kill_a_worker_once_a_job_runs(proc, sweep_dir: Path, workers) -> tuple[int | None, str, str]:
    """Wait until a job of the sweep `proc` writes "running", SIGKILL the first pid `workers()` lists,
    and let the sweep finish; returns (the pid killed or None, stdout, stderr)."""
    import os
    import signal
    import time

    killed, deadline = None, time.monotonic() + 240
    while killed is None and proc.poll() is None and time.monotonic() < deadline:
        if any(b'"running"' in f.read_bytes() for f in sweep_dir.glob("*/status.json")):
            pids = workers()
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                killed = pids[0]
        time.sleep(0.02)
    try:
        out, err = proc.communicate(timeout=300)
    finally:
        proc.kill()  # no stray sweep if it hangs
    return killed, out, err
