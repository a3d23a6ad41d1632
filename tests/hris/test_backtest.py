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


def _spy(monkeypatch, module, name, calls):
    original = getattr(module, name)

    def spy(*args, **kwargs):
        calls[name] = args
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)


def _rows_of(html: str, heading: str, level: str) -> list[list[str]]:
    """The cells of the rows of `level` in the table under `heading`."""
    import re

    section = html.split(f"<h2>{heading}</h2>", 1)[1].split("<h2>", 1)[0]
    table = section.split("<table", 1)[1].split("</table>", 1)[0]
    rows = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table)]
    return [r for r in rows if r and r[0] == level]


def test_the_fit_report_shows_fit_checks_and_backtest_with_small_levels_suppressed(extract, tmp_path, capsys,
                                                                                    monkeypatch):
    import json
    import re

    from sim.charts import fit as fit_charts

    calls = {}
    for name in ("hazards", "tenure_survival", "promotions"):
        _spy(monkeypatch, fit_charts, name, calls)
    assert dispatch(["calibrate", str(extract), "--out", str(tmp_path), "--name", "acme", "--cut", "2025-06-01",
                     "--backtest-seeds", "3", "--adjust-rounds", "1"]) == 0
    out = capsys.readouterr().out
    assert "wrote the fit report" in out
    folder = tmp_path / "reports" / "acme"
    html = (folder / "report.html").read_text()
    for heading in ("What was fitted", "Voluntary exit hazard by level and tenure", "Tenure of hires: observed and "
                    "simulated", "Promotions: observed and simulated (checks, not inputs)", "Backtest"):
        assert f"<h2>{heading}</h2>" in html
    assert html.count("<img") == 3
    # Executive: 3 people at the cut, fewer than 5. Every table and chart by level shows it suppressed.
    printed = [line for line in out.splitlines() if line.startswith("Executive")]
    assert printed and "<NA>" in printed[0] and not re.search(r"\d", printed[0])  # the printed fit table
    labels = {"What was fitted": 1, "Voluntary exit hazard by level and tenure": 2,
              "Tenure of hires: observed and simulated": 1,
              "Promotions: observed and simulated (checks, not inputs)": 1, "Backtest": 2}  # leading label columns (level; tenure band or measure)
    for heading, skip in labels.items():
        rows = _rows_of(html, heading, "Executive")
        assert rows, heading
        assert all(cell == "suppressed" for row in rows for cell in row[skip:]), (heading, rows)
    assert "Executive" not in set(calls["hazards"][0]["level"])  # charts: the level left out ...
    assert "Executive" not in set(calls["promotions"][0]["level"])
    panels = {p["title"]: p for p in calls["tenure_survival"][0]}  # ... or a panel saying so, no curve
    assert panels["Executive"].get("observed") is None and panels["Executive"].get("simulated") is None
    assert panels["Executive"]["note"].startswith("suppressed")
    assert panels["Associate"]["observed"] is not None
    assert "all levels shown" in panels  # the pooled curve leaves the suppressed levels out
    figures = json.loads(re.search(r"id='mentorsim-figures'>(.*?)</script>", html).group(1))
    assert 0 <= figures["backtest_coverage"] <= 1
    assert 0 <= figures["tenure_logrank_p"]["Associate"] <= 1 and figures["tenure_logrank_p"]["Executive"] is None
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
