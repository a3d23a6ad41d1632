"""What a sweep job costs, step by step: N jobs of the default organization run in this process
(`mentorsim -m 'sim.seed=range(N)' hydra.launcher.n_jobs=1`), each step of a job timed in CPU
milliseconds per job, and the garbage collector's time beside them.

    python experiments/benchmarks/sweep_job.py                 # 30 jobs
    python experiments/benchmarks/sweep_job.py --jobs 60 program.enroll_share=0.3

Steps nest (a job's Hydra steps hold the task, which holds the simulation), so the rows do not add
up; the simulation row holds both worlds, program and twin, collected as tables (`result_of`); the
last row is what a job costs beside its models' set-up and simulated weeks.
Times are CPU time of this process (its progress thread included), so the figures hold on a
machine shared with other work better than wall times do; compare versions within one sitting.
The first jobs pay the imports and kernel loading that a worker pays once: `--skip N` leaves the
first N jobs out of every figure but the whole command's (a job's own cost, once the worker is warm).
"""
from __future__ import annotations

import argparse
import collections
import functools
import gc
import importlib
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# (module, function, what it is): the steps of one sweep job, outermost first
STEPS = [
    ("sim.studies.workers", "_run_one", "whole job in the worker"),
    ("sim.studies.workers", "JobComposer.compose", "its config composed"),
    ("sim.studies.hydra_job", "run_job", "Hydra's steps (task included)"),
    ("hydra.core.utils", "run_job", "Hydra's own run_job (other launchers; older versions)"),
    ("sim.studies.hydra_job", "to_yaml", "  .hydra/ record as YAML"),
    ("sim.studies.hydra_job", "_task_record", "  .hydra/config.yaml's text"),
    ("sim.studies.hydra_job", "_hydra_record", "  .hydra/hydra.yaml's text"),
    ("sim.studies.hydra_job", "_task_config", "  the task's copy of the config"),
    ("hydra.core.hydra_config", "HydraConfig.set_config", "  HydraConfig set"),
    ("sim.studies.hydra_job", "_set_hydra_config", "  HydraConfig set"),
    ("hydra.core.utils", "configure_log", "  the job's log set up"),
    ("sim.cli", "task", "the task (config checked, run, written)"),
    ("sim.config.load", "build", "  config validated"),
    ("sim.runs.jobs", "run_job", "  the run and its folder"),
    ("sim.runs.jobs", "config_hash", "    config hashed (resume, objective)"),
    ("sim.runs.result", "simulate", "    both worlds simulated"),
    ("sim.engine.model", "OrgModel.__init__", "      models set up (starting workforce)"),
    ("sim.engine.model", "OrgModel.run", "      weeks simulated"),
    ("sim.runs.result", "result_of", "      their tables collected"),
    ("sim.runs.jobs", "SharedTwins.__call__", "    twin simulated or shared"),
    ("sim.runs.result", "compare", "    program vs twin (compare)"),
    ("sim.runs.folder", "write_run", "    run folder written"),
    ("sim.runs.jobs", "SharedTwins.add", "    twin kept for sharing"),
    ("sim.runs.jobs", "objective", "  objective.json"),
]


COUNTING = {"on": True}  # off while the jobs `--skip` leaves out run


def timed(spent: dict, calls: collections.Counter, module: str, name: str) -> None:
    """Wrap module.name (a function or Class.method) so that its CPU time adds up in spent; nothing
    where there is no such step (another version of the package)."""
    try:
        owner = importlib.import_module(module)
        *path, attr = name.split(".")
        for part in path:
            owner = getattr(owner, part)
        inner = getattr(owner, attr)
    except (ImportError, AttributeError):
        return

    @functools.wraps(inner)
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            if COUNTING["on"]:
                spent[name, module] += time.process_time() - start
                calls[name, module] += 1

    setattr(owner, attr, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=30)
    parser.add_argument("--skip", type=int, default=0, help="first jobs left out of the per-job figures")
    parser.add_argument("overrides", nargs="*", help="more overrides for every job")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import sim.cli

    spent: dict = collections.defaultdict(float)
    calls: collections.Counter = collections.Counter()
    for module, name, _ in STEPS:
        timed(spent, calls, module, name)
    import sim.studies.workers as workers

    run_one, started = workers._run_one, [0]

    def counted(idx, overrides):  # outermost: counts only the jobs after the first --skip
        started[0] += 1
        COUNTING["on"] = started[0] > args.skip
        return run_one(idx, overrides)

    workers._run_one = counted
    collecting = {"start": 0.0, "total": 0.0}

    def on_collect(phase: str, info: dict) -> None:
        if phase == "start":
            collecting["start"] = time.process_time()
        elif COUNTING["on"]:
            collecting["total"] += time.process_time() - collecting["start"]

    gc.callbacks.append(on_collect)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.process_time()
        try:
            sim.cli.main(["-m", f"sim.seed=range({args.jobs + args.skip})", "hydra.launcher.n_jobs=1", *args.overrides,
                          f"hydra.sweep.dir={tmp}/sweep"])
        except SystemExit as stop:
            if stop.code:
                raise
        whole = time.process_time() - start
    jobs = calls["_run_one", "sim.studies.workers"]
    print(f"\n{jobs + args.skip} sweep jobs in this process: {whole:.2f} CPU s for the whole command (start-up "
          f"included); per job: the {jobs} after the first {args.skip}")
    print("| step | calls | CPU ms per job |")
    print("|---|---|---|")
    for module, name, what in STEPS:
        print(f"| {what} (`{name}`) | {calls[name, module]} | {1000 * spent[name, module] / max(jobs, 1):.1f} |")
    print(f"| garbage collection, wherever it ran | | {1000 * collecting['total'] / max(jobs, 1):.1f} |")
    world = sum(spent[name, "sim.engine.model"] for name in ("OrgModel.__init__", "OrgModel.run"))
    outside = spent["_run_one", "sim.studies.workers"] - world
    print(f"| a job outside its models' set-up and weeks | | {1000 * outside / max(jobs, 1):.1f} |")


if __name__ == "__main__":
    main()
