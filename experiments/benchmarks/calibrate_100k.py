"""Calibrating a large HR extract: 100,000 employees with five years of history.

    python experiments/benchmarks/calibrate_100k.py [--people 100000] [--repeat 1] [--keep DIR] [--ratings]

A synthetic extract (CSV, the format users give) is written first: people hired over ten years
before the end, six levels, exponential times to a promotion and to an exit with rates by level,
the exit's reason drawn; everyone who left before the five-year window is dropped, so the window
holds the starting workforce and its hires. Then `calibrate` runs without backtest, without the
base-rate adjustment (its simulations scale with the organization, not the extract) and without
the report, and the wall time, CPU time and peak memory (max RSS of this process) are printed,
with the time of each stage. `--ratings` adds a `performance` table: a rating (1-5) every half year
of each person's employment in the window, which the snapshot standardizes within level. Target: under 60 s and 4 GiB on 2 cores. Timings on a shared machine
vary; compare within one invocation and rerun on a quiet one.
"""
from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

LEVELS = ["Associate", "Senior Associate", "Team Lead", "Manager", "Director", "Executive"]
HIRE_SHARE = np.array([0.70, 0.15, 0.08, 0.04, 0.02, 0.01])  # level at hire
EXIT_RATE = np.array([0.15, 0.12, 0.10, 0.08, 0.07, 0.06])  # exits per year
PROMOTION_RATE = np.array([0.12, 0.10, 0.08, 0.06, 0.04, 0.0])
END = pd.Timestamp("2025-01-01")
WINDOW_START = pd.Timestamp("2020-01-01")


def synthetic_extract(folder: Path, people: int, seed: int = 0, ratings: bool = False) -> Path:
    rng = np.random.default_rng(seed)
    n = int(people * 1.6)  # before dropping those who left before the window
    hire = END - pd.to_timedelta(rng.uniform(0, 10 * 365.25, n), unit="D")
    level = rng.choice(len(LEVELS), n, p=HIRE_SHARE)
    to_exit = rng.exponential(1 / EXIT_RATE[level]) * 365.25
    rate = PROMOTION_RATE[level]
    to_promo = np.where(rate > 0, rng.exponential(1 / np.maximum(rate, 1e-9)) * 365.25, np.inf)
    exit_date = hire + pd.to_timedelta(to_exit, unit="D")
    keep = exit_date >= WINDOW_START
    idx = np.flatnonzero(keep)[:people]
    hire, level, to_exit, to_promo, exit_date = (hire[idx], level[idx], to_exit[idx], to_promo[idx],
                                                 exit_date[idx])
    left = exit_date < END
    reason = rng.choice(["voluntary", "involuntary", "retirement"], len(idx), p=[0.8, 0.12, 0.08])
    birth = hire - pd.to_timedelta(rng.uniform(21, 45, len(idx)) * 365.25, unit="D")
    day = lambda t: t.strftime("%Y-%m-%d")  # noqa: E731
    ids = np.array([f"E{i:07d}" for i in range(len(idx))])
    pd.DataFrame({"employee_id": ids, "hire_date": day(hire), "birth_date": day(birth),
                  "group": rng.choice(["A", "B"], len(idx), p=[0.55, 0.45]),
                  "department": rng.choice(["Ops", "Sales", "Tech", "Support"], len(idx)),
                  "exit_date": np.where(left, day(exit_date), ""),
                  "exit_reason": np.where(left, reason, "")}).to_csv(folder / "employees.csv", index=False)
    promoted = (to_promo < to_exit) & (hire + pd.to_timedelta(np.minimum(to_promo, 36500), unit="D") < END)
    move = hire + pd.to_timedelta(np.where(promoted, to_promo, 0), unit="D")
    first_end = np.where(promoted, day(move), np.where(left, day(exit_date), ""))
    spells = [pd.DataFrame({"employee_id": ids, "level": np.array(LEVELS)[level], "start_date": day(hire),
                            "end_date": first_end}),
              pd.DataFrame({"employee_id": ids[promoted], "level": np.array(LEVELS)[level[promoted] + 1],
                            "start_date": day(move[promoted]),
                            "end_date": np.where(left[promoted], day(exit_date[promoted]), "")})]
    pd.concat(spells).to_csv(folder / "job_history.csv", index=False)
    pd.DataFrame({"level": LEVELS, "rank": range(len(LEVELS))}).to_csv(folder / "levels.csv", index=False)
    if ratings:
        reviews = pd.date_range(WINDOW_START, END, freq="6MS")
        first = np.maximum(hire.to_numpy(), np.datetime64(WINDOW_START))
        last = np.where(left, exit_date.to_numpy(), np.datetime64(END))
        rated = (reviews.to_numpy()[None, :] >= first[:, None]) & (reviews.to_numpy()[None, :] < last[:, None])
        who, when = np.nonzero(rated)
        pd.DataFrame({"employee_id": ids[who], "date": day(reviews[when]),
                      "rating": rng.integers(1, 6, len(who))}).to_csv(folder / "performance.csv", index=False)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--keep", help="write the extract and configs here instead of a temporary folder")
    parser.add_argument("--ratings", action="store_true", help="add performance ratings (two a year)")
    args = parser.parse_args()
    from sim.hris import calibrate as calibrate_module
    from sim.hris.calibrate import calibrate

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.keep or tmp)
        (root / "extract").mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        synthetic_extract(root / "extract", args.people, ratings=args.ratings)
        rows = sum(1 for _ in open(root / "extract" / "employees.csv")) - 1
        rated = (sum(1 for _ in open(root / "extract" / "performance.csv")) - 1) if args.ratings else 0
        print(f"synthetic extract: {rows:,} employees, {rated:,} ratings in {time.perf_counter() - t0:.1f} s")
        stages = {}
        for name in ("load_hr_data", "fit_organization", "snapshot_table", "_check"):
            original = getattr(calibrate_module, name)

            def timed(*a, _f=original, _n=name, **k):
                s = time.perf_counter()
                try:
                    return _f(*a, **k)
                finally:
                    stages[_n] = stages.get(_n, 0.0) + time.perf_counter() - s
            setattr(calibrate_module, name, timed)
        for i in range(args.repeat):
            stages.clear()
            wall, cpu = time.perf_counter(), time.process_time()
            calibrate(root / "extract", root / f"configs{i}", "big", adjust_rounds=0)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
            print(f"calibrate: wall {wall:.1f} s, CPU {cpu:.1f} s, peak memory {peak:.2f} GiB "
                  f"(target < 60 s, < 4 GiB); stages: "
                  + ", ".join(f"{k} {v:.1f} s" for k, v in stages.items()))


if __name__ == "__main__":
    main()
