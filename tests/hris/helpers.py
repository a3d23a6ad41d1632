"""A tiny valid HR extract, written as CSV files, for the import tests to break one thing at a time."""
from __future__ import annotations

from pathlib import Path

EMPLOYEES = """employee_id,hire_date,birth_date,group,department,exit_date,exit_reason,home_address
E1,2018-01-15,1990-05-01,A,Ops,,,1 High St
E2,2019-03-01,1985-02-10,B,Ops,2021-06-30,voluntary,2 Low St
E3,2017-06-01,1958-01-01,A,Sales,2022-01-31,retirement,3 Mid St
"""
JOB_HISTORY = """employee_id,level,start_date,end_date
E1,Associate,2018-01-15,2020-01-01
E1,Lead,2020-01-01,
E2,Associate,2019-03-01,2021-06-30
E3,Lead,2017-06-01,
"""
LEVELS = """level,rank,seats,leadership,salary
Associate,0,10,false,50000
Lead,1,3,true,80000
"""
FILES = {"employees": EMPLOYEES, "job_history": JOB_HISTORY, "levels": LEVELS}


def write_extract(folder: Path, **replace: str) -> Path:
    """The valid extract in `folder`, with any table's text replaced (None: the file left out)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**FILES, **replace}.items():
        if text is not None:
            (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)
