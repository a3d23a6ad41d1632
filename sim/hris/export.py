"""A run's history as an HR extract (`mentorsim hris export RUN_DIR OUT_DIR`): a synthetic extract in
exactly the format `load_hr_data` reads, from the run folder's `people.parquet` (everyone who
joined, as they joined) and `events.parquet` (exits with their reasons, promotions).

Week w of the run is the date `start + round(w x 365.25 / weeks_per_year)` days, so a simulated year
is a calendar year; everything in week w is dated on its first day. The starting workforce's history before week 0 is known only from the start of
their current level (their first spell); nobody who left before week 0 is in the run. Requisitions
are the filled ones: each hire (opened when its seat opened) and each promotion (an internal fill;
its `opened` is empty: the run folder does not log when an internally filled seat opened).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..runs.folder import is_complete
from .privacy import new_salt, pseudonymize
from .schema import HRDataError

EXIT_REASON = {"voluntary_exit": "voluntary", "retirement": "retirement", "involuntary_exit": "involuntary",
               "cycle_exit": "voluntary"}  # the stylized cycle's exits stand for voluntary turnover
DEFAULT_START = "2020-01-01"


def week_dates(weeks, start: pd.Timestamp, weeks_per_year: int) -> pd.Series:
    days = np.rint(np.asarray(weeks, dtype=np.float64) * 365.25 / weeks_per_year)
    return pd.Series(start + pd.to_timedelta(days, unit="D"))


def read_run(run_dir: Path) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """The run's config (as a mapping), people and events; an incomplete or old folder is an error."""
    if not run_dir.is_dir():
        raise HRDataError(f"RUN_DIR = {str(run_dir)!r}: not a folder")
    if not is_complete(run_dir):
        raise HRDataError(f"RUN_DIR = {str(run_dir)!r}: not a complete run folder (no status.json saying complete)")
    for name in ("people.parquet", "events.parquet"):
        if not (run_dir / name).is_file():
            raise HRDataError(f"RUN_DIR = {str(run_dir)!r}: has no {name} (a run without its event log, or "
                              f"written before people.parquet existed: run it again)")
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    return config, pd.read_parquet(run_dir / "people.parquet"), pd.read_parquet(run_dir / "events.parquet")


def extract_tables(config: dict, people: pd.DataFrame, events: pd.DataFrame, start: pd.Timestamp,
                   salt: str) -> dict[str, pd.DataFrame]:
    """employees, job_history and levels of one run, ids pseudonymized with `salt`."""
    wpy = int(config["sim"]["weeks_per_year"])
    date = lambda weeks: week_dates(weeks, start, wpy).dt.strftime("%Y-%m-%d").to_numpy()  # noqa: E731
    exits = events[events["kind"].astype(str).isin(list(EXIT_REASON))]
    exit_of = exits.drop_duplicates("employee").set_index("employee")
    # The starting workforce joined before week 0: a tenure under a week counts as one, so that every
    # hire dated on or after the start is a hire of the run.
    people = people.copy()
    initial = people["joined_week"] == 0
    for name in ("hire_week", "level_week"):
        people.loc[initial, name] = np.minimum(people.loc[initial, name], -1)
    ids = pseudonymize(people["employee"].to_numpy(), salt)
    left = people["employee"].isin(exit_of.index).to_numpy()
    exit_week = people["employee"].map(exit_of["week"])
    employees = pd.DataFrame({
        "employee_id": ids,
        "hire_date": date(people["hire_week"]),
        "birth_date": date(people["birth_week"]),
        "group": people["group"].astype(str).to_numpy(),
        "department": people["department"].astype(str).to_numpy(),
        "exit_date": np.where(left, date(exit_week.fillna(0)), ""),
        "exit_reason": np.where(left, people["employee"].map(exit_of["kind"].astype(str)).map(EXIT_REASON)
                                .fillna("").to_numpy(), ""),
    })
    # Spells: the level on joining from its start, then one per promotion; each ends where the next
    # starts, the last at the exit (empty while employed).
    first = pd.DataFrame({"employee": people["employee"], "level": people["level"].astype(str),
                          "week": people["level_week"]})
    promos = events[events["kind"].astype(str) == "promotion"]
    moves = pd.DataFrame({"employee": promos["employee"], "level": promos["level"].astype(str),
                          "week": promos["week"]})
    spells = pd.concat([first, moves], ignore_index=True).sort_values(["employee", "week"], kind="stable")
    next_start = spells.groupby("employee")["week"].shift(-1)
    end_week = next_start.fillna(spells["employee"].map(exit_of["week"]))
    salted = dict(zip(people["employee"].to_numpy(), ids))
    job_history = pd.DataFrame({
        "employee_id": spells["employee"].map(salted).to_numpy(),
        "level": spells["level"].to_numpy(),
        "start_date": date(spells["week"]),
        "end_date": np.where(end_week.notna(), date(end_week.fillna(0)), ""),
    })
    org_levels = config["org"]["levels"]
    levels = pd.DataFrame({
        "level": [lv["name"] for lv in org_levels],
        "rank": np.arange(len(org_levels)),
        "seats": [lv["seats"] for lv in org_levels],
        "leadership": [str(bool(lv["leadership"])).lower() for lv in org_levels],
        "salary": [lv["salary"] for lv in org_levels],
    })
    return {"employees": employees, "job_history": job_history, "levels": levels,
            "requisitions": requisition_table(events, date)}


def requisition_table(events: pd.DataFrame, date) -> pd.DataFrame:
    """One filled requisition per hire (external: opened when the seat opened, `detail` weeks before)
    and per promotion (internal, into the level moved to; `opened` empty: the run does not log when
    an internally filled seat opened). Seats still open at the end are not in the events."""
    kind = events["kind"].astype(str)
    hires, promos = events[kind == "hire"], events[kind == "promotion"]
    return pd.DataFrame({
        "level": np.concatenate([hires["level"].astype(str).to_numpy(), promos["level"].astype(str).to_numpy()]),
        "opened": np.concatenate([date(hires["week"] - hires["detail"]), np.full(len(promos), "")]),
        "filled": np.concatenate([date(hires["week"]), date(promos["week"])]),
        "source": ["external"] * len(hires) + ["internal"] * len(promos),
    })


def export_run(run_dir: str | Path, out_dir: str | Path, start: str = DEFAULT_START,
               salt: str | None = None) -> Path:
    """Write the run's HR extract as CSV files into `out_dir` (a new or empty folder). The files are
    written into a temporary folder beside it and moved into place only when all are written."""
    run_dir, out_dir = Path(run_dir), Path(out_dir)
    try:
        start_date = pd.Timestamp(start)
    except ValueError:
        raise HRDataError(f"--start = {start!r}: must be a date (YYYY-MM-DD)") from None
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise HRDataError(f"OUT_DIR = {str(out_dir)!r}: exists and is not empty; choose a new folder")
    config, people, events = read_run(run_dir)
    tables = extract_tables(config, people, events, start_date, salt or new_salt())
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for name, frame in tables.items():
            frame.to_csv(tmp / f"{name}.csv", index=False)
        if out_dir.exists():
            out_dir.rmdir()  # empty, checked above
        os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir
