"""The engine-vs-baseline comparison script records every tie on both sides and prints its table."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numba
import pytest

from sim import load_config

SCRIPT = Path(__file__).resolve().parents[2] / "experiments" / "benchmarks" / "mesa_agreement.py"
SHORT = ["sim.horizon_years=1.2"]  # 62 weeks: the first cohort (week 4) completes at week 56


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("mesa_agreement", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    before = numba.get_num_threads()
    numba.set_num_threads(1)  # 200 employees: a parallel region costs more than it saves
    yield module
    numba.set_num_threads(before)


@pytest.mark.parametrize("side", ["engine_row", "baseline_row"])
def test_every_tie_is_counted_once_by_launch_and_by_level(script, side):
    """Starts by launch (and between launches) and by mentee level each add up to the program's
    own count of pairs started; a completed tie lasted exactly its planned length."""
    cfg = load_config([*script.FIXED, *SHORT, "sim.seed=3"])
    row = getattr(script, side)(cfg, script.launches(cfg))
    assert row["pairs_started"] > 0
    by_launch = sum(v for k, v in row.items() if k.startswith(("started_at_launch_", "started_between")))
    by_level = sum(row[f"started_at_level_{lv}"] for lv in cfg.program.mentee_levels)
    assert by_launch == by_level == row["pairs_started"]
    assert row["weeks_until_completed"] == cfg.program.length_weeks


def test_prints_one_row_per_statistic(script, capsys):
    script.main(["--seeds", "2", *SHORT])
    out = capsys.readouterr().out
    keys = [line.split()[0] for line in out.splitlines()[1:]]
    for key in ("pairs_started", "meetings_held", "attendance_rate", "mean_mentor_load", "mean_match_quality",
                "started_at_launch_0", "started_at_level_0"):
        assert key in keys, out
