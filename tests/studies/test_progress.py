"""Test 8: count_jobs, the sweep size behind the progress bar; run_sweep's folder and report."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from sim.config.checks import ConfigError
from sim.studies.progress import count_jobs, finished, run_sweep

from ._util import mentorsim

GRID = ["matching=random,optimal", "program.cadence_weeks=2,4", "sim.seed=0,1"]


@pytest.mark.parametrize("argv, expected", [
    (["-m", *GRID], 8),
    (["-m", "hydra/launcher=local", "hydra.launcher.n_jobs=2", "org=small", *GRID, "hydra.sweep.dir=/tmp/x"], 8),
    (["-m", "sim.seed=range(5)"], 5),
    (["-m", "org=small"], 1),
    (["-m", "experiment=program_length"], 40),
    (["-m", "experiment=targeting"], 40),
    (["-m", "experiment=cadence_x_matching"], 100),
    (["-m", "experiment=enrollment_vs_cost"], 50),
    (["-m", "experiment=mentor_capacity"], 40),
    (["-m", "experiment=program_length", "sim.seed=0,1"], 8),        # the command line wins
    (["-m", "experiment=program_length", "sim.seed=3"], 4),          # ... also with one value
    (["-m", "experiment=program_length", "matching=random,optimal"], 80),
    (["-m", "experiment=design_search"], 30),
    (["-m", "experiment=design_search", "hydra.sweeper.n_trials=3"], 3),
])
def test_count_jobs(argv, expected):
    assert count_jobs(argv) == expected


def test_count_jobs_is_none_when_an_optimizer_decides():
    assert count_jobs(["-m", "program.enroll_share=interval(0.1,1.0)"]) is None


def _fake_hydra(calls, statuses):
    """Stands in for Hydra: records argv and writes one job folder per status into the sweep dir."""
    def run_hydra(argv):
        calls.append(list(argv))
        sweep = Path(next(a for a in argv if a.startswith("hydra.sweep.dir=")).split("=", 1)[1])
        for i, status in enumerate(statuses):
            (sweep / str(i)).mkdir(parents=True, exist_ok=True)
            (sweep / str(i) / "status.json").write_text(json.dumps({"status": status}))
    return run_hydra


def test_run_sweep_uses_a_predictable_folder_and_reports_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    calls = []
    run_sweep(["-m", "org=small", "sim.seed=0,1,2"], _fake_hydra(calls, ["complete", "failed", "running"]))
    (argv,) = calls
    dirs = [a for a in argv if a.startswith("hydra.sweep.dir=")]
    assert len(dirs) == 1 and re.fullmatch(r"hydra\.sweep\.dir=outputs/sweeps/\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d",
                                           dirs[0]), dirs
    sweep = dirs[0].split("=", 1)[1]
    out = capsys.readouterr().out
    # finished = complete or failed; the running one is not counted
    assert f"2 run folders in {sweep}" in out
    assert f"mentorsim collect {sweep}" in out
    assert finished(tmp_path / sweep) == 2


def test_run_sweep_keeps_the_folder_given(tmp_path, capsys):
    calls = []
    sweep = tmp_path / "mine"
    run_sweep(["-m", "sim.seed=0,1", f"hydra.sweep.dir={sweep}"], _fake_hydra(calls, ["complete", "complete"]))
    assert [a for a in calls[0] if a.startswith("hydra.sweep.dir=")] == [f"hydra.sweep.dir={sweep}"]
    assert f"2 run folders in {sweep}" in capsys.readouterr().out


def test_a_sweep_folder_that_cannot_be_written_is_one_line_before_any_job(tmp_path):
    """A real OS refusal (a path through a file); as root a read-only folder would not refuse."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    calls = []
    with pytest.raises(ConfigError, match=r"^hydra\.sweep\.dir = '.*a-file/sw': cannot write there \(Not a "
                                          r"directory\)"):
        run_sweep(["-m", "sim.seed=0,1", f"hydra.sweep.dir={blocker / 'sw'}"], _fake_hydra(calls, ["complete"]))
    assert calls == []  # Hydra never started


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_sweep_folder_is_one_line_before_any_job(tmp_path):
    sweep = tmp_path / "ro"
    sweep.mkdir()
    sweep.chmod(0o500)
    calls = []
    try:
        with pytest.raises(ConfigError, match="cannot write there"):
            run_sweep(["-m", "sim.seed=0,1", f"hydra.sweep.dir={sweep}"], _fake_hydra(calls, ["complete"]))
    finally:
        sweep.chmod(0o700)
    assert calls == []


def test_the_cli_reports_an_unwritable_sweep_folder_in_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    proc = mentorsim("-m", "org=small", "sim.horizon_years=0.1", "sim.seed=0,1", f"hydra.sweep.dir={blocker / 'sw'}",
                     cwd=tmp_path)
    assert "Traceback" not in proc.stderr and proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mentorsim: error: hydra.sweep.dir = "), proc.stderr
    assert blocker.read_text() == "not a folder"


def test_resuming_a_sweep_removes_what_was_derived_from_it_before(tmp_path, capsys):
    sweep = tmp_path / "sw"
    (sweep / "0").mkdir(parents=True)
    (sweep / "0" / "report.html").write_text("a run's own report stays")
    derived = ["runs.parquet", "comparison_twin.csv", "comparison_matching-random.csv", "report.html",
               "report.pdf", "charts/heatmap.png", "charts/cost_value.png"]
    for name in derived:
        (sweep / name).parent.mkdir(exist_ok=True)
        (sweep / name).write_text("from before the resume")
    (sweep / "notes.md").write_text("the user's own file stays")
    run_sweep(["-m", "sim.seed=0,1", f"hydra.sweep.dir={sweep}"], _fake_hydra([], ["complete", "complete"]))
    assert not any((sweep / name).exists() for name in derived)
    assert (sweep / "notes.md").exists() and (sweep / "0" / "report.html").exists()
    out = capsys.readouterr().out
    assert "resuming: removed " in out and "report.html" in out and "comparison_twin.csv" in out


@pytest.mark.parametrize("terminal", [False, True])
def test_job_folders_are_polled_only_while_a_bar_shows(tmp_path, monkeypatch, terminal):
    """Without a terminal no bar is drawn, so the watcher reads no status file (each poll reads every
    job's); on a terminal it polls at once and then every second."""
    import io
    import threading

    import sim.studies.progress as progress

    class Stderr(io.StringIO):
        def isatty(self):
            return terminal

    polls = []
    monkeypatch.setattr(progress, "finished", lambda folder: polls.append(folder) or 0)
    monkeypatch.setattr(progress.sys, "stderr", Stderr())
    stop = threading.Event()
    watcher = threading.Thread(target=progress._watch, args=(tmp_path, 3, stop, 0))
    watcher.start()
    stop.wait(0.2)
    stop.set()
    watcher.join(timeout=5)
    assert not watcher.is_alive()
    assert bool(polls) == terminal
