"""`mentorsim sensitivity`: end to end, seeds averaged on common random numbers, the dummy as noise floor."""
from __future__ import annotations

import json
import math
import stat

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.charts.sweep import NOISE_FLOOR_PARAMETER
from sim.studies import sensitivity
from sim.studies.sensitivity import DUMMY, Param, Spec, run_sensitivity, seeds_for

from ._util import mentorsim, ok

PARAMS = {"program.cadence_weeks": {"low": 1, "high": 12, "type": "int"},
          "program.enroll_share": {"low": 0.1, "high": 1.0},
          "program.effects.skill_transfer": {"low": 0.0, "high": 0.12}}
OUTCOMES = ["turnover_annual", "effect.turnover_annual"]


def _write_spec(path, **changes):
    spec = {"method": "morris", "trajectories": 2, "levels": 4, "jobs": 2, "seed": 0, "seeds": 2,
            "outcomes": OUTCOMES, "overrides": ["org=small", "sim.horizon_years=0.5"], "params": PARAMS, **changes}
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def test_morris_end_to_end(tmp_path):
    spec = _write_spec(tmp_path / "spec.yaml")
    out = tmp_path / "sens"
    proc = ok(mentorsim("sensitivity", "--spec", str(spec), "--out", str(out), cwd=tmp_path))
    assert f"wrote {out}" in proc.stdout
    names = [*PARAMS, DUMMY]
    table = pd.read_csv(out / "sensitivity.csv")
    assert len(table) == len(OUTCOMES) * len(names)
    assert set(zip(table["outcome"], table["parameter"])) == {(o, p) for o in OUTCOMES for p in names}
    for col in ("mu_star", "mu_star_conf", "sigma", "importance"):
        assert table[col].notna().all() and (table[col] >= 0).all(), col
    floor = table[table["parameter"] == DUMMY].set_index("outcome")["importance"]
    assert (table["above_noise_floor"] == (table["importance"] > table["outcome"].map(floor))
            & (table["parameter"] != DUMMY)).all()
    samples = pd.read_parquet(out / "samples.parquet")
    rows = (len(names) + 1) * 2
    assert len(samples) == rows
    assert list(samples.columns) == [*names, "first_seed", *[c for o in OUTCOMES for c in (o, f"{o}.seed_sd")]]
    assert samples[OUTCOMES].notna().all().all()
    for name, bounds in PARAMS.items():
        assert samples[name].between(bounds["low"], bounds["high"]).all(), name
    assert (samples["program.cadence_weeks"] == np.round(samples["program.cadence_weeks"])).all()
    # Morris: consecutive points of a trajectory differ in exactly one parameter, and share
    # their seeds unless that parameter is the dummy; trajectories have seeds of their own
    x, first = samples[names].to_numpy(), samples["first_seed"].to_numpy()
    for t in range(2):
        block = slice(t * (len(names) + 1), (t + 1) * (len(names) + 1))
        moved = np.diff(x[block], axis=0) != 0
        assert (moved.sum(axis=1) <= 1).all()
        assert ((np.diff(first[block]) != 0) == moved[:, -1]).all()
    assert len(set(first[0::len(names) + 1])) == 2
    pngs = list(out.glob("*.png"))
    assert pngs and all(p.stat().st_size > 1000 for p in pngs)
    status = json.loads((out / "status.json").read_text())
    assert status["status"] == "complete" and status["method"] == "morris" and status["samples"] == rows
    assert status["seeds_per_sample"] == 2 and status["runs"] == 2 * rows and status["dummy"] is True
    assert all((out / c).exists() for c in status["charts"])
    assert out.stat().st_mode & stat.S_IRGRP  # an ordinary folder, not a private temporary one
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_dummy_name_is_the_charts_noise_floor():
    assert DUMMY == NOISE_FLOOR_PARAMETER


