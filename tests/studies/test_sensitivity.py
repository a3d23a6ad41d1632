"""Test 6: `mentorsim sensitivity` end to end on a tiny Morris design, and bad specs."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.config.checks import ConfigError
from sim.studies.sensitivity import Spec

from ._util import assert_one_line_error, mentorsim, ok

PARAMS = {"program.cadence_weeks": {"low": 1, "high": 12, "type": "int"},
          "program.enroll_share": {"low": 0.1, "high": 1.0},
          "program.effects.skill_transfer": {"low": 0.0, "high": 0.12}}
OUTCOMES = ["turnover_annual", "effect.turnover_annual"]


def _write_spec(path, **changes):
    spec = {"method": "morris", "trajectories": 2, "levels": 4, "jobs": 2, "seed": 0, "outcomes": OUTCOMES,
            "overrides": ["org=small", "sim.horizon_years=0.5"], "params": PARAMS, **changes}
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def test_morris_end_to_end(tmp_path):
    spec = _write_spec(tmp_path / "spec.yaml")
    out = tmp_path / "sens"
    proc = ok(mentorsim("sensitivity", "--spec", str(spec), "--out", str(out), cwd=tmp_path))
    assert f"wrote {out}" in proc.stdout
    table = pd.read_csv(out / "sensitivity.csv")
    assert len(table) == len(OUTCOMES) * len(PARAMS)
    assert set(zip(table["outcome"], table["parameter"])) == {(o, p) for o in OUTCOMES for p in PARAMS}
    for col in ("mu_star", "mu_star_conf", "sigma", "importance"):
        assert table[col].notna().all() and (table[col] >= 0).all(), col
    samples = pd.read_parquet(out / "samples.parquet")
    assert len(samples) == (len(PARAMS) + 1) * 2
    assert list(samples.columns) == [*PARAMS, *OUTCOMES]
    assert samples[OUTCOMES].notna().all().all()
    for name, bounds in PARAMS.items():
        assert samples[name].between(bounds["low"], bounds["high"]).all(), name
    assert (samples["program.cadence_weeks"] == np.round(samples["program.cadence_weeks"])).all()
    # Morris: consecutive points of a trajectory differ in exactly one parameter
    x = samples[list(PARAMS)].to_numpy()
    for t in range(2):
        block = x[t * (len(PARAMS) + 1):(t + 1) * (len(PARAMS) + 1)]
        assert ((np.diff(block, axis=0) != 0).sum(axis=1) <= 1).all()
    pngs = list(out.glob("*.png"))
    assert pngs and all(p.stat().st_size > 1000 for p in pngs)
    status = json.loads((out / "status.json").read_text())
    assert status["status"] == "complete" and status["method"] == "morris" and status["runs"] == len(samples)
    assert all((out / c).exists() for c in status["charts"])


BAD_SPECS = [
    ({"bogus": 1}, ["bogus", "unknown key"]),
    ({"params": {**PARAMS, "program.cadence_weeks": {"low": 4, "high": 4, "type": "int"}}},
     ["params.program.cadence_weeks.high", "must exceed low"]),
    ({"params": {**PARAMS, "program.enroll_share": {"low": 0.9, "high": 0.1}}},
     ["params.program.enroll_share.high", "must exceed low"]),
    ({"method": "fast"}, ["method", "morris, sobol"]),
    ({"trajectories": 1}, ["trajectories", ">= 2"]),
    ({"params": {"program.enroll_share": {"low": 0.1, "high": 1.0}}}, ["params", "at least two"]),
    ({"params": {**PARAMS, "program.enroll_share": [0.1, 1.0]}}, ["params.program.enroll_share", "low"]),
]
BAD_IDS = ["unknown-key", "high-equals-low", "high-below-low", "bad-method", "one-trajectory", "one-param",
           "bounds-not-a-mapping"]


@pytest.mark.parametrize("changes, fragments", BAD_SPECS, ids=BAD_IDS)
def test_bad_spec_is_a_one_line_config_error(tmp_path, changes, fragments):
    spec = _write_spec(tmp_path / "spec.yaml", **changes)
    with pytest.raises(ConfigError) as err:
        Spec.load(spec)
    message = str(err.value)
    assert "\n" not in message and all(f in message for f in fragments), message


@pytest.mark.parametrize("changes, fragments", BAD_SPECS[:2], ids=BAD_IDS[:2])
def test_bad_spec_on_the_command_line_is_one_line_and_exit_2(tmp_path, changes, fragments):
    spec = _write_spec(tmp_path / "spec.yaml", **changes)
    proc = mentorsim("sensitivity", "--spec", str(spec), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert_one_line_error(proc, *fragments)
    assert not (tmp_path / "out").exists()


def test_unknown_parameter_name_is_one_line_and_exit_2(tmp_path):
    params = {"program.cadence_weeks": PARAMS["program.cadence_weeks"],
              "program.bogus_knob": {"low": 0.1, "high": 1.0}}
    spec = _write_spec(tmp_path / "spec.yaml", params=params, jobs=1, outcomes=["turnover_annual"],
                       overrides=["org=small", "sim.horizon_years=0.1"])
    proc = mentorsim("sensitivity", "--spec", str(spec), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert_one_line_error(proc, "program.bogus_knob")
    assert not (tmp_path / "out" / "status.json").exists()
