"""`mentorsim calibrate`: parameter recovery from a run with known parameters, a written config that
runs, comments on every fitted value, and bad data that writes nothing."""
from __future__ import annotations

import numpy as np
import pytest
import yaml

from sim import load_config, run
from sim.commands import dispatch
from sim.hris.export import export_run
from tests.conftest import mentorsim
from tests.hris.helpers import EMPLOYEES, edit, write_extract

# The model's state effects (confidence, engagement, belonging, passed over, market pull) and the
# frailty move each person's hazard away from base_turnover; switched off here, the realized hazard
# is exactly base_turnover x first_year_multiplier in the first year, which is what the GLM estimates.
NO_STATE_EFFECTS = ["attrition.confidence_effect=0", "attrition.engagement_effect=0",
                    "attrition.belonging_effect=0", "attrition.passed_over_effect=0",
                    "attrition.market_pull_effect=0", "attrition.frailty_sd=0"]
GENERATING = ["org=default", "sim.horizon_years=10", "program=none", "sim.seed=7", *NO_STATE_EFFECTS,
              "output.charts=false", "output.report=false"]
# Two-sided 0.1% per comparison: 7 comparisons keep the chance of a false failure under 1%.
Z = 3.29


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    root = tmp_path_factory.mktemp("recovery")
    cfg = load_config(GENERATING)
    result = run(cfg)
    result.save(root / "run", charts=False)
    export_run(root / "run", root / "extract", salt="t")
    # The GLM's own estimates: no adjustment through simulation (test_round_trip covers that).
    assert dispatch(["calibrate", str(root / "extract"), "--out", str(root / "configs"), "--name", "acme",
                     "--adjust-rounds", "0", "--no-report"]) == 0
    org = yaml.safe_load((root / "configs" / "org" / "acme.yaml").read_text())
    experiment = yaml.safe_load((root / "configs" / "experiment" / "acme.yaml").read_text())
    return cfg, result, root, org, experiment


def test_voluntary_turnover_per_level_is_recovered_within_sampling_error(calibrated):
    cfg, result, root, org, _ = calibrated
    true = np.array([lv.base_turnover for lv in cfg.org.levels])
    fitted = np.array([lv["base_turnover"] for lv in org["levels"]])
    exits = result.events["kind"].astype(str).eq("voluntary_exit").groupby(result.events["level"],
                                                                            observed=False).sum().to_numpy()
    # A rate from E exits has a log standard error of about 1/sqrt(E) (Poisson counts).
    assert (exits >= 10).all()
    z = np.log(fitted / true) * np.sqrt(exits)
    assert np.all(np.abs(z) < Z), (fitted, true, z)


def test_the_first_year_multiplier_is_recovered_within_sampling_error(calibrated, capsys):
    cfg, result, root, _, experiment = calibrated
    fitted = experiment["attrition"]["first_year_multiplier"]
    ev = result.events[result.events["kind"].astype(str) == "voluntary_exit"]
    first_year = int((ev["detail"] < cfg.sim.weeks_per_year).sum())
    later = len(ev) - first_year
    # A ratio of two rates: log standard error sqrt(1/E1 + 1/E2).
    se = np.sqrt(1 / first_year + 1 / later)
    assert abs(np.log(fitted / cfg.attrition.first_year_multiplier)) < Z * se, (fitted, se)


def test_time_to_fill_and_external_share_are_recovered_from_the_requisitions(calibrated):
    cfg, result, root, org, _ = calibrated
    ev = result.events
    kind = ev["kind"].astype(str)
    names = [lv.name for lv in cfg.org.levels]
    hires = ev[kind == "hire"]["level"].astype(str).value_counts().reindex(names, fill_value=0).to_numpy()
    promoted_in = ev[kind == "promotion"]["level"].astype(str).value_counts().reindex(names, fill_value=0).to_numpy()
    for rank, (true, fitted) in enumerate(zip(cfg.org.levels, org["levels"])):
        n_ext, n = hires[rank], hires[rank] + promoted_in[rank]
        if n_ext >= 5:
            # Erlang(shape k) times to fill: SD = mean / sqrt(k), so the mean of n has SE mean / sqrt(k n).
            true_ttf = true.ttf_weeks * cfg.hiring.ttf_scale
            se = true_ttf / np.sqrt(int(cfg.hiring.ttf_shape) * n_ext)
            assert abs(fitted["ttf_weeks"] - true_ttf) < Z * se, (rank, fitted)
        if 0 < true.external_share < 1:
            # A binomial share of n fills: SE sqrt(p (1 - p) / n).
            se = np.sqrt(true.external_share * (1 - true.external_share) / n)
            assert abs(fitted["external_share"] - true.external_share) < Z * se, (rank, fitted, n)
    text = (root / "configs" / "org" / "acme.yaml").read_text()
    assert "external requisitions, weeks opened to filled" in text and "filled requisitions; 95% CI" in text


