"""Sweep throughput: evaluations per second (one evaluation = a program run and its twin) of the
default organization, through each launcher, in one invocation.

    python experiments/benchmarks/sweep.py                      # 200 evaluations, joblib vs mentorsim
    python experiments/benchmarks/sweep.py --evaluations 40 --workers 2 --ray

Each launcher runs the same command, `mentorsim -m 'sim.seed=range(N)' hydra.launcher.n_jobs=W`,
into a fresh folder:

    joblib     Hydra's joblib launcher and basic sweeper, every table written (the behaviour before
               the mentorsim launcher: hydra/launcher=joblib hydra/sweeper=basic output.sweep_tables=true)
    mentorsim  the default for -m: warm worker processes, metrics only
    ray        (--ray) a local Ray cluster started here on 127.0.0.1 with W CPUs, stopped after

Printed per launcher: the whole command's wall time (start-up included), the sweep's own time (as
the command reports it), evaluations per second over each, and the CPU seconds of the command and
its worker processes (not Ray's: its workers belong to the cluster). Every job runs one numba
thread. The kernels are compiled (or loaded from the cache) by a warm-up run first. Timings on a
machine shared with other work vary: compare launchers within one invocation.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RAY = str(Path(sys.executable).parent / "ray")  # the console script beside this Python
LAUNCHERS = {
    "joblib": ["hydra/launcher=joblib", "hydra/sweeper=basic", "output.sweep_tables=true"],
    "mentorsim": [],
    "ray": ["hydra/launcher=ray"],
}


def env() -> dict:
    out = dict(os.environ)
    out["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), out.get("PYTHONPATH")) if p)
    return out


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def sweep(name: str, evaluations: int, workers: int, folder: Path, environ: dict) -> dict:
    command = [sys.executable, "-m", "sim", "-m", *LAUNCHERS[name], f"sim.seed=range({evaluations})",
               f"hydra.launcher.n_jobs={workers}", f"hydra.sweep.dir={folder}"]
    cpu0, t0 = children_cpu(), time.perf_counter()
    proc = subprocess.run(command, cwd=folder.parent, env=environ, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, children_cpu() - cpu0
    if proc.returncode != 0:
        raise SystemExit(f"{name}: exit {proc.returncode}\n{proc.stderr[-3000:]}")
    found = re.search(r"sweep finished in ([\d.]+) s", proc.stdout)
    done = sum(1 for f in folder.glob("*/status.json") if json.loads(f.read_text()).get("status") == "complete")
    if done != evaluations:
        raise SystemExit(f"{name}: {done} of {evaluations} jobs complete")
    inner = float(found.group(1)) if found else float("nan")
    return {"launcher": name, "command_s": wall, "sweep_s": inner, "per_s_command": evaluations / wall,
            "per_s_sweep": evaluations / inner, "cpu_s": cpu}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_ray(cpus: int, environ: dict) -> tuple[str, dict]:
    """A Ray head on 127.0.0.1 only (Ray's single-machine mode), with a token of its own."""
    import secrets

    environ = {**environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_AUTH_MODE": "token",
               "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    port = free_port()
    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # short: Ray's socket paths must fit 107 bytes
    subprocess.run([RAY, "start", "--head", "--node-ip-address", "127.0.0.1", "--port", str(port),
                    "--num-cpus", str(cpus), "--include-dashboard", "false", "--disable-usage-stats",
                    "--temp-dir", temp], env=environ, check=True, capture_output=True)
    return f"127.0.0.1:{port}", {**environ, "RAY_ADDRESS": f"127.0.0.1:{port}", "RAY_TEMP": temp}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--launchers", default="joblib,mentorsim", help="comma-separated: joblib, mentorsim")
    parser.add_argument("--ray", action="store_true", help="also through a local Ray cluster")
    args = parser.parse_args()
    environ = env()
    subprocess.run([sys.executable, "-m", "sim", "sim.horizon_years=0.25", "output.charts=false",
                    "output.report=false", f"output.dir={tempfile.mkdtemp()}/warm"], env=environ, check=True,
                   capture_output=True)
    names = [n for n in args.launchers.split(",") if n]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            rows.append(sweep(name, args.evaluations, args.workers, Path(tmp) / name, environ))
            print(_line(rows[-1]), flush=True)
        if args.ray:
            address, ray_env = start_ray(args.workers, environ)
            try:
                rows.append(sweep("ray", args.evaluations, args.workers, Path(tmp) / "ray", ray_env))
                print(_line(rows[-1]) + f" (cluster {address}; CPU of its workers not counted)", flush=True)
            finally:
                subprocess.run([RAY, "stop", "--force"], env=environ, capture_output=True)
                shutil.rmtree(ray_env["RAY_TEMP"], ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{args.evaluations} evaluations (program + twin) of the default organization, "
          f"{args.workers} workers, one numba thread per job")
    print("| launcher | command | evaluations/s (command) | sweep | evaluations/s (sweep) | CPU s |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['launcher']} | {r['command_s']:.1f} s | {r['per_s_command']:.2f} | {r['sweep_s']:.1f} s "
              f"| {r['per_s_sweep']:.2f} | {r['cpu_s']:.0f} |")


def _line(r: dict) -> str:
    return (f"{r['launcher']}: command {r['command_s']:.1f} s ({r['per_s_command']:.2f} evaluations/s), sweep "
            f"{r['sweep_s']:.1f} s ({r['per_s_sweep']:.2f}/s), CPU {r['cpu_s']:.0f} s")


if __name__ == "__main__":
    main()
