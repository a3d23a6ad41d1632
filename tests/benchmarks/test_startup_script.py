"""The start-up timeline benchmark runs the command end to end and prints its marks (tiny run)."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO, cli_env

pytestmark = pytest.mark.slow


def _timeline(*overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "experiments" / "benchmarks" / "startup.py"), *overrides],
                          env=cli_env(), capture_output=True, text=True, timeout=600)


def test_the_timeline_marks_the_critical_path_of_a_run_with_a_worker():
    proc = _timeline("org=small", "evaluation.seeds=2", "sim.horizon_years=0.25", "evaluation.decomposition=false",
                     "output.report=false")
    assert proc.returncode == 0, proc.stderr[-3000:]
    marks = re.findall(r"^ *([\d.]+) +([\d.]+) +[+-][\d.]+ +[+-][\d.]+  (.+)$", proc.stdout, re.M)
    names = [name for *_, name in marks]
    for name in ("checked <", "start_early <", "run_hydra >", "task >", "run_job <", "run_charts <", "command done"):
        assert name in names, proc.stdout
    assert names.count("OrgModel.run <") == 2  # seed 0 and its twin; seed 1 went to the worker
    walls = [float(wall) for wall, *_ in marks]
    assert walls == sorted(walls) and walls[-1] > 0
    assert re.search(r"^worker \d+: .* CPU-s  run_config_seed$", proc.stderr, re.M), proc.stderr[-3000:]
    assert re.search(r"^CPU-s: main process [\d.]+, worker processes [\d.]+$", proc.stdout, re.M)
    assert "mentorsim:" not in proc.stdout  # the command's own output is dropped


def test_a_command_that_fails_gives_its_exit_code_and_one_line():
    proc = _timeline("sim.seed=abc")
    assert proc.returncode == 2
    assert proc.stderr.startswith("mentorsim: error: sim.seed = 'abc'"), proc.stderr
