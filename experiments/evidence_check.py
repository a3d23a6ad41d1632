"""How the program's per-person effects compare with the evidence targets (`configs/evidence/`).

    python experiments/evidence_check.py [--seeds 10] [--jobs 2] [override ...]

Runs the default program (with any Hydra overrides) and its no-program twin over paired seeds
0..seeds-1 (`sim.studies.paired.run_paired`), then prints, for every target: its quantity, the
target range (and point value where a study gives one), whether the range is a published estimate or
a working range, what the model achieves (the mean over seeds of the per-seed figure, with a 95%
t-interval for that mean: the seeds are independent, so the interval is mean +- t(0.975, n-1) sd/sqrt(n))
and whether the mean lies inside the target range. `--markdown` prints the table for docs/MODEL.md.
"""
from __future__ import annotations

import argparse
import sys

import pandas as pd

from sim.config.evidence import load_targets
from sim.studies.effect_calibration import evidence_table, markdown
from sim.studies.paired import run_paired

__all__ = ["evidence_table", "markdown", "main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides (default: the default program)")
    args = parser.parse_args(argv)
    targets = load_targets()
    paired = run_paired(["program=default", *args.overrides], seeds=args.seeds, jobs=args.jobs)
    table = evidence_table(targets, paired.metrics)
    if args.markdown:
        print(markdown(table))
    else:
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
