"""`mentorsim -m hydra/launcher=ray` on a real Ray cluster: started here as separate processes on
127.0.0.1 (`ray start --head`), stopped at teardown even when a test fails."""
from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from sim.runs.jobs import read_status
from sim.studies.collect import collect
from tests.conftest import cli_env

from ._sweeps import SMALL, job_folders, kill_a_worker_once_a_job_runs, metrics_of, sweep

pytest.importorskip("ray")
pytestmark = pytest.mark.slow
RAY = Path(sys.executable).parent / "ray"
# `ray stop --force` stops every Ray process of this user: xdist workers that run these tests take
# turns with the cluster, one module's worth at a time.
CLUSTER_LOCK = Path(tempfile.gettempdir()) / "mentorsim-ray-tests.lock"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster():
    """The environment that reaches a 2-CPU Ray cluster listening on 127.0.0.1 only."""
    from filelock import FileLock  # a dependency of ray

    env = {**cli_env(),
           "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",  # single-machine mode: every port on the loopback
           "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    with FileLock(str(CLUSTER_LOCK), timeout=900):
        temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # short: Ray's socket paths must fit 107 bytes
        yield from _cluster(env, temp, free_port())


def _cluster(env: dict, temp: str, port: int):
    try:
        subprocess.run([str(RAY), "start", "--head", "--node-ip-address", "127.0.0.1", "--port", str(port),
                        "--num-cpus", "2", "--include-dashboard", "false", "--disable-usage-stats",
                        "--temp-dir", temp], env=env, check=True, capture_output=True, timeout=180)
        yield {**env, "RAY_ADDRESS": f"127.0.0.1:{port}"}
    finally:
        subprocess.run([str(RAY), "stop", "--force"], env=env, capture_output=True, timeout=120)
        shutil.rmtree(temp, ignore_errors=True)


def on_ray(tmp: Path, name: str, env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", "-m", "hydra/launcher=ray", *SMALL, *args,
                           f"hydra.sweep.dir={tmp / name}"], cwd=tmp, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """The same sweep on this machine's launcher: what every Ray job must equal."""
    return metrics_of(sweep(tmp_path_factory.mktemp("local"), "local", "hydra.launcher.n_jobs=2")[0])


def test_a_sweep_on_a_ray_cluster_equals_the_local_launcher(cluster, local, tmp_path):
    proc = on_ray(tmp_path, "ray", cluster)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert "mentorsim launcher (ray): 6 jobs" in proc.stderr + proc.stdout
    assert metrics_of(tmp_path / "ray") == local


def ray_workers(title: bytes = b"ray::") -> set[int]:
    """Ray's worker processes; a worker's title is `ray::<function>` while it runs a task."""
    pids = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if cmdline.read_bytes().startswith(title):
                pids.add(int(cmdline.parent.name))
        except OSError:
            continue
    return pids


def sweep_with_a_killed_worker(cluster: dict, sweep_dir: Path, args: list[str]) -> tuple[str, str]:
    """Start the sweep; once a job is running, SIGKILL a Ray worker that runs a batch; its output."""
    earlier = ray_workers()  # workers of an earlier sweep may still be shutting down, titles and all
    proc = subprocess.Popen([sys.executable, "-m", "sim", "-m", "hydra/launcher=ray", *SMALL, *args,
                             f"hydra.sweep.dir={sweep_dir}"], cwd=sweep_dir.parent, env=cluster,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, out, err = kill_a_worker_once_a_job_runs(
        proc, sweep_dir, lambda: sorted(ray_workers(b"ray::run_batch_with") - earlier))
    assert proc.returncode == 0 and "Traceback" not in err, (out + err)[-3000:]
    return out, err


def test_a_killed_ray_worker_loses_nothing_once_the_command_is_run_again(cluster, local, tmp_path):
    # one job per task and no retries: the killed worker's job is lost, and the rerun must finish it
    args = ["hydra.launcher.batch_size=1", "hydra.launcher.ray.max_retries=0"]
    for attempt in range(3):  # a kill can land just as the worker finishes its job: then nothing is lost
        sweep_dir = tmp_path / f"sw{attempt}"
        out, err = sweep_with_a_killed_worker(cluster, sweep_dir, args)
        if "did not finish" in err:
            break
    assert "did not finish" in err and "run the same command again" in err, (out + err)[-3000:]
    before = collect(sweep_dir, write=False)
    assert (before["status"] == "complete").sum() < 6
    kept = {f.name: (f / "metrics.json").stat().st_mtime_ns for f in job_folders(sweep_dir)
            if read_status(f).get("status") == "complete"}

    second = on_ray(tmp_path, sweep_dir.name, cluster, *args)
    assert second.returncode == 0 and "did not finish" not in second.stderr, second.stderr[-3000:]
    after = collect(sweep_dir, write=False)
    assert sorted(after["run"]) == [str(i) for i in range(6)]  # one folder per job, nothing twice
    assert set(after["status"]) == {"complete"}
    assert metrics_of(sweep_dir) == local
    for name, mtime in kept.items():  # the jobs finished before were skipped, not run again
        assert (sweep_dir / name / "metrics.json").stat().st_mtime_ns == mtime, name
