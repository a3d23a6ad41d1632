"""Where a week's time goes: the phases of `OrgModel.step`, timed over whole runs.

    python experiments/benchmarks/scale.py --phases 1000 --repeats 7

Each phase's method is wrapped with two clocks, wall (perf_counter) and CPU (process_time,
every thread of the process), summed over a run; the table gives the smallest sum of each
over --repeats runs (the machine's other load only ever adds time) and microseconds per
simulated week. "other" is the run loop's wall time left outside the phases (the loop itself,
the hazard and visibility resets). The wrappers cost about a microsecond a call, so the
phases of a small organization read a little high; the plain rows time the same run unwrapped.
The last line counts the calls into compiled kernels per simulated week (one more run, under
cProfile): a call costs a few microseconds however little it does, so at small sizes the
count, not the population, sets the time of a week.
"""
from __future__ import annotations

import time

# (where the phase is, its method, its name in the table), in the order of a week (OrgModel.step).
PHASES = [
    ("sim.engine.clock", "Clock", "advance", "1 clock"),
    ("sim.engine.dynamics", "Dynamics", "develop", "2 develop"),
    ("sim.mentoring.program", "Program", "step", "3 programs"),
    ("sim.engine.dynamics", "Dynamics", "hazard_exits", "4 exits: draws"),
    ("sim.engine.staffing", "Staffing", "separate", "4 exits: seats"),
    ("sim.engine.dynamics", "Dynamics", "review", "5 review"),
    ("sim.engine.staffing", "Staffing", "promote_chains", "6 promote"),
    ("sim.engine.staffing", "Staffing", "mark_passed_over", "6 passed over"),
    ("sim.engine.staffing", "Staffing", "hire_due", "7 hire"),
    ("sim.engine.metrics", "Metrics", "end_of_week", "8 measure"),
]


def _wrap(totals: dict, cls, method: str, label: str) -> None:
    inner = getattr(cls, method)

    def timed(*args, **kwargs):
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            totals[label][0] += time.process_time() - cpu
            totals[label][1] += time.perf_counter() - wall

    setattr(cls, method, timed)


def phase_table(run, weeks: int, repeats: int) -> str:
    """Time `run()` (which returns the run's OrgModel) plain and then with every phase wrapped."""
    import importlib

    plain_cpu, plain_wall = [], []
    for _ in range(repeats):
        cpu, wall = time.process_time(), time.perf_counter()
        run()
        plain_cpu.append(time.process_time() - cpu)
        plain_wall.append(time.perf_counter() - wall)
    totals: dict[str, list[float]] = {}
    for module, cls, method, label in PHASES:
        totals[label] = [0.0, 0.0]
        _wrap(totals, getattr(importlib.import_module(module), cls), method, label)
    best = {label: [float("inf"), float("inf")] for label in [*totals, "other", "run loop"]}
    for _ in range(repeats):
        for value in totals.values():
            value[:] = [0.0, 0.0]
        model = run()
        for label, (cpu, wall) in totals.items():
            best[label] = [min(best[label][0], cpu), min(best[label][1], wall)]
        loop = model.wall_seconds
        best["run loop"][1] = min(best["run loop"][1], loop)
        best["other"][1] = min(best["other"][1], loop - sum(wall for _, wall in totals.values()))
    lines = [f"{'phase':<16} {'cpu s':>8} {'cpu us/wk':>10} {'wall s':>8} {'wall us/wk':>11}"]
    for label, (cpu, wall) in best.items():
        cpu_cells = f"{cpu:>8.4f} {1e6 * cpu / weeks:>10.1f}" if cpu != float("inf") else f"{'':>8} {'':>10}"
        lines.append(f"{label:<16} {cpu_cells} {wall:>8.4f} {1e6 * wall / weeks:>11.1f}")
    lines.append(f"plain runs (whole simulate, {repeats} runs): wall min {min(plain_wall):.4f} s, "
                 f"CPU min {min(plain_cpu):.4f} s")
    calls = kernel_calls(run)
    lines.append(f"kernel calls: {calls / weeks:.1f} per week ({calls:,} in the run, initialization included)")
    return "\n".join(lines)


def kernel_calls(run) -> int:
    """Calls into numba kernels of the package during `run()`, counted by cProfile (which sees a
    compiled function under its Python function's code)."""
    import cProfile
    import pstats
    import sys

    from numba.core.dispatcher import Dispatcher

    codes = set()
    for name, module in list(sys.modules.items()):
        if name.startswith("sim.") and module is not None:
            for value in vars(module).values():
                for build in (value, getattr(value, "serial", None), getattr(value, "parallel", None)):
                    if isinstance(build, Dispatcher):
                        code = build.py_func.__code__
                        codes.add((code.co_filename, code.co_firstlineno, code.co_name))
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    return sum(stats[key][1] for key in stats if key in codes)
