"""Reading an HR extract: each class of bad data is one line naming the file, row, column, value
and what is allowed, with exit code 2 and nothing written."""
from __future__ import annotations

import pytest

from sim.commands import dispatch
from sim.hris.load import load_hr_data
from sim.hris.schema import HRDataError
from tests.hris.helpers import EMPLOYEES, JOB_HISTORY, LEVELS, edit, write_extract


def test_the_valid_extract_loads_typed_and_drops_columns_outside_the_format(tmp_path):
    data = load_hr_data(write_extract(tmp_path))
    assert list(data.employees.columns) == ["employee_id", "hire_date", "birth_date", "group", "department",
                                            "exit_date", "exit_reason"]  # home_address never gets in
    assert data.level_names == ["Associate", "Lead"]
    assert data.job_history["rank"].tolist() == [0, 1, 0, 1]
    assert str(data.as_of.date()) == "2022-01-31"
    assert data.employees["exit_date"].isna().sum() == 1


def test_check_command_accepts_the_valid_extract(tmp_path, capsys):
    assert dispatch(["hris", "check", str(write_extract(tmp_path))]) == 0
    assert "valid: 3 employees" in capsys.readouterr().out


BAD = {
    "missing file": (dict(levels=None), "levels = missing"),
    "missing column": (dict(employees=EMPLOYEES.replace("hire_date,", "start,")),
                       "employees.csv column hire_date = missing"),
    "unparseable date": (dict(employees=edit(EMPLOYEES, "2021-06-30", "2021-13-30")),
                         "employees.csv row 2, column exit_date = '2021-13-30': must be a date (YYYY-MM-DD)"),
    "exit before hire": (dict(employees=edit(EMPLOYEES, "2021-06-30", "2018-06-30"),
                              job_history=edit(JOB_HISTORY, "2019-03-01,2021-06-30", "2019-03-01,2018-06-30")),
                         "employees.csv row 2, column exit_date = '2018-06-30': must not be before hire_date"),
    "overlapping spells": (dict(job_history=edit(JOB_HISTORY, "E1,Lead,2020-01-01", "E1,Lead,2019-06-01")),
                           "job_history.csv row 2, column start_date = '2019-06-01': must not overlap"),
    "unordered spell": (dict(job_history=edit(JOB_HISTORY, "2018-01-15,2020-01-01", "2018-01-15,2017-01-01")),
                        "job_history.csv row 1, column end_date = '2017-01-01': must not be before start_date"),
    "level not in levels": (dict(job_history=edit(JOB_HISTORY, "E3,Lead", "E3,Boss")),
                            "job_history.csv row 4, column level = 'Boss': must be a level of the levels table"),
    "duplicate ids": (dict(employees=edit(EMPLOYEES, "E3,", "E2,")),
                      "employees.csv row 3, column employee_id = 'E2': must be unique"),
    "exit reason outside the list": (dict(employees=edit(EMPLOYEES, "voluntary", "quit")),
                                     "employees.csv row 2, column exit_reason = 'quit': must be one of voluntary, "
                                     "involuntary, retirement"),
    "no job spell": (dict(employees=EMPLOYEES + "E4,2020-01-01,1990-01-01,A,Ops,,,\n"),
                     "employees.csv row 4, column employee_id = 'E4': every employee needs at least one job spell"),
    "too young": (dict(employees=edit(EMPLOYEES, "1990-05-01", "2010-05-01")),
                  "employees.csv row 1, column birth_date = '2010-05-01': age at hire must be 14-100 years"),
    "too old": (dict(employees=edit(EMPLOYEES, "1958-01-01", "1915-01-01")),
                "employees.csv row 3, column birth_date = '1915-01-01': age must be 14-100 years"),
    "rank gap": (dict(levels=edit(LEVELS, "Lead,1", "Lead,2")),
                 "levels.csv row 2, column rank = '2': ranks must run 0 (entry), 1, 2, ... without gaps"),
    "rank tie": (dict(levels=edit(LEVELS, "Lead,1", "Lead,0")),
                 "levels.csv row 2, column rank = '0': ranks must not tie"),
    "empty file": (dict(job_history="employee_id,level,start_date,end_date\n"),
                   "job_history.csv = empty: the file has a header but no rows"),
    "zero-byte file": (dict(levels=""), "levels.csv = empty: the file has no header and no rows"),
    # performance ratings (they place the snapshot's competencies)
    "rating not a number": (dict(performance="employee_id,date,rating\nE1,2020-06-30,good\n"),
                            "performance.csv row 1, column rating = 'good': must be a number"),
    "rating not finite": (dict(performance="employee_id,date,rating\nE1,2020-06-30,inf\n"),
                          "performance.csv row 1, column rating = 'inf': must be a number"),
    "rating of an unknown person": (dict(performance="employee_id,date,rating\nE9,2020-06-30,3\n"),
                                    "performance.csv row 1, column employee_id = 'E9': must be an employee_id"),
    "rating without a date": (dict(performance="employee_id,date,rating\nE1,,3\n"),
                              "performance.csv row 1, column date = '': must be a date (YYYY-MM-DD)"),
}


