"""An HR extract, read, checked and typed: `load_hr_data(folder, columns)` -> `HRData`.

After every value passed its column's check (`schema`), the tables are checked against each other:
an exit before the hire, an exit reason without an exit date (or the reverse), an age at hire below
14 or above 100 at the end, level ranks with gaps or ties, a job spell of an unknown person or at a
level not in `levels`, a spell ending before it starts, starting before the hire or after the exit,
two spells of one person that overlap, and a person with no job spell. The first problem found is
raised as one line naming the file, row, column and value.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .read import read_tables
from .schema import MAX_AGE, MIN_AGE, TRUE_TEXT, HRDataError, cell_message, validate_table

DAYS_PER_YEAR = 365.25


@dataclass
class HRData:
    """Typed tables. Dates are pandas Timestamps (NaT when empty); levels are sorted by rank."""

    employees: pd.DataFrame
    job_history: pd.DataFrame  # with `rank` (the level's) beside `level`
    levels: pd.DataFrame
    requisitions: pd.DataFrame | None
    performance: pd.DataFrame | None
    as_of: pd.Timestamp  # the last date anywhere in the extract: the end of observation

    @property
    def level_names(self) -> list[str]:
        return self.levels["level"].tolist()

    @property
    def has_ages(self) -> bool:
        return bool(self.employees["birth_date"].notna().all())


def _dates(col: pd.Series) -> pd.Series:
    return pd.to_datetime(col.where(col.str.strip() != ""), format="ISO8601").dt.tz_localize(None).astype(
        "datetime64[ns]")


def _fail(file_name: str, frame: pd.DataFrame, bad: pd.Series, column: str, allowed) -> None:
    """Raise for the first row where `bad` holds; `allowed` may be a function of the row."""
    if bad.any():
        row = bad[bad].index[0]
        text = allowed(frame.loc[row]) if callable(allowed) else allowed
        raise HRDataError(cell_message(file_name, int(row), column, frame.loc[row, column], text))


def _day(value) -> str:
    return "empty" if pd.isna(value) else f"{value:%Y-%m-%d}"


def _typed_employees(raw: pd.DataFrame) -> pd.DataFrame:
    emp = pd.DataFrame(index=raw.index)
    emp["employee_id"] = raw["employee_id"].str.strip()
    emp["hire_date"] = _dates(raw["hire_date"])
    if "birth_date" in raw:
        emp["birth_date"] = _dates(raw["birth_date"])
    else:
        emp["birth_date"] = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    if "birth_year" in raw:  # mid-year when only the year is known
        year = pd.to_datetime(raw["birth_year"].str.strip().str.split(".").str[0] + "-07-01", errors="coerce")
        emp["birth_date"] = emp["birth_date"].fillna(year)
    for name in ("group", "department"):
        text = raw[name].str.strip() if name in raw else pd.Series("", index=raw.index)
        emp[name] = text.mask(text == "", "all")
    emp["exit_date"] = _dates(raw["exit_date"])
    emp["exit_reason"] = raw["exit_reason"].str.strip().replace("", None)
    return emp


def check_employees(raw: pd.DataFrame, emp: pd.DataFrame, name: str, as_of: pd.Timestamp) -> None:
    _fail(name, raw, emp["exit_date"] < emp["hire_date"], "exit_date",
          lambda r: f"must not be before hire_date {r['hire_date']}")
    _fail(name, raw, emp["exit_date"].notna() & emp["exit_reason"].isna(), "exit_reason",
          "must be one of voluntary, involuntary, retirement when exit_date is given")
    _fail(name, raw, emp["exit_date"].isna() & emp["exit_reason"].notna(), "exit_reason",
          "must be empty while exit_date is empty (still employed)")
    birth_col = "birth_date" if "birth_date" in raw else "birth_year"
    if birth_col in raw:
        age_at_hire = (emp["hire_date"] - emp["birth_date"]).dt.days / DAYS_PER_YEAR
        age_at_end = (emp["exit_date"].fillna(as_of) - emp["birth_date"]).dt.days / DAYS_PER_YEAR
        _fail(name, raw, age_at_hire < MIN_AGE, birth_col,
              lambda r: f"age at hire must be {MIN_AGE}-{MAX_AGE} years (hired {r['hire_date']})")
        _fail(name, raw, age_at_end > MAX_AGE, birth_col,
              f"age must be {MIN_AGE}-{MAX_AGE} years up to the exit or the end of the data ({as_of:%Y-%m-%d})")


def check_levels(raw: pd.DataFrame, name: str) -> pd.DataFrame:
    levels = pd.DataFrame({"level": raw["level"].str.strip(), "rank": raw["rank"].astype(float).astype(int)},
                          index=raw.index)
    _fail(name, raw, levels["rank"].duplicated(), "rank", "ranks must not tie: one level per rank")
    ordered = levels.sort_values("rank", kind="stable")
    gap = pd.Series(ordered["rank"].to_numpy() != np.arange(len(ordered)), index=ordered.index)
    _fail(name, raw, gap.reindex(raw.index), "rank",
          lambda r: f"ranks must run 0 (entry), 1, 2, ... without gaps ({len(levels)} levels)")
    if "seats" in raw:
        levels["seats"] = pd.to_numeric(raw["seats"].replace("", None))
    if "leadership" in raw:
        levels["leadership"] = raw["leadership"].str.strip().str.lower().isin(TRUE_TEXT)
    if "salary" in raw:
        levels["salary"] = pd.to_numeric(raw["salary"].replace("", None))
    return levels.sort_values("rank").reset_index(drop=True)


def check_job_history(raw: pd.DataFrame, name: str, emp: pd.DataFrame, levels: pd.DataFrame) -> pd.DataFrame:
    jobs = pd.DataFrame({"employee_id": raw["employee_id"].str.strip(), "level": raw["level"].str.strip(),
                         "start_date": _dates(raw["start_date"]), "end_date": _dates(raw["end_date"])},
                        index=raw.index)
    _fail(name, raw, ~jobs["employee_id"].isin(emp["employee_id"]), "employee_id",
          "must be an employee_id of the employees table")
    _fail(name, raw, ~jobs["level"].isin(levels["level"]), "level",
          f"must be a level of the levels table: {', '.join(levels['level'])}")
    _fail(name, raw, jobs["end_date"] < jobs["start_date"], "end_date",
          lambda r: f"must not be before start_date {r['start_date']} (or empty while current)")
    person = emp.set_index("employee_id")
    hire = jobs["employee_id"].map(person["hire_date"])
    exit_ = jobs["employee_id"].map(person["exit_date"])
    _fail(name, raw, jobs["start_date"] < hire, "start_date",
          lambda r: f"must not be before the hire date {_day(hire[r.name])}")
    _fail(name, raw, jobs["start_date"] > exit_, "start_date",
          lambda r: f"must not be after the exit date {_day(exit_[r.name])}")
    _fail(name, raw, jobs["end_date"] > exit_, "end_date",
          lambda r: f"must not be after the exit date {_day(exit_[r.name])}")
    ordered = jobs.sort_values(["employee_id", "start_date"], kind="stable")
    open_end = ordered["end_date"].fillna(pd.Timestamp.max)
    previous_end = open_end.groupby(ordered["employee_id"]).shift(1)
    overlap = pd.Series((ordered["start_date"] < previous_end).to_numpy(), index=ordered.index)
    _fail(name, raw, overlap.reindex(raw.index), "start_date",
          "must not overlap another spell of the same employee (each spell ends before the next starts)")
    jobs["rank"] = jobs["level"].map(levels.set_index("level")["rank"]).astype(int)
    return jobs


def load_hr_data(folder: str | Path, columns: str | Path | None = None) -> HRData:
    """Read, check and type an HR extract; raises `HRDataError` (one line) on the first problem."""
    tables = read_tables(folder, columns)
    for table, (frame, name) in tables.items():
        validate_table(table, frame, name)
    (raw_emp, emp_name), (raw_jobs, jobs_name), (raw_levels, levels_name) = (
        tables["employees"], tables["job_history"], tables["levels"])
    emp = _typed_employees(raw_emp)
    jobs_dates = pd.concat([_dates(raw_jobs["start_date"]), _dates(raw_jobs["end_date"])])
    as_of = pd.concat([emp["hire_date"], emp["exit_date"], jobs_dates]).max()
    check_employees(raw_emp, emp, emp_name, as_of)
    levels = check_levels(raw_levels, levels_name)
    jobs = check_job_history(raw_jobs, jobs_name, emp, levels)
    _fail(emp_name, raw_emp, ~emp["employee_id"].isin(jobs["employee_id"]), "employee_id",
          f"every employee needs at least one job spell in {jobs_name}")
    requisitions = performance = None
    if "requisitions" in tables:
        raw, name = tables["requisitions"]
        requisitions = pd.DataFrame({"level": raw["level"].str.strip(), "opened": _dates(raw["opened"]),
                                     "filled": _dates(raw["filled"]), "source": raw["source"].str.strip()},
                                    index=raw.index)
        _fail(name, raw, ~requisitions["level"].isin(levels["level"]), "level",
              f"must be a level of the levels table: {', '.join(levels['level'])}")
        _fail(name, raw, requisitions["filled"] < requisitions["opened"], "filled",
              lambda r: f"must not be before opened {r['opened']}")
        _fail(name, raw, requisitions["opened"].isna() & requisitions["filled"].isna(), "opened",
              "must be a date (YYYY-MM-DD) when filled is empty (an open requisition)")
        _fail(name, raw, requisitions["filled"].notna() & (requisitions["source"] == ""), "source",
              "must be internal or external when filled is given")
    if "performance" in tables:
        raw, name = tables["performance"]
        performance = pd.DataFrame({"employee_id": raw["employee_id"].str.strip(), "date": _dates(raw["date"]),
                                    "rating": raw["rating"].astype(float)}, index=raw.index)
        _fail(name, raw, ~performance["employee_id"].isin(emp["employee_id"]), "employee_id",
              "must be an employee_id of the employees table")
    return HRData(employees=emp.reset_index(drop=True), job_history=jobs.reset_index(drop=True), levels=levels,
                  requisitions=requisitions, performance=performance, as_of=as_of)
