"""The people employed on one day of an HR extract, as the snapshot a run can start from
(`org.start_from`; format in `sim/config/snapshot.py`).

Only the snapshot's columns are written: ids are salted hashes under a fresh salt that is not kept
(so they link to nothing), and ages, tenures and times in level are in years rounded to a week.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..config.snapshot import COLUMNS
from .load import DAYS_PER_YEAR
from .privacy import new_salt, pseudonymize

YEAR_DECIMALS_WEEKS = 52  # years rounded to 1/52: a week


def held_on(spells: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """The job spells held on `day` (started on or before it, not ended by it): one per person employed."""
    return spells[(spells["start"] <= day) & (spells["end"].isna() | (spells["end"] > day))]


def _years(delta: pd.Series) -> np.ndarray:
    years = delta.dt.days.to_numpy(float) / DAYS_PER_YEAR
    return np.round(np.maximum(years, 0.0) * YEAR_DECIMALS_WEEKS) / YEAR_DECIMALS_WEEKS


def snapshot_table(spells: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """One row per person employed on `day`, in the snapshot format."""
    here = held_on(spells, day)
    tenure = _years(day - here["hire_date"])
    frame = pd.DataFrame({
        "employee_id": pseudonymize(here["employee_id"], new_salt()),
        "level": here["level"].astype(str).to_numpy(),
        "group": here["group"].astype(str).to_numpy(),
        "department": here["department"].astype(str).to_numpy(),
        "age_years": _years(day - here["birth_date"]),  # NaN without birth dates
        "tenure_years": tenure,
        "years_in_level": np.minimum(_years(day - here["start"]), tenure),
    })
    return frame.loc[:, list(COLUMNS)].sort_values(["level", "employee_id"]).reset_index(drop=True)