def test_seeds_are_common_within_a_group_and_a_dummy_step_moves_to_another_block():
    spec = Spec(params=[Param("a", 0, 1), Param("b", 0, 1)], outcomes=["y"], seeds=3, dummy=False)
    x = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
    assert seeds_for(spec, x, 7).tolist() == [[7, 8, 9]] * 3
    spec.dummy = True  # Morris: trajectories of 4 samples (two parameters and the dummy)
    x = np.array([[0, 0, 0.0], [1, 0, 0.0], [1, 0, 2 / 3], [1, 1, 2 / 3],
                  [0, 0, 1 / 3], [0, 0, 1.0], [0, 1, 1.0], [1, 1, 1.0]])
    first = seeds_for(spec, x, 7)[:, 0].tolist()
    assert first == [7, 7, 10, 10, 13, 16, 16, 16]
    assert seeds_for(spec, x, 7)[2].tolist() == [10, 11, 12]


def _fake_model(noise_sd: float):
    """Stands in for the simulation: y = 2 a + noise(seed); it never reads b (nor the dummy)."""
    def runs(overrides, seeds):
        values = dict(o.split("=", 1) for o in overrides)
        a = float(values["program.enroll_share"])
        return [{"y": 2 * a + noise_sd * np.random.default_rng(seed).standard_normal()} for seed in seeds]
    return runs


FAKE_PARAMS = [Param("program.enroll_share", 0.1, 1.0), Param("program.effects.skill_transfer", 0.0, 0.12)]


def test_sobol_dummy_index_is_the_seed_noise_share(tmp_path, monkeypatch):
    """With y = 2a + mean of `seeds` N(0, s) draws, the dummy's ST is the noise share of Var(y).

    Var(2a) = 4 x 0.9^2 / 12 = 0.27 (a uniform on [0.1, 1]); the noise of a mean of 2 seeds
    has variance s^2 / 2 = 0.125, so ST_dummy = 0.125 / 0.395 = 0.316 and ST_a = 0.27 / 0.395
    = 0.684; b is never read and its steps keep the seeds, so ST_b is exactly 0. The tolerance
    is 3 standard errors, from SALib's bootstrap 95% half-width (1.96 SE).
    """
    monkeypatch.setattr(sensitivity, "_runs", _fake_model(noise_sd=0.5))
    spec = Spec(params=FAKE_PARAMS, outcomes=["y"], method="sobol", samples=256, seeds=2, jobs=1,
                overrides=["org=small"])
    table = run_sensitivity(spec, tmp_path / "out", progress=False).set_index("parameter")
    expected = {"program.enroll_share": 0.27 / 0.395, DUMMY: 0.125 / 0.395}
    for name, st in expected.items():
        assert abs(table.at[name, "ST"] - st) < 3 * table.at[name, "ST_conf"] / 1.96, (name, table.loc[name])
    assert table.at["program.effects.skill_transfer", "ST"] == 0.0
    assert table["above_noise_floor"].tolist() == [True, False, False]


def test_morris_dummy_index_is_what_seed_noise_gives(tmp_path, monkeypatch):
    """Morris on the fake model: b (never read, seeds kept) has mu* = 0 exactly, a has mu* = 2 x 0.9
    x (2/3) / (2/3) = 1.8 exactly (linear, noise cancels on common seeds), and the dummy has the mean
    |difference of two independent 2-seed means| / step: s x sqrt(2/2) x sqrt(2/pi) / (2/3) = 0.60
    for s = 0.5. Its mean over 40 trajectories has a relative SE of 0.755 / sqrt(40) = 0.12
    (half-normal), so 3 SE is 36%.
    """
    monkeypatch.setattr(sensitivity, "_runs", _fake_model(noise_sd=0.5))
    spec = Spec(params=FAKE_PARAMS, outcomes=["y"], trajectories=40, seeds=2, jobs=1, overrides=["org=small"])
    table = run_sensitivity(spec, tmp_path / "out", progress=False).set_index("parameter")
    assert table.at["program.effects.skill_transfer", "mu_star"] == 0.0
    assert table.at["program.enroll_share", "mu_star"] == pytest.approx(1.8)
    expected = 0.5 * math.sqrt(2 / 2) * math.sqrt(2 / math.pi) / (2 / 3)
    assert table.at[DUMMY, "mu_star"] == pytest.approx(expected, rel=0.36)


