"""Dataclass schemas for every config section, with range checks.

Each dataclass is one config section; `sim.config.load.build` turns a plain mapping
(from Hydra/YAML) into these objects, rejecting unknown keys and wrong types,
then calls `check(path)` for the value ranges. Every failure is a `ConfigError`
whose message names the key, the bad value and what is allowed, on one line.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from .checks import ConfigError, in_unit as _in_unit, require, require_unique  # noqa: F401  (re-exported)
from .organization import DEFAULT_COMPETENCIES, GroupConfig, LevelConfig, OrgConfig  # noqa: F401  (re-exported)
from .program import EvaluationConfig, MatchingConfig, ProgramConfig
from .registry import PROMOTION_RULES

PARTICIPATION_LABELS = ("none", "mentee", "mentor")
CYCLE_EXIT_DRAWS = ("count", "binomial")
MAX_HORIZON_YEARS = 200  # sim.horizon_years: beyond any career; a longer run is a typo
MAX_WEEKS_PER_YEAR = 365  # sim.weeks_per_year: up to daily steps


@dataclass
class SimSection:
    horizon_years: float = 10.0
    weeks_per_year: int = 52
    seed: int = 0
    agent_views: str = "auto"  # Mesa Employee agents: on, off, or auto (on up to 50,000 seats)
    check_invariants: bool = False  # assert accounting invariants every week (tests)
    numba_threads: int = 0  # 0: numba's default

    def check(self, path: str) -> None:
        require(1 <= self.weeks_per_year <= MAX_WEEKS_PER_YEAR, f"{path}.weeks_per_year", self.weeks_per_year,
                f"must be an integer in [1, {MAX_WEEKS_PER_YEAR}]")
        # At least one week, so that every rate has exposure; at most MAX_HORIZON_YEARS, so that a
        # typo cannot start a run that grows until memory runs out.
        one_week = 1 / self.weeks_per_year
        require(self.horizon_years <= MAX_HORIZON_YEARS and self.horizon_weeks >= 1, f"{path}.horizon_years",
                self.horizon_years, f"must be in [{one_week:.4g} (one week), {MAX_HORIZON_YEARS}] years")
        require(0 <= self.seed < 2**63, f"{path}.seed", self.seed, "must be an integer in [0, 2^63)")
        require(
            self.agent_views in ("on", "off", "auto"), f"{path}.agent_views", self.agent_views, "one of on, off, auto"
        )
        require(self.numba_threads >= 0, f"{path}.numba_threads", self.numba_threads, "must be >= 0")

    @property
    def horizon_weeks(self) -> int:
        return int(round(self.horizon_years * self.weeks_per_year))


@dataclass
class RetirementConfig:
    enabled: bool = True
    min_age: float = 60.0  # planned retirement age ~ Uniform(min_age, max_age)
    max_age: float = 67.0

    def check(self, path: str) -> None:
        require(40 <= self.min_age <= 80, f"{path}.min_age", self.min_age, "must be in [40, 80]")
        require(
            self.min_age <= self.max_age <= 80, f"{path}.max_age", self.max_age, "must be in [min_age, 80]"
        )


@dataclass
class AttritionConfig:
    mode: str = "hazard"  # hazard: weekly hazards; cycle: fixed exit share per level each review
    first_year_multiplier: float = 1.6
    # SD of a persistent log-hazard offset per person (frailty, drawn at hire; docs/MODEL.md 7.3):
    # an assumption calibrated to the naive mentee exit hazard ratio (9.3.1); 0 = none.
    frailty_sd: float = 0.45
    confidence_effect: float = -1.0  # log-hazard per unit of (confidence - baseline)
    engagement_effect: float = -2.5
    belonging_effect: float = -1.0
    passed_over_effect: float = 0.25  # log-hazard per time passed over
    passed_over_cap: int = 3
    market_pull_effect: float = 2.0  # log-hazard per unit of competence above the level's demand
    participation_effect: dict[str, float] = field(
        default_factory=lambda: {"none": 0.0, "mentee": 0.0, "mentor": 0.0}
    )
    cycle_exit_share: list[float] = field(default_factory=list)  # per level, used when mode=cycle
    cycle_order: str = "simultaneous"  # simultaneous: all levels' exits, then chains; top_down: level by level
    cycle_exit_draw: str = "count"  # count: round_half_even(share x headcount) leave; binomial: each with prob. share
    retirement: RetirementConfig = field(default_factory=RetirementConfig)

    def check(self, path: str, n_levels: int) -> None:
        require(self.mode in ("hazard", "cycle"), f"{path}.mode", self.mode, "one of hazard, cycle")
        require(
            self.first_year_multiplier > 0,
            f"{path}.first_year_multiplier",
            self.first_year_multiplier,
            "must be > 0",
        )
        require(self.frailty_sd >= 0 and math.isfinite(self.frailty_sd), f"{path}.frailty_sd", self.frailty_sd,
                "must be a finite number >= 0")
        require(self.passed_over_cap >= 0, f"{path}.passed_over_cap", self.passed_over_cap, "must be >= 0")
        for key in self.participation_effect:
            require(
                key in PARTICIPATION_LABELS,
                f"{path}.participation_effect.{key}",
                key,
                f"keys must be among {', '.join(PARTICIPATION_LABELS)}",
            )
        require(self.cycle_exit_draw in CYCLE_EXIT_DRAWS, f"{path}.cycle_exit_draw", self.cycle_exit_draw,
                f"one of {', '.join(CYCLE_EXIT_DRAWS)}")
        require(self.cycle_order in ("simultaneous", "top_down"), f"{path}.cycle_order", self.cycle_order,
                "one of simultaneous, top_down")
        if self.mode == "cycle":
            require(
                len(self.cycle_exit_share) == n_levels,
                f"{path}.cycle_exit_share",
                self.cycle_exit_share,
                f"mode=cycle needs one exit share per level ({n_levels})",
            )
        for i, share in enumerate(self.cycle_exit_share):
            _in_unit(f"{path}.cycle_exit_share[{i}]", share)
        self.retirement.check(f"{path}.retirement")


@dataclass
class DevelopmentConfig:
    learning_rate_per_year: float = 0.6  # rate (per year) of closing the gap to the personal ceiling
    decay_factor: float = 0.25  # above the ceiling, competencies fade at this fraction of that rate
    stretch: float = 0.0  # people grow until demand + stretch + talent_sd * talent
    talent_sd: float = 0.06  # spread of personal ceilings (persistent talent)
    talent_correlation: float = 1.0  # correlation of the talent terms of two competencies (1: one talent)
    noise_sd_per_year: float = 0.03  # random walk of each competency
    hire_gap: float = 0.05  # external hires start this far below their level's demand
    hire_sd: float = 0.06  # spread of competencies at hire and at initialization
    hires_like_staff: bool = False  # true: hires' competencies drawn like the starting staff's (talent, no gap)
    baseline_confidence: float = 0.6
    baseline_engagement: float = 0.7
    baseline_belonging: float = 0.7
    state_sd: float = 0.1  # spread of confidence, engagement and belonging at hire
    drift_per_year: float = 1.0  # rate at which the three states return to baseline
    state_noise_sd_per_year: float = 0.05
    promotion_confidence_boost: float = 0.08
    promotion_engagement_boost: float = 0.08
    passed_over_confidence_drop: float = 0.04
    passed_over_engagement_drop: float = 0.08

    def check(self, path: str) -> None:
        for key in (
            "learning_rate_per_year",
            "talent_sd",
            "decay_factor",
            "noise_sd_per_year",
            "hire_gap",
            "hire_sd",
            "state_sd",
            "drift_per_year",
            "state_noise_sd_per_year",
        ):
            value = getattr(self, key)
            require(value >= 0, f"{path}.{key}", value, "must be >= 0")
        _in_unit(f"{path}.talent_correlation", self.talent_correlation)
        for key in ("baseline_confidence", "baseline_engagement", "baseline_belonging"):
            _in_unit(f"{path}.{key}", getattr(self, key))
        for key in (
            "promotion_confidence_boost",
            "promotion_engagement_boost",
            "passed_over_confidence_drop",
            "passed_over_engagement_drop",
        ):
            _in_unit(f"{path}.{key}", getattr(self, key))


@dataclass
class PerformanceConfig:
    skill_signal: float = 0.6  # correlation between competence and review score (0: pure noise)
    rater_bias: dict[str, float] = field(default_factory=dict)  # group -> mean shift (units below)
    rater_bias_units: str = "level_sd"  # level_sd: score SDs after standardizing; absolute: competence points before

    def check(self, path: str, groups: list[str]) -> None:
        _in_unit(f"{path}.skill_signal", self.skill_signal)
        require(self.rater_bias_units in ("level_sd", "absolute"), f"{path}.rater_bias_units", self.rater_bias_units,
                "one of level_sd, absolute")
        for name in self.rater_bias:
            require(name in groups, f"{path}.rater_bias.{name}", name, f"must name a group: {', '.join(groups)}")


@dataclass
class ReviewConfig:
    period_weeks: int = 26
    first_week: int = 26
    hipo_share: float = 0.1  # top share of scores within a level flagged high potential
    involuntary_enabled: bool = False
    involuntary_threshold: float = -1.5  # review score (SDs) below which a low performer may be let go
    involuntary_probability: float = 0.5
    involuntary_rule: str = "relative"  # relative: score below threshold; absolute: competence / demand below floor
    involuntary_floor: float = 0.9  # absolute rule: competence under the level's profile / its demand

    def check(self, path: str) -> None:
        require(self.involuntary_rule in ("relative", "absolute"), f"{path}.involuntary_rule", self.involuntary_rule,
                "one of relative, absolute")
        require(self.involuntary_floor >= 0, f"{path}.involuntary_floor", self.involuntary_floor, "must be >= 0")
        require(self.period_weeks >= 1, f"{path}.period_weeks", self.period_weeks, "must be >= 1")
        require(self.first_week >= 0, f"{path}.first_week", self.first_week, "must be >= 0")
        _in_unit(f"{path}.hipo_share", self.hipo_share)
        _in_unit(f"{path}.involuntary_probability", self.involuntary_probability)


@dataclass
class PromotionConfig:
    rule: str = "readiness"  # a name in PROMOTION_RULES (sim.engine.promotion_rules)
    timing: str = "vacancy"  # vacancy: fill as vacancies open; review: at review cycles
    min_readiness_ratio: float = 0.0  # readiness / next level's demand needed to be promoted
    min_weeks_in_level: int = 52
    ready_now_ratio: float = 0.95  # readiness / demand counted as "ready now" (bench strength)

    def check(self, path: str) -> None:
        require(self.rule in PROMOTION_RULES, f"{path}.rule", self.rule, PROMOTION_RULES.allowed())
        require(self.timing in ("vacancy", "review"), f"{path}.timing", self.timing, "one of vacancy, review")
        require(
            self.min_readiness_ratio >= 0, f"{path}.min_readiness_ratio", self.min_readiness_ratio, "must be >= 0"
        )
        require(self.min_weeks_in_level >= 0, f"{path}.min_weeks_in_level", self.min_weeks_in_level, "must be >= 0")
        require(self.ready_now_ratio > 0, f"{path}.ready_now_ratio", self.ready_now_ratio, "must be > 0")


@dataclass
class HiringConfig:
    ttf_shape: float = 4.0  # gamma shape of time to fill (integer part used: Erlang)
    ttf_scale: float = 1.0  # multiplies every level's ttf_weeks
    internal_only: bool = False  # above the entry level, never open a seat to the market first

    def check(self, path: str) -> None:
        require(self.ttf_shape >= 1, f"{path}.ttf_shape", self.ttf_shape, "must be >= 1")
        require(self.ttf_scale >= 0, f"{path}.ttf_scale", self.ttf_scale, "must be >= 0")


@dataclass
class MetricsConfig:
    period_weeks: int = 13

    def check(self, path: str) -> None:
        require(self.period_weeks >= 1, f"{path}.period_weeks", self.period_weeks, "must be >= 1")


@dataclass
class OutputConfig:
    dir: str | None = None  # None: the Hydra run folder
    charts: bool = True
    events: bool = True
    report: bool = True  # report.html and report.pdf in the run folder
    sweep_charts: bool = False  # in sweeps, charts and reports are written only when this is true
    sweep_tables: bool = False  # in sweeps, the parquet tables and twin/ only when this (or sweep_charts) is true

    def check(self, path: str) -> None:
        if self.dir is not None:  # an empty path would silently mean the default folder: say so instead
            require(bool(self.dir.strip()), f"{path}.dir", self.dir,
                    "must be a folder path, or null for outputs/runs/<timestamp>")


@dataclass
class Config:
    """The whole resolved configuration of one run."""

    org: OrgConfig
    sim: SimSection = field(default_factory=SimSection)
    attrition: AttritionConfig = field(default_factory=AttritionConfig)
    development: DevelopmentConfig = field(default_factory=DevelopmentConfig)
    performance: PerformanceConfig = field(default_factory=PerformanceConfig)
    review: ReviewConfig = field(default_factory=ReviewConfig)
    promotion: PromotionConfig = field(default_factory=PromotionConfig)
    hiring: HiringConfig = field(default_factory=HiringConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    program: ProgramConfig = field(default_factory=lambda: ProgramConfig(name="none", enabled=False))
    matching: MatchingConfig = field(default_factory=MatchingConfig)
    extra_programs: list[ProgramConfig] = field(default_factory=list)  # programs running beside `program`
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)

    def programs(self) -> list[ProgramConfig]:
        """Enabled programs, each with its matching resolved (default: the top-level `matching`)."""
        out = []
        for program in [self.program, *self.extra_programs]:
            if program.enabled:
                if program.matching is None:
                    program = dataclasses.replace(program, matching=self.matching)
                out.append(program)
        return out

    def check(self) -> None:
        self.org.check("org")
        self.sim.check("sim")
        self.attrition.check("attrition", len(self.org.levels))
        self.development.check("development")
        self.performance.check("performance", [g.name for g in self.org.groups])
        self.review.check("review")
        self.promotion.check("promotion")
        self.hiring.check("hiring")
        self.metrics.check("metrics")
        self.output.check("output")
        self.matching.check("matching")
        self.program.check("program", self.org)
        for i, extra in enumerate(self.extra_programs):
            extra.check(f"extra_programs[{i}]", self.org)
        names = [p.name for p in self.programs()]
        require_unique(names, "extra_programs", "running programs need distinct names")
        self.evaluation.check("evaluation")
