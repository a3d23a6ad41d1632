"""`mentorsim calibrate --cut`: the backtest. On an extract the model wrote itself, the observed
yearly figures after the cut fall in the simulated 90% band about 90% of the time."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import load_config, run
from sim.commands import dispatch
from sim.hris.calibrate import calibrate
from sim.hris.export import export_run

# The model as users run it: state effects on (calibrate adjusts the base rates for them).
GENERATING = ["org=small", "sim.horizon_years=8", "program=none", "sim.seed=3", "output.charts=false",
              "output.report=false"]


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    root = tmp_path_factory.mktemp("backtest")
    run(load_config(GENERATING)).save(root / "run", charts=False)
    export_run(root / "run", root / "extract", salt="b")
    return root / "extract"


def test_coverage_is_near_nominal_on_data_the_model_wrote(extract, tmp_path):
    _, fit = calibrate(extract, tmp_path, "acme", cut="2024-01-01", backtest_seeds=20)
    bt = fit.backtest
    # 3 whole years x 6 levels x 4 measures. The band of 20 seeds is their min to max, which holds
    # a 21st exchangeable draw with probability 19/21 = 0.905 (more with ties). Binomial standard
    # error of the coverage of n cells: sqrt(0.9 x 0.1 / n) = 0.035; 3 SE below nominal fails.
    # (Cells share one history, so this is a rough bound, and the fit's own error widens misses.)
    assert bt.cells == 72
    assert bt.coverage >= 0.9 - 3 * np.sqrt(0.9 * 0.1 / bt.cells), bt.table[~bt.table["covered"]]
    for measure in ("headcount", "hires", "promotions", "exits"):
        assert (bt.table["measure"] == measure).sum() == 18


def test_the_backtest_table_is_written_with_small_levels_blanked(extract, tmp_path, capsys):
    assert dispatch(["calibrate", str(extract), "--out", str(tmp_path), "--name", "acme", "--cut", "2025-06-01",
                     "--backtest-seeds", "3"]) == 0
    out = capsys.readouterr().out
    assert "backtest 2025-06-01 to" in out and "3 seeds" in out and "inside the simulated 90% band" in out
    table = pd.read_csv(tmp_path / "reports" / "acme" / "backtest.csv")
    assert set(table["measure"]) == {"headcount", "hires", "promotions", "exits"}
    top = table[table["level"] == "Executive"]  # 3 people at the cut: fewer than 5
    assert top["observed"].isna().all() and top["low"].isna().all()
    assert table[table["level"] == "Associate"]["observed"].notna().all()


def test_the_fit_report_shows_fit_checks_and_backtest_with_small_levels_suppressed(extract, tmp_path, capsys):
    import json
    import re

    assert dispatch(["calibrate", str(extract), "--out", str(tmp_path), "--name", "acme", "--cut", "2025-06-01",
                     "--backtest-seeds", "3", "--adjust-rounds", "1"]) == 0
    assert "wrote the fit report" in capsys.readouterr().out
    folder = tmp_path / "reports" / "acme"
    html = (folder / "report.html").read_text()
    for heading in ("What was fitted", "Voluntary exit hazard by level and tenure", "Tenure of hires: observed and "
                    "simulated", "Promotions: observed and simulated (checks, not inputs)", "Backtest"):
        assert f"<h2>{heading}</h2>" in html
    assert html.count("<img") == 3
    assert "<td>Executive</td><td>suppressed</td>" in html  # 3 people at the cut: fewer than 5
    figures = json.loads(re.search(r"id='mentorsim-figures'>(.*?)</script>", html).group(1))
    assert 0 <= figures["backtest_coverage"] <= 1
    assert (folder / "report.pdf").read_bytes().startswith(b"%PDF")
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temporary left behind
    # Calibrating again without a cut or report leaves no earlier backtest or report beside the new fit.
    assert dispatch(["calibrate", str(extract), "--out", str(tmp_path), "--name", "acme", "--adjust-rounds", "0",
                     "--no-report"]) == 0
    assert not any(folder.iterdir())


def test_backtest_options_are_checked(extract, tmp_path, capsys):
    out = tmp_path / "c"
    assert dispatch(["calibrate", str(extract), "--out", str(out), "--name", "a", "--backtest-seeds", "3"]) == 2
    assert "--backtest-seeds = 3: a backtest needs --cut DATE" in capsys.readouterr().err
    assert dispatch(["calibrate", str(extract), "--out", str(out), "--name", "a", "--cut", "2027-06-01"]) == 2
    assert "a backtest needs a whole year between the cut and the end" in capsys.readouterr().err
    assert dispatch(["calibrate", str(extract), "--out", str(out), "--name", "a", "--cut", "2024-01-01",
                     "--end", "2023-01-01"]) == 2
    assert "--end = '2023-01-01': must fall after the cut" in capsys.readouterr().err
    assert dispatch(["calibrate", str(extract), "--out", str(out), "--name", "a", "--adjust-rounds", "-1"]) == 2
    assert "--adjust-rounds = -1: must be 0 (no adjustment) or more rounds" in capsys.readouterr().err
    assert not out.exists()
