"""`mentorsim calibrate DATA_DIR --out CONFIG_DIR --name NAME`: fit an HR extract and write

    CONFIG_DIR/org/NAME.yaml          the organization (levels, seats, fitted turnover, ages, groups)
    CONFIG_DIR/experiment/NAME.yaml   the org plus the fitted keys outside it (first-year multiplier,
                                      involuntary exits, retirement ages)
    CONFIG_DIR/snapshots/NAME.parquet the people employed at the end of the window (`org.start_from`:
                                      runs start from them)

so that `mentorsim --config-dir CONFIG_DIR experiment=NAME` (or `org=NAME`, the org alone) runs it.
Every fitted value carries a comment: the estimate's basis, its 95% interval and how it was fitted.
Values HR data cannot give (competence demand, profiles, capability weights, replacement costs) are
written as assumptions and say so. Both files are checked by composing them into a Config before
they are moved into place; on any error nothing is written.
"""
from __future__ import annotations

import math
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..config.schema import DEFAULT_COMPETENCIES
from .adjust import MAX_YEARS, ROUNDS, adjust_base_rates
from .backtest import DEFAULT_SEEDS, Backtest, compare, observed_years, run_seeds, suppressed, years_between
from .fit import Estimate, Fit, fit_organization
from .history import spell_table
from .load import load_hr_data
from .privacy import MIN_CELL, OTHER
from .schema import HRDataError
from .snapshot import held_on, snapshot_table

SNAPSHOT_DIR = "snapshots"
REPORT_FILES = ("backtest.csv", "report.html", "report.pdf")  # in CONFIG_DIR/reports/NAME/

DEFAULTS = {"ttf_weeks": 8.0, "external_share": 0.25, "mean_age": 40.0, "hire_age": 32.0, "salary": 80000.0}


def _q(text: str) -> str:
    return yaml.safe_dump(text, default_style='"').strip()


def _line(indent: str, key: str, value, how: str) -> str:
    text = _q(value) if isinstance(value, str) else ("true" if value is True else "false" if value is False
                                                    else f"{value:g}" if isinstance(value, float) else str(value))
    return f"{indent}{key}: {text}  # {how}"


def _finite(est, default: float, note: str):
    if est is None or not math.isfinite(est.value):
        return default, f"default ({note})"
    return est.value, est.how


def _round_shares(values: list[float]) -> list[float]:
    rounded = [round(v, 4) for v in values]
    rounded[-1] = round(1.0 - sum(rounded[:-1]), 6)  # shares must sum to 1
    return rounded


def org_yaml(fit: Fit, data, name: str, snapshot: str | None = None) -> str:
    levels = data.levels
    n = len(levels)
    lines = [f"# Organization '{name}', calibrated from an HR extract by `mentorsim calibrate`.",
             f"# Window {fit.since:%Y-%m-%d} to {fit.until:%Y-%m-%d}; what is fitted and how: docs/MODEL.md.",
             f"name: {_q(name)}",
             f"competencies: [{', '.join(DEFAULT_COMPETENCIES)}]  # assumed: HR data has no competencies",
             f"departments: [{', '.join(_q(d) for d in fit.departments)}]  # as in the data"
             + (f" (and {OTHER!r}: in the snapshot, departments of fewer than --min-cell people of a level and group)"
                if OTHER in fit.departments else ""),
             *([f"start_from: {_q(snapshot)}  # the people employed on {fit.until:%Y-%m-%d} (relative to the "
                "config folder)"] if snapshot else []),
             "groups:"]
    shares = _round_shares([g[1].value for g in fit.groups])
    tops = _round_shares([g[2].value for g in fit.groups])
    for (gname, share, top), s, t in zip(fit.groups, shares, tops):
        lines.append(f"  - name: {_q(gname)}")
        lines.append(_line("    ", "share", s, share.how))
        lines.append(_line("    ", "top_share", t, top.how))
    lines.append("levels:")
    for rank, est in enumerate(fit.levels):
        row = levels.iloc[rank]
        frac = rank / max(n - 1, 1)
        leadership = bool(row["leadership"]) if "leadership" in levels and pd.notna(row.get("leadership")) else (
            rank >= n / 2)
        lines.append(f"  - name: {_q(str(row['level']))}")
        lines.append(_line("    ", "seats", int(est["seats"].value), est["seats"].how))
        lines.append(_line("    ", "leadership", leadership, "from levels" if "leadership" in levels
                           else "assumed: the upper half of the ranks"))
        lines.append(_line("    ", "demand", round(0.4 + 0.4 * frac, 3), "assumed: 0.4 at entry to 0.8 at the top"))
        lines.append("    profile: [0.2, 0.2, 0.2, 0.2, 0.2]  # assumed: equal weights")
        lines.append(_line("    ", "base_turnover", est["base_turnover"].value, est["base_turnover"].how))
        ttf, how = _finite(est.get("ttf_weeks"), DEFAULTS["ttf_weeks"], "no external requisitions")
        lines.append(_line("    ", "ttf_weeks", round(ttf, 2), how))
        share, how = _finite(est.get("external_share"), 1.0 if rank == 0 else DEFAULTS["external_share"],
                             "no fills observed")
        lines.append(_line("    ", "external_share", round(share, 4), how))
        for key in ("mean_age", "hire_age"):
            value, how = _finite(est.get(key), DEFAULTS[key], "no ages in the data" if not data.has_ages
                                 else "nobody observed")
            lines.append(_line("    ", key, round(float(np.clip(value, 18, 70)), 2), how))
        tenure, how = _finite(est.get("mean_tenure_years"), 3.0, "nobody observed")
        lines.append(_line("    ", "mean_tenure_years", round(tenure, 2), how))
        lines.append(_line("    ", "capability_weight", round(1 + 3 * frac, 3), "assumed: 1 at entry to 4 at the top"))
        salary = float(row["salary"]) if "salary" in levels and pd.notna(row.get("salary")) else DEFAULTS["salary"]
        lines.append(_line("    ", "salary", salary, "from levels" if "salary" in levels else "assumed"))
        lines.append(_line("    ", "replacement_cost_share", round(0.2 * 10 ** frac, 3),
                           "assumed: 0.2 of salary at entry to 2.0 at the top"))
    return "\n".join(lines) + "\n"


