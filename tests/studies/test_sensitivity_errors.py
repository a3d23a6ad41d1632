"""`mentorsim sensitivity` mistakes: one line naming the key or option, exit 2, nothing half-written."""
from __future__ import annotations

import numpy as np
import pytest

from sim.config.checks import ConfigError
from sim.studies import sensitivity
from sim.studies.sensitivity import Param, Spec, run_sensitivity
from sim.studies.sensitivity_spec import SOBOL_MIN_SAMPLES

from ._util import assert_one_line_error, mentorsim
from .test_sensitivity import PARAMS, _write_spec

BAD_SPECS = [
    ({"bogus": 1}, ["bogus", "unknown key"]),
    ({"params": {**PARAMS, "program.cadence_weeks": {"low": 4, "high": 4, "type": "int"}}},
     ["params.program.cadence_weeks.high", "must exceed low"]),
    ({"params": {**PARAMS, "program.enroll_share": {"low": 0.9, "high": 0.1}}},
     ["params.program.enroll_share.high", "must exceed low"]),
    ({"params": {**PARAMS, "program.enroll_share": {"low": "a", "high": 1.0}}},
     ["params.program.enroll_share.low = 'a'", "must be a number"]),
    ({"params": {**PARAMS, "program.enroll_share": {"low": 0.1, "high": 1.0, "step": 2}}},
     ["params.program.enroll_share", "allowed: low, high, type"]),
    ({"method": "fast"}, ["method", "morris, sobol"]),
    ({"trajectories": 1}, ["trajectories = 1", ">= 2"]),
    ({"trajectories": "six"}, ["trajectories = 'six'", ">= 2"]),
    ({"levels": 3}, ["levels = 3", "even"]),
    ({"method": "sobol", "samples": 3}, ["samples = 3", f"a power of two >= {SOBOL_MIN_SAMPLES}"]),
    ({"method": "sobol", "samples": 96}, ["samples = 96", "power of two"]),
    ({"method": "sobol", "samples": 32}, ["samples = 32", f">= {SOBOL_MIN_SAMPLES}"]),
    ({"seeds": 0}, ["seeds = 0", ">= 1"]),
    ({"jobs": 0}, ["jobs = 0", "-1"]),
    ({"dummy": "yes please"}, ["dummy", "true or false"]),
    ({"outcomes": "turnover_annual"}, ["outcomes", "list"]),
    ({"outcomes": []}, ["outcomes", "at least one"]),
    ({"params": {"program.enroll_share": {"low": 0.1, "high": 1.0}}}, ["params", "at least two"]),
    ({"params": {**PARAMS, "program.enroll_share": [0.1, 1.0]}}, ["params.program.enroll_share", "low"]),
    ({"params": {**PARAMS, "dummy": {"low": 0, "high": 1}}}, ["params.dummy", "reserved"]),
]
BAD_IDS = ["unknown-key", "high-equals-low", "high-below-low", "low-not-a-number", "unknown-bound-key",
           "bad-method", "one-trajectory", "trajectories-not-a-number", "odd-levels", "sobol-3-samples",
           "sobol-not-power-of-two", "sobol-below-minimum", "no-seeds", "zero-jobs", "dummy-not-bool",
           "outcomes-not-a-list", "no-outcomes", "one-param", "bounds-not-a-mapping", "param-named-dummy"]


@pytest.mark.parametrize("changes, fragments", BAD_SPECS, ids=BAD_IDS)
def test_bad_spec_is_a_one_line_config_error(tmp_path, changes, fragments):
    spec = _write_spec(tmp_path / "spec.yaml", **changes)
    with pytest.raises(ConfigError) as err:
        Spec.load(spec)
    message = str(err.value)
    assert "\n" not in message and all(f in message for f in fragments), message


CLI_CASES = [
    ({}, ["--jobs", "0"], ["--jobs = 0", "positive number of worker processes, or -1"]),
    ({}, ["--trajectories", "1"], ["--trajectories = 1", ">= 2"]),
    ({}, ["--seeds", "0"], ["--seeds = 0", ">= 1"]),
    ({"params": {**PARAMS, "program.enroll_share": {"low": "a", "high": 1.0}}}, [],
     ["params.program.enroll_share.low = 'a'"]),
    ({"method": "sobol", "samples": 3}, [], ["samples = 3", "power of two"]),
    ({"bogus": 1}, [], ["bogus", "unknown key"]),
    ({"params": {**PARAMS, "program.bogus_knob": {"low": 0.1, "high": 1.0}}}, [], ["program.bogus_knob"]),
    ({"params": {**PARAMS, "program.enroll_share": {"low": 0.1, "high": 1.5}}}, [],
     ["program.enroll_share", "1.5"]),
]
CLI_IDS = ["jobs-0", "trajectories-1", "seeds-0", "low-a", "sobol-samples-3", "unknown-key", "unknown-param",
           "range-out-of-bounds"]


