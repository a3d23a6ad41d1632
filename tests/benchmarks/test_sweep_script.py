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


def test_the_job_split_prints_each_step_of_a_sweep_job_in_cpu_ms():
    proc = subprocess.run([sys.executable, str(REPO / "experiments" / "benchmarks" / "sweep_job.py"), "--jobs", "2",
                           "sim.horizon_years=0.25"], env=cli_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = re.findall(r"^\| (.+?) \| (\d*) \| ([\d.]+) \|$", proc.stdout, re.M)
    rows = {what.strip(): (calls, float(ms)) for what, calls, ms in found}
    assert rows["whole job in the worker (`_run_one`)"][0] == "2", proc.stdout
    assert rows["both worlds simulated (`simulate`)"][0] == "4"  # program world and twin, per job
    whole, simulated = rows["whole job in the worker (`_run_one`)"][1], rows["both worlds simulated (`simulate`)"][1]
    assert 0 < simulated < whole
