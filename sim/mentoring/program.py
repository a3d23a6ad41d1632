"""A mentoring program as an intervention: `init`, `step` (each week), `on_leave`, `finalize`.

A week of a program (inside phase 3 of the model's week; `ties.TieWeek.step`):
  1. meetings due this week are held or missed;
  2. relationships end, checked in this order: dissolved (trust below floor), promoted
     out of eligibility, rematched (monitoring), completed (planned end);
  3. enrollment: at a cohort launch (or every week when rolling) eligible, invited
     employees are matched to mentors with spare capacity; mentees whose tie ended
     by monitoring or a departing mentor are rematched at once;
  4. effects on hazards and promotion chances are declared for this week.
A week in which no tie ends and nobody enrolls is one compiled call for all four.
"""
from __future__ import annotations

import logging
from collections import defaultdict

import numpy as np

from ..engine import rng
from ..engine.events import register_kind
from . import kernels
from ..engine.population import room_for
from ..engine.rng import STREAMS
from .matching import SAMPLE_POOL_ENTITY, match
from .empty_rounds import why_no_mentee, why_no_mentor
from .volunteers import MENTEE_DRAW, MENTOR_DRAW, Answers
from .relationships import END_REASONS, Relationships
from .round_kernels import eligible, in_draw_order, union_of_sorted, waiting_mentees
from .start_kernels import START_COLUMNS, start_ties
from .ties import TieWeek
from ..config.program import ProgramConfig

log = logging.getLogger(__name__)
register_kind("mentoring_start", "mentor's employee id (employee = the mentee)")
register_kind("mentoring_end", "end reason code: 1 completed, 2 mentor_left, 3 mentee_left, 4 promoted, "
              "5 dissolved, 6 rematched (employee = the mentee)")
MENTORING_SKILL_COMPETENCIES = ("communication", "emotional_intelligence")
# A mentor pool is sampled only from populations this many times the sample: below that a full
# scan costs little, and the senior levels a round needs may hold too few mentors to find by draws.
SAMPLE_POOL_MIN_RATIO = 32
NO_CAP = int(np.iinfo(np.int64).max)  # places left when neither max_mentees nor a budget limits them


