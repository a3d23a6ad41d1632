"""Engine throughput: employee-weeks per second, default and large org, ten years.

    python experiments/benchmarks/engine.py [--repeat 3] [--orgs default large]

A warm-up run compiles (or loads) the numba kernels first; reported times are
the best of --repeat runs of `OrgModel.run()` (initialization reported apart).
"""
from __future__ import annotations

import argparse
import logging
import time

from sim import load_config
from sim.model import OrgModel
from sim.summary import exposure_years


def measure(org: str, repeat: int, extra: list[str]) -> dict:
    cfg = load_config([f"org={org}", "output.events=true", *extra])
    best_run, best_init = float("inf"), float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        model = OrgModel(cfg)
        t1 = time.perf_counter()
        model.run()
        t2 = time.perf_counter()
        best_init, best_run = min(best_init, t1 - t0), min(best_run, t2 - t1)
    seats = model.org.total_seats
    employee_weeks = exposure_years(model.metrics).sum() * cfg.sim.weeks_per_year  # live employee-weeks
    return {"org": org, "seats": seats, "weeks": cfg.sim.horizon_weeks, "init_s": best_init, "run_s": best_run,
            "employee_weeks_per_s": employee_weeks / best_run}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--orgs", nargs="+", default=["default", "large"])
    parser.add_argument("overrides", nargs="*", help="extra Hydra overrides")
    args = parser.parse_args()
    logging.getLogger("MESA").setLevel(logging.WARNING)
    OrgModel(load_config(["org=small", "sim.horizon_years=1"])).run()  # compile / load kernels
    print(f"{'org':<8} {'seats':>7} {'weeks':>5} {'init s':>7} {'run s':>7} {'employee-weeks/s':>17}")
    for org in args.orgs:
        r = measure(org, args.repeat, args.overrides)
        print(f"{r['org']:<8} {r['seats']:>7,} {r['weeks']:>5} {r['init_s']:>7.3f} {r['run_s']:>7.3f} "
              f"{r['employee_weeks_per_s']:>17,.0f}")


if __name__ == "__main__":
    main()
