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
    """`python -m sim ARGS` in `cwd`, output captured. A single run is one seed (`evaluation.seeds=1`)
    without the split by mechanism (`evaluation.decomposition=false`) unless the test sets the key: the
    suite stays fast, and the tests of several seeds or of the split say so."""
    return subprocess.run([sys.executable, "-m", "sim", *one_seed(list(args))], cwd=cwd, env=cli_env(),
                          capture_output=True, text=True, timeout=timeout)


def one_seed(args: list[str]) -> list[str]:
    """`args` with evaluation.seeds=1 and evaluation.decomposition=false added for a single run (not a
    side command, a sweep, help or --cfg, nor when the test sets evaluation.seeds); each unless the test
    sets that key."""
    from sim.cli import SUBCOMMANDS

    if (args and args[0] in SUBCOMMANDS) or any(a.startswith("-") and a != "--config-dir" for a in args) \
            or any("evaluation.seeds" in a for a in args):
        return args
    return [*args, "evaluation.seeds=1", *no_decomposition(args)]


def make_config(*overrides: str):
    """A checked Config from Hydra overrides (small org, invariants checked each week). No split of a
    program's effect by mechanism unless the test sets `evaluation.decomposition`: it costs 15 extra
    runs of the program world and only adds `decomposition.*` keys (every other metric is the same)."""
    return load_config(["org=small", "sim.check_invariants=true", *no_decomposition(list(overrides)),
                        *overrides])


def no_decomposition(args: list[str]) -> list[str]:
    """["evaluation.decomposition=false"], or [] when `args` set the key themselves."""
    return [] if any("evaluation.decomposition" in a for a in args) else ["evaluation.decomposition=false"]


@pytest.fixture(scope="session")
def small_run():
    """One 5-year run of the small org, shared by tests that only read its outputs."""
    return run(make_config("sim.horizon_years=5", "metrics.period_weeks=1"))


# A small 2 x 2 x 2 sweep (matching x cadence x seed) written the way the CLI writes one.
SWEEP_GRID = [(matching, cadence, seed) for matching in ("random", "optimal") for cadence in (2, 4)
              for seed in (0, 1)]
# As the CLI runs sweep jobs: no decomposition by mechanism unless evaluation.sweep_decomposition.
SWEEP_FIXED = ["org=small", "sim.horizon_years=1", "output.charts=false", "output.report=false",
               "evaluation.decomposition=false"]
_WRITTEN_SWEEP: list[Path] = []  # this process's run of the sweep below, copied for each caller


def _run_sweep(sweep: Path) -> Path:
    import yaml

    from sim.runs.jobs import run_job

    for job, (matching, cadence, seed) in enumerate(SWEEP_GRID):
        overrides = [*SWEEP_FIXED, f"matching={matching}", f"program.cadence_weeks={cadence}", f"sim.seed={seed}"]
        folder = sweep / str(job)
        (folder / ".hydra").mkdir(parents=True)
        (folder / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
        status, _ = run_job(load_config(overrides), folder, announce=lambda *_: None)
        assert status == "complete", (job, status)
    return sweep


def write_sweep(sweep: Path) -> Path:
    """Job folders 0..7 of `-m matching=random,optimal program.cadence_weeks=2,4 sim.seed=0,1`, each
    run by `sim.runs.jobs.run_job` with its `.hydra/overrides.yaml`, as the CLI writes them.

    Run once per test process and copied to `sweep` for each caller (the jobs are seeded, so a copy
    is what another run would write, and callers may damage or add to their copy)."""
    import atexit
    import shutil
    import tempfile

    if not _WRITTEN_SWEEP:
        root = Path(tempfile.mkdtemp(prefix="mentorsim-test-sweep-"))
        atexit.register(shutil.rmtree, root, True)
        _WRITTEN_SWEEP.append(_run_sweep(root / "sw"))
    return Path(shutil.copytree(_WRITTEN_SWEEP[0], sweep))