class Program(TieWeek):
    """One running mentoring program."""

    def __init__(self, cfg: ProgramConfig, index: int):
        self.cfg = cfg
        self.index = index
        self.name = cfg.name
        self.stats: dict[str, float] = defaultdict(float)

    # ------------------------------------------------------------ lifecycle
    def init(self, model) -> None:
        cfg, org, pop = self.cfg, model.org, model.pop
        self.model, self.pop, self.org = model, pop, org
        self.rel = Relationships(capacity=org.total_seats)
        seed = model.cfg.sim.seed
        self.keys = {name: rng.stream_key(seed, STREAMS[name] * 1000 + self.index)
                     for name in ("matching", "meetings", "enrollment")}
        names = org.competency_names
        self.fixed_focus = np.array([cfg.format == "reverse" and c in cfg.reverse_competencies for c in names])
        self.growth_mask = np.array([c in cfg.effects.mentor_growth_competencies for c in names])
        self.skill_columns = np.array([names.index(c) for c in MENTORING_SKILL_COMPETENCIES if c in names] or list(
            range(len(names))), dtype=np.int64)
        salary = np.array([lv.salary for lv in org.cfg.levels])
        self.hourly_cost = salary * cfg.loaded_cost_factor / cfg.hours_per_year
        self.ever_enrolled = np.zeros(max(1024, 2 * org.total_seats), dtype=bool)  # by employee id
        self.trained = np.zeros_like(self.ever_enrolled)
        self.cohort_event = f"cohort:{self.name}"
        if cfg.enrollment == "cohort":
            model.clock.every(self.cohort_event, cfg.cohort_every_weeks, first=cfg.first_cohort_week,
                              until=model.horizon)
        self.weeks_running = 0
        # Competence without the mentoring gains is kept only where a skill channel is switched off.
        self.track_gains = not (model.switches.gain_in_readiness and model.switches.gain_in_market_pull)
        # Costs by the week they were incurred (columns COST_COMPONENTS), for discounting.
        self.cost_by_week = np.zeros((model.horizon, len(self.COST_COMPONENTS)))
        # Roles per population slot, kept up to date as ties start and end (never rebuilt weekly).
        self.mentor_load = np.zeros(pop.capacity, dtype=np.int64)  # live ties as mentor
        self.is_mentee = np.zeros(pop.capacity, dtype=np.bool_)  # in a live tie as mentee
        self.n_mentors = 0  # slots with mentor_load > 0
        # Live rows by person (start_kernels.start_ties keeps them): a mentee's row, a mentor's rows
        # as a list (the last opened, then next_row by relationship row), -1 for none.
        self.mentee_row = np.full(pop.capacity, -1, dtype=np.int64)
        self.mentor_first = np.full(pop.capacity, -1, dtype=np.int64)
        self.next_row = np.full(self.rel.capacity, -1, dtype=np.int64)
        self._scratch = np.zeros(pop.capacity, dtype=np.bool_)  # always all False between uses
        self._scratch_taken = np.zeros(pop.capacity, dtype=np.bool_)
        self._mark = np.full(pop.capacity, -1, dtype=np.int64)
        self._first_row = np.full(pop.capacity, -1, dtype=np.int64)  # scratch of start_ties, -1 between uses
        self._no_shift = np.zeros(pop.capacity)  # who volunteers is judged without any program's effect
        self.answers = {draw: Answers(self.ever_enrolled.size) for draw in (MENTEE_DRAW, MENTOR_DRAW)}  # opt_in
        self.mentee_level_ok = np.isin(np.arange(org.n_levels), cfg.mentee_levels)
        groups = org.group_names
        self.mentee_group_ok = np.array([not cfg.mentee_groups or g in cfg.mentee_groups for g in groups], dtype=np.bool_)
        self.mentor_level_ok = (np.isin(np.arange(org.n_levels), cfg.mentor_levels) if cfg.mentor_levels
                                else np.ones(org.n_levels, dtype=np.bool_))
        self._init_ties(model)
        self._start_columns = tuple(getattr(self.rel, name) for name in START_COLUMNS)  # never reallocated

    def finalize(self, model) -> None:
        rows = self.rel.active_slots()
        s = self.stats
        s["meetings_held"] += float(self.rel.held[rows].sum())
        s["meetings_missed"] += float(self.rel.missed[rows].sum())
        s["active_at_end"] = float(rows.size)
        years = self.weeks_running / model.cfg.sim.weeks_per_year
        s["coordinator_cost"] = self.cfg.coordinator_cost_per_year * years
        self._fold_tie_totals()

    # ------------------------------------------------------------ enrollment
    def eligible_mentees(self, week: int) -> np.ndarray:
        """Slots of employees who may enroll now (before invitation and caps; `round_kernels.eligible`)."""
        pop, cfg = self.pop, self.cfg
        self._make_room()
        max_tenure = -1 if cfg.mentee_max_tenure_weeks is None else cfg.mentee_max_tenure_weeks
        return eligible(pop.active, pop.count, pop.hire_week, pop.level, pop.hipo, pop.group, pop.eid,
                        self.mentee_level_ok, cfg.mentee_min_tenure_weeks, max_tenure, cfg.mentee_hipo_only,
                        self.mentee_group_ok, self.ever_enrolled, self.is_mentee, self.mentor_load, week)

    def _make_room(self) -> None:
        """Flags by employee id long enough for every id given so far (ids only grow)."""
        next_eid = self.pop.next_eid
        if next_eid > self.ever_enrolled.size:
            ids = np.array([next_eid - 1])
            self.ever_enrolled, self.trained = room_for(self.ever_enrolled, ids), room_for(self.trained, ids)

    def _enrolled(self, eids) -> np.ndarray:
        self._make_room()
        return self.ever_enrolled[eids]

    def _enroll(self, week: int, rematch_only: bool = False) -> None:
        pop, cfg = self.pop, self.cfg
        if not rematch_only:
            mentees = self.eligible_mentees(week)
            invited = self._sign_up(mentees, cfg.enroll_share, MENTEE_DRAW, week)
            # both sorted and distinct (slots in order; the waiting list made unique), as the merge needs
            mentees = union_of_sorted(mentees[invited], self._rematchable())
        else:
            mentees = self._rematchable()
        self._rematch.n = 0
        if not rematch_only:
            self.stats["launches"] += 1
        if mentees.size == 0:
            if not rematch_only:
                # Presets may launch before anyone qualifies (no high potentials before the first
                # review): said once per run with the reason, then only counted.
                if not self.stats["launches_without_eligible"]:
                    log.warning("program %s: nobody eligible to enroll in week %d: %s (said once; such launches "
                                "are counted in program.%s.launches_without_eligible)", self.name, week,
                                why_no_mentee(self, week), self.name)
                self.stats["launches_without_eligible"] += 1
            return
        mentees = in_draw_order(mentees, pop.draw_key, self.keys["enrollment"], week, 1, self._places_left())
        mentors, spare = self._mentor_pool(week, mentees)
        if mentees.size == 0 or mentors.size == 0:
            if mentors.size == 0:
                if not self.stats["launches_without_mentor"]:
                    log.warning("program %s: no mentor for the mentees enrolling in week %d: %s (said once; such "
                                "rounds are counted in program.%s.launches_without_mentor)", self.name, week,
                                why_no_mentor(self, week, mentees), self.name)
                self.stats["launches_without_mentor"] += 1
            return
        reverse_mask = self.fixed_focus if cfg.format == "reverse" else None
        e, m, q = match(pop, self.org, cfg, mentees, mentors, spare, self.keys["matching"], week, reverse_mask)
        self.stats["unmatched"] += mentees.size - e.size
        if e.size:
            self._start(e, m, q, week)

    def _sign_up(self, slots, share: float, draw: int, week: int) -> np.ndarray:
        """Who of `slots` takes part: a random `share` (assigned), or volunteers (opt_in, `volunteers`).

        Either way a person answers once, so `share` is the share of the eligible who take part: an
        assigned invitation is keyed at week 0 (the same at every launch); a volunteer decides at the
        first round he or she is a candidate, and the answer is kept (declined stays declined)."""
        cfg = self.cfg
        if cfg.enrollment_mode == "assigned":
            return rng.uniforms(self.keys["enrollment"], self.pop.draw_key[slots], 0, draw) < share
        return self.answers[draw].sign_up(self.model, self.keys["enrollment"], slots, share, cfg.volunteer_selection,
                                          week, draw, self._no_shift)

    def _rematchable(self) -> np.ndarray:
        """Slots of mentees waiting for a new mentor who are still here and still at an eligible level."""
        pop = self.pop
        return waiting_mentees(*self._rematch.columns, self._rematch.n, pop.active, pop.eid, pop.level, self.mentee_level_ok)

    def _places_left(self) -> int:
        cfg, rel = self.cfg, self.rel
        places = NO_CAP
        if cfg.max_mentees is not None:
            places = min(places, cfg.max_mentees - rel.n_active)
        if cfg.budget_per_year is not None:
            meetings = self.model.cfg.sim.weeks_per_year / cfg.cadence_weeks
            per_pair = meetings * cfg.meeting_hours * 2 * float(self.hourly_cost.mean())
            room = cfg.budget_per_year - cfg.coordinator_cost_per_year - rel.n_active * per_pair
            places = min(places, int(room // per_pair) if per_pair > 0 else places)
        return max(0, places)

    def _mentor_pool(self, week: int, mentees):
        """Mentors with spare capacity who volunteer (`_sign_up`: everyone when assigned), and how much."""
        slots, spare = self._possible_mentors(week, mentees)
        if self.cfg.enrollment_mode == "opt_in" and self.cfg.mentor_volunteer_share < 1.0 and slots.size:
            keep = self._sign_up(slots, self.cfg.mentor_volunteer_share, MENTOR_DRAW, week)
            slots, spare = slots[keep], spare[keep]
        return slots, spare

    def _possible_mentors(self, week: int, mentees):
        """Mentors with spare capacity, and how much; nobody enrolling as a mentee now (one role each).

        A small round (e.g. a week's rematches) in a large organization needs only a random
        sample of the mentors senior enough, drawn directly from the population, as matching
        would sample them anyway (`matching.candidates`); otherwise every mentor is listed.
        """
        pop, cfg = self.pop, self.cfg
        m = cfg.matching or self.model.cfg.matching
        enrolling = self._scratch
        enrolling[mentees] = True
        args = (pop.active, pop.count, pop.hire_week, pop.level, self.mentor_level_ok, self.is_mentee, enrolling,
                self.mentor_load, cfg.mentor_min_tenure_weeks, week, cfg.mentor_capacity, cfg.format == "group")
        try:
            wanted = max(m.candidates, 3 * mentees.size)
            if m.candidates and mentees.size and SAMPLE_POOL_MIN_RATIO * wanted <= pop.count:
                levels = pop.level[mentees]
                if cfg.format == "reverse":
                    lo, hi = 0, int(levels.max()) - cfg.min_level_gap
                else:
                    lo, hi = int(levels.min()) + cfg.min_level_gap, self.org.n_levels - 1
                key = np.uint64(rng.entity_key(self.keys["matching"], SAMPLE_POOL_ENTITY))
                slots, spare, complete = kernels.sample_mentor_pool(*args, lo, hi, wanted, 20 * wanted, key,
                                                                    self._scratch_taken)
                if complete:
                    return slots, spare
            return kernels.mentor_pool(*args)
        finally:
            enrolling[mentees] = False

    def _start(self, mentees, mentors, quality, week: int) -> None:
        pop, cfg, rel = self.pop, self.cfg, self.rel
        self._make_room()  # start_ties flags mentees (and trained mentors) by employee id
        skill = 0.5 + pop.competency[mentors][:, self.skill_columns].mean(axis=1)
        n_free, count, new_mentors, trained, quality_sum = start_ties(
            rel.active, rel._free, rel._n_free, rel.count, rel.next_id, mentees, mentors, quality, skill, week,
            cfg.length_weeks, cfg.cadence_weeks, 0.2 if cfg.goal_setting else 0.0, cfg.format == "group", pop.eid,
            self._start_columns, self.is_mentee, self.mentor_load, pop.participation, self.ever_enrolled, self.trained,
            cfg.mentor_training, self._first_row, self.mentee_row, self.mentor_first, self.next_row)
        rel.sync(n_free, count)
        rel.take_ids(mentees.size)
        self.n_mentors += new_mentors
        if cfg.mentor_training:
            self.stats["mentors_trained"] += trained
            self.stats["training_cost"] += trained * cfg.training_cost_per_mentor
            self.cost_by_week[week, 3] += trained * cfg.training_cost_per_mentor
        self.stats["pairs_started"] += mentees.size
        self.stats["quality_sum"] += quality_sum
        self.model.record("mentoring_start", mentees, week, detail=pop.eid[mentors])

    # ------------------------------------------------------------ results
    COST_COMPONENTS = ("mentee_cost", "mentor_cost", "coordinator_cost", "training_cost")
    STAT_KEYS = ("pairs_started", "pairs_ended", "unmatched", "meetings_held", "meetings_missed", "pair_weeks",
                 "mentor_weeks", "mentee_hours", "mentor_hours", "mentee_cost", "mentor_cost", "coordinator_cost",
                 "training_cost", "mentors_trained", "active_at_end", "launches", "launches_without_eligible",
                 "launches_without_mentor")

    def summary(self) -> dict[str, float]:
        """Program statistics, flat (prefix added by the caller); the same keys for every run."""
        self._fold_tie_totals()
        s = self.stats
        out = {k: float(s[k]) for k in self.STAT_KEYS}
        out["mean_trust"] = s["trust_sum"] / s["pair_weeks"] if s["pair_weeks"] else float("nan")
        out["mean_trust_at_end"] = s["trust_at_end_sum"] / s["pairs_ended"] if s["pairs_ended"] else float("nan")
        out["mean_match_quality"] = s["quality_sum"] / s["pairs_started"] if s["pairs_started"] else float("nan")
        out["mean_mentor_load"] = s["pair_weeks"] / s["mentor_weeks"] if s["mentor_weeks"] else float("nan")
        total = s["meetings_held"] + s["meetings_missed"]
        out["attendance_rate"] = s["meetings_held"] / total if total else float("nan")
        out["total_cost"] = s["mentee_cost"] + s["mentor_cost"] + s["coordinator_cost"] + s["training_cost"]
        for reason in END_REASONS.values():
            out[f"pairs_{reason}"] = float(s[f"pairs_{reason}"])
        return out
