"""The people employed on one day of an HR extract, as the snapshot a run can start from
(`org.start_from`; format in `sim/config/snapshot.py`).

Only the snapshot's columns are written: ids are salted hashes under a salt derived from the whole
extract and not kept, so they link to nothing for anyone without the extract (who has the people
anyway), while calibrating the same extract twice writes the same file (and the same runs: a
person's draws follow his or her place in the file); tenures and times in level are in years rounded
to a week (the engine's step), ages to whole years (to the nearest, so that the retirement drawn from
them is not late on average), and a department is named only where at least `min_cell` people of the
same level and group share it, else "other" (`privacy.merge_small_values`).

With performance ratings in the extract, each person's latest rating on or before the day is written
standardized within his or her level (`rating_z`: minus the mean of the level's rated people, over
their SD), the scale the engine's review score is on; it does not depend on the rating scale (1-5,
0-100, ...). A level with fewer than two rated people, or ratings all alike, gets none.
"""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from ..config.snapshot import COLUMNS, RATING
from .load import DAYS_PER_YEAR
from .privacy import MIN_CELL, merge_small_values, pseudonymize

YEAR_DECIMALS_WEEKS = 52  # years rounded to 1/52: a week
RATING_DECIMALS = 2  # a standardized rating to 0.01 SD: finer says nothing more about a person


def held_on(spells: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """The job spells held on `day` (started on or before it, not ended by it): one per person employed."""
    return spells[(spells["start"] <= day) & (spells["end"].isna() | (spells["end"] > day))]


def _years(delta: pd.Series) -> np.ndarray:
    years = delta.dt.days.to_numpy(float) / DAYS_PER_YEAR
    return np.round(np.maximum(years, 0.0) * YEAR_DECIMALS_WEEKS) / YEAR_DECIMALS_WEEKS


def extract_salt(spells: pd.DataFrame) -> str:
    """A salt from the extract's own content (every spell), so the same extract gives the same ids."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(pd.util.hash_pandas_object(spells[["employee_id", "level", "start"]], index=False).to_numpy()
                  .tobytes())
    return digest.hexdigest()


def standardized_ratings(performance: pd.DataFrame, here: pd.DataFrame, day: pd.Timestamp) -> np.ndarray:
    """Per row of `here`: the person's latest rating dated on or before `day`, standardized within the
    level (population SD, as the engine standardizes competence); NaN for the unrated."""
    seen = performance[performance["date"] <= day].sort_values("date", kind="stable")
    latest = seen.drop_duplicates("employee_id", keep="last").set_index("employee_id")["rating"]
    rating = here["employee_id"].map(latest).astype(float)
    by_level = rating.groupby(here["level"].to_numpy())
    mean = by_level.transform("mean").to_numpy()
    sd = by_level.transform(lambda r: r.std(ddof=0)).to_numpy()
    count = by_level.transform("count").to_numpy()
    usable = (count >= 2) & (sd > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(usable, np.round((rating.to_numpy() - mean) / sd, RATING_DECIMALS), np.nan)


def snapshot_table(spells: pd.DataFrame, day: pd.Timestamp, performance: pd.DataFrame | None = None,
                   min_cell: int = MIN_CELL) -> pd.DataFrame:
    """One row per person employed on `day`, in the snapshot format (with `rating_z` when the extract
    has performance ratings); departments of fewer than `min_cell` people of a level and group are
    merged into "other"."""
    here = held_on(spells, day)
    tenure = _years(day - here["hire_date"])
    frame = pd.DataFrame({
        "employee_id": pseudonymize(here["employee_id"], extract_salt(spells)),
        "level": here["level"].astype(str).to_numpy(),
        "group": here["group"].astype(str).to_numpy(),
        "department": here["department"].astype(str).to_numpy(),
        "age_years": np.round(_years(day - here["birth_date"])),  # whole years (NaN without birth dates)
        "tenure_years": tenure,
        "years_in_level": np.minimum(_years(day - here["start"]), tenure),
    })
    columns = list(COLUMNS)
    if performance is not None:
        frame[RATING] = standardized_ratings(performance, here, day)
        columns.append(RATING)
    frame["department"] = merge_small_values(frame, "department", ["level", "group"], min_cell)
    return frame.loc[:, columns].sort_values(["level", "employee_id"]).reset_index(drop=True)
