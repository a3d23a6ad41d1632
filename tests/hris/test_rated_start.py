"""A start from a snapshot with performance ratings (`engine/rated_start.py`): a run whose last week is
a review writes its review scores as the extract's ratings; calibrating it and starting from its
snapshot places the rated people's competence by their ratings, as the review's score implies."""
from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from sim import load_config, run
from sim.commands import dispatch
from sim.config.snapshot import read_snapshot
from sim.engine.model import OrgModel
from sim.hris.export import DEFAULT_START, export_run, week_dates
from sim.hris.history import spell_table
from sim.hris.load import load_hr_data
from sim.hris.privacy import pseudonymize
from sim.hris.snapshot import extract_salt

SKILL_SIGNAL = 0.6  # performance.skill_signal of both the generating run and the calibrated one (the default)
# org=default (about 1,000 people) for the correlation's sampling error; its last week (51) is a review.
GENERATING = ["org=default", "sim.horizon_years=1", "review.first_week=25", "program=none", "sim.seed=7",
              f"performance.skill_signal={SKILL_SIGNAL}", "output.charts=false", "output.report=false"]


@pytest.fixture(scope="module")
def rated(tmp_path_factory):
    """The calibrated config folder (with and without ratings) and each snapshot person's true
    competence at the last review (by snapshot id)."""
    root = tmp_path_factory.mktemp("rated")
    result = run(load_config(GENERATING))
    pop, org, last = result.model.pop, result.model.org, result.config.sim.horizon_weeks - 1
    reviewed = pop.active_slots()
    reviewed = reviewed[pop.hire_week[reviewed] < last]  # hired after the review in its week: no score
    result.save(root / "run", charts=False)
    export_run(root / "run", root / "plain", salt="s")
    shutil.copytree(root / "plain", root / "extract")
    day = week_dates([last], pd.Timestamp(DEFAULT_START), result.config.sim.weeks_per_year).iloc[0]
    # On a 1-5 scale, as HR systems rate: the snapshot standardizes within level, so the scale drops out.
    pd.DataFrame({"employee_id": pseudonymize(pop.eid[reviewed], "s"), "date": f"{day:%Y-%m-%d}",
                  "rating": np.round(3 + 0.8 * pop.performance[reviewed], 3)}).to_csv(
        root / "extract" / "performance.csv", index=False)
    for extract, out in (("extract", "configs"), ("plain", "plain_configs")):
        assert dispatch(["calibrate", str(root / extract), "--out", str(root / out), "--name", "acme",
                         "--adjust-rounds", "0", "--no-report"]) == 0
    salt = extract_salt(spell_table(load_hr_data(root / "extract")))
    snapshot_ids = pseudonymize(pseudonymize(pop.eid[reviewed], "s"), salt)
    competence = np.einsum("ij,ij->i", org.profile[pop.level[reviewed]], pop.competency[reviewed])
    return root, pd.Series(competence, index=snapshot_ids)


def start(folder, *overrides):
    cfg = load_config([f"hydra.searchpath=[file://{folder}]", "org=acme", "program=none", *overrides])
    model = OrgModel(cfg)
    snap = read_snapshot(cfg.org.start_from, cfg.org)  # the start's order: rank, then id
    slots = model.pop.active_slots()
    assert (model.pop.level[slots] == snap["rank"].to_numpy()).all()
    competence = np.einsum("ij,ij->i", model.org.profile[model.pop.level[slots]], model.pop.competency[slots])
    return snap, model.pop.competency[slots], competence


def within_level(values: np.ndarray, levels: np.ndarray) -> np.ndarray:
    out = np.empty_like(values)
    for level in np.unique(levels):
        here = levels == level
        out[here] = (values[here] - values[here].mean()) / values[here].std()
    return out


def test_ratings_are_written_standardized_within_level_and_only_with_performance_data(rated):
    root, _ = rated
    snap = pd.read_parquet(root / "configs" / "snapshots" / "acme.parquet")
    assert snap["rating_z"].notna().mean() > 0.95  # everyone but the last week's hires
    by_level = snap.groupby("level")["rating_z"]
    assert np.allclose(by_level.mean(), 0, atol=0.01) and np.allclose(by_level.std(ddof=0), 1, atol=0.01)
    plain = pd.read_parquet(root / "plain_configs" / "snapshots" / "acme.parquet")
    assert "rating_z" not in plain  # without performance data: the file as before
    pd.testing.assert_frame_equal(snap.drop(columns="rating_z"), plain)