def test_samples_are_means_over_the_same_seeds(tmp_path):
    """Without the dummy every sample runs on sim.seed .. sim.seed + seeds - 1; each outcome in
    samples.parquet is the mean of those runs, identical to averaging separate runs by hand."""
    spec = Spec(params=[Param("program.cadence_weeks", 1, 12, "int"), Param("program.enroll_share", 0.1, 1.0)],
                outcomes=["turnover_annual"], trajectories=2, seeds=2, dummy=False, jobs=1,
                overrides=["org=small", "sim.horizon_years=0.25", "sim.seed=3"])
    run_sensitivity(spec, tmp_path / "out", progress=False)
    samples = pd.read_parquet(tmp_path / "out" / "samples.parquet")
    assert (samples["first_seed"] == 3).all()
    from sim.api import run

    for i in (0, len(samples) - 1):
        row = samples.iloc[i]
        overrides = [*spec.overrides, f"program.cadence_weeks={int(row['program.cadence_weeks'])}",
                     f"program.enroll_share={float(row['program.enroll_share'])!r}"]
        by_hand = [run([*overrides, f"sim.seed={s}"]).metrics["turnover_annual"] for s in (3, 4)]
        assert row["turnover_annual"] == pytest.approx(np.mean(by_hand), abs=1e-12)
        assert row["turnover_annual.seed_sd"] == pytest.approx(np.std(by_hand, ddof=1), abs=1e-12)


def test_a_real_driver_stands_above_the_dummy_and_a_negligible_one_does_not(tmp_path):
    """The first-year exit multiplier (1 to 4) drives turnover; over one year, meeting cadence barely does.

    Small org, one year, 3 seeds, 6 trajectories (fixed sampling and simulation seeds). Seed noise:
    turnover's seed SD is about 3 points here, so the dummy's expected mu* is 0.030 x sqrt(2/3) x
    sqrt(2/pi) / (2/3) = 0.029, with a SE of 0.755 / sqrt(6) = 31% of that (half-normal mean over 6
    trajectories). A step of 2/3 of the multiplier's range (2 units) raises turnover by about 5 points,
    mu* about 0.075: more than 5 dummy SEs above the floor. Cadence's effect within one year is about
    0.001. Margins: the driver must be at least 1.5x the dummy; the dummy must stay within 3 SE of the
    value its own seed SD predicts (samples.parquet), which a dummy that moved no seeds (mu* = 0) fails.
    """
    spec = Spec(params=[Param("attrition.first_year_multiplier", 1.0, 4.0), Param("program.cadence_weeks", 1, 12, "int")],
                outcomes=["turnover_annual"], trajectories=6, seeds=3, jobs=1,
                overrides=["org=small", "sim.horizon_years=1"])
    table = run_sensitivity(spec, tmp_path / "out", progress=False).set_index("parameter")
    samples = pd.read_parquet(tmp_path / "out" / "samples.parquet")
    seed_sd = float(np.sqrt((samples["turnover_annual.seed_sd"] ** 2).mean()))
    predicted = seed_sd * math.sqrt(2 / 3) * math.sqrt(2 / math.pi) / (2 / 3)
    floor = table.at[DUMMY, "mu_star"]
    assert abs(floor - predicted) < 3 * 0.755 / math.sqrt(6) * predicted, (floor, predicted)
    assert table.at["attrition.first_year_multiplier", "mu_star"] > 1.5 * floor
    assert table.at["program.cadence_weeks", "mu_star"] < floor
    assert table["above_noise_floor"].tolist() == [True, False, False]
