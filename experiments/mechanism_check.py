"""The default program's effect split by mechanism, as the README quotes it (docs/MODEL.md 8.13).

    python experiments/mechanism_check.py [override ...]

Runs one configuration (the default program, with any Hydra overrides) with its twin twice, with and
without the decomposition, and prints each outcome's parts in HR units (points of turnover, people,
thousands of currency), the report's paragraph, and the decomposition's cost in CPU seconds (the
difference of the two runs: a run in the same process, kernels already compiled).
"""
from __future__ import annotations

import sys
import time

import pandas as pd

from sim import load_config, run
from sim.charts.decomposition import PART_WORDS
from sim.present.mechanism import what_drove
from sim.runs.decomposition import METRICS

SCALES = {"turnover_annual": 100.0, "voluntary_turnover_annual": 100.0, "internal_fill_rate_leadership": 100.0,
          "value.net": 0.001}


def parts_table(metrics: dict) -> pd.DataFrame:
    """Rows: parts; columns: outcomes (points of turnover and fill, people, bench per seat, thousands)."""
    names = [*METRICS, "value.net"]
    table = pd.DataFrame({name: {part: metrics.get(f"decomposition.{part}.{name}", float("nan"))
                                 * SCALES.get(name, 1.0) for part in PART_WORDS} for name in names})
    total = {name: (metrics.get(f"effect.{name}", metrics.get(name)) or float("nan")) * SCALES.get(name, 1.0)
             for name in names}
    return pd.concat([table, pd.DataFrame(total, index=["total effect"])])


def main(overrides: list[str]) -> None:
    cfg = load_config(overrides)
    run(load_config([*overrides, "evaluation.decomposition=false"]))  # compile and warm up
    seconds = {}
    for on in (False, True):
        cfg.evaluation.decomposition = on
        start = time.process_time()
        result = run(cfg)
        seconds[on] = time.process_time() - start
    m = result.metrics
    with pd.option_context("display.width", 200, "display.max_columns", None,
                           "display.float_format", "{:+.2f}".format):
        print(parts_table(m))
    print()
    print(what_drove(m))
    print(f"\n{int(m['decomposition.runs'])} channel worlds: {seconds[True] - seconds[False]:.1f} s of CPU time "
          f"(run and twin {seconds[False]:.1f} s without the decomposition, {seconds[True]:.1f} s with it)")


if __name__ == "__main__":
    main(sys.argv[1:])
