"""A fixed-capacity structure-of-arrays table (employees, vacancies, pairs).

Columns are declared once as `Column`s. Rows live in slots; `active` says which
slots hold a live row, and freed slots are reused, so adding and removing rows
never reallocates. Kernels loop over `range(table.count)` and skip inactive
slots; `count` is the high-water mark.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit


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
        self._default_plans: dict[frozenset, list] = {}
        for c in columns:
            shape = (self.capacity, c.width) if c.width else (self.capacity,)
            setattr(self, c.name, np.full(shape, c.default, dtype=c.dtype))

    @property
    def n_active(self) -> int:
        return self.count - self._n_free  # every slot below `count` is live or on the free list

    def active_slots(self) -> np.ndarray:
        """Slots of the live rows, in slot order."""
        return np.flatnonzero(self.active[: self.count])

    def take_ids(self, n: int) -> int:
        """Reserve the next `n` ids, for rows added later with explicit ids; returns the first."""
        first = self.next_id
        self.next_id += int(n)
        return first

    def add(self, n: int, **values) -> np.ndarray:
        """Take `n` slots (reused ones first), fill defaults and `values`, return the slots.

        New rows get the next ids, unless `values` gives the id column (ids from `take_ids`).
        """
        slots = self.add_rows(n, written=values.keys())
        for name, value in values.items():
            getattr(self, name)[slots] = value
        return slots

    def add_rows(self, n: int, written) -> np.ndarray:
        """Take `n` live slots with the next ids (unless the id column is in `written`) and defaults in
        every column but those in `written`, which the caller writes (e.g. a kernel filling whole rows)."""
        n = int(n)
        reuse = min(n, self._n_free)
        fresh = n - reuse
        if self.count + fresh > self.capacity:
            raise CapacityError(f"table full: {self.count + fresh} rows needed, capacity {self.capacity}")
        slots = _take(self._free, self._n_free, self.count, n)
        self._n_free -= reuse
        self.count += fresh
        for values, default in self._defaults_besides(written):
            values[slots] = default
        if self.id_column is not None and self.id_column not in written:
            getattr(self, self.id_column)[slots] = np.arange(self.next_id, self.next_id + n)
            self.next_id += n
        self.active[slots] = True
        return slots

    def _defaults_besides(self, written) -> list:
        """(column array, default) of every column not in `written`; worked out once per set of names
        (callers pass the same few frozensets every week, and the arrays never reallocate)."""
        key = written if isinstance(written, frozenset) else frozenset(written)
        plan = self._default_plans.get(key)
        if plan is None:
            plan = [(getattr(self, name), column.default) for name, column in self.columns.items()
                    if name not in key]
            self._default_plans[key] = plan
        return plan

    def sync(self, n_free: int, count: int) -> None:
        """Take the free-list length and high-water mark that a kernel left after claiming
        (`claim_slots`) or releasing (`_release`) rows in this table's arrays."""
        if count > self.capacity:
            raise CapacityError(f"table full: {count} rows needed, capacity {self.capacity}")
        if n_free == _NOT_LIVE:
            raise RuntimeError("removing a row that is not live")
        if n_free == _TWICE:
            raise RuntimeError("removing the same row twice")
        self._n_free, self.count = int(n_free), int(count)

    def remove(self, slots: np.ndarray) -> None:
        """Mark rows dead and put their slots on the free list."""
        slots = np.asarray(slots, dtype=np.int64)
        if slots.size == 0:
            return
        n_free = _release(self.active, self._free, self._n_free, slots)
        if n_free == _NOT_LIVE:
            raise RuntimeError("removing a row that is not live")
        if n_free == _TWICE:
            raise RuntimeError("removing the same row twice")
        self._n_free = n_free

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


_NOT_LIVE, _TWICE = -1, -2


@njit(cache=True)
def _take(free, n_free, count, n):
    """n slots: freed ones first, in the order they were freed (deterministic and cache-friendly),
    then fresh ones from `count` up. The caller shortens the free list and raises `count`."""
    reuse = min(n, n_free)
    slots = np.empty(n, dtype=np.int64)
    for j in range(reuse):
        slots[j] = free[j]
    for j in range(n_free - reuse):
        free[j] = free[reuse + j]
    for j in range(n - reuse):
        slots[reuse + j] = count + j
    return slots


@njit(inline="always", cache=True)
def claim_slots(active, free, n_free, count, n):
    """`add_rows` inside a kernel: n slots (`_take`), marked live. Returns (slots, n_free, count)
    after; when they do not fit, no slots and the state unchanged but a count above the capacity,
    which `Table.sync` turns into a CapacityError. Ids and default values are the caller's."""
    reuse = min(n, n_free)
    new_count = count + n - reuse
    if new_count > active.shape[0]:
        return np.empty(0, dtype=np.int64), n_free, new_count
    slots = _take(free, n_free, count, n)
    for j in range(n):
        active[slots[j]] = True
    return slots, n_free - reuse, new_count


@njit(cache=True)
def _release(active, free, n_free, slots):
    """Mark `slots` dead and append them to the free list; returns the new free count.

    Checks first: a slot that is not live, or given twice, leaves everything as it was and
    returns _NOT_LIVE or _TWICE.
    """
    for j in range(slots.shape[0]):
        s = slots[j]
        if s < 0 or s >= active.shape[0] or not active[s]:
            twice = False
            for i in range(j):
                twice = twice or slots[i] == s
            for i in range(j):
                active[slots[i]] = True
            return _TWICE if twice else _NOT_LIVE
        active[s] = False
    for j in range(slots.shape[0]):
        free[n_free + j] = slots[j]
    return n_free + slots.shape[0]
