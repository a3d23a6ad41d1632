"""Runs that start from a calibrated organization's real people (`org.start_from`): the snapshot
written by `mentorsim calibrate`, the week-0 workforce built from it, and its one-line errors."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import load_config, run
from sim.commands import dispatch
from sim.config.checks import ConfigError
from sim.engine.model import OrgModel
from sim.hris.export import export_run
from tests.conftest import mentorsim

GENERATING = ["org=small", "sim.horizon_years=6", "program=none", "sim.seed=3", "output.charts=false",
              "output.report=false"]


@pytest.fixture(scope="module")
def configs(tmp_path_factory):
    root = tmp_path_factory.mktemp("snapshot")
    result = run(load_config(GENERATING))
    result.save(root / "run", charts=False)
    export_run(root / "run", root / "extract", salt="s")
    assert dispatch(["calibrate", str(root / "extract"), "--out", str(root / "configs"), "--name", "acme",
                     "--adjust-rounds", "0", "--no-report"]) == 0
    return root / "configs"


def started(configs, *overrides):
    cfg = load_config([f"hydra.searchpath=[file://{configs}]", "org=acme", "program=none", *overrides])
    model = OrgModel(cfg)
    slots = model.pop.active_slots()
    return cfg, model, slots


def test_the_snapshot_holds_only_its_columns_and_no_extract_id(configs):
    snap = pd.read_parquet(configs / "snapshots" / "acme.parquet")
    assert list(snap.columns) == ["employee_id", "level", "group", "department", "age_years", "tenure_years",
                                  "years_in_level"]
    extract_ids = set(pd.read_csv(configs.parent / "extract" / "employees.csv")["employee_id"])
    assert not extract_ids & set(snap["employee_id"])  # pseudonyms under a salt that is not kept
    assert (snap["years_in_level"] <= snap["tenure_years"]).all()


def test_the_snapshot_is_coarsened_ages_in_whole_years_tenure_in_weeks_small_departments_merged(configs):
    import yaml

    snap = pd.read_parquet(configs / "snapshots" / "acme.parquet")
    assert (snap["age_years"] == snap["age_years"].round()).all()  # no birth date, only whole years
    for name in ("tenure_years", "years_in_level"):
        weeks = snap[name] * 52
        assert np.allclose(weeks, weeks.round(), atol=1e-9)  # the engine's step, nothing finer
    # k-anonymity on level x group x department: a department is named only where 5 or more people of
    # the level and group share it; "other" under 5 only where it is the whole (small) cell.
    for (level, group), cell in snap.groupby(["level", "group"]):
        counts = cell["department"].value_counts()
        assert all(n >= 5 or (department == "other" and len(counts) == 1) for department, n in counts.items()), (
            level, group, counts)
    assert (snap["department"] == "other").any()  # the top levels of org=small are small
    org = yaml.safe_load((configs / "org" / "acme.yaml").read_text())
    assert "other" in org["departments"]


def test_week_0_is_the_snapshot_headcount_by_level_group_and_department(configs):
    cfg, model, s = started(configs)
    snap = pd.read_parquet(cfg.org.start_from)
    pop = model.pop
    levels = [lv.name for lv in cfg.org.levels]
    groups = [g.name for g in cfg.org.groups]
    simulated = pd.crosstab(np.array(levels)[pop.level[s]], np.array(groups)[pop.group[s]])
    observed = pd.crosstab(snap["level"].to_numpy(), snap["group"].to_numpy())
    pd.testing.assert_frame_equal(simulated.sort_index(), observed.sort_index(), check_names=False)
    departments = np.array(cfg.org.departments)[pop.department[s]]
    assert sorted(departments) == sorted(snap["department"])
    # The extract's levels table gives the seats; the seats nobody held at the snapshot open at week 0.
    vac = model.vacancies
    open_seats = np.bincount(vac.level[vac.active_slots()], minlength=len(levels))
    held = snap["level"].value_counts().reindex(levels, fill_value=0).to_numpy()
    assert (open_seats == np.array([lv.seats for lv in cfg.org.levels]) - held).all()
    assert open_seats.sum() > 0


def test_tenure_time_in_level_and_age_are_the_snapshot_s_to_the_week(configs):
    cfg, model, s = started(configs)
    snap = pd.read_parquet(cfg.org.start_from)
    pop, wpy = model.pop, cfg.sim.weeks_per_year
    # Years in the file are whole weeks (1/52); a week of 52 is exact, so sorted values agree to rounding.
    for simulated, observed in ((pop.tenure_weeks(s, 0) / wpy, snap["tenure_years"]),
                                (pop.weeks_in_level(s, 0) / wpy, snap["years_in_level"]),
                                (pop.age_years(s, 0), snap["age_years"])):
        assert np.allclose(np.sort(simulated), np.sort(observed.to_numpy()), atol=0.5 / wpy)


def test_competencies_start_below_target_by_the_gap_left_after_time_in_level(configs):
    # Without talent and draw spread a competency is exactly target - hire_gap x exp(-rate x years in level)
    # (stretch 0): the whole formula, per person, against the file's years in level.
    cfg, model, s = started(configs, "development.talent_sd=0", "development.hire_sd=0")
    pop, org, dev, wpy = model.pop, model.org, cfg.development, cfg.sim.weeks_per_year
    gap = org.target[pop.level[s]] - pop.competency[s]
    years = pop.weeks_in_level(s, 0) / wpy
    expected = (dev.stretch + dev.hire_gap) * np.exp(-dev.learning_rate_per_year * years) - dev.stretch
    assert np.allclose(gap, expected[:, None], atol=1e-12)
    assert gap.max() > 0.04 and gap.min() < 0.01  # newcomers and old hands both in the snapshot


def test_calibrating_the_same_extract_twice_writes_the_same_snapshot(configs, tmp_path):
    assert dispatch(["calibrate", str(configs.parent / "extract"), "--out", str(tmp_path), "--name", "acme",
                     "--adjust-rounds", "0", "--no-report"]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "snapshots" / "acme.parquet"),
                                  pd.read_parquet(configs / "snapshots" / "acme.parquet"))


def test_a_run_from_the_snapshot_is_reproducible(configs):
    first = run(load_config([f"hydra.searchpath=[file://{configs}]", "org=acme", "program=none",
                             "sim.horizon_years=1", "sim.seed=5"]))
    again = run(load_config([f"hydra.searchpath=[file://{configs}]", "org=acme", "program=none",
                             "sim.horizon_years=1", "sim.seed=5"]))
    pd.testing.assert_frame_equal(first.timeseries, again.timeseries)
    assert first.timeseries["headcount"].sum() > 0


def test_a_missing_or_damaged_snapshot_is_one_line(configs, tmp_path):
    with pytest.raises(ConfigError, match=r"org.start_from = 'snapshots/none.parquet': no such file"):
        load_config([f"hydra.searchpath=[file://{configs}]", "org=acme", "org.start_from=snapshots/none.parquet"])
    damaged = tmp_path / "damaged.parquet"
    damaged.write_bytes(b"not parquet")
    with pytest.raises(ConfigError, match="not a readable parquet snapshot"):
        load_config([f"hydra.searchpath=[file://{configs}]", "org=acme", f"org.start_from={damaged}"])
    foreign = tmp_path / "foreign.parquet"
    snap = pd.read_parquet(configs / "snapshots" / "acme.parquet")
    snap.assign(level="Intern").to_parquet(foreign)
    with pytest.raises(ConfigError, match="level 'Intern' is not in the org config"):
        load_config([f"hydra.searchpath=[file://{configs}]", "org=acme", f"org.start_from={foreign}"])
    done = mentorsim("--config-dir", str(configs), "org=acme", "org.start_from=snapshots/none.parquet",
                     cwd=tmp_path, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]  # one line, no traceback
    assert done.stderr.startswith("mentorsim: error: org.start_from = 'snapshots/none.parquet': no such file")


def test_the_explorer_applies_the_calibrated_experiment_with_the_org(configs, tmp_path, monkeypatch):
    import shutil

    import yaml

    from sim.config.load import config_dir
    from sim.present.explorer.design import Design, check

    folder = tmp_path / "configs"
    shutil.copytree(config_dir(), folder)  # the explorer's --config-dir: a copy of configs/ ...
    for sub in ("org", "experiment", "snapshots"):  # ... holding the calibrated organization
        shutil.copytree(configs / sub, folder / sub, dirs_exist_ok=True)
    monkeypatch.setenv("MENTORSIM_CONFIG_DIR", str(folder))
    design = Design(org="acme", program="none", horizon_years=1)
    assert design.overrides()[0] == "experiment=acme"
    assert check(design) == (None, None)
    fitted = yaml.safe_load((configs / "experiment" / "acme.yaml").read_text())
    cfg = load_config(design.overrides())
    assert cfg.attrition.first_year_multiplier == fitted["attrition"]["first_year_multiplier"]
    assert cfg.org.start_from == str((folder / "snapshots" / "acme.parquet").resolve())
    assert Design(org="small", program="none").overrides()[0] == "org=small"  # a shipped org: unchanged


def test_a_design_search_over_the_calibrated_organization_checks_its_winner(configs, tmp_path):
    """The design check composes the winner as the runs do, so it finds the snapshot (org.start_from)
    relative to the config folder too (it used to fail with 'no such file')."""
    import yaml

    sweep = tmp_path / "opt"
    done = mentorsim("--config-dir", str(configs), "-m", "experiment=design_search", "org=acme",
                     "sim.horizon_years=0.5", "output.charts=false", "evaluation.objective_seeds=1",
                     "hydra.sweeper.n_trials=2", "hydra.callbacks.design_check.seeds=2", f"hydra.sweep.dir={sweep}",
                     cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr.lower(), done.stderr
    check = yaml.safe_load((sweep / "design_check.yaml").read_text())
    assert len(check["check"]["values"]) == 2
