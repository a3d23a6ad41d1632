"""Calibrate the mentoring effect defaults to the evidence targets (`configs/evidence/`).

    python experiments/calibrate_effects.py [--seeds 4] [--trials 30] [--jobs 2] [--sampler-seed 0] [override ...]

Searches the parameters of `sim.studies.effect_calibration.PARAMETERS` with an Optuna study over
the paired seeds 0..seeds-1 (every trial on the same seeds, each seed against its twin), starting
from the current defaults, and prints every trial's loss, the best parameters (as overrides and as
YAML lines for `configs/program/default.yaml`) and the evidence table at them. Confirm a winner on
more seeds with `python experiments/evidence_check.py --seeds 20 <the overrides>`.
"""
from __future__ import annotations

import argparse
import sys

import pandas as pd

from sim.config.evidence import load_targets
from sim.config.load import load_config
from sim.studies.effect_calibration import PARAMETERS, calibrate, markdown


def current_defaults(overrides: list[str]) -> dict[str, float]:
    """The searched parameters' values in the design as configured (the study's first trial)."""
    cfg = load_config(["program=default", *overrides])
    out = {}
    for p in PARAMETERS:
        obj = cfg
        for part in p.key.split("."):
            obj = getattr(obj, part)
        out[p.key] = float(obj)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sampler-seed", type=int, default=0)
    parser.add_argument("overrides", nargs="*", help="Hydra overrides of the design (default: the default "
                        "program); those of searched parameters set the first trial only")
    args = parser.parse_args(argv)
    targets = load_targets()
    start = current_defaults(args.overrides)

    def progress(number: int, value: float, best: float) -> None:
        print(f"trial {number:3d}  loss {value:.4f}  best {best:.4f}", flush=True)

    searched = {p.key for p in PARAMETERS}
    base = ["program=default", *(o for o in args.overrides if o.split("=")[0] not in searched)]
    result = calibrate(targets, base, start, seeds=args.seeds, trials=args.trials,
                       jobs=args.jobs, sampler_seed=args.sampler_seed, progress=progress)
    print(f"\nbest loss {result.best_loss:.4f} on seeds {result.seeds[0]}..{result.seeds[-1]}; parameters:")
    print(" ".join(f"{k}={v:.4g}" for k, v in result.best.items()))
    for k, v in result.best.items():
        print(f"  {k.split('.')[-1]}: {v:.4g}")
    print()
    print(markdown(result.table))
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print("\ntrials:\n" + result.trials.sort_values("value").head(10).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
