"""Engine throughput, and what the default mentoring program adds.

    python experiments/benchmarks/engine.py [--repeat 3] [--orgs default large]

For each org: the engine alone (program=none) and the engine with the default
program (its twin off, so one simulation each), ten years. A warm-up run
compiles (or loads) the numba kernels first; times are the best of --repeat
runs of the simulation (initialization reported apart). Employee-weeks count
live employees, week by week.
"""
from __future__ import annotations

import argparse
import logging
import time

from sim import load_config
from sim.runs.result import simulate
from sim.mentoring.program import Program
from sim.engine.model import OrgModel
from sim.runs.summary import exposure_years


def measure(overrides: list[str], repeat: int) -> dict:
    cfg = load_config(overrides)
    best = float("inf")
    for _ in range(repeat):
        programs = [Program(p, i) for i, p in enumerate(cfg.programs())]
        t0 = time.perf_counter()
        result = simulate(cfg, programs)
        best = min(best, time.perf_counter() - t0)
    model = result.model
    employee_weeks = exposure_years(model.metrics).sum() * cfg.sim.weeks_per_year
    return {"seats": model.org.total_seats, "weeks": cfg.sim.horizon_weeks, "seconds": best,
            "employee_weeks_per_s": employee_weeks / best}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--orgs", nargs="+", default=["default", "large"])
    parser.add_argument("overrides", nargs="*", help="extra Hydra overrides for every run")
    args = parser.parse_args()
    logging.getLogger("MESA").setLevel(logging.WARNING)
    simulate(load_config(["org=small", "sim.horizon_years=1", "evaluation.twin=false"]),
             [Program(p, i) for i, p in enumerate(load_config(["org=small"]).programs())])  # compile
    OrgModel(load_config(["org=small", "sim.horizon_years=1"])).run()
    print(f"{'org':<8} {'seats':>7} {'weeks':>5} {'engine s':>9} {'emp-weeks/s':>12} "
          f"{'+program s':>10} {'emp-weeks/s':>12} {'ratio':>6}")
    for org in args.orgs:
        alone = measure([f"org={org}", "program=none", *args.overrides], args.repeat)
        with_program = measure([f"org={org}", "program=default", "evaluation.twin=false", *args.overrides],
                               args.repeat)
        print(f"{org:<8} {alone['seats']:>7,} {alone['weeks']:>5} {alone['seconds']:>9.3f} "
              f"{alone['employee_weeks_per_s']:>12,.0f} {with_program['seconds']:>10.3f} "
              f"{with_program['employee_weeks_per_s']:>12,.0f} "
              f"{with_program['seconds'] / alone['seconds']:>6.2f}")


if __name__ == "__main__":
    main()
