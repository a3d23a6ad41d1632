"""Shared fixtures: configs are composed from configs/ exactly as the CLI does."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim import load_config, run

logging.getLogger("MESA").setLevel(logging.WARNING)
REPO = Path(__file__).resolve().parents[1]


def cli_env() -> dict:
    """The environment for running this checkout's console script in a subprocess."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("HYDRA_FULL_ERROR", None)
    env.pop("MENTORSIM_CONFIG_DIR", None)
    return env


def mentorsim(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m sim ARGS` in `cwd`, output captured."""
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, env=cli_env(), capture_output=True,
                          text=True, timeout=timeout)


def make_config(*overrides: str):
    """A checked Config from Hydra overrides (small org, invariants checked each week)."""
    return load_config(["org=small", "sim.check_invariants=true", *overrides])


@pytest.fixture(scope="session")
def small_run():
    """One 5-year run of the small org, shared by tests that only read its outputs."""
    return run(make_config("sim.horizon_years=5", "metrics.period_weeks=1"))
