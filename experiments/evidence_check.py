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
import math
import sys

import pandas as pd

from sim.config.evidence import Target, load_targets
from sim.studies.compare import half_width
from sim.studies.paired import run_paired


def evidence_table(targets: list[Target], metrics: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """One row per target: the model's mean over seeds (rows of `metrics`), its interval, inside or not."""
    rows = []
    for t in targets:
        values = pd.to_numeric(metrics.get(t.quantity, pd.Series(dtype=float)), errors="coerce")
        values = values[values.map(math.isfinite)] if len(values) else values
        n = int(values.size)
        mean = float(values.mean()) if n else float("nan")
        half = half_width(float(values.std(ddof=1)), n, confidence) if n > 1 else float("nan")
        rows.append({"target": t.name, "quantity": t.quantity, "low": t.low, "high": t.high, "value": t.value,
                     "evidence": t.evidence, "seeds": n, "mean": mean, "ci_low": mean - half,
                     "ci_high": mean + half, "inside": t.holds(mean)})
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    lines = ["| quantity | target | evidence | model: mean over seeds (95% interval) | inside |",
             "|---|---|---|---|---|"]
    for r in table.itertuples():
        target = f"{r.low:g} to {r.high:g}" + (f" (point {r.value:g})" if r.value == r.value and r.value else "")
        lines.append(f"| `{r.quantity}` | {target} | {r.evidence.replace('_', ' ')} | "
                     f"{r.mean:.3f} ({r.ci_low:.3f} to {r.ci_high:.3f}), {r.seeds} seeds | "
                     f"{'yes' if r.inside else '**no**'} |")
    return "\n".join(lines)


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
