"""Property: collect, compare and report on a damaged sweep end in a listed result or one line.

A real 8-job sweep (conftest.grid_sweep: matching x cadence x seed, each job with its twin, and
Hydra's multirun.yaml) is copied for every example, then damaged the ways a killed job, a full
disk or a careless hand damage one: files truncated, overwritten with random bytes, emptied or
deleted; status.json with values a run never writes; metrics.json replaced by other JSON; job
folders deleted or emptied; junk files and folders beside the jobs; the sweep's own record
broken. The commands run in-process (their functions, not subprocesses). The outcome must be
either exit 0 with a result whose invariants hold, or exit 2 with one line naming the problem:
never a traceback (it would fail the test), nor a hang (an alarm fails the example).

Bounded: hypothesis is derandomized (a fixed sequence of examples) with a fixed count.
"""
from __future__ import annotations

import contextlib
import io
import json
import math
import re
import shutil
import signal
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.commands import dispatch
from sim.studies.collect import RUNS_FILE, STATUSES

JOBS = [str(i) for i in range(8)]
FILES = ["metrics.json", "status.json", "config.yaml", "timeseries.parquet", "events.parquet",
         "level_timeseries.parquet", ".hydra/overrides.yaml", "twin/metrics.json", "twin/status.json",
         "twin/model_timeseries.parquet"]
SETTINGS = dict(derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SECONDS_PER_COMMAND = 60  # far above any real call (about a second): only a hang reaches it

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-.", min_size=1, max_size=12).filter(
    lambda s: s not in (".", "..") and s not in JOBS and not s.startswith("."))
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                        max_size=3),
                           max_leaves=6)

damage = st.one_of(
    st.tuples(st.just("truncate"), st.sampled_from(JOBS), st.sampled_from(FILES), st.floats(0, 0.99)),
    st.tuples(st.just("bytes"), st.sampled_from(JOBS), st.sampled_from(FILES), st.binary(max_size=64)),
    st.tuples(st.just("delete"), st.sampled_from(JOBS), st.sampled_from(FILES)),
    st.tuples(st.just("status"), st.sampled_from(JOBS),
              st.one_of(st.sampled_from(["running", "failed", "complete", "incomplete", "", "COMPLETE"]),
                        json_values)),
    st.tuples(st.just("metrics"), st.sampled_from(JOBS),
              json_values | st.fixed_dictionaries({"turnover_annual": json_values})),
    st.tuples(st.just("rmjob"), st.sampled_from(JOBS)),
    st.tuples(st.just("emptyjob"), st.sampled_from(JOBS)),
    st.tuples(st.just("junk_file"), names, st.binary(max_size=32)),
    st.tuples(st.just("junk_dir"), names, st.sampled_from(["status.json", ".hydra/overrides.yaml"]),
              st.binary(max_size=32)),
    st.tuples(st.just("record"), st.sampled_from(["delete", "garbage", "truncate"])),
)


def apply(sweep: Path, op: tuple) -> None:
    kind = op[0]
    if kind in ("truncate", "bytes", "delete"):
        path = sweep / op[1] / op[2]
        if not path.exists():
            return
        if kind == "truncate":
            path.write_bytes(path.read_bytes()[: int(path.stat().st_size * op[3])])
        elif kind == "bytes":
            path.write_bytes(op[3])
        else:
            path.unlink()
    elif kind == "status" and (sweep / op[1]).is_dir():
        (sweep / op[1] / "status.json").write_text(json.dumps({"status": op[2], "config_hash": "x"}))
    elif kind == "metrics" and (sweep / op[1]).is_dir():
        (sweep / op[1] / "metrics.json").write_text(json.dumps(op[2]))
    elif kind == "rmjob":
        shutil.rmtree(sweep / op[1], ignore_errors=True)
    elif kind == "emptyjob":
        shutil.rmtree(sweep / op[1], ignore_errors=True)
        (sweep / op[1]).mkdir()
    elif kind == "junk_file":
        if not (sweep / op[1]).exists():
            (sweep / op[1]).write_bytes(op[2])
    elif kind == "junk_dir":
        path = sweep / op[1] / op[2]
        if not (sweep / op[1]).exists():
            path.parent.mkdir(parents=True)
            path.write_bytes(op[3])
    elif kind == "record":
        record = sweep / "multirun.yaml"
        if op[1] == "delete":
            record.unlink(missing_ok=True)
        elif op[1] == "garbage":
            record.write_bytes(b"hydra: [\x00")
        elif record.exists():  # an earlier step may have deleted it
            record.write_bytes(record.read_bytes()[:200])


def _alarm(signum, frame):
    raise TimeoutError("a side command hung")


def call(*argv: str) -> tuple[int, str, str]:
    """dispatch in-process: (exit code, stdout, stderr). Any exception but SystemExit fails the test."""
    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(SECONDS_PER_COMMAND)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = dispatch(list(argv))
            except SystemExit as stop:  # argparse's own checks
                code = stop.code
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return code, out.getvalue(), err.getvalue()


def one_line_or_ok(code: int, out: str, err: str) -> bool:
    """True for success; for failure, checks it is one line 'mentorsim: error: X = V: ...', exit 2."""
    assert code in (0, 2), (code, out, err)
    if code == 2:
        lines = err.splitlines()
        assert len(lines) == 1 and re.match(r"mentorsim: error: \S.* = .+: .+", lines[0]), err
        assert out == ""
        return False
    assert err == "", err
    assert not re.search(r"\bnan\b", out, re.IGNORECASE), out  # n/a, never NaN, where a value is printed
    return True


