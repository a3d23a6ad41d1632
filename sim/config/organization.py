"""The organization's config section: its levels, groups, departments and competencies, with range checks.

Part of the config schema (`sim.config.schema` holds the other sections and re-exports these).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .checks import in_unit as _in_unit, require, require_unique

DEFAULT_COMPETENCIES = [
    "technical",
    "communication",
    "decision_making",
    "strategic_thinking",
    "emotional_intelligence",
]


@dataclass
class LevelConfig:
    """One level of the hierarchy (index 0 is the entry level)."""

    name: str
    seats: int
    leadership: bool = False
    demand: float = 0.5  # competence the level asks for, on the 0-1 competency scale
    profile: list[float] = field(default_factory=lambda: [0.2] * 5)  # weight per competency
    base_turnover: float = 0.12  # voluntary exits per person-year at baseline state
    ttf_weeks: float = 6.0  # mean external time to fill, weeks
    external_share: float = 0.0  # share of vacancies opened to outside candidates
    mean_age: float = 35.0  # initial population
    mean_tenure_years: float = 5.0  # initial population
    hire_age: float = 30.0  # mean age of external hires
    capability_weight: float = 1.0  # weight of a seat in the capability index
    salary: float = 80000.0  # annual salary (currency units), for program costs and value
    replacement_cost_share: float = 0.3  # cost of replacing a leaver, as a share of salary
    group_shares: dict[str, float] | None = None  # initial group shares here (None: from share, top_share)

    def check(self, path: str, n_competencies: int) -> None:
        require(bool(self.name.strip()), f"{path}.name", self.name, "must be a non-empty name")
        require(self.seats > 0, f"{path}.seats", self.seats, "must be a positive integer")
        _in_unit(f"{path}.demand", self.demand, closed_low=False)
        require(
            len(self.profile) == n_competencies,
            f"{path}.profile",
            self.profile,
            f"must list one weight per competency ({n_competencies})",
        )
        require(
            all(w >= 0 for w in self.profile) and sum(self.profile) > 0,
            f"{path}.profile",
            self.profile,
            "weights must be >= 0 and not all zero",
        )
        require(
            0 <= self.base_turnover <= 5,
            f"{path}.base_turnover",
            self.base_turnover,
            "must be an annual rate in [0, 5] (exits per person-year)",
        )
        require(self.ttf_weeks >= 0, f"{path}.ttf_weeks", self.ttf_weeks, "must be >= 0")
        _in_unit(f"{path}.external_share", self.external_share)
        require(18 <= self.mean_age <= 70, f"{path}.mean_age", self.mean_age, "must be in [18, 70]")
        require(
            self.mean_tenure_years >= 0, f"{path}.mean_tenure_years", self.mean_tenure_years, "must be >= 0"
        )
        require(18 <= self.hire_age <= 70, f"{path}.hire_age", self.hire_age, "must be in [18, 70]")
        require(self.salary >= 0, f"{path}.salary", self.salary, "must be >= 0")
        require(
            self.replacement_cost_share >= 0,
            f"{path}.replacement_cost_share",
            self.replacement_cost_share,
            "must be >= 0",
        )
        require(
            self.capability_weight > 0,
            f"{path}.capability_weight",
            self.capability_weight,
            "must be > 0",
        )


@dataclass
class GroupConfig:
    """A demographic group: share of external hires and of the initial top level."""

    name: str
    share: float  # share of external hires and of the initial entry level
    top_share: float | None = None  # initial share at the top level (None: same as share)

    def check(self, path: str) -> None:
        require(bool(self.name.strip()), f"{path}.name", self.name, "must be a non-empty name")
        _in_unit(f"{path}.share", self.share)
        if self.top_share is not None:
            _in_unit(f"{path}.top_share", self.top_share)


@dataclass
class OrgConfig:
    name: str
    levels: list[LevelConfig]
    groups: list[GroupConfig]
    departments: list[str] = field(default_factory=lambda: ["All"])
    competencies: list[str] = field(default_factory=lambda: list(DEFAULT_COMPETENCIES))
    exact_composition: bool = False  # true: initial group counts per level by largest remainder
    start_from: str | None = None  # a snapshot of real people to start from (config/snapshot.py); None: generated

    def check(self, path: str) -> None:
        require(len(self.levels) >= 2, f"{path}.levels", len(self.levels), "need at least 2 levels")
        require(len(self.competencies) >= 1, f"{path}.competencies", self.competencies, "need >= 1")
        require_unique(self.competencies, f"{path}.competencies")
        for i, level in enumerate(self.levels):
            level.check(f"{path}.levels[{i}]", len(self.competencies))
        names = [lv.name for lv in self.levels]
        require_unique(names, f"{path}.levels", "level names must be unique")
        require(len(self.groups) >= 1, f"{path}.groups", self.groups, "need at least one group")
        for i, group in enumerate(self.groups):
            group.check(f"{path}.groups[{i}]")
        for key in ("share", "top_share"):
            total = sum(g.share if getattr(g, key) is None else getattr(g, key) for g in self.groups)
            require(
                abs(total - 1.0) < 1e-6,
                f"{path}.groups[*].{key}",
                round(total, 6),
                "group shares must sum to 1",
            )
        gnames = [g.name for g in self.groups]
        require_unique(gnames, f"{path}.groups", "group names must be unique")
        for i, level in enumerate(self.levels):
            if level.group_shares is None:
                continue
            where = f"{path}.levels[{i}].group_shares"
            for name, share in level.group_shares.items():
                require(name in gnames, f"{where}.{name}", name, f"must name a group: {', '.join(gnames)}")
                _in_unit(f"{where}.{name}", share)
            total = sum(level.group_shares.values())
            require(abs(total - 1.0) < 1e-6, where, round(total, 6), "group shares must sum to 1")
        require(len(self.departments) >= 1, f"{path}.departments", self.departments, "need >= 1")
        require_unique(self.departments, f"{path}.departments")

    @property
    def total_seats(self) -> int:
        return sum(level.seats for level in self.levels)