def test_started_competence_correlates_with_the_true_one_as_the_review_score_implies(rated):
    root, truth = rated
    snap, _, placed = start(root / "configs")
    _, _, drawn = start(root / "plain_configs")
    levels = snap["rank"].to_numpy()
    true = snap["employee_id"].map(truth).to_numpy()
    ok = ~np.isnan(true) & snap["rating_z"].notna().to_numpy()
    z_true = within_level(np.nan_to_num(true), levels)[ok]
    z_placed, z_drawn = within_level(placed, levels)[ok], within_level(drawn, levels)[ok]
    # The review's score r = rho z + sqrt(1 - rho^2) e, so corr(r, z) = rho; the start sets
    # z* = rho r + sqrt(1 - rho^2) d, d the draw's position, with corr(d, z) = c0 (measured: the start
    # without ratings) and cov(r, d) = rho c0. Hence
    #   corr(z*, z) = (rho^2 + sqrt(1 - rho^2) c0) / sqrt(1 + 2 rho^2 sqrt(1 - rho^2) c0),
    # about rho^2 = 0.36 (c0 is near 0), against rho = 0.6 for the rating alone.
    rho, c0 = SKILL_SIGNAL, np.corrcoef(z_drawn, z_true)[0, 1]
    w = np.sqrt(1 - rho**2)
    expected = (rho**2 + w * c0) / np.sqrt(1 + 2 * rho**2 * w * c0)
    observed = np.corrcoef(z_placed, z_true)[0, 1]
    # Tolerance: 3 standard errors of a correlation on Fisher's scale, 1/sqrt(n - 3) (n about 950).
    tolerance = 3 / np.sqrt(ok.sum() - 3)
    assert abs(np.arctanh(observed) - np.arctanh(expected)) < tolerance, (observed, expected, c0)
    assert np.arctanh(rho) - np.arctanh(observed) > tolerance  # shrunk: not the rating taken at face value


def test_the_unrated_start_exactly_as_without_ratings(rated):
    root, _ = rated
    snap, competency, _ = start(root / "configs")
    _, plain_competency, _ = start(root / "plain_configs")
    unrated = snap["rating_z"].isna().to_numpy()
    assert unrated.any() and not unrated.all()
    assert np.array_equal(competency[unrated], plain_competency[unrated])
    # A rating column of blanks starts exactly as no column (the path runs without ratings).
    blank = root / "configs" / "snapshots" / "blank.parquet"
    snap_file = pd.read_parquet(root / "configs" / "snapshots" / "acme.parquet")
    snap_file.assign(rating_z=np.nan).to_parquet(blank)
    _, blank_competency, _ = start(root / "configs", f"org.start_from={blank}")
    assert np.array_equal(blank_competency, plain_competency)
    # With no signal in the review, a rating says nothing: the start is the draw.
    _, silent, _ = start(root / "configs", "performance.skill_signal=0")
    assert np.array_equal(silent, plain_competency)


def test_the_latest_rating_up_to_the_day_is_standardized_within_the_level():
    from sim.hris.snapshot import standardized_ratings

    day = pd.Timestamp("2024-01-01")
    here = pd.DataFrame({"employee_id": ["a", "b", "c", "d", "e"], "level": ["L0", "L0", "L0", "L1", "L1"]})
    performance = pd.DataFrame({
        "employee_id": ["a", "a", "b", "c", "c", "d", "e"],
        "date": pd.to_datetime(["2023-01-01", "2023-07-01", "2023-07-01", "2023-07-01", "2024-03-01",
                                "2023-07-01", "2023-07-01"]),
        "rating": [1.0, 4.0, 2.0, 3.0, 5.0, 3.0, 3.0]})
    z = standardized_ratings(performance, here, day)
    # L0: a's latest is 4 (not 1), c's 3 (the rating after the day is not seen), b's 2: mean 3, SD sqrt(2/3).
    assert np.allclose(z[:3], np.round(np.array([1.0, -1.0, 0.0]) / np.sqrt(2 / 3), 2))
    assert np.isnan(z[3:]).all()  # L1: ratings all alike say nothing about who is better
    assert np.allclose(standardized_ratings(performance.assign(rating=performance["rating"] * 20 + 7), here, day)[:3],
                       z[:3])  # any scale: 1-5 or 0-100


def test_a_snapshot_with_an_infinite_rating_is_one_line(rated, tmp_path):
    from sim.config.checks import ConfigError

    root, _ = rated
    bad = tmp_path / "bad.parquet"
    pd.read_parquet(root / "configs" / "snapshots" / "acme.parquet").assign(rating_z=np.inf).to_parquet(bad)
    with pytest.raises(ConfigError, match="rating_z must be a finite number or empty in every row"):
        load_config([f"hydra.searchpath=[file://{root / 'configs'}]", "org=acme", f"org.start_from={bad}"])
