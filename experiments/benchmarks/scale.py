"""Engine against the idiomatic Mesa baseline, then the engine alone up to a million employees.

    python experiments/benchmarks/scale.py                       # the full benchmark
    python experiments/benchmarks/scale.py --skip-mesa --engine-sizes 100000
    python experiments/benchmarks/scale.py --threads 1 --mesa-years 2 --timeout 600
    python experiments/benchmarks/scale.py --profile 100000      # where a run's time goes
    python experiments/benchmarks/scale.py --phases 1000 --repeats 7   # the week's phases, timed

(a) Side by side, at --mesa-sizes (default 1,000 and 10,000 employees): the engine
    and `mesa_baseline.py` on the same organization (the default org with every
    level's seats scaled), the same config and program; employee-weeks per second
    of each and their ratio. The engine always runs --years; the baseline runs
    --mesa-years (default: the same), and a shorter baseline horizon is compared
    per employee-week (said so in the output).
(b) The engine alone at --engine-sizes (default 100,000 and 1,000,000), --years
    (default ten) with --program (default: the default program, twin off),
    agent views and the event log off.
(c) The 1 -> 2 numba thread speedup at --thread-sizes (default 100,000): the same
    engine run with one thread and with two (results are identical either way).
(d) Start-up: seconds from launching `mentorsim` (the default scenario) to the end of
    its first simulated week, with the numba cache warm (best of three).

Every measurement runs in a fresh subprocess (so peak memory is per size): it
loads the numba kernels with a short warm-up run first, then times the run
(initialization included), --repeats times: the smallest wall time and the smallest
CPU time (every thread of the process) are given, as other load only ever adds time.
Peak memory is ru_maxrss of that subprocess, given
per employee both in total and above the resident size after the warm-up. The
scaling exponent is the slope of log(wall time) on log(employees) over every
engine size that finished. Employee-weeks count live employees week by week.
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEFAULT_SEATS = 1000  # the default org


def scaled_config(employees: int, years: float, program: str, seed: int = 0):
    """The default org with every level's seats multiplied so the total is `employees`.

    A program enrolls by assignment, as in the figures of README (Performance) so far; both sides
    also run opt-in (self-selection costs the engine about 0.005 s of CPU per 1,000-employee run)."""
    from sim import load_config

    enrollment = [] if program == "none" else ["program.enrollment_mode=assigned"]
    cfg = load_config(["org=default", f"program={program}", f"sim.horizon_years={years}", f"sim.seed={seed}",
                       "evaluation.twin=false", "sim.agent_views=off", "output.events=false", *enrollment])
    factor = employees / cfg.org.total_seats
    for level in cfg.org.levels:
        level.seats = max(1, int(round(level.seats * factor)))
    return cfg


def warm_up(program: str) -> None:
    """Load (or compile) every kernel, the parallel builds too, before anything is timed.

    Small runs, once with the serial and once with the parallel builds; the second with few
    matching candidates, so the sampling kernels of large organizations run too.
    """
    import dataclasses

    from sim.engine import kernels
    from sim.runs.result import simulate
    from sim.mentoring.program import Program

    threshold = kernels.PARALLEL_MIN_ROWS
    try:
        for kernels.PARALLEL_MIN_ROWS, employees, candidates in ((threshold, 200, None), (0, 2000, 5)):
            cfg = scaled_config(employees, 1, program)
            programs = cfg.programs()
            if candidates is not None:
                programs = [dataclasses.replace(p, matching=dataclasses.replace(p.matching, candidates=candidates))
                            for p in programs]
            simulate(cfg, [Program(p, i) for i, p in enumerate(programs)])
    finally:
        kernels.PARALLEL_MIN_ROWS = threshold


def maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes


# ---------------------------------------------------------------------------------------- child
def child(kind: str, employees: int, years: float, program: str, repeats: int = 1) -> dict:
    """One measurement in this (fresh) process; the JSON line is the last line printed."""
    import logging

    logging.getLogger("MESA").setLevel(logging.WARNING)
    logging.getLogger("sim").setLevel(logging.ERROR)
    if kind == "engine":
        from sim.runs.result import simulate
        from sim.mentoring.program import Program
        from sim.runs.summary import exposure_years

        def once(cfg, progress=None):
            result = simulate(cfg, [Program(p, i) for i, p in enumerate(cfg.programs())], progress)
            return result, float(exposure_years(result.model.metrics).sum() * cfg.sim.weeks_per_year)

        warm_up(program)
        warm_rss = maxrss_bytes()
        cfg = scaled_config(employees, years, program)
        wall = cpu = float("inf")
        for _ in range(repeats):
            result = None  # the last repeat's model (cycles and all) goes before the next is built: peak
            gc.collect()  # memory is one run's, whatever --repeats
            t0, c0 = time.perf_counter(), time.process_time()

            def progress(week, horizon):  # read back by the parent if the run times out
                if week % 4 == 0:
                    print(f"week {week} of {horizon} at {time.perf_counter() - t0:.1f} s", file=sys.stderr,
                          flush=True)

            result, employee_weeks = once(cfg, progress)
            wall, cpu = min(wall, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
        metrics = result.metrics
        out = {"turnover_annual": metrics["turnover_annual"], "promotions_total": metrics["promotions_total"]}
    else:
        sys.path.insert(0, str(HERE))
        from mesa_baseline import run_baseline

        warm_rss = maxrss_bytes()
        cfg = scaled_config(employees, years, program)
        t0, c0 = time.perf_counter(), time.process_time()
        metrics = run_baseline(cfg)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        employee_weeks = metrics["employee_weeks"]
        out = {"turnover_annual": metrics["turnover_annual"], "promotions_total": metrics["promotions_total"]}
    import numba

    return {"kind": kind, "employees": cfg.org.total_seats, "years": years, "weeks": cfg.sim.horizon_weeks,
            "wall_s": wall, "cpu_s": cpu, "repeats": repeats if kind == "engine" else 1,
            "employee_weeks": employee_weeks, "employee_weeks_per_s": employee_weeks / wall,
            "peak_rss_bytes": maxrss_bytes(), "warm_rss_bytes": warm_rss, "threads": numba.get_num_threads(), **out}


# The default command forks workers that run other seeds with the same (patched) step: only this
# process reports its first week, then leaves at once; `startup_seconds` stops the workers with it.
STARTUP_CHILD = """
import os, sys, time
import sim.engine.model as model
step = model.OrgModel.step
MAIN = os.getpid()
def timed_step(self):
    step(self)
    if self.week == 1 and os.getpid() == MAIN:
        print(f"FIRST_WEEK {time.time():.6f}", flush=True)
        os._exit(0)
