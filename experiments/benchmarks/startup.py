"""Where the default command's time goes: a timeline of its main process and of its worker.

    python experiments/benchmarks/startup.py                        # the default command
    python experiments/benchmarks/startup.py org=small evaluation.seeds=2

Runs `mentorsim [overrides] hydra.run.dir=<a fresh temporary folder>` in this process, with marks
around the functions of its critical path (the pre-check, the early start of the workers, Hydra's
part, each simulated run, the run charts, the settling of the workers' results, the report) and
around the imports that matter (numba, pandas, Mesa, matplotlib). Each mark gives the wall time since
the process started and this process's CPU seconds; each task a worker runs is printed with its own
wall span and CPU. The command's own output is dropped, and the run folder removed after.

On a machine shared with other work the wall times stretch; the CPU seconds of the main process
move much less, so compare those, within one sitting, before and after a change.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import importlib.abc
import importlib.util
import io
import os
import shutil
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def process_start() -> float:
    """perf_counter's reading when this process started (Linux: from /proc; else now)."""
    try:
        with open("/proc/self/stat") as stat:
            ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        age = time.clock_gettime(time.CLOCK_MONOTONIC) - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, AttributeError):
        age = 0.0
    return time.perf_counter() - age


START = process_start()
MAIN = os.getpid()
MARKS: list[tuple[float, float, str]] = []  # (wall since start, CPU of this process, what)

# module: functions (or Class.method) to mark; a module listed with none marks its import only
WRAPPED = {
    "sim.cli": ["precheck", "checked", "start_early", "run_hydra", "task"],
    "sim.seed_workers": ["take_early"],
    "sim.engine.model": ["OrgModel.run"],
    "sim.runs.jobs": ["run_job"],
    "sim.runs.result": ["RunResult.settle"],
    "sim.runs.folder": ["write_run"],
    "sim.runs.tasks": [],
    "sim.charts.run": ["run_charts"],
    "sim.present.report": ["write_report_logged"],
    "sim.present.pdf": ["write_pdf", "prepare_drawing"],
    "numba": [], "pandas": [], "mesa": [], "matplotlib.pyplot": [], "hydra": [],
}


def mark(what: str) -> None:
    if os.getpid() == MAIN:
        MARKS.append((time.perf_counter() - START, time.process_time(), what))


def marked(fn, label: str):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        mark(f"{label} >")
        try:
            return fn(*args, **kwargs)
        finally:
            mark(f"{label} <")
    return wrapper


def worker_timed(call_logged):
    """`sim.runs.tasks.call_logged` (what a worker runs for each task), printing each task's span and CPU."""
    @functools.wraps(call_logged)  # same name: the pool pickles it by reference
    def timed(fn, *args):
        wall, cpu = time.perf_counter() - START, time.process_time()
        try:
            return call_logged(fn, *args)
        finally:
            print(f"worker {os.getpid()}: {wall:6.2f}-{time.perf_counter() - START:6.2f} s wall, "
                  f"{time.process_time() - cpu:5.2f} CPU-s  {getattr(fn, '__qualname__', fn)}", file=sys.stderr)
    return timed


class MarkImports(importlib.abc.MetaPathFinder):
    """Marks the import of each module of WRAPPED and wraps its functions once it is loaded."""

    def find_spec(self, name, path, target=None):
        if name not in WRAPPED:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        execute = spec.loader.exec_module

        def exec_module(module):
            mark(f"import {name} >")
            execute(module)
            mark(f"import {name} <")
            if name == "sim.runs.tasks":
                module.call_logged = worker_timed(module.call_logged)
            for attr in WRAPPED[name]:
                owner, _, leaf = attr.rpartition(".")
                holder = getattr(module, owner) if owner else module
                if hasattr(holder, leaf):  # a name older (or newer) code lacks is left out
                    setattr(holder, leaf, marked(getattr(holder, leaf), attr))

        spec.loader.exec_module = exec_module
        return spec


def report() -> str:
    lines = ["  wall    cpu   +wall   +cpu  mark (wall s since the process started; CPU s of this process)"]
    last_wall = last_cpu = 0.0
    for wall, cpu, what in MARKS:
        lines.append(f"{wall:6.2f} {cpu:6.2f}  {wall - last_wall:+6.2f} {cpu - last_cpu:+6.2f}  {what}")
        last_wall, last_cpu = wall, cpu
    own = os.times()
    lines.append(f"CPU-s: main process {own.user + own.system:.2f}, "
                 f"worker processes {own.children_user + own.children_system:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("overrides", nargs="*", help="Hydra overrides for the command (default: none)")
    args = parser.parse_args(argv)
    sys.path.insert(0, REPO)
    sys.meta_path.insert(0, MarkImports())
    folder = tempfile.mkdtemp(prefix="mentorsim-startup-")
    code = 0
    try:
        from sim.cli import main as mentorsim

        with contextlib.redirect_stdout(io.StringIO()):
            try:
                mentorsim([*args.overrides, f"hydra.run.dir={folder}"])
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
        mark("command done")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(report())
    return code


if __name__ == "__main__":
    sys.exit(main())
