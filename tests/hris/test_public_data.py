"""A public data set through the importer: `job_retention` from peopleanalyticsdata (MIT): 3,770
employees followed for 12 months, with level, gender, field, whether and in which month they left
(those who did not leave are observed to the month given: right-censored there)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.hris.fit import fit_organization
from sim.hris.load import load_hr_data

START = pd.Timestamp("2020-01-01")
COLUMNS = """\
employees: {employee_id: person, hire_date: joined, group: gender, department: field, exit_date: left_on,
            exit_reason: why}
job_history: {employee_id: person, level: grade, start_date: from, end_date: to}
levels: {level: grade}
"""


def _month(m) -> pd.Series:
    """The date m months (of 365.25 / 12 days) after the start."""
    days = np.rint(np.asarray(m, dtype=float) * 365.25 / 12)
    return pd.Series(START + pd.to_timedelta(days, unit="D")).dt.strftime("%Y-%m-%d")


def write_job_retention(folder, df: pd.DataFrame) -> None:
    """The data set in the extract's format under its own column names (mapped by COLUMNS). A leaver
    leaves in the middle of her month; everyone else's spell ends at the end of her last month."""
    folder.mkdir()
    ids = [f"P{i}" for i in range(len(df))]
    left = (df["left"] == 1).to_numpy()
    leaving, last_seen = _month(df["month"] - 0.5), _month(df["month"])
    pd.DataFrame({"person": ids, "joined": START.strftime("%Y-%m-%d"), "gender": df["gender"], "field": df["field"],
                  "left_on": np.where(left, leaving, ""), "why": np.where(left, "voluntary", ""),
                  "intention": df["intention"]}).to_csv(folder / "employees.csv", index=False)
    pd.DataFrame({"person": ids, "grade": df["level"], "from": START.strftime("%Y-%m-%d"),
                  "to": np.where(left, leaving, last_seen)}).to_csv(folder / "job_history.csv", index=False)
    pd.DataFrame({"grade": ["Low", "Medium", "High"], "rank": [0, 1, 2]}).to_csv(folder / "levels.csv", index=False)


def test_fitted_twelve_month_leaving_share_by_level_matches_the_data(tmp_path):
    datasets = pytest.importorskip("peopleanalyticsdata")
    from statsmodels.duration.survfunc import SurvfuncRight

    df = datasets.job_retention()
    write_job_retention(tmp_path / "data", df)
    (tmp_path / "columns.yaml").write_text(COLUMNS)
    data = load_hr_data(tmp_path / "data", tmp_path / "columns.yaml")
    assert "intention" not in data.employees  # outside the format: dropped on reading
    fit = fit_organization(data, since=START, until=START + pd.DateOffset(years=1))
    for rank, level in enumerate(data.level_names):
        here = df[df["level"] == level]
        assert fit.hazard.exits[rank] == here["left"].sum()
        # The data's own 12-month leaving share: Kaplan-Meier over months (censoring as given),
        # with its Greenwood standard error; the fitted share is 1 - exp(-annual hazard).
        km = SurvfuncRight(here["month"].to_numpy(float), here["left"].to_numpy())
        observed, se = 1 - km.surv_prob[-1], km.surv_prob_se[-1]
        fitted = 1 - np.exp(-fit.hazard.annual_rate[rank])
        assert abs(fitted - observed) < 2.58 * se, (level, fitted, observed, se)  # 99% two-sided
