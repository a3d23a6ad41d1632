"""The organization: levels as arrays, seats, profiles, and the vacancy table."""
from __future__ import annotations

import numpy as np

from ..config.schema import OrgConfig
from .table import Column, Table

INTERNAL, EXTERNAL = 0, 1  # how a vacancy is being filled


class Org:
    """Per-level arrays derived once from the org config."""

    def __init__(self, cfg: OrgConfig, weeks_per_year: int, internal_only: bool = False):
        levels = cfg.levels
        self.cfg = cfg
        self.n_levels = len(levels)
        self.level_names = [lv.name for lv in levels]
        self.group_names = [g.name for g in cfg.groups]
        self.department_names = list(cfg.departments)
        self.competency_names = list(cfg.competencies)
        self.seats = np.array([lv.seats for lv in levels], dtype=np.int64)
        self.leadership = np.array([lv.leadership for lv in levels], dtype=np.bool_)
        self.demand = np.array([lv.demand for lv in levels], dtype=np.float64)
        profile = np.array([lv.profile for lv in levels], dtype=np.float64)
        self.profile = profile / profile.sum(axis=1, keepdims=True)  # rows sum to 1
        # What each level asks of each competency: more of what it weights, normalized so
        # that the profile-weighted target is exactly the level's demand.
        k = profile.shape[1]
        tilt = 0.5 + 0.5 * k * self.profile
        norm = (self.profile * tilt).sum(axis=1, keepdims=True)
        self.target = np.clip(self.demand[:, None] * tilt / norm, 0.0, 1.0)
        # Readiness is judged under the next level's profile; the top level uses its own.
        self.next_level = np.minimum(np.arange(self.n_levels) + 1, self.n_levels - 1)
        # base_turnover is an annual rate (exits per person-year, the HR turnover
        # definition), so the constant hazard that reproduces it is rate / weeks.
        annual = np.array([lv.base_turnover for lv in levels])
        self.base_hazard_week = annual / weeks_per_year
        self.ttf_weeks = np.array([lv.ttf_weeks for lv in levels], dtype=np.float64)
        self.external_share = np.array([lv.external_share for lv in levels], dtype=np.float64)
        if internal_only:
            self.external_share[:] = 0.0
        self.external_share[0] = 1.0  # nobody below the entry level to promote
        self.capability_weight = np.array([lv.capability_weight for lv in levels], dtype=np.float64)
        self.hire_share = np.array([g.share for g in cfg.groups], dtype=np.float64)
        top = np.array([g.share if g.top_share is None else g.top_share for g in cfg.groups])
        frac = np.linspace(0.0, 1.0, self.n_levels)[:, None]
        self.initial_group_share = (1 - frac) * self.hire_share[None, :] + frac * top[None, :]
        for i, lv in enumerate(levels):  # explicit shares of a level replace the interpolated ones
            if lv.group_shares is not None:
                self.initial_group_share[i] = [lv.group_shares.get(g, 0.0) for g in self.group_names]

    def initial_group_counts(self) -> np.ndarray:
        """People per (level, group) at week 0 under `exact_composition`: the largest-remainder split of
        each level's seats by its initial shares (floor of seats x share, then one more to the groups
        with the largest remainders, ties to the earlier group)."""
        quota = self.initial_group_share * self.seats[:, None]
        counts = np.floor(quota + 1e-9).astype(np.int64)
        left = self.seats - counts.sum(axis=1)
        rank = np.argsort(np.argsort(-(quota - counts), axis=1, kind="stable"), axis=1, kind="stable")
        return counts + (rank < left[:, None])

    @property
    def total_seats(self) -> int:
        return int(self.seats.sum())

    @property
    def leadership_levels(self) -> np.ndarray:
        return np.flatnonzero(self.leadership)


def vacancy_columns() -> list[Column]:
    return [
        Column("vid", np.int64, -1, doc="vacancy id, unique over the run"),
        Column("vkey", np.uint64, 0, doc="lineage key (rng.lineage_key): who left or was promoted, and when; "
                                         "the entity of the seat's draws"),
        Column("level", np.int8, 0, doc="level of the empty seat"),
        Column("department", np.int16, 0, doc="department of the empty seat"),
        Column("opened_week", np.int32, 0, doc="week the seat became empty"),
        Column("channel", np.int8, INTERNAL, doc="0 internal promotion, 1 external hire"),
        Column("due_week", np.int32, 0, doc="week an external hire arrives"),
    ]


class Vacancies(Table):
    """Open seats; a row is removed when the seat is filled."""

    def __init__(self, capacity: int):
        super().__init__(vacancy_columns(), capacity, id_column="vid")

    def open(self, levels, departments, keys, week: int) -> np.ndarray:
        return self.add(len(levels), level=levels, department=departments, vkey=keys, opened_week=week)

    def open_by_level(self, n_levels: int) -> np.ndarray:
        slots = self.active_slots()
        return np.bincount(self.level[slots], minlength=n_levels)
