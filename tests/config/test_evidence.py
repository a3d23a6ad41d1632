"""Evidence targets as data: the shipped files load, and each kind of mistake is one line."""
from __future__ import annotations

import pytest

from sim.config.checks import ConfigError
from sim.config.evidence import REQUIRED, load_targets, parse_target

GOOD = {"quantity": "effect.mentee.exit_hazard_ratio", "population": "mentees", "low": 0.85, "high": 0.97,
        "evidence": "working_range", "source": "A. Author (2020), Journal 1:1-2", "measured_as": "a rate ratio"}


def test_the_shipped_targets_load_and_cover_the_issue():
    targets = {t.quantity: t for t in load_targets()}
    assert set(targets) >= {"effect.mentee.exit_hazard_ratio", "effect.mentee.promotion_hazard_ratio",
                            "effect.mentor.exit_hazard_ratio", "naive.mentee.exit_hazard_ratio"}
    for t in targets.values():
        assert t.low <= t.high and t.source and t.measured_as and t.population
        assert t.value is None or t.low <= t.value <= t.high
    naive = targets["naive.mentee.exit_hazard_ratio"]
    assert naive.value == pytest.approx(0.46) and naive.holds(0.5) and not naive.holds(0.9)
    assert not targets["effect.mentee.exit_hazard_ratio"].holds(float("nan"))


@pytest.mark.parametrize("change, message", [
    ({"low": 1.2, "high": 1.0}, "evidence.t.high = 1.0: must be >= low (1.2)"),
    ({"low": "high"}, "evidence.t.low = 'high': must be a finite number"),
    ({"value": 2.0}, "evidence.t.value = 2.0: must lie in [low, high] = [0.85, 0.97]"),
    ({"evidence": "hunch"}, "evidence.t.evidence = 'hunch': must be one of published_estimate, working_range"),
    ({"quantity": "exit hazard"}, "evidence.t.quantity = 'exit hazard': must be a metrics.json key"),
    ({"source": " "}, "evidence.t.source = ' ': must be a non-empty string"),
    ({"colour": "red"}, "evidence.t.colour = 'red': unknown key; allowed: "),
])
def test_mistakes_are_one_line(change, message):
    with pytest.raises(ConfigError) as err:
        parse_target("t", {**GOOD, **change})
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_missing_keys_empty_folders_duplicates_and_bad_yaml(tmp_path):
    for key in REQUIRED:
        with pytest.raises(ConfigError, match=rf"^evidence\.t\.{key} = None: is required$"):
            parse_target("t", {k: v for k, v in GOOD.items() if k != key})
    with pytest.raises(ConfigError, match="holds no target file"):
        load_targets(tmp_path)
    (tmp_path / "a.yaml").write_text("quantity: [unclosed\n")
    with pytest.raises(ConfigError, match=r"^evidence\.a = a\.yaml: is not valid YAML"):
        load_targets(tmp_path)
    text = "\n".join(f"{k}: {v}" for k, v in GOOD.items())
    (tmp_path / "a.yaml").write_text(text)
    (tmp_path / "b.yaml").write_text(text)
    with pytest.raises(ConfigError, match="each quantity may have one target only"):
        load_targets(tmp_path)
    (tmp_path / "b.yaml").unlink()
    assert [t.name for t in load_targets(tmp_path)] == ["a"]


def test_the_evidence_check_table_from_known_seeds():
    """experiments/evidence_check.py: mean over seeds, t-interval, inside or not, NaN seeds left out."""
    import importlib.util
    import math
    from pathlib import Path

    import pandas as pd
    from scipy import stats

    path = Path(__file__).resolve().parents[2] / "experiments" / "evidence_check.py"
    spec = importlib.util.spec_from_file_location("evidence_check", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    target = parse_target("t", GOOD)
    frame = pd.DataFrame({GOOD["quantity"]: [0.90, 0.94, 0.92, float("nan")]})
    row = module.evidence_table([target], frame).iloc[0]
    half = stats.t.ppf(0.975, 2) * 0.02 / math.sqrt(3)  # sd of 0.90, 0.94, 0.92 is 0.02
    assert row["seeds"] == 3 and row["mean"] == pytest.approx(0.92)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.92 - half, 0.92 + half))
    assert bool(row["inside"])
    row = module.evidence_table([target], pd.DataFrame({GOOD["quantity"]: [1.1, 1.2]})).iloc[0]
    assert not bool(row["inside"])
    assert "| `effect.mentee.exit_hazard_ratio` | 0.85 to 0.97 |" in module.markdown(
        module.evidence_table([target], frame))