def no_leftovers(sweep: Path) -> None:
    assert not list(sweep.rglob("*.tmp")), list(sweep.rglob("*.tmp"))


@pytest.fixture(scope="module")
def pristine(grid_sweep, tmp_path_factory):
    """The grid sweep without the files other tests derived from it."""
    copy = shutil.copytree(grid_sweep[0], tmp_path_factory.mktemp("pristine") / "sw")
    for derived in [*copy.glob("runs.parquet"), *copy.glob("comparison*.csv"), *copy.glob("report.*"),
                    *copy.glob("charts")]:
        shutil.rmtree(derived) if derived.is_dir() else derived.unlink()
    return copy


@contextlib.contextmanager
def damaged(pristine: Path, ops: list[tuple]):
    with tempfile.TemporaryDirectory() as tmp:
        sweep = shutil.copytree(pristine, Path(tmp) / "sw")
        for op in ops:
            apply(sweep, op)
        yield sweep


def check_collect(sweep: Path, ops: list[tuple]) -> None:
    existing = {p.name for p in sweep.iterdir() if p.is_dir()
                and ((p / "status.json").is_file() or (p / ".hydra" / "overrides.yaml").is_file())}
    record_intact = not any(op[0] == "record" for op in ops)
    code, out, err = call("collect", str(sweep))
    if not one_line_or_ok(code, out, err):
        assert not (sweep / RUNS_FILE).exists()
        assert not existing and not record_intact  # only a folder with nothing to list is refused
        return
    runs = pd.read_parquet(sweep / RUNS_FILE)
    assert runs["run"].is_unique, runs["run"].tolist()
    assert set(runs["status"]) <= set(STATUSES)
    assert existing <= set(runs["run"])
    if record_intact:  # every job of the grid is listed exactly once, started or not
        assert set(JOBS) <= set(runs["run"])
    complete = runs[runs["status"] == "complete"]
    assert complete["turnover_annual"].map(lambda v: isinstance(v, float) and math.isfinite(v)).all()
    assert runs.loc[runs["status"] != "complete", "error"].map(lambda e: isinstance(e, str) and e != "").all()
    assert out.splitlines()[0] == f"mentorsim: {len(runs)} runs: " + ", ".join(
        f"{n} {s}" for s, n in ((s, (runs['status'] == s).sum()) for s in STATUSES) if n)


compare_args = st.tuples(
    st.sampled_from([["twin"], ["matching=random"], ["matching=optimal"], ["program.cadence_weeks=2"],
                     ["matching=random", "program.cadence_weeks=4"], ["matching=greedy"], ["nokey=1"]]),
    st.sampled_from(["turnover_annual", "effect.turnover_annual", "promotions_total", "bench_strength_end",
                     "turnovr", "scenario"]),
    st.one_of(st.none(), st.sampled_from(["0.95", "0.8", "95", "0", "1", "-0.5", "nan", "x"])),
    st.one_of(st.none(), st.sampled_from(["0.002", "1e-9", "0", "-1", "inf", "nan", "abc"])),
)


@settings(max_examples=120, **SETTINGS)
@given(ops=st.lists(damage, min_size=1, max_size=4), args=compare_args)
def test_collect_and_compare_on_a_damaged_sweep(pristine, ops, args):
    with damaged(pristine, ops) as sweep:
        check_collect(sweep, ops)
        baseline, metric, confidence, precision = args
        argv = ["compare", str(sweep), "--baseline", *baseline, "--metric", metric]
        argv += ["--confidence", confidence] if confidence else []
        argv += ["--precision", precision] if precision else []
        before = set(sweep.glob("comparison*.csv"))
        code, out, err = call(*argv)
        if one_line_or_ok(code, out, err):
            written = Path(re.search(r"mentorsim: wrote (.+\.csv)$", out, re.M).group(1))
            table = pd.read_csv(written)
            assert len(table) >= 1 and (table["metric"] == metric).all()
            assert (table["n_pairs"] >= 0).all()
        else:
            assert set(sweep.glob("comparison*.csv")) == before
        no_leftovers(sweep)


@settings(max_examples=12, **SETTINGS)
@given(ops=st.lists(damage, min_size=1, max_size=3))
def test_report_on_a_damaged_sweep(pristine, ops):
    with damaged(pristine, ops) as sweep:
        code, out, err = call("report", str(sweep))
        if one_line_or_ok(code, out, err):
            assert (sweep / "report.html").stat().st_size > 0
            assert (sweep / "report.pdf").read_bytes().startswith(b"%PDF-")
        else:
            assert not (sweep / "report.html").exists() and not (sweep / "report.pdf").exists()
        no_leftovers(sweep)


@settings(max_examples=40, **SETTINGS)
@given(ops=st.lists(damage.filter(lambda op: op[0] not in ("rmjob", "junk_file", "junk_dir", "record")),
                    min_size=1, max_size=2))
def test_report_on_a_damaged_run_folder(pristine, ops):
    """The same damage to one job folder, reported on by itself (as a run)."""
    with damaged(pristine, [(op[0], "3", *op[2:]) for op in ops]) as sweep:
        job = sweep / "3"
        code, out, err = call("report", str(job))
        if one_line_or_ok(code, out, err):
            assert (job / "report.pdf").read_bytes().startswith(b"%PDF-")
        else:
            assert not (job / "report.html").exists() and not (job / "report.pdf").exists()
        no_leftovers(job)