model.OrgModel.step = timed_step
from sim.cli import main
main(["hydra.run.dir=" + sys.argv[1]])
"""


def startup_seconds(workdir: str, tries: int = 3) -> float:
    """Wall time from launching the CLI to the end of its first simulated week (best of `tries`).

    The command is stopped as soon as it says so, with the worker processes it forked (its own session).
    """
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    best = float("inf")
    for _ in range(tries):
        launched = time.time()
        with tempfile.TemporaryFile("w+") as errors:  # a file, not a pipe: a full pipe would stall the child
            child = subprocess.Popen([sys.executable, "-c", STARTUP_CHILD, workdir], env=env, stdout=subprocess.PIPE,
                                     stderr=errors, text=True, start_new_session=True)
            try:
                line = next((line for line in child.stdout if line.startswith("FIRST_WEEK ")), None)
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait()
            errors.seek(0)
            stderr = errors.read()
        if line is None:
            raise RuntimeError(f"the CLI did not reach its first week: {stderr[-1000:]}")
        best = min(best, float(line.split()[1]) - launched)
    return best


def measure(kind: str, employees: int, years: float, program: str, threads: int, timeout: float,
            layer: str | None = None, repeats: int = 1) -> dict:
    env = dict(os.environ)
    if threads:
        env["NUMBA_NUM_THREADS"] = str(threads)
    if layer:
        env["NUMBA_THREADING_LAYER"] = layer
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(employees), str(years), program,
           str(repeats)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as err:
        stderr = err.stderr.decode() if isinstance(err.stderr, bytes) else (err.stderr or "")
        reached = [line for line in stderr.splitlines() if line.startswith("week ")]
        return {"kind": kind, "employees": employees, "years": years, "timed_out": True,
                "wall_s": time.perf_counter() - t0, "reached": reached[-1] if reached else "initialization"}
    if proc.returncode != 0:  # e.g. killed for memory: report it and go on with the other sizes
        print(proc.stderr[-2000:], file=sys.stderr)
        return {"kind": kind, "employees": employees, "years": years, "timed_out": True,
                "wall_s": time.perf_counter() - t0, "reached": f"exit status {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------- report
def per_employee(row: dict) -> str:
    peak = row["peak_rss_bytes"] / row["employees"]
    above = (row["peak_rss_bytes"] - row["warm_rss_bytes"]) / row["employees"]
    return f"{peak / 1024:>9.1f} {above / 1024:>9.1f}"


def engine_line(row: dict, timeout: float) -> str:
    if row.get("timed_out"):
        return (f"{row['employees']:>10,} {row['years']:>5g}   did not finish (limit {timeout:.0f} s) "
                f"(reached {row['reached']})")
    return (f"{row['employees']:>10,} {row['years']:>5g} {row['wall_s']:>9.2f} {row['cpu_s']:>8.2f} "
            f"{row['employee_weeks_per_s']:>13,.0f} "
            f"{row['peak_rss_bytes'] / 2**30:>8.2f} {per_employee(row)}")


def profile(employees: int, years: float, program: str) -> None:
    import cProfile
    import pstats

    from sim.runs.result import simulate
    from sim.mentoring.program import Program

    warm_up(program)
    cfg = scaled_config(employees, years, program)

    profiler = cProfile.Profile()
    profiler.enable()
    simulate(cfg, [Program(p, i) for i, p in enumerate(cfg.programs())])
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def phases(employees: int, years: float, program: str, repeats: int) -> None:
    from phases import phase_table
    from sim.mentoring.program import Program
    from sim.runs.result import simulate

    warm_up(program)
    cfg = scaled_config(employees, years, program)
    print(f"{cfg.org.total_seats:,} employees, {years:g} years, program={program}: the smallest of {repeats} runs")
    print(phase_table(lambda: simulate(cfg, [Program(p, i) for i, p in enumerate(cfg.programs())]).model,
                      cfg.sim.horizon_weeks, repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mesa-sizes", type=int, nargs="*", default=[1_000, 10_000])
    parser.add_argument("--engine-sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--years", type=float, default=10.0)
    parser.add_argument("--mesa-years", type=float, default=None, help="baseline horizon (default: --years)")
    parser.add_argument("--program", default="default", help="program config (none: the organization alone)")
    parser.add_argument("--threads", type=int, default=0, help="numba threads (0: numba's default)")
    parser.add_argument("--threading-layer", default=None, help="NUMBA_THREADING_LAYER (omp, workqueue, tbb)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds allowed per measurement")
    parser.add_argument("--thread-sizes", type=int, nargs="*", default=[100_000],
                        help="sizes at which to compare one and two numba threads")
    parser.add_argument("--skip-startup", action="store_true", help="skip the CLI start-up measurement (d)")
    parser.add_argument("--skip-mesa", action="store_true")
    parser.add_argument("--profile", type=int, default=None, metavar="EMPLOYEES",
                        help="cProfile one engine run of this size (--years, --program) and stop")
    parser.add_argument("--phases", type=int, default=None, metavar="EMPLOYEES",
                        help="time the week's phases over runs of this size (--years, --program, --repeats) and stop")
    parser.add_argument("--repeats", type=int, default=1,
                        help="engine runs per measurement; the smallest wall and CPU times are given")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, employees, years, program, repeats = args.child
        print(json.dumps(child(kind, int(employees), float(years), program, int(repeats))))
        return
    if args.profile:
        profile(args.profile, args.years, args.program)
        return
    if args.phases:
        phases(args.phases, args.years, args.program, args.repeats)
        return
    mesa_years = args.years if args.mesa_years is None else args.mesa_years
    load = os.getloadavg()
    print(f"program={args.program}, numba threads={args.threads or 'default'}, "
          f"threading layer={args.threading_layer or 'default'}, {os.cpu_count()} CPUs, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    engine_rows = []
    if not args.skip_mesa and args.mesa_sizes:
        print(f"\n(a) engine ({args.years:g} years) against the Mesa baseline ({mesa_years:g} years)")
        if mesa_years != args.years:
            print("    the baseline ran a shorter horizon: compared per employee-week, its wall time extrapolated "
                  f"x{args.years / mesa_years:g}")
        print(f"    engine: the smallest wall and CPU time of {args.repeats} run(s); the baseline: one run")
        print(f"{'employees':>10} {'engine s':>9} {'cpu s':>7} {'emp-weeks/s':>13} {'mesa s':>9} {'emp-weeks/s':>13} "
              f"{'ratio':>7} {'turnover e/m':>14} {'promotions e/m':>15}")
        for n in args.mesa_sizes:
            e = measure("engine", n, args.years, args.program, args.threads, args.timeout, args.threading_layer,
                        args.repeats)
            m = measure("mesa", n, mesa_years, args.program, args.threads, args.timeout, args.threading_layer)
            engine_rows.append(e)
            if e.get("timed_out") or m.get("timed_out"):
                print(f"{n:>10,}   a run did not finish within {args.timeout:.0f} s "
                      f"(engine {e['wall_s']:.0f} s, mesa {m['wall_s']:.0f} s)")
                continue
            mesa_wall = m["wall_s"] * args.years / mesa_years
            print(f"{e['employees']:>10,} {e['wall_s']:>9.3f} {e['cpu_s']:>7.3f} {e['employee_weeks_per_s']:>13,.0f} "
                  f"{mesa_wall:>9.1f} "
                  f"{m['employee_weeks_per_s']:>13,.0f} {e['employee_weeks_per_s'] / m['employee_weeks_per_s']:>6.1f}x "
                  f"{e['turnover_annual']:>6.3f}/{m['turnover_annual']:<6.3f} "
                  f"{e['promotions_total']:>7}/{m['promotions_total']:<7}")
    if args.engine_sizes:
        print(f"\n(b) engine alone, {args.years:g} years, program={args.program}")
    else:
        print()
    print(f"{'employees':>10} {'years':>5} {'wall s':>9} {'cpu s':>8} {'emp-weeks/s':>13} {'peak GiB':>8} "
          f"{'KiB/empl':>9} {'above warm':>10}")
    for row in engine_rows:
        print(engine_line(row, args.timeout))
    for n in args.engine_sizes:
        row = measure("engine", n, args.years, args.program, args.threads, args.timeout, args.threading_layer,
                      args.repeats)
        engine_rows.append(row)
        print(engine_line(row, args.timeout), flush=True)
    done = [r for r in engine_rows if not r.get("timed_out")]
    if len({r["employees"] for r in done}) >= 2:
        slope = np.polyfit(np.log([r["employees"] for r in done]), np.log([r["wall_s"] for r in done]), 1)[0]
        sizes = ", ".join(f"{r['employees']:,}" for r in done)
        print(f"\nscaling exponent (log wall time on log employees, {sizes}): {slope:.2f}")
    if len(done) < len(engine_rows):
        print("some sizes did not finish: the exponent covers only those that did")
    if args.thread_sizes:
        print(f"\n(c) one and two numba threads, {args.years:g} years, program={args.program}")
        print(f"{'employees':>10} {'1 thread s':>11} {'2 threads s':>12} {'speedup':>8}")
    for n in args.thread_sizes:
        one, two = (measure("engine", n, args.years, args.program, t, args.timeout, args.threading_layer)
                    for t in (1, 2))
        if one.get("timed_out") or two.get("timed_out"):
            print(f"{n:>10,}   a run did not finish within {args.timeout:.0f} s")
            continue
        same = "identical" if (one["turnover_annual"], one["promotions_total"]) == (
            two["turnover_annual"], two["promotions_total"]) else "DIFFERENT RESULTS"
        print(f"{one['employees']:>10,} {one['wall_s']:>11.2f} {two['wall_s']:>12.2f} "
              f"{one['wall_s'] / two['wall_s']:>7.2f}x  ({same} turnover and promotions)")
    if not args.skip_startup:
        import tempfile

        with tempfile.TemporaryDirectory() as workdir:
            print(f"\n(d) CLI start-up to the end of the first simulated week: {startup_seconds(workdir):.2f} s")
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
