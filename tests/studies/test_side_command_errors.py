"""collect and compare on damaged sweeps and wrong arguments: a listed failure or one line, exit 2.

Each case starts from a copy of the real 8-job grid sweep (conftest.grid_sweep) and damages it
the way a killed job, a full disk or a careless hand does; the commands run in-process.
"""
from __future__ import annotations

import errno
import shutil
import time

import pandas as pd
import pytest

from sim.commands import dispatch
from sim.studies.collect import collect

from ._util import find_job, job_overrides

JOBS = {str(i) for i in range(8)}


@pytest.fixture
def sweep(grid_sweep, tmp_path):
    """A private copy of the grid sweep, without what other tests derived from it."""
    copy = shutil.copytree(grid_sweep[0], tmp_path / "sw")
    for derived in [*copy.glob("runs.parquet"), *copy.glob("comparison*.csv"), *copy.glob("report.*")]:
        derived.unlink()
    return copy


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = dispatch(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, err: str, *fragments: str) -> str:
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mentorsim: error: "), err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def no_temporary_files(folder) -> None:
    assert not [p for p in folder.rglob("*.tmp")], list(folder.rglob("*.tmp"))


# ----------------------------------------------------------------------------- damaged job folders
def _truncate(path, keep=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


@pytest.mark.parametrize("damage, reason", [
    (lambda f: (f / "metrics.json").write_text('{"turnover_annual": 0.1, "hires'), "metrics.json is not valid JSON"),
    (lambda f: (f / "metrics.json").write_bytes(b"\x89PNG\x00\xff"), "metrics.json"),
    (lambda f: (f / "metrics.json").write_text('{"turnover_annual": "high"}'), "turnover_annual is not a number"),
    (lambda f: (f / "metrics.json").write_text('{"turnover_annual": null}'), "turnover_annual is undefined"),
    (lambda f: (f / "metrics.json").unlink(), "metrics.json is missing"),
    (lambda f: _truncate(f / "events.parquet"), "events.parquet is unreadable"),
    (lambda f: (f / "timeseries.parquet").unlink(), "timeseries.parquet is missing"),
    (lambda f: (f / "config.yaml").write_text("a: [unclosed"), "config.yaml is unreadable"),
    (lambda f: _truncate(f / "twin" / "level_timeseries.parquet", 0.1), "twin/level_timeseries.parquet"),
    (lambda f: (f / "status.json").write_text('{"status": "done"}'), "status = 'done'"),
    (lambda f: (f / "status.json").write_text('["complete"]'), "status.json is unreadable"),
], ids=["invalid-json", "binary", "string-value", "null-headline", "no-metrics", "truncated-parquet", "no-parquet", "bad-yaml",
        "twin-parquet", "unknown-status", "status-not-an-object"])
def test_a_damaged_run_is_listed_with_its_reason_and_the_rest_collected(sweep, capsys, damage, reason):
    job = find_job(sweep, matching="optimal", program__cadence_weeks="4", sim__seed="0")
    damage(job)
    (sweep / "notes.txt").write_text("extra junk beside the jobs")
    (sweep / "scratch").mkdir()
    (sweep / "scratch" / "status.json").write_bytes(b"\x00\x01 not json")
    code, out, err = run(capsys, "collect", str(sweep))
    assert code == 0 and err == "", err
    runs = pd.read_parquet(sweep / "runs.parquet").set_index("run")
    assert set(runs.index) == JOBS | {"scratch"}
    assert runs.loc[job.name, "status"] == "incomplete" and reason in runs.loc[job.name, "error"]
    assert runs.loc["scratch", "status"] == "incomplete"
    assert (runs["status"] == "complete").sum() == 7
    assert f"incomplete: {job.name} [" in out and reason in out
    assert runs.loc[job.name, ["turnover_annual", "effect.turnover_annual"]].isna().all()
    # compare pairs the other seven: optimal@4 keeps only seed 1
    code, out, err = run(capsys, "compare", str(sweep), "--baseline", "matching=random")
    assert code == 0, err
    table = pd.read_csv(sweep / "comparison_matching-random.csv").set_index("scenario")
    assert table["n_pairs"].to_dict() == {
        "matching=optimal org=small output.charts=False output.sweep_tables=True program.cadence_weeks=2 "
        "sim.horizon_years=0.5": 2,
        "matching=optimal org=small output.charts=False output.sweep_tables=True program.cadence_weeks=4 "
        "sim.horizon_years=0.5": 1}
    assert f"not compared: incomplete: {job.name}" in out
    no_temporary_files(sweep)


def test_a_killed_sweep_lists_the_jobs_that_never_started(sweep, capsys):
    """Hydra records the whole grid in multirun.yaml before the first job; jobs 5 and 7 never began,
    job 6 was killed before it wrote anything but its folder."""
    expected = {}
    for name in ("5", "6", "7"):
        expected[name] = job_overrides(sweep / name)
        shutil.rmtree(sweep / name)
    (sweep / "6").mkdir()
    code, out, err = run(capsys, "collect", str(sweep))
    assert code == 0, err
    runs = collect(sweep, write=False).set_index("run")
    assert list(runs.index) == [str(i) for i in range(8)]  # every job once, in job order
    assert runs["status"].value_counts().to_dict() == {"complete": 5, "not_started": 3}
    for name, overrides in expected.items():
        row = runs.loc[name]
        assert row["status"] == "not_started" and row["seed"] == int(overrides["sim.seed"])
        for key, value in overrides.items():
            assert row[f"ov.{key}"] == value
    assert "8 runs: 5 complete, 3 not_started" in out
    assert out.count("not_started: ") == 3


def test_an_unreadable_multirun_record_is_a_note_not_a_crash(sweep, capsys):
    shutil.rmtree(sweep / "7")
    (sweep / "multirun.yaml").write_text("hydra: [unclosed")
    code, out, err = run(capsys, "collect", str(sweep))
    assert code == 0, err
    assert "7 runs: 7 complete" in out and "note: multirun.yaml is unreadable" in out


def test_collect_on_a_folder_without_runs_is_one_line(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    code, _, err = run(capsys, "collect", str(tmp_path / "empty"))
    one_line_error(code, err, "SWEEP_DIR = ", "empty", "no run folders")
    assert list((tmp_path / "empty").iterdir()) == []


# ----------------------------------------------------------------------------- a full disk
def _full_disk(monkeypatch, method: str):
    """The writer starts the temporary file, then the disk is full."""
    def write(self, path, *args, **kwargs):
        with open(path, "wb") as handle:
            handle.write(b"PAR1 partial")
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(pd.DataFrame, method, write)


def test_collect_on_a_full_disk_is_one_line_and_leaves_no_temporary_file(sweep, capsys, monkeypatch):
    (sweep / "runs.parquet").write_bytes(b"the previous table")
    _full_disk(monkeypatch, "to_parquet")
    code, out, err = run(capsys, "collect", str(sweep))
    one_line_error(code, err, "runs.parquet = ", "No space left on device")
    assert out == ""
    assert (sweep / "runs.parquet").read_bytes() == b"the previous table"  # untouched, not half-replaced
    no_temporary_files(sweep)


def test_compare_on_a_full_disk_is_one_line_and_leaves_no_temporary_file(sweep, capsys, monkeypatch):
    _full_disk(monkeypatch, "to_csv")
    code, _, err = run(capsys, "compare", str(sweep), "--baseline", "matching=random")
    one_line_error(code, err, "comparison_matching-random.csv = ", "No space left on device")
    assert not list(sweep.glob("comparison*"))
    no_temporary_files(sweep)


# ----------------------------------------------------------------------------- compare's arguments
@pytest.mark.parametrize("args, fragments", [
    (["--baseline", "matching=greedy"], ["--baseline = 'matching=greedy'", "values in the runs: optimal, random"]),
    (["--baseline", "matchin=random"], ["matchin is not an override", "matching, org"]),
    (["--baseline", "matching"], ["--baseline = 'matching'", "KEY=VALUE"]),
    (["--baseline", "sim.seed=0"], ["--baseline = 'sim.seed=0'", "paired on sim.seed"]),
    (["--baseline", "org=small"], ["every complete run is a baseline run"]),
    (["--metric", "turnovr"], ["--metric = 'turnovr'", "did you mean turnover_annual"]),
    (["--metric", "scenario"], ["--metric = 'scenario'", "not a metric"]),
    (["--precision", "-1"], ["--precision = '-1'", "positive"]),
    (["--precision", "0"], ["--precision = '0'"]),
    (["--precision", "nan"], ["--precision = 'nan'"]),
    (["--precision", "inf"], ["--precision = 'inf'"]),
    (["--confidence", "95"], ["--confidence = '95'", "fraction in (0, 1), e.g. 0.95"]),
    (["--confidence", "1"], ["--confidence = '1'"]),
    (["--confidence", "0"], ["--confidence = '0'"]),
    (["--confidence", "nan"], ["--confidence = 'nan'"]),
    (["--confidence", "high"], ["--confidence = 'high'"]),
])
def test_compare_mistakes_are_one_line_and_write_nothing(sweep, capsys, args, fragments):
    (sweep / "comparison_matching-random.csv").write_text("an earlier comparison\n")
    start = time.perf_counter()
    try:
        code = dispatch(["compare", str(sweep), *args])
    except SystemExit as stop:  # argparse's own checks exit from the parser
        code = stop.code
    assert time.perf_counter() - start < 30  # --precision -1 used to loop forever
    out, err = capsys.readouterr()
    one_line_error(code, err, *fragments)
    assert out == ""
    assert [p.name for p in sweep.glob("comparison*")] == ["comparison_matching-random.csv"]
    assert (sweep / "comparison_matching-random.csv").read_text() == "an earlier comparison\n"
    assert not (sweep / "runs.parquet").exists()
    no_temporary_files(sweep)


def test_compare_prints_rates_in_points_and_names_the_file_after_the_baseline(sweep, capsys):
    code, out, err = run(capsys, "compare", str(sweep), "--baseline", "twin", "--metric", "turnover_annual",
                         "--metric", "promotions_total", "--precision", "0.002")
    assert code == 0, err
    assert f"wrote {sweep / 'comparison_twin.csv'}" in out
    code, out_random, _ = run(capsys, "compare", str(sweep), "--baseline", "matching=random")
    assert code == 0 and f"wrote {sweep / 'comparison_matching-random.csv'}" in out_random
    assert (sweep / "comparison_twin.csv").exists()  # the second comparison did not overwrite the first
    table = pd.read_csv(sweep / "comparison_twin.csv")
    assert set(table["unit"]) == {"fraction", "count"}
    assert "nan" not in out.lower()
    rows = [line.split() for line in out.splitlines() if " turnover_annual " in f" {line} "]
    assert len(rows) == 4
    for line in rows:
        unit, n_pairs, mean = line[line.index("turnover_annual") + 1:line.index("turnover_annual") + 4]
        assert unit == "pts" and int(n_pairs) == 2
        # the printed mean difference is the file's fraction in percentage points
        assert any(float(mean) == pytest.approx(100 * v, rel=1e-3, abs=1e-3)
                   for v in table.loc[table["metric"] == "turnover_annual", "mean_difference"])
    counts = [line for line in out.splitlines() if " promotions_total " in f" {line} "]
    assert len(counts) == 4
    assert all(line.split()[line.split().index("promotions_total") + 1: ][:2] == ["count", "2"] for line in counts)
    assert "0.2 pts" in out  # --precision 0.002 of a rate, said in points
