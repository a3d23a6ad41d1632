"""Test 2: compare on synthetic runs tables whose answers are computed by hand."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.commands import dispatch
from sim.config.checks import ConfigError
from sim.studies.compare import compare, parse_baseline, seeds_needed

B = [1.0, 2.0, 3.0, 4.0]
D = [0.1, 0.3, 0.2, 0.4]
X = [b + d for b, d in zip(B, D)]


def _row(seed, metric_value, status="complete", **ov):
    scenario = " ".join(f"{k}={v}" for k, v in sorted(ov.items()))
    return {"status": status, "scenario": scenario, "seed": seed, "turnover_annual": metric_value,
            **{f"ov.{k}": str(v) for k, v in ov.items()}, "ov.sim.seed": str(seed)}


def _one_factor_table():
    rows = [_row(s, b, matching="random") for s, b in enumerate(B)]
    rows += [_row(s, x, matching="optimal") for s, x in enumerate(X)]
    return pd.DataFrame(rows).sample(frac=1.0, random_state=3)  # order must not matter


def _hand_sd(values):
    m = sum(values) / len(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1))


def test_paired_interval_matches_the_hand_computation():
    out = compare(_one_factor_table(), parse_baseline(["matching=random"]), ["turnover_annual"])
    assert len(out) == 1
    row = out.iloc[0]
    assert row["scenario"] == "matching=optimal" and row["baseline"] == "matching=random"
    assert row["n_pairs"] == 4
    assert row["mean_difference"] == pytest.approx(0.25)
    sd = _hand_sd(D)  # sqrt(0.05 / 3)
    assert sd == pytest.approx(math.sqrt(0.05 / 3))
    assert row["sd_difference"] == pytest.approx(sd)
    hw = stats.t.ppf(0.975, 3) * sd / math.sqrt(4)
    assert hw == pytest.approx(0.2054, abs=1e-4)
    assert row["half_width_paired"] == pytest.approx(hw)
    assert row["ci_low"] == pytest.approx(0.25 - hw) and row["ci_high"] == pytest.approx(0.25 + hw)
    assert row["mean_scenario"] == pytest.approx(2.75) and row["mean_baseline"] == pytest.approx(2.5)


def test_unpaired_welch_interval_matches_the_hand_computation():
    row = compare(_one_factor_table(), {"matching": "random"}, ["turnover_annual"]).iloc[0]
    vx, vb = _hand_sd(X) ** 2 / 4, _hand_sd(B) ** 2 / 4
    df = (vx + vb) ** 2 / (vx ** 2 / 3 + vb ** 2 / 3)
    hw_u = stats.t.ppf(0.975, df) * math.sqrt(vx + vb)
    assert row["half_width_unpaired"] == pytest.approx(hw_u)
    assert row["width_ratio_unpaired_to_paired"] == pytest.approx(hw_u / row["half_width_paired"])
    # pairing on common random numbers is what makes the interval narrow here
    assert row["half_width_unpaired"] > 5 * row["half_width_paired"]


def _smallest_n(sd, precision, confidence=0.95):
    n = 2
    while stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n) > precision:
        n += 1
    return n


@pytest.mark.parametrize("precision", [0.3, 0.2, 0.1, 0.05, 0.01])
def test_seeds_needed_is_the_smallest_sufficient_n(precision):
    sd = _hand_sd(D)
    expected = _smallest_n(sd, precision)
    assert seeds_needed(sd, precision, 0.95) == expected
    row = compare(_one_factor_table(), {"matching": "random"}, ["turnover_annual"], precision=precision).iloc[0]
    assert row["seeds_needed"] == expected
    # the answer does what it promises, and one seed fewer would not
    t = lambda n: stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)  # noqa: E731
    assert t(expected) <= precision
    if expected > 2:
        assert t(expected - 1) > precision


def test_seeds_needed_other_confidence_and_edge_cases():
    assert seeds_needed(1.0, 0.5, 0.9) == _smallest_n(1.0, 0.5, 0.9)
    assert seeds_needed(1.0, 0.5, 0.99) == _smallest_n(1.0, 0.5, 0.99)
    assert math.isnan(seeds_needed(1.0, None, 0.95))
    assert seeds_needed(0.0, 0.1, 0.95) == 2


def _two_factor_table():
    """matching {random, optimal, skill_gap} x cadence {2, 4} x seeds 0..3.

    value = 10 * cadence + seed (the shared noise) + an effect that depends on matching, cadence
    and seed; pairing with the wrong cadence or seed would be off by 20 or by whole units.
    """
    effect = {("random", 2): [0, 0, 0, 0], ("random", 4): [0, 0, 0, 0],
              ("optimal", 2): [0.1, 0.3, 0.2, 0.4], ("optimal", 4): [-0.5, -0.1, -0.3, -0.3],
              ("skill_gap", 2): [1.0, 1.0, 1.2, 0.8], ("skill_gap", 4): [0.0, 0.2, -0.2, 0.4]}
    rows = []
    for (matching, cadence), eff in effect.items():
        for seed in range(4):
            rows.append(_row(seed, 10 * cadence + seed + eff[seed], matching=matching,
                             **{"program.cadence_weeks": cadence, "org": "small"}))
    return pd.DataFrame(rows).sample(frac=1.0, random_state=7), effect


def test_two_factor_grid_pairs_on_the_other_factor_and_the_seed():
    table, effect = _two_factor_table()
    out = compare(table, {"matching": "random"}, ["turnover_annual"])
    assert len(out) == 4  # optimal and skill_gap, at cadence 2 and 4
    for _, row in out.iterrows():
        ov = dict(item.split("=", 1) for item in row["scenario"].split())
        cadence = int(ov["program.cadence_weeks"])
        assert f"program.cadence_weeks={cadence}" in row["baseline"].split()
        assert "matching=random" in row["baseline"].split()
        d = effect[(ov["matching"], cadence)]
        assert row["n_pairs"] == 4
        assert row["mean_difference"] == pytest.approx(sum(d) / 4)
        assert row["sd_difference"] == pytest.approx(_hand_sd(d))
        assert row["half_width_paired"] == pytest.approx(stats.t.ppf(0.975, 3) * _hand_sd(d) / 2)


def test_two_key_baseline_pairs_every_scenario_with_that_one_cell():
    table, effect = _two_factor_table()
    out = compare(table, parse_baseline(["matching=random", "program.cadence_weeks=2"]), ["turnover_annual"])
    assert len(out) == 5
    for _, row in out.iterrows():
        ov = dict(item.split("=", 1) for item in row["scenario"].split())
        cadence = int(ov["program.cadence_weeks"])
        d = [10 * (cadence - 2) + e for e in effect[(ov["matching"], cadence)]]
        assert row["n_pairs"] == 4
        assert row["mean_difference"] == pytest.approx(sum(d) / 4)


def test_failed_and_incomplete_rows_are_ignored():
    rows = [_row(s, b, matching="random") for s, b in enumerate(B)]
    rows += [_row(s, x, matching="optimal") for s, x in enumerate(X)]
    rows += [_row(4, 100.0, status="failed", matching="optimal"), _row(4, 50.0, status="incomplete",
                                                                       matching="random"),
             _row(3, 1e6, status="failed", matching="random")]
    table = pd.DataFrame(rows)
    table.loc[table["status"] != "complete", "turnover_annual"] = np.nan
    row = compare(table, {"matching": "random"}, ["turnover_annual"]).iloc[0]
    assert row["n_pairs"] == 4 and row["mean_difference"] == pytest.approx(0.25)


def test_twin_baseline_pairs_each_run_with_its_own_twin():
    rows = []
    for s, (b, x) in enumerate(zip(B, X)):
        rows.append({**_row(s, x, matching="optimal"), "twin.turnover_annual": b})
        rows.append({**_row(s, x + 1.0, matching="random"), "twin.turnover_annual": b + 0.5})
    out = compare(pd.DataFrame(rows), "twin", ["turnover_annual"]).set_index("scenario")
    assert out.loc["matching=optimal", "mean_difference"] == pytest.approx(0.25)
    assert out.loc["matching=random", "mean_difference"] == pytest.approx(0.75)
    assert (out["n_pairs"] == 4).all()
    assert out.loc["matching=optimal", "half_width_paired"] == pytest.approx(
        stats.t.ppf(0.975, 3) * _hand_sd(D) / 2)


def test_user_mistakes_are_one_line_errors(tmp_path, capsys):
    assert dispatch(["compare", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("mentorsim: error: ") and "not a folder" in err[0]
    with pytest.raises(ConfigError, match="not_a_metric"):
        compare(_one_factor_table(), {"matching": "random"}, ["not_a_metric"])
    with pytest.raises(ConfigError, match="program.length_weeks"):
        compare(_one_factor_table(), {"program.length_weeks": "26"}, ["turnover_annual"])
    with pytest.raises(ValueError, match="KEY=VALUE"):
        parse_baseline(["matching"])


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99])
def test_intervals_use_scipy_stats_quantiles_to_the_bit(confidence):
    """The quantiles come from scipy.special (cheaper to import than scipy.stats): the same numbers, so
    seeds.csv and the seeds.* metrics are unchanged."""
    from sim.present.sweep_text import paired_interval
    from sim.studies.compare import half_width, welch_half_width

    for n in (2, 3, 5, 10, 30, 200):
        assert half_width(0.7, n, confidence) == float(stats.t.ppf(0.5 + confidence / 2, n - 1) * 0.7 / math.sqrt(n))
    x, y = np.array([1.0, 2.5, 2.0, 4.0]), np.array([0.5, 0.25, 1.5])
    vx, vy = x.var(ddof=1) / 4, y.var(ddof=1) / 3
    df = (vx + vy) ** 2 / (vx ** 2 / 3 + vy ** 2 / 2)
    assert welch_half_width(x, y, confidence) == float(stats.t.ppf(0.5 + confidence / 2, df) * math.sqrt(vx + vy))
    half = stats.t.ppf(0.5 + confidence / 2, 3) * x.std(ddof=1) / math.sqrt(4)
    assert paired_interval(x, confidence)[:2] == (float(x.mean() - half), float(x.mean() + half))
    from sim.studies import compare as module

    assert module.ndtri(0.5 + confidence / 2) == stats.norm.ppf(0.5 + confidence / 2)  # seeds_needed's first guess
