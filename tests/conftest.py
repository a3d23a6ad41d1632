"""Shared fixtures: configs are composed from configs/ exactly as the CLI does."""
from __future__ import annotations

import logging

import pytest

from sim import load_config, run

logging.getLogger("MESA").setLevel(logging.WARNING)


def make_config(*overrides: str):
    """A checked Config from Hydra overrides (small org, invariants checked each week)."""
    return load_config(["org=small", "sim.check_invariants=true", *overrides])


@pytest.fixture(scope="session")
def small_run():
    """One 5-year run of the small org, shared by tests that only read its outputs."""
    return run(make_config("sim.horizon_years=5", "metrics.period_weeks=1"))