def test_the_written_config_composes_with_the_seats_of_the_levels_table(calibrated):
    cfg, result, root, org, _ = calibrated
    fitted = load_config([f"hydra.searchpath=[file://{root / 'configs'}]", "experiment=acme"])
    assert fitted.org.name == "acme"
    last = result.timeseries[result.timeseries["week_end"] == result.timeseries["week_end"].max()]
    headcount = last.groupby("level", observed=False)["headcount"].sum().to_numpy()
    # The export writes the org's seats into levels; the fit keeps them (at least the headcount).
    assert [lv.seats for lv in fitted.org.levels] == [max(lv.seats, int(h)) for lv, h in zip(cfg.org.levels,
                                                                                              headcount)]
    assert [g.name for g in fitted.org.groups] == ["A", "B"]
    assert abs(fitted.org.groups[0].share - 0.6) < 0.1  # hires' group A share is 0.6


def test_every_fitted_or_assumed_value_says_where_it_comes_from(calibrated):
    _, _, root, _, _ = calibrated
    for path in (root / "configs" / "org" / "acme.yaml", root / "configs" / "experiment" / "acme.yaml"):
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if ":" in stripped and not stripped.startswith(("#", "- name:", "name:", "levels:", "groups:",
                                                            "defaults:", "- override", "attrition:", "review:",
                                                            "retirement:")):
                assert "  # " in line, line


def test_the_cli_runs_the_calibrated_organization(calibrated, tmp_path):
    _, _, root, _, _ = calibrated
    out = tmp_path / "run"
    done = mentorsim("--config-dir", str(root / "configs"), "experiment=acme", "sim.horizon_years=0.5",
                     "program=none", f"output.dir={out}", "output.charts=false", "output.report=false",
                     cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "acme org" in done.stdout
    assert yaml.safe_load((out / "config.yaml").read_text())["org"]["name"] == "acme"


def test_a_cut_fits_only_what_came_before_it(calibrated, tmp_path):
    _, _, root, org, _ = calibrated
    assert dispatch(["calibrate", str(root / "extract"), "--out", str(tmp_path), "--name", "early",
                     "--cut", "2024-01-01", "--backtest-seeds", "0", "--adjust-rounds", "0", "--no-report"]) == 0
    early = yaml.safe_load((tmp_path / "org" / "early.yaml").read_text())
    assert "to 2024-01-01" in (tmp_path / "org" / "early.yaml").read_text()
    assert early["levels"][0]["base_turnover"] != org["levels"][0]["base_turnover"]


def test_bad_data_or_a_bad_option_writes_nothing(tmp_path, capsys):
    data = write_extract(tmp_path / "data", employees=edit(EMPLOYEES, "voluntary", "quit"))
    out = tmp_path / "configs"
    assert dispatch(["calibrate", str(data), "--out", str(out), "--name", "x"]) == 2
    assert "exit_reason = 'quit'" in capsys.readouterr().err
    assert not out.exists()
    good = write_extract(tmp_path / "good")
    assert dispatch(["calibrate", str(good), "--out", str(out), "--name", "x", "--cut", "2030-01-01"]) == 2
    assert "--cut = '2030-01-01': must fall inside the data" in capsys.readouterr().err
    assert dispatch(["calibrate", str(good), "--out", str(out), "--name", "../x"]) == 2
    assert not out.exists() or not any(out.rglob("*.yaml"))
