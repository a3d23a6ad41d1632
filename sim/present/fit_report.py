"""The fit report of `mentorsim calibrate` (HTML and PDF, in CONFIG_DIR/reports/NAME/): what was
fitted, the data against the fitted hazards by level and tenure, hires' tenure survival and
promotions observed against simulated (checks, not inputs), and the backtest when there is one.

Levels with fewer than `min_cell` people at the end of the window are shown as suppressed in
every table and left out of the charts (privacy); so are the tenure curves of a level with fewer
than `min_cell` hires (a panel saying so, no curve).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from ..charts import fit as fit_charts
from ..hris.checks import hazard_table, observed_tenure, promotion_table, simulate_checks
from ..hris.report import fit_table
from ..hris.survival import tenure_by_level
from .document import Document, Section, to_html
from .pdf import write_pdf

HIDDEN = "suppressed"


def _num(value, digits: int = 3) -> str:
    return "" if value is None or value != value else f"{value:.{digits}f}"


def _small_levels(fit, min_cell: int) -> set[str]:
    heads = fit.counts["headcount"]
    return {level for level, h in heads.items() if 0 < h < min_cell}


def sections(fit, data, config, min_cell: int, folder: Path) -> tuple[list[Section], dict]:
    """The report's sections; charts drawn into `folder`."""
    hidden = _small_levels(fit, min_cell)
    years = float(np.clip((fit.until - fit.since).days / 365.25, 1.0, 5.0))
    sim = simulate_checks(config, round(years, 2))
    out, figures = [], {}
    table = fit_table(fit, min_cell)
    rows = [("level", "people", "voluntary exits", "person-years", "GLM rate (95% CI)", "written rate")] + [
        (level, *((HIDDEN,) * 5 if pd.isna(r["voluntary_exits"]) else
                  (r["headcount"], r["voluntary_exits"], f"{r['person_years']:,.0f}",
                   f"{r['glm_rate']:.3f} ({r['ci_low']:.3f}-{r['ci_high']:.3f})", f"{r['base_turnover']:.4f}")))
        for level, r in table.iterrows()]
    out.append(Section("What was fitted", [
        f"Window {fit.since:%Y-%m-%d} to {fit.until:%Y-%m-%d}. Voluntary exit rates are a piecewise-constant "
        "hazard model (Poisson GLM on exposure by level, first year and after); every value in org/ and "
        f"experiment/ carries its basis and 95% interval as a comment. Levels of fewer than {min_cell} people are "
        "suppressed.",
        *([f"Base rates were adjusted through simulation so that the model, with its state effects on, leaves "
           f"at the data's rate: factors {', '.join(f'{f:.2f}' for f in fit.adjustment.factors)} by level."]
          if fit.adjustment is not None else [])], rows))
    hz = hazard_table(fit, data)
    shown = hz[~hz["level"].isin(hidden) & (hz["person_years"] > 0)]
    out.append(Section("Voluntary exit hazard by level and tenure", [
        "Points: the data's voluntary exits per person-year in each tenure band, with exact 95% Poisson "
        "intervals; bars: the fitted rate (the level's rate times the first-year multiplier in the first year). "
        "The model has no tenure effect after the first year, so a trend across the later bands would show "
        "what the fit leaves out."],
        [("level", "tenure", "exits", "person-years", "observed", "95% interval", "fitted")] + [
            (r.level, r.tenure, *((HIDDEN,) * 5 if r.level in hidden else
                                  (r.exits, f"{r.person_years:,.0f}", _num(r.observed),
                                   f"{_num(r.low)}-{_num(r.high)}", _num(r.fitted))))
            for r in hz.itertuples() if r.person_years > 0],
        [fit_charts.hazards(shown, folder / "fit_hazards.png")]))
    obs = observed_tenure(data, fit.since, fit.until)
    tenure = tenure_by_level(obs, sim.tenure, data.level_names, years, min_cell, hidden)
    figures["tenure_logrank_p"] = {r.level: (None if r.suppressed or not np.isfinite(r.p_value) else r.p_value)
                                   for r in tenure}
    km = fit_charts.tenure_survival([_panel(r, min_cell) for r in tenure], folder / "fit_tenure.png",
                                    horizon=years)
    out.append(Section("Tenure of hires: observed and simulated", [
        f"Kaplan-Meier curves (lifelines, 95% bands) of the time from hire to a voluntary exit (other exits "
        f"and the end censor), cut at {years:g} years: {tenure[0].observed_hires:,} hires in the data's window "
        f"against {tenure[0].simulated_hires:,} hires of {sim.seeds} simulations of the calibrated organization over "
        f"{years:g} years from its snapshot, for all hires (of the levels shown) and by the level hired into. A "
        "check: the curves are not "
        "fitted to each other. The log-rank test asks whether the data's hires and the simulated ones leave "
        "at the same pace: 'differs' (p below 0.05) says they do not, so the fit misses something about "
        "that level's hires; 'consistent' says the data give no evidence against the model (with few hires, "
        "not much evidence for it either). Levels with fewer than "
        f"{min_cell} people at the end of the window or fewer than {min_cell} hires are suppressed."],
        [("level hired into", "hires (data)", "hires (simulated)", "1-year stay: data",
          "simulated", "log-rank chi-square", "test")] + [
            (r.level, *((HIDDEN,) * 6 if r.suppressed else
                        (f"{r.observed_hires:,}", f"{r.simulated_hires:,}", _pct(r.observed), _pct(r.simulated),
                         _num(r.statistic, 2), r.verdict())))
            for r in tenure],
        [km]))
    pt = promotion_table(fit, data, sim)
    out.append(Section("Promotions: observed and simulated (checks, not inputs)", [
        "Promotions come from vacancy chains in the model, so they are not fitted; these compare the data's "
        "promotions out of each level per person-year and the mean years in level at promotion with the "
        "same simulations."],
        [("level", "promotions", "observed rate (95%)", "simulated rate (95%)", "years in level", "simulated")] + [
            (r.level, *((HIDDEN,) * 5 if r.level in hidden else
                        (r.promotions, f"{_num(r.observed)} ({_num(r.low)}-{_num(r.high)})",
                         f"{_num(r.simulated)} ({_num(r.sim_low)}-{_num(r.sim_high)})",
                         _num(r.years_in_level, 2), _num(r.sim_years_in_level, 2))))
            for r in pt.itertuples()],
        [fit_charts.promotions(pt[~pt["level"].isin(hidden)], folder / "fit_promotions.png")]))
    bt = fit.backtest
    if bt is not None:
        by = bt.table.groupby("measure", sort=False)["covered"].mean()
        figures["backtest_coverage"] = bt.coverage
        out.append(Section("Backtest", [
            f"Fitted on the data before {bt.cut:%Y-%m-%d}, simulated from the people employed then over "
            f"{bt.seeds} seeds to {bt.end:%Y-%m-%d}. {bt.coverage:.0%} of {bt.cells} cells (year x level x "
            f"measure) fall inside the simulated 90% band ({', '.join(f'{m} {v:.0%}' for m, v in by.items())}); "
            "near 90% means the fit forecasts as well as its own noise allows. Each cell: observed (simulated "
            "band); * marks an observed value outside its band."],
            backtest_rows(bt.table, hidden)))
    figures.update({"simulated_seeds": sim.seeds, "check_years": years})
    return out, figures


