"""Config schemas of mentoring programs, their matching and their effects."""
from __future__ import annotations

from dataclasses import dataclass, field

from .checks import ConfigError, in_unit, non_negative, require
from .registry import MATCHING_POLICIES

FORMATS = ("one_to_one", "group", "reverse")
ENROLLMENT = ("cohort", "rolling")
ENROLLMENT_MODES = ("assigned", "opt_in")


@dataclass
class MatchingConfig:
    """How mentees are paired with mentors (`configs/matching/`)."""

    # A bare word where this section belongs (`program.matching=optimal`) meant this key.
    SCALAR_KEY = "policy"

    policy: str = "skill_gap"  # a name in MATCHING_POLICIES (sim.mentoring.matching)
    skill_weight: float = 0.5  # match quality = weighted mean of skill complementarity,
    similarity_weight: float = 0.3  # interest similarity,
    same_group_weight: float = 0.2  # and same demographic group
    n_focus: int = 2  # mentee's weakest competencies a match is judged on
    block_size: int = 200  # mentees per matching block
    candidates: int = 400  # mentors considered per block: a random sample when the pool is larger (0: all)

    def check(self, path: str) -> None:
        require(self.policy in MATCHING_POLICIES, f"{path}.policy", self.policy, MATCHING_POLICIES.allowed())
        non_negative(self, path, "skill_weight", "similarity_weight", "same_group_weight")
        total = self.skill_weight + self.similarity_weight + self.same_group_weight
        require(total > 0, f"{path}.skill_weight", self.skill_weight, "quality weights must not all be zero")
        require(self.n_focus >= 1, f"{path}.n_focus", self.n_focus, "must be >= 1")
        require(self.block_size >= 1, f"{path}.block_size", self.block_size, "must be >= 1")
        require(self.candidates >= 0, f"{path}.candidates", self.candidates, "must be >= 0 (0: every mentor)")


@dataclass
class EffectsConfig:
    """What a held meeting does. Per-meeting values apply at trust = alignment = 1."""

    # calibrated (skill_transfer, mentor_leadership_gain, the retention effects, sponsorship): docs/MODEL.md 9.3.1
    skill_transfer: float = 0.0125  # share of the mentor-mentee gap closed on focus competencies
    confidence_gain: float = 0.015
    engagement_gain: float = 0.01
    belonging_gain_same_group: float = 0.015
    belonging_gain_cross_group: float = 0.005
    trust_gain: float = 0.15  # trust += gain * (1 - trust) per held meeting
    trust_loss: float = 0.12  # trust -= loss per missed meeting
    trust_floor: float = 0.15  # a relationship whose trust falls below dissolves
    dissolution_engagement_penalty: float = 0.05
    mentor_leadership_gain: float = 0.0018  # mentor's growth competencies, share of gap to 1
    mentor_engagement_gain: float = 0.008
    mentee_retention_effect: float = -0.6  # log-hazard while in an active relationship
    mentor_retention_effect: float = -0.2
    alumni_retention_effect: float = -0.1  # after completing, for alumni_weeks (redefinition)
    alumni_weeks: int = 52
    sponsorship: float = 0.235  # promotion-score boost, in SDs of the candidates' scores
    training_multiplier: float = 1.3  # effectiveness of trained mentors
    initiation_skill_factor: float = 0.5  # skill transfer during the initiation phase
    group_skill_factor: float = 0.5  # skill transfer in a circle, relative to one-to-one
    mentor_growth_competencies: list[str] = field(
        default_factory=lambda: ["decision_making", "strategic_thinking", "emotional_intelligence"]
    )

    def check(self, path: str, competencies: list[str] | None) -> None:
        """`competencies`: the org's, to check mentor_growth_competencies against (None: not checked)."""
        for key in ("skill_transfer", "trust_gain", "trust_floor", "initiation_skill_factor", "group_skill_factor",
                    "mentor_leadership_gain"):
            in_unit(f"{path}.{key}", getattr(self, key))
        non_negative(self, path, "trust_loss", "dissolution_engagement_penalty", "alumni_weeks",
                     "training_multiplier")
        for name in self.mentor_growth_competencies if competencies is not None else ():
            require(name in competencies, f"{path}.mentor_growth_competencies", name,
                    f"must name competencies: {', '.join(competencies)}")

    def zeroed(self) -> "EffectsConfig":
        """The same program with every effect on people switched off (bookkeeping only)."""
        return EffectsConfig(
            skill_transfer=0.0, confidence_gain=0.0, engagement_gain=0.0, belonging_gain_same_group=0.0,
            belonging_gain_cross_group=0.0, trust_gain=self.trust_gain, trust_loss=self.trust_loss,
            trust_floor=self.trust_floor, dissolution_engagement_penalty=0.0, mentor_leadership_gain=0.0,
            mentor_engagement_gain=0.0, mentee_retention_effect=0.0, mentor_retention_effect=0.0,
            alumni_retention_effect=0.0, alumni_weeks=self.alumni_weeks, sponsorship=0.0,
            training_multiplier=self.training_multiplier, initiation_skill_factor=self.initiation_skill_factor,
            group_skill_factor=self.group_skill_factor, mentor_growth_competencies=list(self.mentor_growth_competencies))


