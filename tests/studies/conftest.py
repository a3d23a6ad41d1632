"""A real 2 x 2 x 2 sweep through the joblib launcher, run once and shared (read-only: copy to edit)."""
from __future__ import annotations

import logging

import pytest

from ._util import GRID_ARGS, LAUNCHER, mentorsim, ok

logging.getLogger("MESA").setLevel(logging.WARNING)


@pytest.fixture(scope="session")
def grid_sweep(tmp_path_factory):
    """(sweep folder, the finished process) for the 8-run grid of GRID_ARGS."""
    cwd = tmp_path_factory.mktemp("grid")
    sweep = cwd / "sw"
    proc = ok(mentorsim("-m", *LAUNCHER, *GRID_ARGS, f"hydra.sweep.dir={sweep}", cwd=cwd))
    return sweep, proc