def _pct(curve) -> str:
    return "" if curve is None else f"{curve.at(1.0):.0%}"


def _panel(row, min_cell: int) -> dict:
    """A chart panel of one level's curves (plain tuples: the charts import nothing of the package)."""
    as_tuple = lambda c: None if c is None else (c.t, c.s, c.low, c.high, c.n)  # noqa: E731
    if row.suppressed:
        return {"title": row.level, "note": f"suppressed\n(fewer than {min_cell} people)"}
    return {"title": row.level, "observed": as_tuple(row.observed), "simulated": as_tuple(row.simulated),
            "note": "no hires"}


def backtest_rows(table: pd.DataFrame, hidden: set[str]) -> list[tuple]:
    """One row per level and measure, one column per year: `observed (low-high)`, * when outside."""
    years = sorted(table["year"].unique())
    rows = [("level", "measure", *[f"year {y + 1}" for y in years])]
    for (level, measure), part in table.groupby(["level", "measure"], sort=False):
        cells = part.set_index("year")
        rows.append((level, measure, *[HIDDEN if level in hidden else
                                       f"{cells.at[y, 'observed']} ({cells.at[y, 'low']}-{cells.at[y, 'high']})"
                                       + ("" if cells.at[y, "covered"] else " *") for y in years]))
    return rows


def write_fit_report(fit, data, config, out_dir: Path, name: str, min_cell: int) -> Path:
    """Write report.html and report.pdf into out_dir/reports/NAME/ (charts drawn in a temporary
    folder and embedded); returns the HTML's path."""
    folder = Path(out_dir) / "reports" / name
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".report.", dir=folder))
    try:
        secs, figures = sections(fit, data, config, min_cell, tmp)
        doc = Document(title=f"Fit report: {name}", sections=secs, figures=figures)
        (tmp / "report.html").write_text(to_html(doc, {}, {}), encoding="utf-8")
        write_pdf(tmp / "report.pdf", doc, {}, {})
        for file in ("report.html", "report.pdf"):
            os.replace(tmp / file, folder / file)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder / "report.html"
