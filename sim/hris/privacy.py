"""Privacy rules for everything written from HR data.

- Columns outside the format never get past the reader (`read.map_columns`).
- Employee ids are replaced by salted hashes (`pseudonymize`): keyed BLAKE2b, so the same id and
  salt always give the same pseudonym and nobody without the salt can test a guess.
- Every table broken down by level and group shows no cell of fewer than `min_cell` people
  (`suppress_small_cells`, default 5): the count and every figure derived from it are blanked.
- The per-person snapshot (`snapshot.py`) names a department only where at least `min_cell` people
  of the same level and group share it (`merge_small_values`); the rest are "other".
"""
from __future__ import annotations

import hashlib
import secrets

import numpy as np
import pandas as pd

MIN_CELL = 5


def new_salt() -> str:
    return secrets.token_hex(16)


def pseudonymize(ids, salt: str) -> np.ndarray:
    """16-hex-digit salted hashes of the ids (as text)."""
    key = salt.encode()[:64]
    return np.array([hashlib.blake2b(str(i).encode(), key=key, digest_size=8).hexdigest() for i in ids],
                    dtype=object)


def suppress_small_cells(table: pd.DataFrame, count: str, derived: list[str] | None = None,
                         min_cell: int = MIN_CELL) -> pd.DataFrame:
    """A copy with `count` and the `derived` columns blanked (NA) where `count` < `min_cell`;
    a count of zero is no person and is shown."""
    out = table.copy()
    small = (out[count] > 0) & (out[count] < min_cell)
    for name in [count, *(derived or [])]:
        kind = out[name].dtype.kind
        out[name] = out[name].astype("Int64" if kind in "iu" else "Float64" if kind == "f" else object)
        out.loc[small, name] = pd.NA
    return out


OTHER = "other"


def merge_small_values(frame: pd.DataFrame, column: str, within: list[str], min_cell: int = MIN_CELL) -> pd.Series:
    """`column` with every value held by fewer than `min_cell` rows of its `within` cell replaced by
    OTHER; when OTHER itself ends up under `min_cell` in a cell, the cell's next smallest value joins
    it, until OTHER is large enough or is the cell's only value (k-anonymity on within x column)."""
    out = frame[column].astype(str).copy()
    for _, rows in frame.groupby(within, sort=False).groups.items():
        values = out.loc[rows]
        counts = values.value_counts()
        merged = set(counts.index[counts < min_cell])
        kept = counts[~counts.index.isin(merged) & (counts.index != OTHER)].sort_values(kind="stable")
        size = counts[counts.index.isin(merged) | (counts.index == OTHER)].sum()
        for value, count in kept.items():  # smallest first
            if size == 0 or size >= min_cell:
                break
            merged.add(value)
            size += count
        out.loc[rows] = values.where(~values.isin(merged), OTHER)
    return out
