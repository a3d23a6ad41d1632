"""The sweep throughput benchmark runs end to end and prints the table the README quotes (tiny size)."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO, cli_env

pytestmark = pytest.mark.slow


def test_the_sweep_benchmark_prints_evaluations_per_second_for_each_launcher_and_sweep_shape():
    proc = subprocess.run([sys.executable, str(REPO / "experiments" / "benchmarks" / "sweep.py"), "--evaluations", "2",
                           "--workers", "1", "--launchers", "joblib,mentorsim", "--designs", "1,2"], env=cli_env(),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = re.findall(r"^\| (joblib|mentorsim) \| ([^|]+) \| ([\d.]+) s \| ([\d.]+) \|", proc.stdout, re.M)
    assert [r[:2] for r in rows] == [("joblib", "2 seeds"), ("mentorsim", "2 seeds"), ("joblib", "2 designs x 1 seeds"),
                                     ("mentorsim", "2 designs x 1 seeds")], proc.stdout
    assert all(float(seconds) > 0 and float(rate) > 0 for *_, seconds, rate in rows)
