"""Does the Mesa baseline run the engine's mentoring program? Its statistics side by side, over seeds.

    python experiments/benchmarks/mesa_agreement.py [--seeds 200] [--first-seed 0] [OVERRIDE ...]

Runs the engine (seeds 0, 1, ...) and the Mesa baseline (seeds 1000, 1001, ...: the two share no
draws anyway) on the same config (the small org, the default program assigned, four years, twin
off, then the overrides: e.g. org=default sim.horizon_years=2, or program.enrollment_mode=opt_in)
and prints, for each program statistic, both means and SDs over the seeds, the difference, and
the difference in standard errors, sqrt(sd_e^2 / n + sd_b^2 / n). Besides the program's own
statistics: ties started at each launch and between launches (rematches), by the mentee's
level, mean length of a tie by how it ended, attendance rate and mentors' mean load. With a few
dozen keys, one or two beyond 2 SE are expected by chance; a real difference stays when the
seeds are changed (`--first-seed`). One engine run of the small org takes about 0.15 s, a
baseline run about 0.7 s (four years); the default org about 5 times as long.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numba
import numpy as np

from sim import load_config
from sim.mentoring.relationships import END_REASONS as ENGINE_END_REASONS  # end code -> reason
from sim.runs.result import run

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mesa_baseline import run_baseline  # noqa: E402  (beside this script)
from mesa_mentoring import END_REASONS, STAT_KEYS, MentoringProgram  # noqa: E402

BASELINE_SEEDS = 1000  # the baseline's seeds start here
FIXED = ["org=small", "program=default", "program.enrollment_mode=assigned", "sim.horizon_years=4",
         "evaluation.twin=false", "evaluation.decomposition=false", "sim.agent_views=off", "sim.check_invariants=false"]


class RecordingProgram(MentoringProgram):
    """The baseline's program, recording each tie's start (week, mentee level) and end (reason, length)."""

    def __init__(self, model, cfg):
        super().__init__(model, cfg)
        self.starts, self.ends = [], []

    def match(self, e, mentors, spare, weights, week):
        before = len(self.ties)
        super().match(e, mentors, spare, weights, week)
        if len(self.ties) > before:
            self.starts.append((week, e.level))

    def end(self, tie, reason, week):
        self.ends.append((reason, week - tie.start))
        super().end(tie, reason, week)


def tie_figures(starts, ends, launches: list[int], mentee_levels: list[int]) -> dict[str, float]:
    """Ties started per launch, between launches and per mentee level; mean length per end reason."""
    weeks = np.array([w for w, _ in starts], dtype=int)
    levels = np.array([lv for _, lv in starts], dtype=int)
    out = {f"started_at_launch_{k}": float((weeks == w).sum()) for k, w in enumerate(launches)}
    out["started_between_launches"] = float((~np.isin(weeks, launches)).sum())
    out.update({f"started_at_level_{lv}": float((levels == lv).sum()) for lv in mentee_levels})
    for reason in END_REASONS:
        lengths = [length for why, length in ends if why == reason]
        out[f"weeks_until_{reason}"] = float(np.mean(lengths)) if lengths else np.nan
    return out


def engine_row(cfg, launches) -> dict[str, float]:
    result = run(cfg, twin=False)
    name = cfg.program.name
    row = {key: float(result.metrics[f"program.{name}.{key}"]) for key in STAT_KEYS if key != "quality_sum"}
    row["quality_sum"] = result.metrics[f"program.{name}.mean_match_quality"] * row["pairs_started"]
    ev = result.events
    level_index = {lv.name: i for i, lv in enumerate(cfg.org.levels)}
    ties = ev[ev["kind"].isin(["mentoring_start", "mentoring_end"])]
    starts, ends, started = [], [], {}
    for week, kind, employee, level, detail in ties[["week", "kind", "employee", "level", "detail"]].itertuples(
            index=False):
        if kind == "mentoring_start":
            starts.append((int(week), level_index[str(level)]))
            started[employee] = int(week)
        else:  # a mentee holds one tie at a time: the end closes the last start
            ends.append((ENGINE_END_REASONS[int(detail)], int(week) - started.pop(employee)))
    row.update(tie_figures(starts, ends, launches, cfg.program.mentee_levels))
    return row


def baseline_row(cfg, launches) -> dict[str, float]:
    programs = []

    class Recorded(RecordingProgram):
        def __init__(self, model, program_cfg):
            super().__init__(model, program_cfg)
            programs.append(self)

    metrics = run_baseline(cfg, program_class=Recorded)
    row = {key: float(metrics[key]) for key in STAT_KEYS}
    row.update(tie_figures(programs[0].starts, programs[0].ends, launches, cfg.program.mentee_levels))
    return row


def ratios(row: dict[str, float]) -> dict[str, float]:
    held, missed = row["meetings_held"], row["meetings_missed"]
    row["attendance_rate"] = held / (held + missed) if held + missed else np.nan
    row["mean_mentor_load"] = row["pair_weeks"] / row["mentor_weeks"] if row["mentor_weeks"] else np.nan
    row["mean_match_quality"] = row.pop("quality_sum") / row["pairs_started"] if row["pairs_started"] else np.nan
    return row


def launches(cfg) -> list[int]:
    """The weeks of the program's cohort launches."""
    p = cfg.program
    return list(range(p.first_cohort_week, cfg.sim.horizon_weeks, p.cohort_every_weeks))


def compare(overrides: list[str], seeds: int, first_seed: int = 0) -> list[tuple]:
    """(key, engine mean, engine sd, baseline mean, baseline sd, difference, difference in SE) per key."""
    engine, baseline = [], []
    for i in range(first_seed, first_seed + seeds):
        cfg = load_config([*FIXED, *overrides, f"sim.seed={i}"])
        engine.append(ratios(engine_row(cfg, launches(cfg))))
        cfg = load_config([*FIXED, *overrides, f"sim.seed={BASELINE_SEEDS + i}"])
        baseline.append(ratios(baseline_row(cfg, launches(cfg))))
    out = []
    for key in engine[0]:
        e = np.array([row[key] for row in engine])
        b = np.array([row[key] for row in baseline])
        e, b = e[~np.isnan(e)], b[~np.isnan(b)]  # a tie length exists only where such a tie ended
        if e.size < 2 or b.size < 2:
            continue
        se = np.sqrt(e.var(ddof=1) / e.size + b.var(ddof=1) / b.size)
        diff = b.mean() - e.mean()
        out.append((key, e.mean(), e.std(ddof=1), b.mean(), b.std(ddof=1), diff, diff / se if se > 0 else 0.0))
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200, help="runs per side (default 200)")
    parser.add_argument("--first-seed", type=int, default=0, help="the engine's first seed (baseline: +1000)")
    parser.add_argument("overrides", nargs="*", help="config overrides, e.g. org=default sim.horizon_years=2")
    args = parser.parse_args(argv)
    numba.set_num_threads(1)  # results do not depend on it; small runs are faster on one thread
    rows = compare(args.overrides, args.seeds, args.first_seed)
    print(f"{'key':<28}{'engine (sd)':>22}{'baseline (sd)':>22}{'difference':>12}{'SE':>7}")
    for key, em, es, bm, bs, diff, z in rows:
        print(f"{key:<28}{em:>12.4g} ({es:7.3g}){bm:>12.4g} ({bs:7.3g}){diff:>+12.4g}{z:>+7.1f}")


if __name__ == "__main__":
    main()
