"""The HR extract's format: tables, columns, what each value may be (pandera schemas).

A column is read as text ("" = empty) and checked by a pandera schema before it is converted, so
a bad value is reported as it stands in the file. Every failure is an `HRDataError` whose message
names the file, the row (the first data row is row 1), the column, the value and what is allowed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..config.checks import ConfigError

EXIT_REASONS = ("voluntary", "involuntary", "retirement")
SOURCES = ("internal", "external")
TRUE_TEXT, FALSE_TEXT = ("true", "1", "yes"), ("false", "0", "no")
MIN_AGE, MAX_AGE = 14, 100


class HRDataError(ConfigError):
    """A problem in the user's HR data: one line, exit code 2, nothing written."""


@dataclass(frozen=True)
class Field:
    """One column of a table: its kind (id, text, date, int, number, bool, choice) and whether it
    must be present in the file (`required`) and non-empty in every row (`filled`)."""

    name: str
    kind: str
    required: bool = True
    filled: bool = True
    choices: tuple[str, ...] = ()
    unique: bool = False
    min_value: float | None = None


TABLES: dict[str, list[Field]] = {
    "employees": [
        Field("employee_id", "id", unique=True),
        Field("hire_date", "date"),
        Field("birth_date", "date", required=False),
        Field("birth_year", "int", required=False, min_value=1850),
        Field("group", "text", required=False, filled=False),
        Field("department", "text", required=False, filled=False),
        Field("exit_date", "date", filled=False),
        Field("exit_reason", "choice", filled=False, choices=EXIT_REASONS),
    ],
    "job_history": [
        Field("employee_id", "id"),
        Field("level", "text"),
        Field("start_date", "date"),
        Field("end_date", "date", filled=False),
    ],
    "levels": [
        Field("level", "text", unique=True),
        Field("rank", "int", min_value=0),
        Field("seats", "int", required=False, min_value=1),
        Field("leadership", "bool", required=False),
        Field("salary", "number", required=False, min_value=0),
    ],
    "requisitions": [
        Field("level", "text"),
        Field("opened", "date", filled=False),  # may be unknown for an internal fill
        Field("filled", "date", filled=False),
        Field("source", "choice", filled=False, choices=SOURCES),
    ],
    "performance": [
        Field("employee_id", "id"),
        Field("date", "date"),
        Field("rating", "number"),
    ],
}
REQUIRED_TABLES = ("employees", "job_history", "levels")


def _parses(kind: str, text: str) -> bool:
    if kind == "date":
        return not pd.isna(pd.to_datetime(text, format="ISO8601", errors="coerce"))
    if kind == "int":
        try:
            return float(text).is_integer()
        except ValueError:
            return False
    if kind == "number":
        try:
            return pd.notna(float(text)) and abs(float(text)) != float("inf")
        except ValueError:
            return False
    if kind == "bool":
        return text.strip().lower() in TRUE_TEXT + FALSE_TEXT
    return True


ALLOWED = {
    "date": "must be a date (YYYY-MM-DD)",
    "int": "must be a whole number",
    "number": "must be a number",
    "bool": f"must be one of {', '.join(TRUE_TEXT + FALSE_TEXT)}",
}


def allowed_text(field: Field) -> str:
    """What a value of this field may be, in words."""
    if field.kind == "choice":
        return f"must be one of {', '.join(field.choices)}" + ("" if field.filled else " (or empty)")
    if field.kind in ("id", "text"):
        return "must not be empty"
    text = ALLOWED[field.kind]
    if field.min_value is not None:
        text += f" >= {field.min_value:g}"
    return text + ("" if field.filled else " (or empty)")


def _valid(field: Field, column: pd.Series) -> pd.Series:
    """Whether each value of a text column is allowed (vectorized; the same rules as `_parses`)."""
    text = column.str.strip()
    empty = text == ""
    if field.kind == "choice":
        good = text.isin(field.choices)
    elif field.kind in ("id", "text"):
        good = ~empty
    elif field.kind == "bool":
        good = text.str.lower().isin(TRUE_TEXT + FALSE_TEXT)
    elif field.kind == "date":
        try:
            good = pd.to_datetime(text.where(~empty), format="ISO8601", errors="coerce").notna()
        except (ValueError, TypeError):  # e.g. mixed time zones: value by value, as before
            good = text.map(lambda t: _parses("date", t))
    else:
        number = pd.to_numeric(text.where(~empty), errors="coerce").astype(float)
        good = number.notna() & np.isfinite(number)
        if field.kind == "int":
            good &= (number % 1 == 0)
        if field.min_value is not None:
            good &= number >= field.min_value
    return good.where(~empty, not field.filled).astype(bool)


def _checks(field: Field) -> list[pa.Check]:
    return [pa.Check(lambda column: _valid(field, column), error=allowed_text(field))]


def pandera_schema(table: str, present: list[str]) -> pa.DataFrameSchema:
    """The schema of one table's text columns (only those present: absence is checked before)."""
    columns = {f.name: pa.Column(str, _checks(f), unique=f.unique, nullable=False)
               for f in TABLES[table] if f.name in present}
    return pa.DataFrameSchema(columns, strict=False)


def validate_table(table: str, frame: pd.DataFrame, file_name: str) -> None:
    """Check every value of one table; the first failure (by column, then row) is raised."""
    try:
        pandera_schema(table, list(frame.columns)).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        order = {f.name: i for i, f in enumerate(TABLES[table])}
        cases = cases.assign(_col=cases["column"].map(order), _row=pd.to_numeric(cases["index"], errors="coerce"))
        first = cases.sort_values(["_col", "_row"], kind="stable").iloc[0]
        field = next(f for f in TABLES[table] if f.name == first["column"])
        row, value, allowed = int(first["_row"]), first["failure_case"], allowed_text(field)
        if first["check"] == "field_uniqueness":  # name the repeat, and where it first appeared
            column = frame[field.name]
            row = int(column.index[column.duplicated()][0])
            value = column[row]
            allowed = f"must be unique (also in row {int(column.index[column == value][0])})"
        raise HRDataError(cell_message(file_name, row, field.name, value, allowed)) from None


def cell_message(file_name: str, row: int, column: str, value, allowed: str) -> str:
    """`employees.csv row 3, column exit_date = '2021-13-01': must be a date (YYYY-MM-DD)`."""
    return f"{file_name} row {row}, column {column} = {str(value)!r}: {allowed}"