@pytest.mark.parametrize("changes, options, fragments", CLI_CASES, ids=CLI_IDS)
def test_mistakes_on_the_command_line_are_one_line_exit_2_and_write_nothing(tmp_path, changes, options,
                                                                               fragments):
    spec = _write_spec(tmp_path / "spec.yaml", **changes)
    proc = mentorsim("sensitivity", "--spec", str(spec), "--out", str(tmp_path / "out"), *options, cwd=tmp_path)
    assert_one_line_error(proc, *fragments)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]


def test_unknown_outcome_fails_after_one_run_not_after_every_sample(tmp_path, monkeypatch):
    calls = []
    real = sensitivity._runs

    def counting(overrides, seeds):
        calls.append(len(seeds))
        return real(overrides, seeds)

    monkeypatch.setattr(sensitivity, "_runs", counting)
    spec = Spec(params=[Param("program.cadence_weeks", 1, 12, "int"), Param("program.enroll_share", 0.1, 1.0)],
                outcomes=["turnover_annual", "effect.turnover_anual"], trajectories=4, seeds=3, jobs=1,
                overrides=["org=small", "sim.horizon_years=0.1"])
    with pytest.raises(ConfigError) as err:
        run_sensitivity(spec, tmp_path / "out", progress=False)
    message = str(err.value)
    assert message.startswith("outcomes = 'effect.turnover_anual': not a metrics.json key"), message
    assert "did you mean effect.turnover_annual" in message
    assert calls == [1]  # the first run only, of 4 x 4 x 3 = 48
    assert list(tmp_path.iterdir()) == []


def test_unknown_outcome_on_the_command_line(tmp_path):
    spec = _write_spec(tmp_path / "spec.yaml", outcomes=["turnover_annual", "no_such_metric"], jobs=1,
                       overrides=["org=small", "sim.horizon_years=0.1"])
    proc = mentorsim("sensitivity", "--spec", str(spec), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert_one_line_error(proc, "outcomes = 'no_such_metric'", "not a metrics.json key")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]


def test_unwritable_out_is_one_line_before_any_run(tmp_path):
    (tmp_path / "a_file").write_text("not a folder")
    spec = _write_spec(tmp_path / "spec.yaml")
    proc = mentorsim("sensitivity", "--spec", str(spec), "--out", str(tmp_path / "a_file" / "out"), cwd=tmp_path)
    assert_one_line_error(proc, f"--out = '{tmp_path / 'a_file' / 'out'}'", "cannot write there")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "spec.yaml"]


def test_out_that_already_holds_files_is_refused(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    spec = _write_spec(tmp_path / "spec.yaml")
    proc = mentorsim("sensitivity", "--spec", str(spec), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert_one_line_error(proc, "--out = ", "not empty")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]


def test_an_outcome_undefined_in_some_run_fails_and_leaves_nothing(tmp_path, monkeypatch):
    """A failure after the runs (here: NaN in one run) removes the hidden folder: no `out`."""
    calls = []

    def runs(overrides, seeds):
        calls.append(seeds)
        return [{"y": float("nan") if (len(calls), k) == (3, 1) else 1.0} for k in range(len(seeds))]

    monkeypatch.setattr(sensitivity, "_runs", runs)
    spec = Spec(params=[Param("program.cadence_weeks", 1, 12, "int"), Param("program.enroll_share", 0.1, 1.0)],
                outcomes=["y"], trajectories=2, seeds=2, jobs=1, overrides=["org=small"])
    with pytest.raises(ConfigError, match=r"outcomes = 'y': undefined in 1 of \d+ runs"):
        run_sensitivity(spec, tmp_path / "out", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_analysis_leaves_nothing(tmp_path, monkeypatch):
    calls = []

    def runs(overrides, seeds):
        calls.append(overrides)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return [{"y": float(np.random.default_rng(s).random())} for s in seeds]

    monkeypatch.setattr(sensitivity, "_runs", runs)
    spec = Spec(params=[Param("program.cadence_weeks", 1, 12, "int"), Param("program.enroll_share", 0.1, 1.0)],
                outcomes=["y"], trajectories=4, seeds=1, jobs=1, overrides=["org=small"])
    with pytest.raises(KeyboardInterrupt):
        run_sensitivity(spec, tmp_path / "out", progress=False)
    assert list(tmp_path.iterdir()) == []
