"""A fixed-capacity structure-of-arrays table (employees, vacancies, pairs).

Columns are declared once as `Column`s. Rows live in slots; `active` says which
slots hold a live row, and freed slots are reused, so adding and removing rows
never reallocates. Kernels loop over `range(table.count)` and skip inactive
slots; `count` is the high-water mark.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class CapacityError(RuntimeError):
    """More live rows than the table was sized for (a sizing bug, not a user error)."""


@dataclass(frozen=True)
class Column:
    name: str
    dtype: type
    default: float = 0
    width: int = 0  # 0: one value per row; n: a row holds n values (e.g. competencies)
    doc: str = ""


class Table:
    """Rows of typed columns in preallocated numpy arrays."""

    def __init__(self, columns: list[Column], capacity: int, id_column: str | None = None):
        self.columns = {c.name: c for c in columns}
        self.id_column = id_column  # filled with 0, 1, 2, ... in order of addition, never reused
        self.next_id = 0
        self.capacity = int(capacity)
        self.count = 0
        self.active = np.zeros(self.capacity, dtype=np.bool_)
        self._free = np.empty(self.capacity, dtype=np.int64)
        self._n_free = 0
        for c in columns:
            shape = (self.capacity, c.width) if c.width else (self.capacity,)
            setattr(self, c.name, np.full(shape, c.default, dtype=c.dtype))

    @property
    def n_active(self) -> int:
        return int(self.active[: self.count].sum())

    def active_slots(self) -> np.ndarray:
        """Slots of the live rows, in slot order."""
        return np.flatnonzero(self.active[: self.count])

    def add(self, n: int, **values) -> np.ndarray:
        """Take `n` slots (reused ones first), fill defaults and `values`, return the slots."""
        n = int(n)
        reuse = min(n, self._n_free)
        slots = np.empty(n, dtype=np.int64)
        if reuse:
            # Reuse in the order slots were freed: deterministic and cache-friendly.
            slots[:reuse] = self._free[:reuse]
            self._free[: self._n_free - reuse] = self._free[reuse : self._n_free]
            self._n_free -= reuse
        fresh = n - reuse
        if self.count + fresh > self.capacity:
            raise CapacityError(f"table full: {self.count + fresh} rows needed, capacity {self.capacity}")
        slots[reuse:] = np.arange(self.count, self.count + fresh)
        self.count += fresh
        for name, column in self.columns.items():
            getattr(self, name)[slots] = column.default
        for name, value in values.items():
            getattr(self, name)[slots] = value
        if self.id_column is not None:
            getattr(self, self.id_column)[slots] = np.arange(self.next_id, self.next_id + n)
            self.next_id += n
        self.active[slots] = True
        return slots

    def remove(self, slots: np.ndarray) -> None:
        """Mark rows dead and put their slots on the free list."""
        slots = np.asarray(slots, dtype=np.int64)
        if slots.size == 0:
            return
        if not self.active[slots].all():
            raise RuntimeError("removing a row that is not live")
        if np.unique(slots).size != slots.size:
            raise RuntimeError("removing the same row twice")
        self.active[slots] = False
        self._free[self._n_free : self._n_free + slots.size] = slots
        self._n_free += slots.size

    def frame(self, slots: np.ndarray | None = None):
        """Live rows (or `slots`) as a pandas DataFrame; multi-value columns become name_i."""
        import pandas as pd

        slots = self.active_slots() if slots is None else slots
        data = {}
        for name, column in self.columns.items():
            values = getattr(self, name)[slots]
            if column.width:
                for j in range(column.width):
                    data[f"{name}_{j}"] = values[:, j]
            else:
                data[name] = values
        return pd.DataFrame(data)
