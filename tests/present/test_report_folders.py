"""`mentorsim report FOLDER` on folders it cannot use: one line, exit 2, no report files written.

The run folders are real small runs (sim.runs.jobs.run_job, the path the CLI takes), the sweep a
real tiny grid (tests.conftest.write_sweep); each case damages a copy the way a killed job, a
full disk or a careless hand does, and runs the command in-process.
"""
from __future__ import annotations

import errno
import json
import shutil

import pytest

from sim import load_config
from sim.commands import dispatch
from sim.present.report import REPORT_HTML, REPORT_PDF, check_folder
from sim.runs.jobs import run_job
from tests.conftest import write_sweep


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run") / "run"
    config = load_config(["org=small", "sim.horizon_years=1", "output.charts=false", "output.report=false"])
    assert run_job(config, folder, announce=lambda *_: None)[0] == "complete"
    return folder


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory):
    return write_sweep(tmp_path_factory.mktemp("sweep") / "sw")


def report_error(capsys, folder, *fragments: str) -> str:
    code = dispatch(["report", str(folder)])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"mentorsim: error: FOLDER = {str(folder)!r}: "), err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert out == ""
    assert not list(folder.rglob(REPORT_HTML)) and not list(folder.rglob(REPORT_PDF))
    assert not list(folder.rglob("*.tmp"))
    return lines[0]


def test_a_folder_that_is_not_a_run_sweep_or_sensitivity_analysis(tmp_path, capsys):
    folder = tmp_path / "holiday-photos"
    folder.mkdir()
    (folder / "beach.jpg").write_bytes(b"\xff\xd8\xff")
    (folder / "album").mkdir()
    report_error(capsys, folder, "not a run, sweep or sensitivity folder")


@pytest.mark.parametrize("status, shown", [
    ('{"status": "running", "config_hash": "x"}', "status = 'running'"),
    ('{"status": "failed", "error": "boom"}', "status = 'failed'"),
    (None, "status = 'missing'"),
    ("{not json", "status = 'unreadable'"),
    ('{"state": "complete"}', "status = 'missing'"),
], ids=["killed", "failed", "no-status", "corrupt-status", "status-without-key"])
def test_a_run_that_did_not_finish(run_folder, tmp_path, capsys, status, shown):
    copy = shutil.copytree(run_folder, tmp_path / "run")
    if status is None:
        (copy / "status.json").unlink()
    else:
        (copy / "status.json").write_text(status)
    report_error(capsys, copy, shown, "not a complete run")


@pytest.mark.parametrize("damage, shown", [
    (lambda f: (f / "metrics.json").write_text("{"), "metrics.json is not valid JSON"),
    (lambda f: (f / "events.parquet").write_bytes((f / "events.parquet").read_bytes()[:100]),
     "events.parquet is unreadable"),
    (lambda f: (f / "model_timeseries.parquet").unlink(), "model_timeseries.parquet is missing"),
    (lambda f: (f / "twin" / "status.json").write_text('{"status": "running"}'), "twin/ is not a complete run"),
], ids=["metrics", "truncated-parquet", "missing-parquet", "killed-twin"])
def test_a_complete_run_with_a_damaged_file(run_folder, tmp_path, capsys, damage, shown):
    copy = shutil.copytree(run_folder, tmp_path / "run")
    damage(copy)
    report_error(capsys, copy, "not a complete run: " + shown)


def test_a_sweep_without_a_complete_run(sweep_folder, tmp_path, capsys):
    copy = shutil.copytree(sweep_folder, tmp_path / "sw")
    for job in copy.iterdir():
        (job / "status.json").write_text('{"status": "running"}')
    report_error(capsys, copy, "no complete run in this sweep", "8 runs: 8 incomplete")


def test_a_sensitivity_folder_with_a_broken_table(tmp_path, capsys):
    folder = tmp_path / "sens"
    folder.mkdir()
    (folder / "status.json").write_text(json.dumps({"status": "complete", "method": "morris"}))
    report_error(capsys, folder, "sensitivity.csv is missing or unreadable")
    (folder / "sensitivity.csv").write_text("what,ever\n1,2\n")
    report_error(capsys, folder, "not a sensitivity table")


def test_what_each_folder_is(run_folder, sweep_folder):
    assert check_folder(run_folder) == "run"
    assert check_folder(sweep_folder) == "sweep"


def test_a_full_disk_while_writing_the_pdf_leaves_neither_file(sweep_folder, tmp_path, capsys, monkeypatch):
    from matplotlib.backends.backend_pdf import PdfPages

    copy = shutil.copytree(sweep_folder, tmp_path / "sw")
    (copy / "report.html").write_text("made before")  # replaced or kept, never half

    def full(self, *args, **kwargs):  # the PDF's temporary file is open and started
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(PdfPages, "savefig", full)
    code = dispatch(["report", str(copy)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "No space left on device" in err, err
    assert not (copy / REPORT_PDF).exists() and not list(copy.rglob("*.tmp"))
    assert not (copy / REPORT_HTML).exists()  # the new HTML went with the PDF that failed
    (copy / "report.html").unlink(missing_ok=True)
    report_error(capsys, copy, "cannot write the report there (No space left on device)")
