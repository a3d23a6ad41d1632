"""A snapshot of an organization's people: the file `org.start_from` names, read and checked.

`mentorsim calibrate` writes it (`snapshots/NAME.parquet` in the config folder) from an HR extract:
one row per person employed on the snapshot day, pseudonymized, with only these columns:

    employee_id      salted hash (never the extract's id)
    level            a level name of the org config
    group            a group name of the org config
    department       a department name of the org config
    age_years        age on the snapshot day (empty when the extract has no birth dates)
    tenure_years     years since hire
    years_in_level   years since the start of the current level (at most tenure_years)
    rating_z         (only when the extract has performance ratings) the latest rating standardized
                     within the level; empty for the unrated. The start places the person's competence
                     with it (`engine/rated_start.py`)

A relative `org.start_from` is looked up in the config folders Hydra searched (`--config-dir`, then
the repository's `configs/`) and replaced by the absolute path, so that a run folder's config.yaml
names the file it started from. Every problem is a one-line `ConfigError`.
"""
from __future__ import annotations

from pathlib import Path

from .checks import ConfigError

KEY = "org.start_from"
TEXT_COLUMNS = ("employee_id", "level", "group", "department")
YEAR_COLUMNS = ("age_years", "tenure_years", "years_in_level")
COLUMNS = TEXT_COLUMNS + YEAR_COLUMNS
RATING = "rating_z"  # optional


def resolve(value: str, folders: list[Path]) -> str:
    """The absolute path of `value`: as given when absolute, else the first config folder holding it."""
    path = Path(value).expanduser()
    if path.is_absolute():
        candidates = [path]
    else:
        candidates = [Path(f) / path for f in folders]
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate.resolve())
    where = ", ".join(str(f) for f in folders) or "no config folder"
    raise ConfigError(f"{KEY} = {value!r}: no such file (relative paths are looked up in the config folders: {where})")


def resolve_in_config(config, folders: list[Path]) -> None:
    """Make `config.org.start_from` absolute and check the file against the org (in place)."""
    if config.org.start_from:
        config.org.start_from = resolve(config.org.start_from, [Path(f) for f in folders])
        read_snapshot(config.org.start_from, config.org)


def searchpath_folders(overrides) -> list[Path]:
    """The file folders of `hydra.searchpath=[file://A,file://B]` overrides."""
    folders = []
    for text in overrides or []:
        key, _, value = text.partition("=")
        if key.lstrip("+") == "hydra.searchpath":
            for item in value.strip("[]").split(","):
                item = item.strip().strip("'\"")
                if item.startswith("file://"):
                    folders.append(Path(item[len("file://"):]))
    return folders


def _fail(path: str, what: str):
    raise ConfigError(f"{KEY} = {path!r}: {what}")


def read_snapshot(path: str, org) -> pd.DataFrame:
    """The snapshot's rows, checked against `org` (an OrgConfig): names known, years sensible,
    no level holding more people than its seats. Rows are ordered by level rank, then id, so the
    same file always gives the same people the same draw keys."""
    import numpy as np  # here, not at the top: the CLI's config check imports this module
    import pandas as pd

    try:
        frame = pd.read_parquet(path)
    except Exception as err:  # pyarrow raises several kinds for a damaged or foreign file
        _fail(path, f"not a readable parquet snapshot ({type(err).__name__})")
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        _fail(path, f"missing column {missing[0]}; a snapshot has {', '.join(COLUMNS)}")
    if frame.empty:
        _fail(path, "has no people")
    rated = RATING in frame.columns
    frame = frame.loc[:, list(COLUMNS) + ([RATING] if rated else [])].copy()
    if rated:
        frame[RATING] = pd.to_numeric(frame[RATING], errors="coerce").astype(float)
        if np.isinf(frame[RATING]).any():
            _fail(path, f"{RATING} must be a finite number or empty in every row")
    else:
        frame[RATING] = np.nan
    for name, allowed in (("level", [lv.name for lv in org.levels]), ("group", [g.name for g in org.groups]),
                          ("department", list(org.departments))):
        frame[name] = frame[name].astype(str)
        bad = ~frame[name].isin(allowed)
        if bad.any():
            _fail(path, f"{name} {frame.loc[bad, name].iloc[0]!r} is not in the org config: {', '.join(allowed)}")
    for name in YEAR_COLUMNS:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
    for name in ("tenure_years", "years_in_level"):
        if frame[name].isna().any() or (frame[name] < 0).any():
            _fail(path, f"{name} must be a number >= 0 in every row")
    if (frame["years_in_level"] > frame["tenure_years"] + 1e-9).any():
        _fail(path, "years_in_level must not exceed tenure_years")
    ages = frame["age_years"].dropna()
    if ((ages < 14) | (ages > 100)).any():
        _fail(path, "age_years must be 14-100 (or empty)")
    rank = {lv.name: i for i, lv in enumerate(org.levels)}
    frame["rank"] = frame["level"].map(rank).astype(int)
    counts = frame["rank"].value_counts()
    for i, level in enumerate(org.levels):
        if counts.get(i, 0) > level.seats:
            _fail(path, f"level {level.name!r} has {counts[i]} people but {level.seats} seats "
                        f"(org.levels[{i}].seats must be at least its headcount)")
    frame["employee_id"] = frame["employee_id"].astype(str)
    return frame.sort_values(["rank", "employee_id"], kind="stable").reset_index(drop=True)