@dataclass
class ProgramConfig:
    """One mentoring program (`configs/program/`)."""

    name: str = "program"
    enabled: bool = True
    format: str = "one_to_one"  # one_to_one | group (a circle per mentor) | reverse (junior mentors senior)
    # Mentee eligibility (all conditions together)
    mentee_levels: list[int] = field(default_factory=lambda: [0, 1, 2])
    mentee_min_tenure_weeks: int = 0
    mentee_max_tenure_weeks: int | None = None  # e.g. 26 for new hires
    mentee_hipo_only: bool = False
    mentee_groups: list[str] = field(default_factory=list)  # empty: every group
    # Mentor pool
    mentor_levels: list[int] = field(default_factory=list)  # empty: any level meeting the gap
    min_level_gap: int = 1  # mentor level - mentee level (reverse: mentee level - mentor level)
    mentor_other_department: bool = False
    mentor_min_tenure_weeks: int = 52
    mentor_capacity: int = 2  # mentees at once (group format: circle size)
    reverse_competencies: list[str] = field(default_factory=lambda: ["technical"])
    # Enrollment
    enrollment: str = "cohort"  # cohort: every cohort_every_weeks; rolling: every week
    cohort_every_weeks: int = 52
    first_cohort_week: int = 4
    enroll_share: float = 1.0  # share of the eligible pool invited (opt_in: who sign up, on average)
    # assigned: a random enroll_share of the eligible take part; opt_in: they volunteer, the settled more often
    enrollment_mode: str = "assigned"
    volunteer_selection: float = 0.0  # opt_in: log-odds of signing up per SD of low attrition risk
    mentor_volunteer_share: float = 1.0  # opt_in: share of the possible mentors who volunteer, on average
    max_mentees: int | None = None  # cap on mentees in the program at once
    budget_per_year: float | None = None  # cap on the yearly cost of active relationships
    # Relationship
    length_weeks: int = 52
    cadence_weeks: int = 4
    meeting_hours: float = 1.0
    attendance_base: float = 0.9
    attendance_load_slope: float = 0.08  # attendance falls by this per extra mentee of the mentor
    initiation_weeks: int = 12
    goal_setting: bool = True
    mentor_training: bool = False
    monitoring: bool = True
    monitor_after_weeks: int = 12
    rematch_trust_below: float = 0.3
    # Costs
    coordinator_cost_per_year: float = 20000.0
    training_cost_per_mentor: float = 1500.0
    loaded_cost_factor: float = 1.3  # salary -> loaded hourly cost
    hours_per_year: float = 2080.0
    matching: MatchingConfig | None = None  # None: the top-level `matching`
    effects: EffectsConfig = field(default_factory=EffectsConfig)

    def check(self, path: str, org) -> None:
        """Check the values; the fit to the organization (levels, groups, competencies) only when the
        program is enabled: a disabled program never runs, so its defaults need not fit a custom org."""
        require(bool(self.name.strip()), f"{path}.name", self.name, "must be a non-empty name")
        require(self.format in FORMATS, f"{path}.format", self.format, f"one of {', '.join(FORMATS)}")
        if self.enabled:
            self._check_against_org(path, org)
        non_negative(self, path, "mentee_min_tenure_weeks", "mentor_min_tenure_weeks", "meeting_hours",
                     "coordinator_cost_per_year", "training_cost_per_mentor", "loaded_cost_factor")
        if self.mentee_max_tenure_weeks is not None:
            require(self.mentee_max_tenure_weeks >= self.mentee_min_tenure_weeks, f"{path}.mentee_max_tenure_weeks",
                    self.mentee_max_tenure_weeks, "eligibility matches nobody: must be >= mentee_min_tenure_weeks")
        if self.enabled:
            require(self.mentor_capacity >= 1, f"{path}.mentor_capacity", self.mentor_capacity,
                    "must be >= 1 when the program enrolls mentees")
        require(self.enrollment in ENROLLMENT, f"{path}.enrollment", self.enrollment, "one of cohort, rolling")
        require(self.cohort_every_weeks >= 1, f"{path}.cohort_every_weeks", self.cohort_every_weeks, "must be >= 1")
        require(self.first_cohort_week >= 0, f"{path}.first_cohort_week", self.first_cohort_week, "must be >= 0")
        in_unit(f"{path}.enroll_share", self.enroll_share, closed_low=False)
        require(self.enrollment_mode in ENROLLMENT_MODES, f"{path}.enrollment_mode", self.enrollment_mode,
                f"one of {', '.join(ENROLLMENT_MODES)}")
        require(0 <= self.volunteer_selection <= 20, f"{path}.volunteer_selection",
                self.volunteer_selection, "must be a number in [0, 20] (log-odds per SD; 0: no selection)")
        in_unit(f"{path}.mentor_volunteer_share", self.mentor_volunteer_share, closed_low=False)
        if self.max_mentees is not None:
            require(self.max_mentees >= 1, f"{path}.max_mentees", self.max_mentees, "must be >= 1 (or null)")
        if self.budget_per_year is not None:
            require(self.budget_per_year > 0, f"{path}.budget_per_year", self.budget_per_year, "must be > 0 (or null)")
        require(self.length_weeks >= 1, f"{path}.length_weeks", self.length_weeks, "must be >= 1")
        require(self.cadence_weeks >= 1, f"{path}.cadence_weeks", self.cadence_weeks,
                "must be a positive number of weeks")
        in_unit(f"{path}.attendance_base", self.attendance_base)
        non_negative(self, path, "attendance_load_slope", "initiation_weeks", "monitor_after_weeks")
        in_unit(f"{path}.rematch_trust_below", self.rematch_trust_below)
        require(self.hours_per_year > 0, f"{path}.hours_per_year", self.hours_per_year, "must be > 0")
        if self.matching is not None:
            self.matching.check(f"{path}.matching")
        self.effects.check(f"{path}.effects", org.competencies if self.enabled else None)

    def _check_against_org(self, path: str, org) -> None:
        """Levels, groups and competencies named by the program exist in `org`; every mentee level has
        mentors min_level_gap away."""
        n_levels = len(org.levels)
        require(len(self.mentee_levels) > 0, f"{path}.mentee_levels", self.mentee_levels,
                "eligibility matches nobody: list at least one level")
        for key in ("mentee_levels", "mentor_levels"):
            for lv in getattr(self, key):
                require(0 <= lv < n_levels, f"{path}.{key}", lv, f"level indices must be in [0, {n_levels - 1}]")
        groups = [g.name for g in org.groups]
        for g in self.mentee_groups:
            require(g in groups, f"{path}.mentee_groups", g, f"must name groups: {', '.join(groups)}")
        for c in self.reverse_competencies if self.format == "reverse" else ():  # read by reverse only
            require(c in org.competencies, f"{path}.reverse_competencies", c,
                    f"must name competencies: {', '.join(org.competencies)}")
        require(1 <= self.min_level_gap <= n_levels - 1, f"{path}.min_level_gap", self.min_level_gap,
                f"must be in [1, {n_levels - 1}] (the org has {n_levels} levels)")
        self._check_level_gap(path, n_levels)

    def _check_level_gap(self, path: str, n_levels: int) -> None:
        """Every mentee level needs a mentor level min_level_gap away (below it for format=reverse).
        Four keys meet here; the message names min_level_gap when it is above its default of 1,
        else mentee_levels, and shows the other three."""
        mentor_levels = self.mentor_levels or list(range(n_levels))
        reverse = self.format == "reverse"
        for lv in self.mentee_levels:
            gaps = [(lv - m) if reverse else (m - lv) for m in mentor_levels]
            if max(gaps) >= self.min_level_gap:
                continue
            key, value = ("min_level_gap", self.min_level_gap) if self.min_level_gap > 1 else (
                "mentee_levels", self.mentee_levels)
            direction = "below" if reverse else "above"
            raise ConfigError(
                f"{path}.{key} = {value!r}: mentee level {lv} has no mentor level {self.min_level_gap}+ levels "
                f"{direction} it (format={self.format}, mentee_levels={self.mentee_levels}, mentor_levels="
                f"{self.mentor_levels or 'any'}, min_level_gap={self.min_level_gap}, levels 0-{n_levels - 1})")