def experiment_yaml(fit: Fit, name: str) -> str:
    lines = ["# @package _global_",
             f"# Organization '{name}' with the fitted keys outside org/ (`mentorsim calibrate`).",
             "defaults:", f"  - override /org: {name}", ""]
    sections: dict[str, list[str]] = {}
    for key, est in fit.global_keys.items():
        parts = key.split(".")
        sections.setdefault(parts[0], []).append((parts[1:], est))
    for section, items in sections.items():
        lines.append(f"{section}:")
        nested = [i for i in items if len(i[0]) == 2]
        for (sub,), est in [i for i in items if len(i[0]) == 1]:
            lines.append(_line("  ", sub, est.value, est.how))
        if nested:
            lines.append(f"  {nested[0][0][0]}:")
            for (_, sub), est in nested:
                lines.append(_line("    ", sub, est.value, est.how))
    return "\n".join(lines) + "\n"


def _check(config_dir: Path, name: str) -> None:
    """Compose the written files into a Config: a fit that would not run is an error here."""
    from ..config.load import load_config
    from ..config.checks import ConfigError

    try:
        # Without a program: the default program's levels may not exist in a smaller organization.
        load_config([f"hydra.searchpath=[file://{config_dir.resolve()}]", f"experiment={name}", "program=none"])
    except ConfigError as err:
        raise HRDataError(f"the fitted config is not valid: {err}") from None


def _date(option: str, text: str) -> pd.Timestamp:
    day = pd.to_datetime(text, format="ISO8601", errors="coerce")
    if pd.isna(day):
        raise HRDataError(f"{option} = {text!r}: must be a date (YYYY-MM-DD)")
    return day


