"""The console script, run as a real subprocess: one-line errors with exit 2, and run folders.

Each subprocess starts Python and loads the numba cache (a second or two), so
the cases are few and chosen to cover distinct paths: Hydra composition errors,
schema errors, type errors, the multirun path, a good run, output.dir, and an
unwritable output folder.
"""
from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from sim import run
from sim.config.load import load_config
from sim.runs.folder import is_complete
from tests.conftest import mentorsim

REPO = Path(__file__).resolve().parents[1]
RUN_FILES = ["config.yaml", "metrics.json", "timeseries.parquet", "level_timeseries.parquet",
             "model_timeseries.parquet", "events.parquet", "status.json"]



def assert_one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> str:
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert line.startswith("mentorsim: error: "), line
    for fragment in fragments:
        assert fragment in line, line
    return line


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["org=huge"], ["org = 'huge'", "no such config", "small"]),
        (["org=small", "org.levels.0.seats=0"], ["org.levels[0].seats = 0"]),
        (["org=small", "sim.horizon_years=abc"], ["sim.horizon_years = 'abc'"]),
        (["org=small", "sim.speed=3"], ["sim.speed", "unknown key"]),
        (["org=small", "~org.levels.0.seats"], ["org.levels[0].seats", "missing"]),
    ],
    ids=["unknown-org", "zero-seats", "string-for-number", "unknown-key", "missing-key"],
)
def test_bad_config_is_one_line_exit_2(tmp_path, args, fragments):
    proc = mentorsim(*args, cwd=tmp_path)
    assert_one_line_error(proc, *fragments)
    assert proc.stdout == ""
    assert list(tmp_path.iterdir()) == []  # nothing was started, nothing written


def test_multirun_bad_value_is_one_line_exit_2(tmp_path):
    proc = mentorsim("-m", "org=small", "sim.seed=-1", "hydra.sweep.dir=" + str(tmp_path / "sweep"), cwd=tmp_path)
    assert_one_line_error(proc, "sim.seed = -1")


def test_multirun_unknown_config_group_option_is_one_line_exit_2(tmp_path):
    proc = mentorsim("-m", "org=huge", "hydra.sweep.dir=" + str(tmp_path / "sweep"), cwd=tmp_path)
    assert_one_line_error(proc, "org", "huge")


def _metrics_equal(saved: dict, metrics: dict) -> bool:
    if list(saved) != list(metrics):
        return False
    for key, value in metrics.items():
        if isinstance(value, float) and not math.isfinite(value):
            if saved[key] is not None:
                return False
        elif saved[key] != value:
            return False
    return True


def test_good_run_writes_the_run_folder(tmp_path):
    folder = tmp_path / "run"
    proc = mentorsim("org=small", "sim.horizon_years=1", f"hydra.run.dir={folder}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"wrote {folder}" in proc.stdout
    assert "small org" in proc.stdout
    for name in RUN_FILES:
        assert (folder / name).is_file(), name
    charts = sorted((folder / "charts").glob("*.png"))
    assert len(charts) >= 1
    status = json.loads((folder / "status.json").read_text())
    assert status["status"] == "complete"
    assert is_complete(folder)
    # The run is the one the Python API gives for the same overrides, in another process.
    expected = run(load_config(["org=small", "sim.horizon_years=1"]))
    assert _metrics_equal(json.loads((folder / "metrics.json").read_text()), expected.metrics)
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "events.parquet"), expected.events, check_exact=True)


def test_output_dir_override(tmp_path):
    target = tmp_path / "chosen" / "place"
    hydra_dir = tmp_path / "hydra"
    proc = mentorsim("org=small", "sim.horizon_years=0.5", "sim.seed=4", "output.charts=false",
                     f"output.dir={target}", f"hydra.run.dir={hydra_dir}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {target}" in proc.stdout
    for name in RUN_FILES:
        assert (target / name).is_file(), name
    assert not (target / "charts").exists()
    assert json.loads((target / "status.json").read_text())["seed"] == 4
    assert not (hydra_dir / "metrics.json").exists()  # results went to output.dir only


def test_unwritable_output_dir_is_one_line_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    proc = mentorsim("org=small", "sim.horizon_years=0.1", "output.charts=false",
                     f"output.dir={blocker / 'run'}", f"hydra.run.dir={tmp_path / 'hydra'}", cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mentorsim: error: output.dir = "), proc.stderr
