"""How well a program run and its twin share their random numbers.

    python experiments/common_random_numbers.py [--seeds 20] [--null-seeds 8] [--org default]

Three measurements, each a program run against its no-program twin (same org, same seed):

1. Near-null program: the default program with every effect zero except a mentee log-hazard
   of -0.01. Its true effect is a fraction of one exit over ten years, so every `effect.*`
   should be of that order; prints exits, promotions, internal leadership fill and
   `value.total` per seed.
2. Identity: with the near-null program, the share of the hires present at the end of the
   program run who are the same person in the twin (identical draw key, when the population
   has one, level at hire, group, talent and interests; the hire week may differ), over all hires and over
   those hired after year 2.
3. Pairing: the default program over --seeds seeds; for turnover, internal leadership fill
   and leadership vacancy-weeks, the unpaired SD of a program-minus-twin difference,
   sqrt(var(program) + var(twin)) over seeds, divided by the SD of the paired differences;
   and the identity shares of 2. for the default program.
"""
from __future__ import annotations

import argparse
import logging

import numpy as np

from sim import load_config, run

NEAR_NULL = [f"program.effects.{name}=0" for name in (
    "skill_transfer", "confidence_gain", "engagement_gain", "belonging_gain_same_group",
    "belonging_gain_cross_group", "dissolution_engagement_penalty", "mentor_leadership_gain",
    "mentor_engagement_gain", "mentor_retention_effect", "alumni_retention_effect", "sponsorship")]
NEAR_NULL.append("program.effects.mentee_retention_effect=-0.01")
PAIRED = ("turnover_annual", "internal_fill_rate_leadership", "leadership_vacancy_weeks")
QUIET = ["output.charts=false", "output.report=false", "sim.agent_views=off"]


def hires_at_end(result):
    """Hires (not the starting staff) present at the end, keyed by who they are: draw key (when
    the population has one), level at hire, group, talent and interests; valued by hire week."""
    pop, events = result.model.pop, result.events
    slots = pop.active_slots()
    slots = slots[pop.eid[slots] >= result.model.org.total_seats]  # the starting staff: ids 0 .. seats - 1
    hires = events[events["kind"] == "hire"].set_index("employee")
    level_at_hire = hires["level"].cat.codes.reindex(pop.eid[slots]).to_numpy()
    key = pop.draw_key[slots] if "draw_key" in pop.columns else np.zeros(slots.size, dtype=np.uint64)
    traits = np.column_stack([level_at_hire, pop.group[slots], pop.talent[slots], pop.interest[slots]])
    return {(int(k), *t.tolist()): int(w) for k, t, w in zip(key, traits, pop.hire_week[slots])}


def same_hires(result, wpy: int) -> tuple[float, float, int]:
    """Shares of the program run's hires at the end that the twin has too: all, hired after year 2."""
    mine, theirs = hires_at_end(result), hires_at_end(result.twin)
    same = np.array([key in theirs for key in mine], dtype=bool)
    late = np.array([week >= 2 * wpy for week in mine.values()], dtype=bool)
    return float(same.mean()), float(same[late].mean()) if late.any() else float("nan"), len(mine)


def near_null(org: str, seeds: int) -> None:
    print(f"near-null program (mentee log-hazard -0.01, all else 0), org={org}, 10 years")
    print("seed  exits  promotions  internal_fill_lead(pts)  value.total  same_hires(all, after y2, n)")
    for seed in range(seeds):
        r = run(load_config([f"org={org}", f"sim.seed={seed}", *QUIET, *NEAR_NULL]))
        m = r.metrics
        all_, late, n = same_hires(r, r.config.sim.weeks_per_year)
        print(f"{seed:4d}  {m['effect.exits_total']:+5.0f}  {m['effect.promotions_total']:+10.0f}  "
              f"{100 * m['effect.internal_fill_rate_leadership']:+23.2f}  {m['value.total']:+11.0f}  "
              f"{all_:.3f} {late:.3f} {n}")


def pairing(org: str, seeds: int) -> None:
    values = {key: ([], []) for key in PAIRED}
    same = []
    for seed in range(seeds):
        r = run(load_config([f"org={org}", f"sim.seed={seed}", *QUIET]))
        same.append(same_hires(r, r.config.sim.weeks_per_year))
        for key in PAIRED:
            values[key][0].append(r.metrics[key])
            values[key][1].append(r.twin.metrics[key])
    print(f"pairing, default program, org={org}, {seeds} seeds: unpaired SD / paired SD of program - twin")
    for key, (prog, twin) in values.items():
        prog, twin = np.array(prog), np.array(twin)
        unpaired = np.sqrt(prog.var(ddof=1) + twin.var(ddof=1))
        paired = (prog - twin).std(ddof=1)
        print(f"  {key:32s} unpaired {unpaired:10.4g}  paired {paired:10.4g}  factor {unpaired / paired:5.2f}")
    same = np.array(same)
    print(f"  hires at the end who are the same person in the twin: {same[:, 0].mean():.3f} of all, "
          f"{same[:, 1].mean():.3f} of those hired after year 2 (mean over seeds)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--null-seeds", type=int, default=8)
    parser.add_argument("--org", default="default")
    args = parser.parse_args()
    logging.getLogger("MESA").setLevel(logging.WARNING)
    near_null(args.org, args.null_seeds)
    pairing(args.org, args.seeds)


if __name__ == "__main__":
    main()