@pytest.mark.parametrize("case", BAD)
def test_each_class_of_bad_data_is_one_line_naming_file_row_column_and_value(tmp_path, capsys, case):
    replace, expected = BAD[case]
    folder = write_extract(tmp_path / "data", **replace)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(HRDataError, match=None) as err:
        load_hr_data(folder)
    assert expected in str(err.value)
    assert dispatch(["hris", "check", str(folder)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mentorsim: error: ") and expected in lines[0]
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing written


def test_a_file_that_is_not_utf8_is_named(tmp_path):
    folder = write_extract(tmp_path)
    (folder / "employees.csv").write_bytes(EMPLOYEES.replace("Ops", "Opé").encode("latin-1"))
    with pytest.raises(HRDataError, match=r"employees.csv = byte \d+: not UTF-8 text"):
        load_hr_data(folder)


def test_a_column_map_renames_and_a_map_naming_a_missing_column_is_an_error(tmp_path):
    folder = write_extract(tmp_path / "data", employees=EMPLOYEES.replace("hire_date,", "StartDate,"))
    good = tmp_path / "map.yaml"
    good.write_text("employees: {hire_date: StartDate}\n")
    assert len(load_hr_data(folder, good).employees) == 3
    bad = tmp_path / "bad.yaml"
    bad.write_text("employees: {hire_date: Start_Date}\n")
    with pytest.raises(HRDataError, match=r"bad.yaml employees.hire_date = 'Start_Date': no such column in "
                                          r"employees.csv"):
        load_hr_data(folder, bad)
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("employees: {salary: Pay}\n")
    with pytest.raises(HRDataError, match=r"unknown.yaml employees.salary: unknown column"):
        load_hr_data(folder, unknown)


def test_parquet_files_read_like_csv(tmp_path):
    import pandas as pd

    folder = write_extract(tmp_path / "data")
    frame = pd.read_csv(folder / "employees.csv", dtype=str, keep_default_na=False)
    frame["hire_date"] = pd.to_datetime(frame["hire_date"])
    frame.to_parquet(folder / "employees.parquet", index=False)
    (folder / "employees.csv").unlink()
    data = load_hr_data(folder)
    assert data.employees["hire_date"].dt.year.tolist() == [2018, 2019, 2017]


@pytest.mark.parametrize("case", ["not utf-8", "map names a missing column"])
def test_calibrate_on_bad_data_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys, case):
    folder = write_extract(tmp_path / "data")
    options = []
    if case == "not utf-8":
        (folder / "employees.csv").write_bytes(EMPLOYEES.replace("Ops", "Opé").encode("latin-1"))
        expected = "employees.csv = byte"
    else:
        (tmp_path / "map.yaml").write_text("employees: {hire_date: Start_Date}\n")
        options = ["--columns", str(tmp_path / "map.yaml")]
        expected = "map.yaml employees.hire_date = 'Start_Date': no such column in employees.csv"
    out = tmp_path / "configs"
    assert dispatch(["calibrate", str(folder), "--out", str(out), "--name", "acme", *options]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mentorsim: error: ") and expected in lines[0], lines
    assert not out.exists()