def calibrate(data_dir, out_dir, name: str, columns=None, cut: str | None = None,
              min_cell: int = MIN_CELL, backtest_seeds: int | None = None, end: str | None = None,
              overrides=(), progress=None, adjust_rounds: int = ROUNDS) -> tuple[Path, Fit]:
    """Fit the extract (on the window before `cut`, if given) and write the config files. With a cut
    the fit is backtested over `backtest_seeds` seeds (default 20; 0: none) from the cut to `end`
    (default: the last date in the data); `fit.backtest` holds the result, also written to
    CONFIG_DIR/reports/NAME/backtest.csv. The base rates are adjusted through `adjust_rounds` rounds
    of simulation (`adjust`; 0: the realized hazards). `overrides` are added to every simulation."""
    if not name or not name.replace("_", "").replace("-", "").isascii() or not name.replace("_", "").replace(
            "-", "").isalnum():
        raise HRDataError(f"--name = {name!r}: must be letters, digits, - and _ (a config file name)")
    until = None if cut is None else _date("--cut", cut)
    if backtest_seeds is not None and backtest_seeds < 0:
        raise HRDataError(f"--backtest-seeds = {backtest_seeds}: must be 0 (no backtest) or more seeds")
    if cut is None and (end is not None or backtest_seeds):
        raise HRDataError(f"--{'end' if end is not None else 'backtest-seeds'} = "
                          f"{end if end is not None else backtest_seeds!r}: a backtest needs --cut DATE")
    if adjust_rounds < 0:
        raise HRDataError(f"--adjust-rounds = {adjust_rounds}: must be 0 (no adjustment) or more rounds")
    if min_cell < 1:
        raise HRDataError(f"--min-cell = {min_cell}: must be a positive number of people")
    data = load_hr_data(data_dir, columns)
    if until is not None and not (data.employees["hire_date"].min() < until <= data.as_of):
        raise HRDataError(f"--cut = {cut!r}: must fall inside the data ({data.employees['hire_date'].min():%Y-%m-%d}"
                          f" to {data.as_of:%Y-%m-%d})")
    seeds = DEFAULT_SEEDS if backtest_seeds is None else backtest_seeds
    last = data.as_of if end is None else _date("--end", end)
    if until is not None and seeds:
        if not until < last <= data.as_of:
            raise HRDataError(f"--end = {end!r}: must fall after the cut and inside the data (up to "
                              f"{data.as_of:%Y-%m-%d})")
        if years_between(until, last) < 1:
            raise HRDataError(f"--cut = {cut!r}: a backtest needs a whole year between the cut and the end of "
                              f"the data ({last:%Y-%m-%d}); cut earlier or give --backtest-seeds 0")
    fit = fit_organization(data, until=until, min_cell=min_cell)
    fit.data = data
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".calibrate.", dir=out_dir))
    try:
        snapshot = f"{SNAPSHOT_DIR}/{name}.parquet"
        (tmp / SNAPSHOT_DIR).mkdir()
        people = snapshot_table(spell_table(data), fit.until, data.performance, min_cell)
        if OTHER in set(people["department"]) and OTHER not in fit.departments:
            fit.departments.append(OTHER)  # small departments merged in the snapshot (privacy)
        people.to_parquet(tmp / snapshot, index=False)
        for group, text in (("org", org_yaml(fit, data, name, snapshot)), ("experiment", experiment_yaml(fit, name))):
            (tmp / group).mkdir()
            (tmp / group / f"{name}.yaml").write_text(text)
        _check(tmp, name)
        if adjust_rounds and fit.hazard.exits.sum():
            _adjust(fit, data, tmp, name, snapshot, adjust_rounds, overrides)
        for path in (snapshot, f"org/{name}.yaml", f"experiment/{name}.yaml"):
            (out_dir / path).parent.mkdir(exist_ok=True)
            os.replace(tmp / path, out_dir / path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for stale in REPORT_FILES:  # an earlier calibration's report and backtest describe another fit
        (out_dir / "reports" / name / stale).unlink(missing_ok=True)
    if until is not None and seeds:
        fit.backtest = run_backtest(data, out_dir, name, until, last, seeds, min_cell, overrides, progress)
    return out_dir / "org" / f"{name}.yaml", fit


def _adjust(fit: Fit, data, folder: Path, name: str, snapshot: str, rounds: int, overrides) -> None:
    """Scale the fitted base rates so that simulation reproduces the observed voluntary turnover
    (`adjust`), and rewrite the org file in `folder` with them."""
    from ..config.load import load_config

    config = load_config([f"hydra.searchpath=[file://{folder.resolve()}]", f"experiment={name}", "program=none",
                          *overrides])
    h = fit.hazard
    observed = np.divide(h.exits, h.person_years, out=np.zeros(len(h.exits)), where=h.person_years > 0)
    years = float(np.clip((fit.until - fit.since).days / 365.25, 1.0, MAX_YEARS))
    fit.adjustment = adj = adjust_base_rates(config, observed, rounds=rounds, years=round(years, 2))
    for rank, level in enumerate(fit.levels):
        est = level["base_turnover"]
        level["base_turnover"] = Estimate(round(float(est.value * adj.factors[rank]), 4),
                                          f"{est.how}; {adj.how(rank)}")
    (folder / "org" / f"{name}.yaml").write_text(org_yaml(fit, data, name, snapshot))
    _check(folder, name)


def run_backtest(data, out_dir: Path, name: str, cut, end, seeds: int, min_cell: int, overrides=(),
                 progress=None) -> Backtest:
    """Simulate the written experiment from its snapshot, compare with the data after the cut, and
    write reports/NAME/backtest.csv (small levels blanked)."""
    from ..config.load import load_config

    config = load_config([f"hydra.searchpath=[file://{out_dir.resolve()}]", f"experiment={name}", "program=none",
                          *overrides])
    years = years_between(cut, end)
    spells = spell_table(data)
    simulated, names = run_seeds(config, seeds, years, progress)
    bt = Backtest(table=compare(observed_years(data, spells, cut, years), simulated, names), seeds=seeds,
                  cut=cut, end=end)
    at_cut = held_on(spells, cut)["level"].value_counts().reindex(names, fill_value=0)
    folder = out_dir / "reports" / name
    folder.mkdir(parents=True, exist_ok=True)
    suppressed(bt, at_cut, min_cell).to_csv(folder / "backtest.csv.tmp", index=False)
    os.replace(folder / "backtest.csv.tmp", folder / "backtest.csv")
    return bt