@dataclass
class EvaluationConfig:
    """The counterfactual twin and the value assumptions."""

    twin: bool = True  # also run the same organization, same seed, without programs
    decomposition: bool = True  # split each effect by mechanism (channel worlds; needs the twin)
    sweep_decomposition: bool = False  # in sweeps, the decomposition runs only when this is true (speed)
    external_hire_premium_share: float = 0.25  # extra cost of an outside leadership hire, share of salary
    discount_rate: float = 0.05  # real, per year: costs and value are discounted to the start of the run
    objective: str = "turnover_annual"  # the metrics.json key a run returns to an optimizing sweeper
    objective_seeds: int = 1  # the objective is the mean over sim.seed and the next seeds (paired with twins)
    objective_budget: float | None = None  # mean cost.total above this adds the penalty below
    objective_penalty: float | None = None  # objective units per relative overspend (cost / budget - 1)
    seeds: int | None = None  # a single run's paired seeds (sim.seed on); null: 10 for a run, 1 per sweep job

    def check(self, path: str) -> None:
        non_negative(self, path, "external_hire_premium_share")
        in_unit(f"{path}.discount_rate", self.discount_rate, closed_high=False)
        require(bool(self.objective.strip()), f"{path}.objective", self.objective, "must name a metrics.json key")
        if self.seeds is not None:
            require(self.seeds >= 1, f"{path}.seeds", self.seeds, "must be >= 1 (or null: 10 for a single run, "
                    "1 for each sweep job)")
        require(self.objective_seeds >= 1, f"{path}.objective_seeds", self.objective_seeds, "must be >= 1")
        if self.objective_budget is not None:
            require(self.objective_budget > 0, f"{path}.objective_budget", self.objective_budget,
                    "must be > 0 (or null)")
            require(self.objective_penalty is not None and self.objective_penalty >= 0,
                    f"{path}.objective_penalty", self.objective_penalty,
                    "must be >= 0 with a budget: the objective's units per 100% overspend")
