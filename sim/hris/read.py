"""Read an HR extract: a folder of CSV or parquet files, column names mapped by a small YAML file.

    employees.csv     employee_id, hire_date, birth_date | birth_year, [group], [department],
                      exit_date, exit_reason
    job_history.csv   employee_id, level, start_date, end_date
    levels.csv        level, rank, [seats], [leadership], [salary]
    requisitions.csv  (optional) level, opened, filled, source
    performance.csv   (optional) employee_id, date, rating

A column map (`--columns MAP.yaml`) names, per table, the file's column for each of ours:

    employees: {employee_id: EmpNo, hire_date: Start}
    job_history: {level: Grade}

Columns outside the format are dropped here and never reach anything written. Every value is then
checked (`schema.validate_table`) and the tables against each other (`checks.check_all`).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from .schema import REQUIRED_TABLES, TABLES, HRDataError

SUFFIXES = (".csv", ".parquet")


def read_column_map(path: str | Path | None) -> dict[str, dict[str, str]]:
    """The column map: {table: {our column: the file's column}}; an empty map without a file."""
    if path is None:
        return {}
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise HRDataError(f"--columns = {str(path)!r}: cannot read ({err.strerror})") from None
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise HRDataError(f"--columns = {str(path)!r}: not a YAML file ({type(err).__name__})") from None
    data = data or {}
    if not isinstance(data, dict):
        raise HRDataError(f"--columns = {str(path)!r}: must map table names to {{column: file column}}")
    for table, columns in data.items():
        if table not in TABLES:
            raise HRDataError(f"{path.name} {table}: unknown table; allowed: {', '.join(TABLES)}")
        known = [f.name for f in TABLES[table]]
        if not isinstance(columns, dict):
            raise HRDataError(f"{path.name} {table} = {columns!r}: must map our column to the file's column")
        for ours, theirs in columns.items():
            if ours not in known:
                raise HRDataError(f"{path.name} {table}.{ours}: unknown column; allowed: {', '.join(known)}")
            if not isinstance(theirs, str) or not theirs:
                raise HRDataError(f"{path.name} {table}.{ours} = {theirs!r}: must be a column name")
    return data


def find_file(folder: Path, table: str) -> Path | None:
    found = [folder / f"{table}{suffix}" for suffix in SUFFIXES if (folder / f"{table}{suffix}").is_file()]
    if len(found) > 1:
        raise HRDataError(f"{table} = {found[0].name}, {found[1].name}: give one file per table, not both")
    return found[0] if found else None


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text, empty string for missing (parquet dates as YYYY-MM-DD)."""
    out = {}
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            text = col.dt.strftime("%Y-%m-%d")
        else:
            text = col.astype(object).map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v))
                                          else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)))
        out[str(name)] = text.fillna("").astype(str)
    return pd.DataFrame(out, index=frame.index)


def read_table(path: Path) -> pd.DataFrame:
    """One file as text columns; rows numbered from 1. Not UTF-8, unreadable or empty: an error."""
    try:
        if path.suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8", skipinitialspace=True)
        else:
            frame = _as_text(pd.read_parquet(path))
    except UnicodeDecodeError as err:
        raise HRDataError(f"{path.name} = byte {err.start}: not UTF-8 text; save the file as UTF-8") from None
    except pd.errors.EmptyDataError:
        raise HRDataError(f"{path.name} = empty: the file has no header and no rows") from None
    except (pd.errors.ParserError, OSError, ValueError) as err:
        raise HRDataError(f"{path.name} = unreadable: {str(err).splitlines()[0]}") from None
    if frame.empty:
        raise HRDataError(f"{path.name} = empty: the file has a header but no rows")
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame


def map_columns(frame: pd.DataFrame, table: str, file_name: str, columns: dict[str, str],
                map_name: str) -> pd.DataFrame:
    """Rename the file's columns to ours and keep only the format's columns (privacy: the rest
    never goes further)."""
    for ours, theirs in columns.items():
        if theirs not in frame.columns:
            raise HRDataError(f"{map_name} {table}.{ours} = {theirs!r}: no such column in {file_name}; "
                              f"it has {', '.join(frame.columns)}")
    renamed = frame.rename(columns={theirs: ours for ours, theirs in columns.items()})
    known = [f.name for f in TABLES[table]]
    kept = renamed.loc[:, [c for c in known if c in renamed.columns]]
    for field in TABLES[table]:
        if field.required and field.name not in kept.columns:
            raise HRDataError(f"{file_name} column {field.name} = missing: the file needs this column "
                              f"(or a --columns entry {table}.{field.name}: ITS_NAME)")
    return kept


def read_tables(folder: str | Path, column_map: str | Path | None = None) -> dict[str, tuple[pd.DataFrame, str]]:
    """Each table present: (its text columns under our names, its file name)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise HRDataError(f"DATA_DIR = {str(folder)!r}: not a folder")
    mapping = read_column_map(column_map)
    map_name = Path(column_map).name if column_map else "--columns"
    tables = {}
    for table in TABLES:
        path = find_file(folder, table)
        if path is None:
            if table in REQUIRED_TABLES:
                raise HRDataError(f"{table} = missing: {folder.name}/ needs {table}.csv or {table}.parquet")
            if table in mapping:
                raise HRDataError(f"{map_name} {table} = mapped: no {table}.csv or {table}.parquet in {folder.name}/")
            continue
        frame = map_columns(read_table(path), table, path.name, mapping.get(table, {}), map_name)
        tables[table] = (frame, path.name)
    return tables
