"""The round trip with the model's state effects on: a run's extract, calibrated with base rates
adjusted through simulation, simulated again with no program, leaves at the data's voluntary
turnover per level within sampling error."""
from __future__ import annotations

import numpy as np
import pytest

from sim import load_config, run
from sim.hris.adjust import simulated_turnover
from sim.hris.calibrate import calibrate
from sim.hris.export import export_run

# State effects at their defaults (on), unlike the recovery tests of test_calibrate.
GENERATING = ["org=default", "sim.horizon_years=6", "program=none", "sim.seed=11", "output.charts=false",
              "output.report=false"]
Z = 3.29  # two-sided 0.1% per level: with up to 6 levels a false failure stays under 1%


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    root = tmp_path_factory.mktemp("roundtrip")
    run(load_config(GENERATING)).save(root / "run", charts=False)
    export_run(root / "run", root / "extract", salt="r")
    _, fit = calibrate(root / "extract", root / "configs", "acme")
    return root, fit


def test_the_adjusted_organization_reproduces_the_datas_voluntary_turnover(calibrated):
    root, fit = calibrated
    h = fit.hazard
    observed = h.exits / h.person_years
    config = load_config([f"hydra.searchpath=[file://{root / 'configs'}]", "experiment=acme", "program=none"])
    exits, person_years = simulated_turnover(config, seeds=6, years=5.0, first_seed=0)  # not the fit's seeds
    simulated = exits / person_years
    # Both rates are Poisson counts over exposure: log ratio standard error sqrt(1/E_obs + 1/E_sim).
    compared = h.exits >= 10
    assert compared.sum() >= 4
    z = np.log(simulated / observed)[compared] / np.sqrt(1 / h.exits + 1 / exits)[compared]
    assert np.all(np.abs(z) < Z), (observed, simulated, z)


def test_the_adjustment_is_written_with_its_factor(calibrated):
    root, fit = calibrated
    text = (root / "configs" / "org" / "acme.yaml").read_text()
    assert text.count("so that simulation with the state effects on reproduces") == len(fit.levels)
    # The state effects are centred at their baselines, so the factors stay near 1 (within 0.6-1.6).
    assert np.all((fit.adjustment.factors > 0.6) & (fit.adjustment.factors < 1.6)), fit.adjustment.factors
