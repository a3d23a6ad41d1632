"""Helpers shared by the sweep tests: the console script as a subprocess, and run folders."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import cli_env, mentorsim  # noqa: F401  (re-exported for the sweep tests)

REPO = Path(__file__).resolve().parents[2]

# The 2 x 2 x 2 grid of test 1 (also reused, copied, by the failure tests).
# The damage tests need every file a run can write: the tables too (sweeps write metrics only by default).
GRID_ARGS = ["org=small", "sim.horizon_years=0.5", "output.charts=false", "output.sweep_tables=true",
             "matching=random,optimal", "program.cadence_weeks=2,4", "sim.seed=0,1"]
LAUNCHER = ["hydra/launcher=local", "hydra.launcher.n_jobs=2"]


def env() -> dict:
    return cli_env()


def popen(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=cwd, env=env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def assert_one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> str:
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("mentorsim: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def job_overrides(folder: Path) -> dict[str, str]:
    """The overrides Hydra recorded for one job folder, as {key: value}."""
    items = yaml.safe_load((Path(folder) / ".hydra" / "overrides.yaml").read_text()) or []
    return dict(str(i).split("=", 1) for i in items)


def job_folders(sweep: Path) -> list[Path]:
    return sorted(p for p in Path(sweep).iterdir() if p.is_dir() and (p / ".hydra").is_dir())


def find_job(sweep: Path, **wanted: str) -> Path:
    """The one job folder whose overrides include these (dots in keys written as __)."""
    wanted = {k.replace("__", "."): str(v) for k, v in wanted.items()}
    hits = [f for f in job_folders(sweep) if all(job_overrides(f).get(k) == v for k, v in wanted.items())]
    assert len(hits) == 1, (wanted, hits)
    return hits[0]


def status_of(folder: Path) -> dict:
    return json.loads((Path(folder) / "status.json").read_text())
