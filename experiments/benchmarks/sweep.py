"""Sweep throughput: evaluations per second (one evaluation = a program run and its twin) of the
default organization, through each launcher, in one invocation.

    python experiments/benchmarks/sweep.py                      # 200 evaluations, joblib vs mentorsim
    python experiments/benchmarks/sweep.py --evaluations 40 --workers 2 --ray
    python experiments/benchmarks/sweep.py --launchers mentorsim,own-twins --designs 20

Two shapes of sweep (`--designs`, default both): 1, N seeds of the default program
(`'sim.seed=range(N)'`: every job has a twin of its own); D, D program designs (enrollment shares
from 0.2 up) on N/D seeds each, where the D designs of a seed share one twin. Each launcher runs
the same command, `mentorsim -m SWEEP hydra.launcher.n_jobs=W`, into a fresh folder:

    joblib     Hydra's joblib launcher and basic sweeper, every table written (the behaviour before
               the mentorsim launcher: hydra/launcher=joblib hydra/sweeper=basic output.sweep_tables=true)
    mentorsim  the default for -m: warm worker processes, metrics only, twins shared
    own-twins  the same without sharing twins (hydra.launcher.share_twins=false)
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
    "own-twins": ["hydra.launcher.share_twins=false"],
    "ray": ["hydra/launcher=ray"],
}


def env() -> dict:
    out = dict(os.environ)
    out["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), out.get("PYTHONPATH")) if p)
    return out


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def grid(evaluations: int, designs: int) -> list[str]:
    """The swept keys: N seeds of the default program, or D enrollment shares on N/D seeds each."""
    if designs == 1:
        return [f"sim.seed=range({evaluations})"]
    shares = ",".join(f"{0.2 + 0.2 * i / designs:.3f}" for i in range(designs))
    return [f"program.enroll_share={shares}", f"sim.seed=range({evaluations // designs})"]


def sweep(name: str, evaluations: int, designs: int, workers: int, folder: Path, environ: dict) -> dict:
    command = [sys.executable, "-m", "sim", "-m", *LAUNCHERS[name], *grid(evaluations, designs),
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
    return {"launcher": name, "designs": designs, "command_s": wall, "sweep_s": inner,
            "per_s_command": evaluations / wall,
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
    parser.add_argument("--launchers", default="joblib,mentorsim", help="comma-separated: joblib, mentorsim, own-twins")
    parser.add_argument("--designs", default="1,20", help="comma-separated: 1 (seeds only) or D designs x N/D seeds")
    parser.add_argument("--ray", action="store_true", help="also through a local Ray cluster")
    args = parser.parse_args()
    environ = env()
    subprocess.run([sys.executable, "-m", "sim", "sim.horizon_years=0.25", "output.charts=false",
                    "output.report=false", f"output.dir={tempfile.mkdtemp()}/warm"], env=environ, check=True,
                   capture_output=True)
    names = [n for n in args.launchers.split(",") if n]
    shapes = [int(d) for d in args.designs.split(",") if d]
    if any(d < 1 or args.evaluations % d for d in shapes):
        parser.error(f"--designs = {args.designs}: whole numbers that divide --evaluations ({args.evaluations})")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for designs in shapes:
            for name in names:
                rows.append(sweep(name, args.evaluations, designs, args.workers, Path(tmp) / f"{name}-{designs}",
                                  environ))
                print(_line(rows[-1]), flush=True)
        if args.ray:
            address, ray_env = start_ray(args.workers, environ)
            try:
                for designs in shapes:
                    rows.append(sweep("ray", args.evaluations, designs, args.workers, Path(tmp) / f"ray-{designs}",
                                      ray_env))
                    print(_line(rows[-1]) + f" (cluster {address}; CPU of its workers not counted)", flush=True)
            finally:
                subprocess.run([RAY, "stop", "--force"], env=environ, capture_output=True)
                shutil.rmtree(ray_env["RAY_TEMP"], ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{args.evaluations} evaluations (program + twin) of the default organization, "
          f"{args.workers} workers, one numba thread per job")
    print("| launcher | jobs | command | evaluations/s (command) | sweep | evaluations/s (sweep) | CPU s "
          "| CPU s per evaluation |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['launcher']} | {_shape(r['designs'], args.evaluations)} | {r['command_s']:.1f} s "
              f"| {r['per_s_command']:.2f} | {r['sweep_s']:.1f} s | {r['per_s_sweep']:.2f} | {r['cpu_s']:.0f} "
              f"| {r['cpu_s'] / args.evaluations:.2f} |")


def _shape(designs: int, evaluations: int) -> str:
    return f"{evaluations} seeds" if designs == 1 else f"{designs} designs x {evaluations // designs} seeds"


def _line(r: dict) -> str:
    return (f"{r['launcher']}, {r['designs']} design(s): command {r['command_s']:.1f} s "
            f"({r['per_s_command']:.2f} evaluations/s), sweep {r['sweep_s']:.1f} s ({r['per_s_sweep']:.2f}/s), "
            f"CPU {r['cpu_s']:.0f} s")


if __name__ == "__main__":
    main()
