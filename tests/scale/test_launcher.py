"""mentorsim's sweep launcher (the default for -m) against Hydra's joblib launcher: the same job
folders with the same results, for any number of workers; metrics only unless asked for more."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.studies.collect import collect
from tests.conftest import cli_env

from ._sweeps import JOBLIB, SMALL, job_folders, kill_a_worker_once_a_job_runs, mentorsim, metrics_of, record, sweep

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    """The same 6-job sweep through Hydra's joblib launcher and basic sweeper, and through mentorsim's
    launcher in its own process (1 worker) and on 2 workers in batches of 2."""
    tmp = tmp_path_factory.mktemp("launchers")
    return {"joblib": sweep(tmp, "joblib", *JOBLIB)[0],
            "one": sweep(tmp, "one", "hydra.launcher.n_jobs=1")[0],
            "two": sweep(tmp, "two", "hydra.launcher.n_jobs=2", "hydra.launcher.batch_size=2")[0]}


def test_every_job_is_the_same_through_either_launcher_and_any_number_of_workers(sweeps):
    expected = record(sweeps["joblib"])
    assert len(expected) == 6
    assert "BasicSweeper" in (sweeps["joblib"] / "multirun.yaml").read_text()
    for name in ("one", "two"):  # the command's choice: Hydra's grid without its per-job composition check
        assert "MentorsimSweeper" in (sweeps[name] / "multirun.yaml").read_text()
    for name in ("one", "two"):
        assert record(sweeps[name]) == expected, name


def test_a_sweep_job_writes_what_collect_reads_unless_asked_for_more(sweeps):
    job = job_folders(sweeps["two"])[0]
    assert not list(job.glob("*.parquet")) and not (job / "twin").exists()
    assert json.loads((job / "status.json").read_text())["tables"] is False
    assert (job / ".hydra" / "hydra.yaml").is_file()
    runs = collect(sweeps["two"], write=False)
    assert list(runs["status"]) == ["complete"] * 6
    assert runs["twin.turnover_annual"].notna().all()  # compare --baseline twin reads these


def test_asking_for_the_tables_later_rewrites_a_metrics_only_job(sweeps, tmp_path):
    import shutil

    folder = shutil.copytree(sweeps["two"], tmp_path / "two")
    rerun = mentorsim("-m", "org=small", "sim.horizon_years=0.25", "output.charts=false", "matching=random",
                      "sim.seed=0", "output.sweep_tables=true", "hydra.launcher.n_jobs=1",
                      f"hydra.sweep.dir={folder}", cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    job = job_folders(folder)[0]
    assert "skipped" not in rerun.stdout and (job / "events.parquet").is_file()
    assert (job / "twin" / "events.parquet").is_file() and "tables" not in json.loads((job / "status.json").read_text())
    again = mentorsim("-m", "org=small", "sim.horizon_years=0.25", "output.charts=false", "matching=random",
                      "sim.seed=0", "hydra.launcher.n_jobs=1", f"hydra.sweep.dir={folder}", cwd=tmp_path)
    assert "skipped, already complete" in again.stdout  # tables are more than a metrics-only job needs


def test_output_dir_in_a_sweep_is_one_line(tmp_path):
    proc = mentorsim("-m", "org=small", "sim.seed=0,1", f"output.dir={tmp_path / 'x'}", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [f"mentorsim: error: output.dir = '{tmp_path / 'x'}': a sweep writes one "
                                        f"folder per job; set hydra.sweep.dir={tmp_path / 'x'} instead"]
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("args", [["--help"],
                                  ["org=small", "sim.horizon_years=0.1", "output.charts=false", "output.report=false"]],
                         ids=["help", "run"])
def test_a_closed_stdout_ends_quietly(tmp_path, args):
    """`mentorsim ... | head`: the reader is gone before anything is printed."""
    if args[0] == "org=small":
        args = [*args, f"output.dir={tmp_path / 'run'}"]
    proc = subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=tmp_path, env=cli_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=300) in (0, 1), err
    assert "Traceback" not in err and "Broken pipe" not in err and "BrokenPipe" not in err, err


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def test_a_killed_worker_process_costs_no_job(sweeps, tmp_path):
    """A dead worker breaks the pool: its unfinished jobs go to a fresh pool, the sweep completes."""
    folder = tmp_path / "sw"
    proc = subprocess.Popen([sys.executable, "-m", "sim", "-m", *SMALL, "hydra.launcher.n_jobs=2",
                             "hydra.launcher.batch_size=1", f"hydra.sweep.dir={folder}"], cwd=tmp_path, env=cli_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed, out, err = kill_a_worker_once_a_job_runs(
        proc, folder, lambda: [p for p in children(proc.pid)
                               if b"LokyProcess" in Path(f"/proc/{p}/cmdline").read_bytes()])
    assert killed is not None and proc.returncode == 0 and "Traceback" not in err, (out + err)[-3000:]
    assert "did not finish" not in err
    assert metrics_of(folder) == metrics_of(sweeps["joblib"])


@pytest.mark.parametrize("arg, fragment", [
    ("hydra.launcher.backend=foo", "hydra.launcher.backend = 'foo': local or ray"),
    ("hydra.launcher.n_jobs=0", "hydra.launcher.n_jobs = '0': a whole number of worker processes"),
    ("hydra.launcher.n_jobs=two", "hydra.launcher.n_jobs = 'two'"),
    ("hydra.launcher.batch_size=0", "hydra.launcher.batch_size = '0': null or a whole number"),
    ("hydra.launcher.ray.max_retries=-1", "hydra.launcher.ray.max_retries = '-1': a whole number, at least 0"),
])
def test_a_launcher_setting_it_cannot_use_is_one_line(tmp_path, arg, fragment):
    proc = mentorsim("-m", "org=small", "sim.seed=0,1", arg, f"hydra.sweep.dir={tmp_path / 'sw'}", cwd=tmp_path)
    lines = proc.stderr.splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith(f"mentorsim: error: {fragment}"), lines
    assert not (tmp_path / "sw").exists()


def test_settings_of_other_launchers_are_left_to_them():
    from sim.studies.launch import check_launcher_args

    check_launcher_args(["-m", "hydra/launcher=joblib", "hydra.launcher.n_jobs=0", "hydra.launcher.batch_size=auto"])
    check_launcher_args(["-m", "hydra.launcher.batch_size=null", "hydra.launcher.n_jobs=-2"])
