"""The HR-data benchmark script runs end to end on a small extract, with ratings, and prints what the
README quotes (not a timed test)."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]


def test_calibrate_benchmark_prints_time_memory_and_stages_and_writes_a_rated_snapshot(tmp_path):
    cmd = [sys.executable, str(ROOT / "experiments" / "benchmarks" / "calibrate_100k.py"), "--people", "2000",
           "--ratings", "--keep", str(tmp_path)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert out.returncode == 0, out.stderr[-2000:]
    assert re.search(r"synthetic extract: 2,000 employees, [\d,]+ ratings", out.stdout), out.stdout
    line = re.search(r"calibrate: wall ([0-9.]+) s, CPU ([0-9.]+) s, peak memory ([0-9.]+) GiB", out.stdout)
    assert line and all(float(x) > 0 for x in line.groups()), out.stdout
    for stage in ("load_hr_data", "fit_organization", "snapshot_table", "_check"):
        assert f"{stage} " in out.stdout
    snap = pd.read_parquet(tmp_path / "configs0" / "snapshots" / "big.parquet")
    # Rated each 1 January and 1 July: everyone hired before the last review (2024-07-01, about half a
    # year before the snapshot day) has a rating, those hired after it none (a week's margin: rounding).
    rated, tenure = snap["rating_z"].notna(), snap["tenure_years"]
    half_year = (pd.Timestamp("2025-01-01") - pd.Timestamp("2024-07-01")).days / 365.25
    assert rated[tenure > half_year + 1 / 52].all() and not rated[tenure < half_year - 2 / 52].any()
    assert rated.mean() > 0.5
