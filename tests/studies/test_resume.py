"""Test 4: re-running a sweep into its folder completes only what is missing; a killed run resumes."""
from __future__ import annotations

import json
import re
import signal
import time

from sim.runs.folder import is_complete

from ._util import LAUNCHER, find_job, job_folders, mentorsim, ok, popen, status_of

RESUME_ARGS = ["org=small", "sim.horizon_years=0.25", "evaluation.twin=false", "output.charts=false",
               "sim.seed=0,1,2,3"]


def test_rerunning_a_sweep_skips_complete_jobs_and_redoes_the_killed_one(tmp_path):
    sweep = tmp_path / "sw"
    command = ["-m", *LAUNCHER, *RESUME_ARGS, f"hydra.sweep.dir={sweep}"]
    first = ok(mentorsim(*command, cwd=tmp_path))
    assert "skipped" not in first.stdout
    folders = job_folders(sweep)
    assert len(folders) == 4 and all(is_complete(f) for f in folders)
    killed = find_job(sweep, sim__seed="2")
    hash_before = status_of(killed)["config_hash"]
    metrics_before = json.loads((killed / "metrics.json").read_text())
    (killed / "status.json").write_text(json.dumps({"status": "running", "config_hash": hash_before}))
    (killed / "metrics.json").unlink()
    mtimes = {f.name: (f / "metrics.json").stat().st_mtime_ns for f in folders if f != killed}

    (sweep / "report.html").write_text("the sweep report, written before the resume")

    second = ok(mentorsim(*command, cwd=tmp_path))
    assert not (sweep / "report.html").exists(), "a report from before the resume would look current"
    assert "resuming: removed report.html" in second.stdout
    # parallel workers share the pipe, so announcements may interleave: match them, not lines
    skipped = re.findall(r"skipped, already complete: (\S+?)/(\d+)(?=mentorsim|\s|$)", second.stdout)
    assert sorted(name for _, name in skipped) == sorted(mtimes), second.stdout
    for name, mtime in mtimes.items():
        assert (sweep / name / "metrics.json").stat().st_mtime_ns == mtime, f"job {name} was run again"
    assert is_complete(killed)
    assert status_of(killed)["config_hash"] == hash_before
    assert json.loads((killed / "metrics.json").read_text()) == metrics_before  # same seed, same result
    assert len(job_folders(sweep)) == 4


def test_a_killed_single_run_is_incomplete_and_a_rerun_completes_it(tmp_path):
    out = tmp_path / "run"
    # long enough (seconds) to be caught mid-run; the kill comes as soon as the status says running
    args = ["org=default", "sim.horizon_years=4", "evaluation.twin=true", "output.charts=false",
            "evaluation.seeds=1", "evaluation.decomposition=false", f"output.dir={out}"]  # the same run twice
    proc = popen(*args, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if status_of(out).get("status") == "running":
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        assert proc.poll() is None, f"the run ended before it could be killed: {proc.communicate()}"
        assert status_of(out)["status"] == "running"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not is_complete(out)
    assert status_of(out)["status"] == "running"
    assert not (out / "metrics.json").exists()

    rerun = ok(mentorsim(*args, cwd=tmp_path))
    assert "skipped" not in rerun.stdout
    assert is_complete(out) and (out / "metrics.json").exists()
    assert is_complete(out / "twin")
    assert not list(out.glob(".*.tmp"))
